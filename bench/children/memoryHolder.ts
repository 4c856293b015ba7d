// Fresh process, item 7: hold N credential providers, make M cached calls in total (round robin),
// and print the memory after GC, once when every provider holds credentials and once after the calls.
// argv: "ours" | "baseline", providers, calls. Run with --expose-gc; fakes from the environment
// (GCE_METADATA_HOST, AWS_ENDPOINT_URL_STS, AWS_REGION).
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");
const [kind, providersArg, callsArg] = process.argv.slice(2) as [string, string, string];
const count = Number(providersArg);
const calls = Number(callsArg);
const roleArn = "arn:aws:iam::123456789012:role/gcp-reader";

type Provider = () => Promise<{ accessKeyId: string }>;
let providers: Provider[];
if (kind === "ours") {
  const { fromGcpServiceAccount } = await import("cross-cloud-credentials");
  providers = Array.from({ length: count }, () => fromGcpServiceAccount({ roleArn }));
} else {
  const { fromWebToken } = await import("@aws-sdk/credential-providers");
  const { memoizeIdentityProvider, isIdentityExpired, doesIdentityRequireRefresh } = await import("@smithy/core");
  const url = `http://${process.env.GCE_METADATA_HOST}/computeMetadata/v1/instance/service-accounts/default/identity?audience=sts.amazonaws.com&format=full`;
  const webIdentityToken = await (await fetch(url, { headers: { "Metadata-Flavor": "Google" } })).text();
  providers = Array.from({ length: count }, () => memoizeIdentityProvider(fromWebToken({ roleArn, webIdentityToken, roleSessionName: "gcp-workload" }), isIdentityExpired, doesIdentityRequireRefresh)!);
}
for (const provider of providers) await provider();
gc();
gc();
const warm = process.memoryUsage();
const started = performance.now();
for (let i = 0; i < calls; i++) await providers[i % count]!();
const callsMs = performance.now() - started;
gc();
gc();
process.stdout.write(`${JSON.stringify({ warm, after: process.memoryUsage(), callsMs })}\n`);
