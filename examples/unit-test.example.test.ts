// Unit tests of your own code that uses cross-cloud-credentials, with no cloud account and no network.
// The testing kit's fakes are real HTTP servers on 127.0.0.1 that speak AWS's and Google's wire formats and
// verify what they receive: the ID token's signature and the role's trust policy (fake AWS STS), SigV4
// signatures (fake AWS services, fake Google STS), bearer tokens (fake Cloud Storage).
//
// Where it runs: anywhere (a laptop, CI). Cloud setup: none.
// Install and run:
//   npm install --save-dev cross-cloud-credentials vitest @aws-sdk/client-sts @aws-sdk/client-s3
//   npx vitest run unit-test.example.test.ts            (jest or node:test work the same way)
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import {
  awsExternalAccountClient,
  awsTrustPolicy,
  CrossCloudCredentialsError,
  fromGcpServiceAccount,
  type TokenSource,
} from "cross-cloud-credentials";
import {
  createFakeAwsSts,
  createFakeGcpMetadataServer,
  createFakeGoogleSts,
  createFakeS3,
  mockTokenSource,
  type FakeAwsSts,
} from "cross-cloud-credentials/testing";
import { afterEach, describe, expect, it, vi } from "vitest";

// ---- The code under test: in your app it lives in its own module. -------------------------------------------

const ROLE_ARN = "arn:aws:iam::123456789012:role/gcp-reader";

/** The app's AWS credentials. Production passes nothing; tests pass a token source and the fake STS. */
function appCredentials(overrides: { tokenSource?: TokenSource; stsEndpoint?: string } = {}): AwsCredentialIdentityProvider {
  return fromGcpServiceAccount({
    roleArn: ROLE_ARN,
    ...(overrides.tokenSource ? { tokenSource: overrides.tokenSource } : {}),
    ...(overrides.stsEndpoint ? { clientConfig: { endpoint: overrides.stsEndpoint, region: "eu-west-1" } } : {}),
  });
}

/** The keys of the day's reports: what the app does with S3. */
async function listReports(s3: S3Client, bucket: string, day: string): Promise<string[]> {
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `reports/${day}/` }));
  return Contents.map((object) => object.Key!);
}

// ---- The tests. -----------------------------------------------------------------------------------------------

const fakes: Array<{ close(): Promise<void> }> = [];
async function start<T extends { close(): Promise<void> }>(fake: Promise<T>): Promise<T> {
  fakes.push(await fake);
  return fakes.at(-1) as T;
}
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

/** The secret of credentials the fake STS issued: how AWS service fakes verify SigV4 signatures made with them. */
const issuedSecret = (sts: FakeAwsSts) => (accessKeyId: string) =>
  sts.issuedCredentials.find((credentials) => credentials.accessKeyId === accessKeyId)?.secretAccessKey;

