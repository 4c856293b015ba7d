// Fresh process, item 2 (baseline): what a user would write without this package: import the AWS
// SDK's fromWebToken, fetch the ID token from the metadata server with `fetch`, exchange it.
// argv: roleArn, roleSessionName, and "providers" (import from @aws-sdk/credential-providers, the
// documented package) or "web-identity" (from @aws-sdk/credential-provider-web-identity, leaner).
// Prints one JSON line of timings (ms); performance.now() counts from the process's start.
import type { fromWebToken as FromWebToken } from "@aws-sdk/credential-providers";

const [roleArn, roleSessionName, from] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
const { fromWebToken } = (
  from === "web-identity" ? await import("@aws-sdk/credential-provider-web-identity") : await import("@aws-sdk/credential-providers")
) as { fromWebToken: typeof FromWebToken };
const imported = performance.now();
const response = await fetch(
  `http://${process.env.GCE_METADATA_HOST}/computeMetadata/v1/instance/service-accounts/default/identity?audience=sts.amazonaws.com&format=full`,
  { headers: { "Metadata-Flavor": "Google" } },
);
if (!response.ok) throw new Error(`metadata server answered ${response.status}`);
const webIdentityToken = await response.text();
const credentials = await fromWebToken({ roleArn, webIdentityToken, roleSessionName })();
const done = performance.now();
if (!credentials.accessKeyId || !(credentials.expiration instanceof Date)) throw new Error("no credentials");
process.stdout.write(`${JSON.stringify({ scriptMs: done - started, importMs: imported - started, sinceProcessStartMs: done })}\n`);
