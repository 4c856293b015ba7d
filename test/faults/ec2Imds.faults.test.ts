import type { RecordedRequest } from "../../src/testing/index.js";
import { describeFaults } from "./faultMatrix.js";
import {
  awsToGcpHarness,
  CREDENTIALS_GET,
  GENERATE_ACCESS_TOKEN,
  ROLE_GET,
  STS_EXCHANGE,
  TOKEN_PUT,
  type AwsToGcpFaultEnv,
  type AwsToGcpFaultRow,
} from "./awsToGcpHarness.js";

const action = (name: string) => (r: RecordedRequest) => r.action === name;

/** IMDS's answer when EC2 cannot assume the instance profile's role, with planted keys in it too. */
const failedCredentialsDocument = (env: AwsToGcpFaultEnv) => {
  const { secretAccessKey, sessionToken } = env.planted.awsSecrets();
  return JSON.stringify({
    Code: "AssumeRoleUnauthorizedAccess",
    Message: "EC2 cannot assume the role ec2-role. Please see documentation at https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html",
    LastUpdated: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    Type: "AWS-HMAC",
    AccessKeyId: "ASIAPLANTEDFAILEDDOC",
    SecretAccessKey: secretAccessKey,
    Token: sessionToken,
  });
};

const rows: AwsToGcpFaultRow[] = [
  {
    fault: "token PUT answers 405 (IMDSv2 off / PUT refused)",
    script: (env) => env.ec2.failNext({ status: 405, match: action("PutToken"), count: Infinity }),
    expect: { summary: "not retried; the region step (first to need IMDS) fails with the cause", outcome: "AWS_REGION_FAILED", attempts: { [TOKEN_PUT]: 1, [STS_EXCHANGE]: 0 }, message: /HTTP 405\. IMDSv2 may be disabled/ },
  },
  {
    fault: "token PUT black hole (hop limit 1 in a container)",
    script: (env) => env.ec2.failNext({ hang: true, match: action("PutToken"), count: Infinity }),
    expect: { summary: "about 2 s, with the hop-limit hint", outcome: "AWS_REGION_FAILED", attempts: { [TOKEN_PUT]: 2, [STS_EXCHANGE]: 0 }, withinMs: 3_000, message: /http-put-response-hop-limit 2/ },
  },
  {
    fault: "401 with a stale session token (credentials GET, once)",
    script: (env) => env.ec2.failNext({ status: 401, match: action("GetCredentials") }),
    expect: { summary: "re-PUTs the token once, recovers", outcome: "ok", attempts: { [TOKEN_PUT]: 2, [CREDENTIALS_GET]: 2, [STS_EXCHANGE]: 1 } },
  },
  {
    fault: "401 on every credentials GET (fresh tokens refused too)",
    script: (env) => env.ec2.failNext({ status: 401, match: action("GetCredentials"), count: Infinity }),
    expect: { summary: "re-PUTs once, then a typed error", outcome: "AWS_CREDENTIALS_FAILED", attempts: { [TOKEN_PUT]: 2, [CREDENTIALS_GET]: 2, [STS_EXCHANGE]: 0 }, message: /HTTP 401/ },
  },
  {
    fault: "no role attached (role-name GET answers 404)",
    script: (env) => env.ec2.failNext({ status: 404, match: action("GetRoleName"), count: Infinity }),
    expect: { summary: "typed error naming the instance profile", outcome: "AWS_CREDENTIALS_FAILED", attempts: { [ROLE_GET]: 1, [CREDENTIALS_GET]: 0, [STS_EXCHANGE]: 0 }, message: /instance profile/ },
  },
  {
    fault: "credentials JSON with Code != Success (AssumeRoleUnauthorizedAccess, planted keys inside)",
    script: (env) => env.ec2.failNext({ status: 200, body: failedCredentialsDocument(env), match: action("GetCredentials"), count: Infinity }),
    expect: {
      summary: "typed error quoting the Code, never the keys",
      outcome: "AWS_CREDENTIALS_FAILED",
      attempts: { [CREDENTIALS_GET]: 1, [STS_EXCHANGE]: 0, [GENERATE_ACCESS_TOKEN]: 0 },
      message: /AssumeRoleUnauthorizedAccess/,
    },
  },
];

describeFaults("EC2 IMDS", awsToGcpHarness, rows);