describe("GCP → AWS with mockTokenSource and the fake STS", () => {
  it("assumes the role with the service account's ID token, and AWS SDK calls are signed with the result", async () => {
    const tokens = mockTokenSource(); // Google-shaped ID tokens: sub/azp 108123456789012345678, email workload@my-project…
    const sts = await start(
      createFakeAwsSts({
        identityProviders: [tokens],
        trustPolicy: awsTrustPolicy({ serviceAccountUniqueId: "108123456789012345678" }),
      }),
    );
    const credentials = appCredentials({ tokenSource: tokens, stsEndpoint: sts.url });

    const client = new STSClient({ region: "eu-west-1", endpoint: sts.url, credentials });
    const identity = await client.send(new GetCallerIdentityCommand({}));

    expect(identity.Arn).toBe("arn:aws:sts::123456789012:assumed-role/gcp-reader/gcp-workload");
    expect(sts.verifiedCallerIdentityCalls).toBe(1); // the fake checked the SigV4 signature
    expect(tokens.audiences).toEqual(["sts.amazonaws.com"]);
  });

  it("makes one token fetch and one STS call for many concurrent callers", async () => {
    const tokens = mockTokenSource();
    const sts = await start(createFakeAwsSts({ identityProviders: [tokens] }));
    const credentials = appCredentials({ tokenSource: tokens, stsEndpoint: sts.url });

    const all = await Promise.all(Array.from({ length: 10 }, () => credentials()));

    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
    expect(tokens.calls).toBe(1);
    expect(sts.count("AssumeRoleWithWebIdentity")).toBe(1);
  });

  it("explains a trust policy that does not match the token", async () => {
    const tokens = mockTokenSource({ sub: "999999999999999999999", azp: "999999999999999999999" }); // another service account
    const sts = await start(
      createFakeAwsSts({ identityProviders: [tokens], trustPolicy: awsTrustPolicy({ serviceAccountUniqueId: "108123456789012345678" }) }),
    );

    const error = await appCredentials({ tokenSource: tokens, stsEndpoint: sts.url })().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CrossCloudCredentialsError);
    expect(error).toMatchObject({ code: "STS_ACCESS_DENIED", stsErrorCode: "AccessDenied", tryNextLink: false });
    expect((error as Error).message).toContain('sub="999999999999999999999"'); // the claims AWS compared
    expect((error as Error).message).not.toContain(tokens.issuedTokens[0]!); // never the token itself
  });

  it("rides out a throttled STS", async () => {
    const tokens = mockTokenSource();
    const sts = await start(createFakeAwsSts({ identityProviders: [tokens] }));
    sts.failNext({ code: "Throttling", message: "Rate exceeded" });

    const credentials = await appCredentials({ tokenSource: tokens, stsEndpoint: sts.url })();

    expect(credentials.accessKeyId).toBe(sts.issuedCredentials[0]!.accessKeyId);
    expect(sts.count("AssumeRoleWithWebIdentity")).toBe(2);
  });

  it("tests S3 code unchanged, through environment variables, with the fake metadata server and fake S3", async () => {
    const metadata = await start(createFakeGcpMetadataServer());
    const sts = await start(createFakeAwsSts({ identityProviders: [metadata] }));
    const s3 = await start(
      createFakeS3({
        awsSecrets: issuedSecret(sts),
        buckets: { "my-bucket": { "reports/2026-11-25/eu.csv": "eu,42\n", "reports/2026-11-25/us.csv": "us,7\n", "reports/2026-11-24/eu.csv": "eu,1\n" } },
      }),
    );
    // What a GCP workload has for real (169.254.169.254, sts.amazonaws.com, s3.amazonaws.com), pointed at the fakes.
    vi.stubEnv("GCE_METADATA_HOST", metadata.host);
    vi.stubEnv("AWS_ENDPOINT_URL_STS", sts.url);
    vi.stubEnv("AWS_ENDPOINT_URL_S3", s3.url);

    const reports = await listReports(new S3Client({ region: "eu-west-1", credentials: appCredentials() }), "my-bucket", "2026-11-25");

    expect(reports).toEqual(["reports/2026-11-25/eu.csv", "reports/2026-11-25/us.csv"]);
    expect(s3.verifiedCalls[0]!.accessKeyId).toBe(sts.issuedCredentials[0]!.accessKeyId);
    expect(metadata.identityRequests()).toHaveLength(1);
  });
});

describe("AWS → GCP with the fake Google STS", () => {
  it("exchanges the AWS identity for a Google token and impersonates the service account", async () => {
    // Any AWS SDK v3 credential provider can stand in for the workload's AWS identity.
    const aws = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
    const google = await start(createFakeGoogleSts({ awsSecrets: (id) => (id === aws.accessKeyId ? aws.secretAccessKey : undefined) }));
    const serviceAccount = "reader@my-project.iam.gserviceaccount.com";

    const auth = awsExternalAccountClient({
      projectNumber: "123456789012",
      poolId: "aws-pool",
      providerId: "aws-provider",
      serviceAccountEmail: serviceAccount,
      awsCredentials: async () => aws,
      awsRegion: "eu-west-1",
      tokenUrl: google.tokenUrl,
      serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl(serviceAccount),
    });
    const { token } = await auth.getAccessToken();

    expect(google.acceptedExchanges[0]).toMatchObject({ accessKeyId: aws.accessKeyId, region: "eu-west-1" }); // SigV4 verified
    expect(google.impersonations).toBe(1);
    expect(token).toBe(google.issuedAccessTokens.at(-1));
  });
});
