import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { awsExternalAccountClient, type AwsExternalAccountOptions } from "../../src/index.js";
import { createFakeEc2Metadata, createFakeGoogleSts, type FakeEc2MetadataOptions, type FakeGoogleStsOptions } from "../../src/testing/index.js";

export const AUDIENCE = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/aws-provider";
export const SERVICE_ACCOUNT = "reader@my-project.iam.gserviceaccount.com";

/** Environment variables through which the AWS SDK could find an identity other than the one a test sets up. */
const AMBIENT_AWS_ENV = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
  "AWS_ENDPOINT_URL_STS",
  "AWS_EC2_METADATA_DISABLED",
];

/** Clears ambient AWS configuration so only what the test sets up is found. */
export async function isolateAwsEnvironment(): Promise<void> {
  for (const name of AMBIENT_AWS_ENV) vi.stubEnv(name, "");
  const empty = await mkdtemp(join(tmpdir(), "ccc-aws-home-"));
  vi.stubEnv("AWS_CONFIG_FILE", join(empty, "config"));
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(empty, "credentials"));
}

/**
 * An EC2 instance (fake IMDSv2) and Google's side of federation (fake STS, IAM Credentials and a
 * Storage API) that verifies subject tokens against the secrets the fake IMDS issued.
 */
export async function startAwsToGcp(
  options: {
    region?: string;
    credentialsLifetimeSeconds?: number;
    /** More options for the fake IMDS (e.g. `secrets`). */
    ec2?: FakeEc2MetadataOptions;
    /** More options for the fake Google STS (e.g. `accessTokens`). */
    google?: Partial<FakeGoogleStsOptions>;
    /** Secrets of AWS access keys issued elsewhere (an ECS fake, say) that Google STS should also accept. */
    moreAwsSecrets?: (accessKeyId: string) => string | undefined;
  } = {},
) {
  await isolateAwsEnvironment();
  const ec2 = await createFakeEc2Metadata({ region: options.region ?? "eu-west-3", availabilityZone: "eu-west-3-par-1a", credentialsLifetimeSeconds: options.credentialsLifetimeSeconds, ...options.ec2 });
  const google = await createFakeGoogleSts({
    audience: AUDIENCE,
    awsSecrets: (id) => ec2.lookupSecret(id) ?? options.moreAwsSecrets?.(id),
    serviceAccounts: [SERVICE_ACCOUNT],
    ...options.google,
  });
  vi.stubEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ec2.url);
  return {
    ec2,
    google,
    client: (overrides: Partial<AwsExternalAccountOptions> = {}) =>
      awsExternalAccountClient({
        audience: AUDIENCE,
        serviceAccountEmail: SERVICE_ACCOUNT,
        tokenUrl: google.tokenUrl,
        serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl(SERVICE_ACCOUNT),
        ...overrides,
      }),
    close: async () => {
      vi.unstubAllEnvs();
      await Promise.all([ec2.close(), google.close()]);
    },
  };
}

export type AwsToGcp = Awaited<ReturnType<typeof startAwsToGcp>>;
