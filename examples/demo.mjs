// npm run demo: both directions on this machine, against the built-in fakes (no cloud account).
// A "GCP workload" takes a metadata-server ID token, gets AWS credentials through fromGcpServiceAccount,
// and makes a real AWS SDK v3 call whose SigV4 signature the fake STS verifies. An "AWS workload"
// takes its IMDSv2 role credentials, gets a Google token through awsExternalAccountClient, and lists
// buckets with a real @googleapis/storage client; the fake Google STS verifies the AWS signature.
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { storage } from "@googleapis/storage";
import { awsExternalAccountClient, awsTrustPolicy, fromGcpServiceAccount } from "cross-cloud-credentials";
import { createFakeAwsSts, createFakeEc2Metadata, createFakeGcpMetadataServer, createFakeGoogleSts } from "cross-cloud-credentials/testing";

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

const ec2 = await createFakeEc2Metadata({ region: "eu-west-3" });
const google = await createFakeGoogleSts({ awsSecrets: (id) => ec2.lookupSecret(id) });
step(`Fake EC2 IMDSv2 on ${ec2.url}, fake Google STS + IAM Credentials + Storage API on ${google.url}`);

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

  // An EC2 instance: no AWS keys, profiles or container variables, just instance metadata (for real at 169.254.169.254).
  for (const name of Object.keys(process.env)) if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|CONTAINER_|WEB_IDENTITY|ROLE_ARN)/.test(name)) delete process.env[name];
  process.env.AWS_CONFIG_FILE = process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent";
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = ec2.url;
  const sa = "reader@my-project.iam.gserviceaccount.com";
  step("AWS workload: awsExternalAccountClient() → IMDSv2 role credentials → Google STS → impersonate " + sa);
  const auth = awsExternalAccountClient({
    projectNumber: "123456789012", poolId: "aws-pool", providerId: "aws-provider",
    serviceAccountEmail: sa,
    tokenUrl: google.tokenUrl,
    serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl(sa),
  });
  const { token } = await auth.getAccessToken();
  const [exchange] = google.acceptedExchanges;
  if (!exchange || exchange.accessKeyId !== ec2.issuedCredentials[0]?.accessKeyId) throw new Error("Google STS did not verify the EC2 role's signature");
  ok(`fake Google STS verified the SigV4 signature of ${exchange.accessKeyId} for region ${exchange.region}`);
  ok(`impersonated Google access token ${redact(token)}`);

  step("AWS workload: real @googleapis/storage buckets.list with that client");
  const res = await storage({ version: "v1", auth, rootUrl: `${google.url}/` }).buckets.list({ project: "my-project" });
  const call = google.apiCalls.at(-1);
  if (!call?.authorized || call.bearer !== token) throw new Error("the Storage API did not receive the impersonated token");
  ok(`Storage API accepted the bearer token: buckets ${res.data.items.map((b) => b.name).join(", ")}`);
  ok(`upstream calls: ${ec2.tokenPuts().length} IMDSv2 token, ${ec2.credentialGets().length} credentials fetch, ${google.exchanges} exchange, ${google.impersonations} impersonation`);
} catch (error) {
  failed = true;
  process.stderr.write(`\n✘ demo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
} finally {
  await Promise.all([metadata.close(), sts.close(), ec2.close(), google.close()]);
}
process.stdout.write(failed ? "\nDemo FAILED\n" : "\nDemo passed: every step verified.\n");
process.exitCode = failed ? 1 : 0;
