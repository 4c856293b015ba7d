// Fresh process, item 7: the memory of an empty Node process (after GC), as one JSON line. Run with --expose-gc.
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");
gc();
gc();
process.stdout.write(`${JSON.stringify({ after: process.memoryUsage() })}\n`);
export {};
