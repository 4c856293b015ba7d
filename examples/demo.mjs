// npm run demo: the whole GCP → AWS path on this machine, against the built-in fakes (no cloud account).
// A "GCP workload" takes a metadata-server ID token, gets AWS credentials through fromGcpServiceAccount,
// and makes a real AWS SDK v3 call whose SigV4 signature the fake STS verifies.
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { awsTrustPolicy, fromGcpServiceAccount } from "cross-cloud-credentials";
import { createFakeAwsSts, createFakeGcpMetadataServer } from "cross-cloud-credentials/testing";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"; // the SDK's Node 20 notice is not ours to show

const redact = (secret) => `${secret.slice(0, 6)}…(${secret.length} chars)`;
const step = (text) => process.stdout.write(`\n▶ ${text}\n`);
const ok = (text) => process.stdout.write(`  ✔ ${text}\n`);

const metadata = await createFakeGcpMetadataServer();
step(`Fake GCP metadata server on ${metadata.url} (service account ${metadata.email}, unique ID ${metadata.uniqueId})`);
const trustPolicy = awsTrustPolicy({ serviceAccountUniqueId: metadata.uniqueId, serviceAccountEmail: metadata.email });
const sts = await createFakeAwsSts({ identityProviders: [metadata], trustPolicy });
step(`Fake AWS STS on ${sts.url}, role trust policy from awsTrustPolicy():`);
process.stdout.write(`${JSON.stringify(trustPolicy, null, 2).replace(/^/gm, "    ")}\n`);

let failed = false;
try {
  process.env.GCE_METADATA_HOST = metadata.host; // what a GCP workload has for real at 169.254.169.254
  process.env.AWS_ENDPOINT_URL_STS = sts.url;
  const credentials = fromGcpServiceAccount({ roleArn: "arn:aws:iam::123456789012:role/gcp-reader" });
  step("GCP workload: fromGcpServiceAccount() → metadata ID token → STS AssumeRoleWithWebIdentity");
  const creds = await credentials();
  ok(`AWS credentials ${creds.accessKeyId}, secret ${redact(creds.secretAccessKey)}, expire ${creds.expiration.toISOString()}`);
  ok(`ID token sent to STS: ${redact(metadata.issuedTokens[0])}`);

  step("GCP workload: real AWS SDK v3 STSClient GetCallerIdentity, signed with those credentials");
  const client = new STSClient({ region: "us-east-1", credentials });
  const identity = await client.send(new GetCallerIdentityCommand({}));
  if (sts.verifiedCallerIdentityCalls !== 1) throw new Error("the fake STS did not verify the SigV4 signature");
  ok(`fake STS verified the signature: ${identity.Arn}`);
  ok(`upstream calls: ${metadata.identityRequests().length} token fetch, ${sts.count("AssumeRoleWithWebIdentity")} STS exchange`);
} catch (error) {
  failed = true;
  process.stderr.write(`\n✘ demo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
} finally {
  await Promise.all([metadata.close(), sts.close()]);
}
process.stdout.write(failed ? "\nDemo FAILED\n" : "\nDemo passed: every step verified.\n");
process.exitCode = failed ? 1 : 0;
