// Fresh process, item 2 (ours): import the package root, then get the first credentials with the
// defaults (token from the metadata server at GCE_METADATA_HOST, STS at AWS_ENDPOINT_URL_STS).
// Prints one JSON line of timings (ms); performance.now() counts from the process's start.
const started = performance.now();
const { fromGcpServiceAccount } = await import("cross-cloud-credentials");
const imported = performance.now();
const credentials = await fromGcpServiceAccount({ roleArn: process.argv[2]! })();
const done = performance.now();
if (!credentials.accessKeyId || !(credentials.expiration instanceof Date)) throw new Error("no credentials");
process.stdout.write(`${JSON.stringify({ scriptMs: done - started, importMs: imported - started, sinceProcessStartMs: done })}\n`);
export {};
