import type { RecordedRequest } from "../../src/testing/index.js";
import { describeFaults } from "./faultMatrix.js";
import { awsToGcpHarness, CREDENTIALS_GET, GENERATE_ACCESS_TOKEN, STS_EXCHANGE, type AwsToGcpFaultEnv, type AwsToGcpFaultRow } from "./awsToGcpHarness.js";

const exchange = (r: RecordedRequest) => r.action === "ExchangeToken";
const googleStsFault = (status: number, code: string | undefined, message: string, count: number) => (env: AwsToGcpFaultEnv) =>
  env.google.failNext({ status, ...(code ? { code } : {}), message, count, match: exchange });

const googleStsRows: AwsToGcpFaultRow[] = [
  {
    fault: "invalid_grant (AWS rejected the signed GetCallerIdentity)",
    script: googleStsFault(400, "invalid_grant", "Received invalid AWS response of type InvalidClientTokenId with error message: The security token included in the request is invalid.", Infinity),
    expect: { summary: "not retried, Google's error text kept", outcome: "GOOGLE_STS_FAILED", attempts: { [CREDENTIALS_GET]: 1, [STS_EXCHANGE]: 1, [GENERATE_ACCESS_TOKEN]: 0 }, message: /invalid_grant: Received invalid AWS response/ },
  },
  {
    fault: "unauthorized_client (the provider's attribute condition refuses the role)",
    script: googleStsFault(400, "unauthorized_client", "The given credential is rejected by the attribute condition.", Infinity),
    expect: { summary: "not retried, Google's error text kept", outcome: "GOOGLE_STS_FAILED", attempts: { [CREDENTIALS_GET]: 1, [STS_EXCHANGE]: 1, [GENERATE_ACCESS_TOKEN]: 0 }, message: /unauthorized_client: The given credential is rejected/ },
  },
  {
    fault: "500 once, then OK",
    script: googleStsFault(500, undefined, "Internal error", 1),
    expect: { summary: "google-auth-library retries, recovers", outcome: "ok", attempts: { [CREDENTIALS_GET]: 1, [STS_EXCHANGE]: 2, [GENERATE_ACCESS_TOKEN]: 1 } },
  },
  {
    fault: "500 on every request",
    script: googleStsFault(500, undefined, "Internal error", Infinity),
    expect: { summary: "google-auth-library retries 3 times, then a typed error", outcome: "GOOGLE_STS_FAILED", attempts: { [CREDENTIALS_GET]: 1, [STS_EXCHANGE]: 4, [GENERATE_ACCESS_TOKEN]: 0 }, message: /HTTP 500/ },
  },
];

const iamRows: AwsToGcpFaultRow[] = [
  {
    fault: "403 iam.serviceAccounts.getAccessToken denied",
    script: (env) =>
      env.google.failNext({
        status: 403,
        code: "PERMISSION_DENIED",
        message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
        count: Infinity,
        match: (r) => r.action === "GenerateAccessToken",
      }),
    expect: {
      summary: "not retried, typed error with the IAM binding to add",
      outcome: "GOOGLE_IMPERSONATION_FAILED",
      attempts: { [STS_EXCHANGE]: 1, [GENERATE_ACCESS_TOKEN]: 1 },
      message: /iam\.serviceAccounts\.getAccessToken.*roles\/iam\.workloadIdentityUser/,
    },
  },
];

describeFaults("Google STS", awsToGcpHarness, googleStsRows);
describeFaults("IAM Credentials", awsToGcpHarness, iamRows);
