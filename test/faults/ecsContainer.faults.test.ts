import { randomBytes } from "node:crypto";
import { describeFaults } from "./faultMatrix.js";
import { MARKER } from "./plantedSecrets.js";
import { awsToGcpHarness, ECS_GET, IMDS_REQUEST, STS_EXCHANGE, type AwsToGcpFaultRow } from "./awsToGcpHarness.js";

const NEVER_IMDS = { [IMDS_REQUEST]: 0, [STS_EXCHANGE]: 0 };

const rows: AwsToGcpFaultRow[] = [
  {
    fault: "500 on every request",
    platform: "ecs",
    script: (env) => env.ecs!.failNext({ status: 500, code: "InternalServerError", message: "Internal server error", count: Infinity }),
    expect: {
      summary: "the container link retries 5xx (3 attempts, full-jitter backoff), then a typed error; the instance role is never used",
      outcome: "AWS_CREDENTIALS_FAILED",
      attempts: { [ECS_GET]: 3, ...NEVER_IMDS },
      message: /container environment/,
    },
  },
  {
    fault: "bad authorization token (AWS_CONTAINER_AUTHORIZATION_TOKEN rotated; endpoint answers 401)",
    platform: "ecs",
    script: (env) => env.setAwsEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN", env.planted.add(`${MARKER}ecsAuthorizationRotated${randomBytes(24).toString("hex")}`)),
    expect: {
      summary: "typed error; the instance role is never used",
      outcome: "AWS_CREDENTIALS_FAILED",
      attempts: { [ECS_GET]: 1, ...NEVER_IMDS },
      message: /container environment/,
    },
  },
];

describeFaults("ECS container endpoint", awsToGcpHarness, rows);
