import { cachedCredentialProcessOutput } from "./cachedCredentialProcessOutput.js";

// The AWS SDK warns about Node 20 on stderr; the CLI keeps stderr for its own diagnostics.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// google-auth-library's debug logging prints response bodies (access tokens) on stderr: never in the CLI.
delete process.env.GOOGLE_SDK_NODE_LOGGING;

// Stdout carries the result only (credential_process consumers parse it): anything else that a
// dependency prints there goes to stderr instead.
const writeResult = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

const argv = process.argv.slice(2);
// A cache hit of aws-credentials (the AWS CLI's path before every command) is answered before the
// rest of the CLI is even loaded.
const cached = cachedCredentialProcessOutput(argv);
if (cached !== undefined) {
  writeResult(cached);
} else {
  void import("./main.js").then(async ({ main }) => {
    process.exitCode = await main(argv, { stdout: (text) => writeResult(text), stderr: (text) => process.stderr.write(text) });
  });
}
