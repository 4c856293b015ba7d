// Fresh process, item 3: import one module specifier and print how long the import took (ms), and
// how long since the process started. argv: the specifier.
const specifier = process.argv[2]!;
const started = performance.now();
await import(specifier);
const done = performance.now();
process.stdout.write(`${JSON.stringify({ importMs: done - started, sinceProcessStartMs: done })}\n`);
export {};
