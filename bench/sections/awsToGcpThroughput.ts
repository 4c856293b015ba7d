// Item 6 (throughput): cached `getRequestHeaders()` of our client against google-auth-library's
// AwsClient fed by a non-caching AWS security-credentials supplier (the AWS SDK's fromInstanceMetadata
// called at every exchange), both on fake IMDSv2 + fake Google STS.
import { fromInstanceMetadata } from "@aws-sdk/credential-providers";
import { awsExternalAccountClient } from "cross-cloud-credentials";
import { createFakeEc2Metadata, createFakeGoogleSts } from "cross-cloud-credentials/testing";
import { AwsClient } from "google-auth-library";
import { useCleanEnv } from "../lib/env.js";
import { emitResult, expectEqual, isQuick, log, markdownTable } from "../lib/report.js";
import { formatRate, formatRatio, median, medianPairedRatio } from "../lib/stats.js";
import { measureThroughput } from "../lib/throughput.js";

const AUDIENCE = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/aws-provider";
const SERVICE_ACCOUNT = "reader@my-project.iam.gserviceaccount.com";
const quick = isQuick();
const options = quick ? { rounds: 3, timeMs: 100, warmupMs: 20, batch: 200 } : { rounds: 15, timeMs: 300, warmupMs: 100, batch: 200 };

const ec2 = await createFakeEc2Metadata();
const google = await createFakeGoogleSts({ audience: AUDIENCE, awsSecrets: (id) => ec2.lookupSecret(id), serviceAccounts: [SERVICE_ACCOUNT] });
useCleanEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: ec2.url });
const federation = {
  audience: AUDIENCE,
  tokenUrl: google.tokenUrl,
  serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl(SERVICE_ACCOUNT),
};

const ours = awsExternalAccountClient({ ...federation, serviceAccountEmail: SERVICE_ACCOUNT });
const imdsCredentials = fromInstanceMetadata(); // the AWS SDK's provider: IMDS at every call, no cache
const baseline = new AwsClient({
  type: "external_account",
  audience: federation.audience,
  subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
  token_url: federation.tokenUrl,
  service_account_impersonation_url: federation.serviceAccountImpersonationUrl,
  aws_security_credentials_supplier: {
    getAwsRegion: async () => "us-east-1",
    getAwsSecurityCredentials: async () => {
      const { accessKeyId, secretAccessKey, sessionToken } = await imdsCredentials();
      return { accessKeyId, secretAccessKey, ...(sessionToken ? { token: sessionToken } : {}) };
    },
  },
});

const authorization = async (client: { getRequestHeaders(): Promise<Headers> }) => (await client.getRequestHeaders()).get("authorization");
if (!(await authorization(ours))?.startsWith("Bearer ") || !(await authorization(baseline))?.startsWith("Bearer ")) throw new Error("no Authorization header");
const exchangesBefore = google.exchanges;

log(`aws→gcp getRequestHeaders: ${options.rounds} rounds × ${options.timeMs} ms per task`);
const rates = await measureThroughput({ ours: () => ours.getRequestHeaders(), baseline: () => baseline.getRequestHeaders() }, options);
const exchangesDuringRun = google.exchanges - exchangesBefore;
await Promise.all([ec2.close(), google.close()]);

emitResult({
  section: "awsToGcpThroughput",
  title: "6. AWS → GCP: cached getRequestHeaders()",
  rows: [
    {
      item: 6,
      name: "Cached `getRequestHeaders()` (throughput, higher is better; no target in the issue)",
      ours: formatRate(median(rates.ours!)),
      baseline: formatRate(median(rates.baseline!)),
      baselineName: "google-auth-library `AwsClient` with a non-caching supplier (`fromInstanceMetadata()` per exchange)",
      ratio: medianPairedRatio(rates.ours!, rates.baseline!),
      note: `median of ${options.rounds} interleaved rounds`,
    },
  ],
  checks: [expectEqual(6, "Google STS exchanges during the cached calls", exchangesDuringRun, 0)],
  details: [
    `After one token exchange each, both clients serve \`getRequestHeaders()\` from google-auth-library's access-token cache; ${options.batch} sequential awaits per tinybench iteration, ` +
      `${options.rounds} rounds with alternating order. The supplier is not asked on this path, so the figures compare the client wrappers' overhead on the hot path.`,
    "",
    markdownTable(
      ["client", "median", "range over rounds"],
      (["ours", "baseline"] as const).map((name) => [name, formatRate(median(rates[name]!)), `${formatRate(Math.min(...rates[name]!))} – ${formatRate(Math.max(...rates[name]!))}`]),
    ),
    "",
    `Ratio ours/baseline: ${formatRatio(medianPairedRatio(rates.ours!, rates.baseline!))}.`,
  ],
});
