import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { gcpCredentialConfig } from "../../src/index.js";
import { createFakeEcsCredentialsEndpoint, type FakeEcsCredentialsEndpoint } from "../../src/testing/index.js";
import { AUDIENCE, SERVICE_ACCOUNT, startAwsToGcp, type AwsToGcp } from "../helpers/awsToGcp.js";
import type { FaultHarness, FaultRow } from "./faultMatrix.js";
import { plantSecrets, type PlantedSecrets } from "./plantedSecrets.js";

/** An AWS workload (EC2 IMDSv2, or an ECS task) and Google's side of federation, all issuing planted secrets. */
export interface AwsToGcpFaultEnv extends AwsToGcp {
  planted: PlantedSecrets;
  /** The container credentials endpoint, on ECS rows. */
  ecs?: FakeEcsCredentialsEndpoint;
  /** The workload's AWS environment variables, for the library (stubbed) and the CLI alike; a row may change them. */
  awsEnv: Record<string, string>;
  setAwsEnv(name: string, value: string): void;
  /** `gcp-credential-config` output aimed at the fakes, for `gcp-access-token --credential-config`. */
  credentialConfigFile: string;
}

export interface AwsToGcpFaultRow extends FaultRow<AwsToGcpFaultEnv> {
  /** `"ecs"`: an ECS task (container credentials endpoint, AWS_REGION set); default an EC2 instance (IMDSv2 only). */
  platform?: "ec2" | "ecs";
}

/**
 * {@link startAwsToGcp} with fakes issuing planted secrets, as an EC2 instance (IMDSv2) or an ECS
 * task (container endpoint with a planted authorization token, AWS_REGION set), and a credential
 * configuration file for the CLI.
 */
export async function startPlantedAwsToGcp(platform: "ec2" | "ecs" = "ec2"): Promise<AwsToGcpFaultEnv> {
  const planted = plantSecrets();
  let ecs: FakeEcsCredentialsEndpoint | undefined;
  const base = await startAwsToGcp({
    ec2: { secrets: planted.awsSecrets },
    google: { accessTokens: planted.googleAccessTokens },
    moreAwsSecrets: (id) => ecs?.lookupSecret(id),
  });
  const dir = await mkdtemp(join(tmpdir(), "ccc-faults-"));
  const credentialConfigFile = join(dir, "wif.json");
  const config = gcpCredentialConfig({
    audience: AUDIENCE,
    serviceAccountEmail: SERVICE_ACCOUNT,
    tokenUrl: base.google.tokenUrl,
    serviceAccountImpersonationUrl: base.google.serviceAccountImpersonationUrl(SERVICE_ACCOUNT),
  });
  await writeFile(credentialConfigFile, JSON.stringify(config, null, 2));
  const closeFakes = base.close;
  const env: AwsToGcpFaultEnv = Object.assign(base, {
    planted,
    awsEnv: { AWS_EC2_METADATA_SERVICE_ENDPOINT: base.ec2.url },
    setAwsEnv(name: string, value: string) {
      env.awsEnv[name] = value;
      vi.stubEnv(name, value);
    },
    credentialConfigFile,
    close: async () => {
      await Promise.all([closeFakes(), ecs?.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  });
  if (platform === "ecs") {
    ecs = await createFakeEcsCredentialsEndpoint({ authorizationToken: planted.ecsAuthorizationToken, secrets: planted.awsSecrets });
    env.ecs = ecs;
    env.setAwsEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.fullUri);
    env.setAwsEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN", planted.ecsAuthorizationToken);
    env.setAwsEnv("AWS_REGION", "eu-central-1");
  }
  return env;
}

/** Counter names of this harness. */
export const IMDS_REQUEST = "IMDS request";
export const TOKEN_PUT = "IMDS token PUT";
export const ROLE_GET = "IMDS role-name GET";
export const CREDENTIALS_GET = "IMDS credentials GET";
export const ECS_GET = "ECS credentials GET";
export const STS_EXCHANGE = "Google STS exchange";
export const GENERATE_ACCESS_TOKEN = "generateAccessToken call";

/**
 * `awsExternalAccountClient` (google-auth-library's AwsClient fed by the AWS SDK default chain
 * with our IMDSv2 link) asked for an access token; the CLI equivalent is
 * `gcp-access-token --credential-config`.
 */
export const awsToGcpHarness: FaultHarness<AwsToGcpFaultEnv, AwsToGcpFaultRow> = {
  successLabel: "access token",
  start: (row) => startPlantedAwsToGcp(row.platform),
  async call(env) {
    const { token } = await env.client().getAccessToken();
    return token;
  },
  counters(env) {
    const ec2Actions = env.ec2.requests.map((r) => r.action);
    const googleActions = env.google.requests.map((r) => r.action);
    const count = (actions: Array<string | undefined>, action: string) => actions.filter((a) => a === action).length;
    return {
      [IMDS_REQUEST]: env.ec2.requests.length,
      [TOKEN_PUT]: count(ec2Actions, "PutToken"),
      [ROLE_GET]: count(ec2Actions, "GetRoleName"),
      [CREDENTIALS_GET]: count(ec2Actions, "GetCredentials"),
      [ECS_GET]: env.ecs?.credentialGets().length ?? 0,
      [STS_EXCHANGE]: count(googleActions, "ExchangeToken"),
      [GENERATE_ACCESS_TOKEN]: count(googleActions, "GenerateAccessToken"),
    };
  },
  secrets: (env) => [
    ...env.planted.values(),
    ...[...env.ec2.issuedCredentials, ...(env.ecs?.issuedCredentials ?? [])].flatMap((c) => [c.secretAccessKey, c.sessionToken]),
    ...env.google.issuedAccessTokens,
    // Not the IMDSv2 session tokens: NODE_DEBUG=http prints them on every IMDS path, which
    // secretHygiene.test.ts shows once instead of in every row.
  ],
  cli: (env) => ({ args: ["gcp-access-token", "--credential-config", env.credentialConfigFile], env: env.awsEnv }),
  close: (env) => env.close(),
};
