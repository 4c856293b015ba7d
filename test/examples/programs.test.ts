import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { awsTrustPolicy, gcpCredentialConfig } from "../../src/index.js";
import {
  createFakeAwsSts,
  createFakeEc2Metadata,
  createFakeEcsCredentialsEndpoint,
  createFakeGcpMetadataServer,
  createFakeGoogleSts,
  createFakeS3,
  createFakeSns,
  type FakeAwsSts,
} from "../../src/testing/index.js";
import { runCommand } from "../helpers/runCli.js";
import { SECRET_PATTERNS, examplePath, secretsOf, exampleEnv, lambdaStyleCredentials, runExample } from "./runExample.js";

// Each example runs as a child process exactly as shipped; only environment variables point it at the fakes.

const ROLE_ARN = "arn:aws:iam::123456789012:role/gcp-reader";
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});
function closing<T extends { close(): Promise<void> }>(fake: T): T {
  cleanups.push(() => fake.close());
  return fake;
}
const stsSecret = (sts: FakeAwsSts) => (accessKeyId: string) =>
  sts.issuedCredentials.find((c) => c.accessKeyId === accessKeyId)?.secretAccessKey;

/** The output shows no token pattern and none of the secrets the given fakes issued. */
function expectNoSecret(output: string, ...fakes: object[]) {
  for (const pattern of SECRET_PATTERNS) expect(output).not.toMatch(pattern);
  for (const secret of secretsOf(...fakes)) expect(output).not.toContain(secret);
}

/** A Google workload (metadata server) and an AWS STS whose role trusts it, unless `trustedUniqueId` says otherwise. */
async function gcpWorkload(trustedUniqueId?: string) {
  const metadata = closing(await createFakeGcpMetadataServer());
  const trustPolicy = awsTrustPolicy({ serviceAccountUniqueId: trustedUniqueId ?? metadata.uniqueId, serviceAccountEmail: metadata.email });
  const sts = closing(await createFakeAwsSts({ identityProviders: [metadata], trustPolicy }));
  return { metadata, sts, env: { GCE_METADATA_HOST: metadata.host, AWS_ENDPOINT_URL_STS: sts.url, AWS_ROLE_ARN: ROLE_ARN } };
}

describe("examples/s3-from-gcp.mjs (S3 from Cloud Run or GCE)", () => {
  const buckets = { "my-bucket": { "reports/2026-10.csv": "month,total\n10,42\n", "reports/2026-11.csv": "month,total\n11,7\n", "other.txt": "x" } };

  it("lists the bucket with credentials obtained from the service account's identity", async () => {
    const { metadata, sts, env } = await gcpWorkload();
    const s3 = closing(await createFakeS3({ awsSecrets: stsSecret(sts), buckets }));
    const result = await runExample("s3-from-gcp.mjs", { ...env, AWS_ENDPOINT_URL_S3: s3.url, AWS_REGION: "eu-west-1", BUCKET: "my-bucket", PREFIX: "reports/" });

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "s3://my-bucket/reports/: 2 object(s)\n" +
        "2026-01-01T00:00:00.000Z          18  reports/2026-10.csv\n" +
        "2026-01-01T00:00:00.000Z          17  reports/2026-11.csv\n",
    );
    expect(metadata.identityRequests()).toHaveLength(1);
    expect(metadata.identityRequests()[0]!.url.searchParams.get("audience")).toBe("sts.amazonaws.com");
    expect(sts.count("AssumeRoleWithWebIdentity")).toBe(1);
    expect(sts.issuedCredentials[0]!.roleArn).toBe(ROLE_ARN);
    // The S3 fake verified the SigV4 signature with the secret STS issued for this session.
    expect(s3.verifiedCalls).toEqual([
      { action: "ListObjectsV2", bucket: "my-bucket", key: "reports/", accessKeyId: sts.issuedCredentials[0]!.accessKeyId, region: "eu-west-1" },
    ]);
  });

  it("exits 1 with the code and the claims AWS compared when the trust policy refuses the account, printing no token", async () => {
    const { metadata, sts, env } = await gcpWorkload("100000000000000000001");
    const s3 = closing(await createFakeS3({ awsSecrets: stsSecret(sts), buckets }));
    const result = await runExample("s3-from-gcp.mjs", { ...env, AWS_ENDPOINT_URL_S3: s3.url, AWS_REGION: "eu-west-1", BUCKET: "my-bucket" });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^STS_ACCESS_DENIED: .*arn:aws:iam::123456789012:role\/gcp-reader/);
    expect(result.stderr).toContain('sub="108123456789012345678"');
    expectNoSecret(result.stdout + result.stderr, metadata);
    expect(metadata.issuedTokens).toHaveLength(1);
    expect(s3.requests).toHaveLength(0);
  });

  it("fails fast off Google Cloud, where no metadata server answers", async () => {
    const started = Date.now();
    const result = await runExample("s3-from-gcp.mjs", { AWS_ROLE_ARN: ROLE_ARN, AWS_REGION: "eu-west-1", BUCKET: "my-bucket" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^METADATA_UNAVAILABLE: /);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("examples/gcs-from-aws.mjs (Cloud Storage from EC2, ECS or Lambda)", () => {
  const SERVICE_ACCOUNT = "reader@my-project.iam.gserviceaccount.com";
  const AUDIENCE = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/aws-provider";

  /** The Google side (STS, IAM Credentials, Storage) trusting `awsSecrets`, and the wif.json the app ships with. */
  async function googleSide(awsSecrets: (accessKeyId: string) => string | undefined) {
    const google = closing(await createFakeGoogleSts({ awsSecrets, audience: AUDIENCE, serviceAccounts: [SERVICE_ACCOUNT] }));
    const dir = await mkdtemp(join(tmpdir(), "ccc-example-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const configFile = join(dir, "wif.json");
    // What `cross-cloud-credentials gcp-credential-config` writes, with the endpoints of a private deployment (here: the fake).
    const config = gcpCredentialConfig({
      projectNumber: "123456789012",
      poolId: "aws-pool",
      providerId: "aws-provider",
      serviceAccountEmail: SERVICE_ACCOUNT,
      tokenUrl: google.tokenUrl,
      serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl(SERVICE_ACCOUNT),
    });
    await writeFile(configFile, JSON.stringify(config, null, 2));
    const env = { GOOGLE_APPLICATION_CREDENTIALS: configFile, GOOGLE_CLOUD_PROJECT: "my-project", STORAGE_EMULATOR_HOST: google.url };
    return { google, env };
  }

  type Environment = { name: string; start(): Promise<{ env: Record<string, string>; secrets: (id: string) => string | undefined; region: string; signer(): string | undefined }> };
  const environments: Environment[] = [
    {
      name: "EC2: instance role and region from IMDSv2",
      async start() {
        const ec2 = closing(await createFakeEc2Metadata({ region: "eu-west-3" }));
        return { env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: ec2.url }, secrets: ec2.lookupSecret, region: "eu-west-3", signer: () => ec2.issuedCredentials[0]?.accessKeyId };
      },
    },
    {
      name: "ECS/Fargate: task role from the container endpoint",
      async start() {
        const ecs = closing(await createFakeEcsCredentialsEndpoint());
        return { env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: ecs.fullUri, AWS_REGION: "us-west-2" }, secrets: ecs.lookupSecret, region: "us-west-2", signer: () => ecs.issuedCredentials[0]?.accessKeyId };
      },
    },
    {
      name: "Lambda: function role from the environment",
      async start() {
        const keys = lambdaStyleCredentials();
        const env = { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, AWS_SESSION_TOKEN: keys.sessionToken, AWS_REGION: "ap-southeast-2", AWS_LAMBDA_FUNCTION_NAME: "gcs-lister" };
        return { env, secrets: (id) => (id === keys.accessKeyId ? keys.secretAccessKey : undefined), region: "ap-southeast-2", signer: () => keys.accessKeyId };
      },
    },
  ];

  it.each(environments)("$name: lists the buckets as the impersonated service account", async ({ start }) => {
    const aws = await start();
    const { google, env } = await googleSide(aws.secrets);
    const result = await runExample("gcs-from-aws.mjs", { ...aws.env, ...env });

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("1 bucket(s) in my-project:\ngs://demo-bucket\n");
    // Google STS verified the subject token's SigV4 signature by this environment's AWS identity, for its region.
    expect(google.acceptedExchanges).toHaveLength(1);
    expect(google.acceptedExchanges[0]).toMatchObject({ accessKeyId: aws.signer(), region: aws.region, audience: AUDIENCE });
    expect(google.impersonations).toBe(1);
    expect(google.apiCalls).toEqual([{ path: "/storage/v1/b", bearer: google.issuedAccessTokens.at(-1), authorized: true }]);
    expect(google.issuedAccessTokens.at(-1)).toMatch(/^ya29\.sa-/);
  });

  it("exports a Lambda handler that the runtime imports and calls, twice with one token exchange", async () => {
    const keys = lambdaStyleCredentials();
    const { google, env } = await googleSide((id) => (id === keys.accessKeyId ? keys.secretAccessKey : undefined));
    // What the Lambda Node.js runtime does: import the module (process.argv[1] is the runtime's, not ours), call handler.
    const runtime = "const { handler } = await import(process.env.HANDLER_MODULE); for (let i = 0; i < 2; i++) console.log(JSON.stringify(await handler()));";
    const result = await runCommand(
      process.execPath,
      ["--input-type=module", "-e", runtime],
      exampleEnv({ ...env, HANDLER_MODULE: pathToFileURL(examplePath("gcs-from-aws.mjs")).href, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, AWS_SESSION_TOKEN: keys.sessionToken, AWS_REGION: "eu-central-1" }),
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe('["demo-bucket"]\n["demo-bucket"]\n');
    expect(google.exchanges).toBe(1); // the warm invocation reused the cached Google token
    expect(google.apiCalls.map((c) => c.authorized)).toEqual([true, true]);
  });

  it("exits 1 naming the failed step when the AWS principal may not impersonate the service account", async () => {
    const ec2 = closing(await createFakeEc2Metadata({ region: "eu-west-3" }));
    const { google, env } = await googleSide(ec2.lookupSecret);
    google.failNext({ status: 403, message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).", match: (r) => r.action === "GenerateAccessToken" });
    const result = await runExample("gcs-from-aws.mjs", { ...env, AWS_EC2_METADATA_SERVICE_ENDPOINT: ec2.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^GOOGLE_IMPERSONATION_FAILED: .*iam\.serviceAccounts\.getAccessToken/s);
    expectNoSecret(result.stdout + result.stderr, ec2, google);
    expect(google.issuedAccessTokens).toHaveLength(1); // the federated token, which then failed to impersonate
    expect(google.apiCalls).toHaveLength(0);
  });
});

describe("examples/sns-with-fallback.mjs (createCredentialChain with a fallback)", () => {
  const TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:orders";

  it("on Google Cloud publishes as the service account's role, never touching the fallback", async () => {
    const { sts, env } = await gcpWorkload();
    const ec2 = closing(await createFakeEc2Metadata());
    const sns = closing(await createFakeSns({ awsSecrets: (id) => stsSecret(sts)(id) ?? ec2.lookupSecret(id), topicArns: [TOPIC_ARN] }));
    const result = await runExample("sns-with-fallback.mjs", {
      ...env,
      AWS_ENDPOINT_URL_SNS: sns.url,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: ec2.url,
      AWS_REGION: "eu-west-1",
      TOPIC_ARN,
      MESSAGE: "order 42 shipped",
    });

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Published message ${sns.published[0]!.messageId} to ${TOPIC_ARN}\n`);
    expect(sns.published).toEqual([
      expect.objectContaining({ topicArn: TOPIC_ARN, message: "order 42 shipped", accessKeyId: sts.issuedCredentials[0]!.accessKeyId, region: "eu-west-1" }),
    ]);
    expect(ec2.requests).toHaveLength(0);
  });

  it("on EC2, where the metadata address answers as AWS's IMDS, falls back to the instance role", async () => {
    const ec2 = closing(await createFakeEc2Metadata());
    const sns = closing(await createFakeSns({ awsSecrets: ec2.lookupSecret }));
    // 169.254.169.254 is both clouds' metadata address: on EC2 the Google request reaches IMDS, which is not Google's.
    const result = await runExample("sns-with-fallback.mjs", { GCE_METADATA_HOST: ec2.host, AWS_EC2_METADATA_SERVICE_ENDPOINT: ec2.url, AWS_ROLE_ARN: ROLE_ARN, AWS_ENDPOINT_URL_SNS: sns.url, AWS_REGION: "eu-west-1", TOPIC_ARN });

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(sns.published).toHaveLength(1);
    expect(sns.published[0]!.accessKeyId).toBe(ec2.issuedCredentials[0]!.accessKeyId);
    expect(sns.published[0]!.message).toMatch(/^Hello from a workload at /);
    expect(ec2.requests.some((r) => r.path.startsWith("/computeMetadata/"))).toBe(true); // the Google attempt, refused
  });

  it("off any cloud (a laptop, CI) falls back to keys in the environment", async () => {
    const keys = lambdaStyleCredentials();
    const sns = closing(await createFakeSns({ awsSecrets: (id) => (id === keys.accessKeyId ? keys.secretAccessKey : undefined) }));
    // GCE_METADATA_HOST and the IMDS endpoint stay at cleanEnv()'s closed loopback port: nothing answers there.
    const result = await runExample("sns-with-fallback.mjs", {
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_SESSION_TOKEN: keys.sessionToken,
      AWS_ROLE_ARN: ROLE_ARN,
      AWS_ENDPOINT_URL_SNS: sns.url,
      AWS_REGION: "eu-west-1",
      TOPIC_ARN,
      MESSAGE: "from my laptop",
    });

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(sns.published).toEqual([expect.objectContaining({ message: "from my laptop", accessKeyId: keys.accessKeyId })]);
  });

  it("on Google Cloud reports a refused token instead of publishing with another identity", async () => {
    const { metadata, sts, env } = await gcpWorkload("100000000000000000001");
    const ec2 = closing(await createFakeEc2Metadata());
    const sns = closing(await createFakeSns({ awsSecrets: (id) => stsSecret(sts)(id) ?? ec2.lookupSecret(id) }));
    const result = await runExample("sns-with-fallback.mjs", { ...env, AWS_ENDPOINT_URL_SNS: sns.url, AWS_EC2_METADATA_SERVICE_ENDPOINT: ec2.url, AWS_REGION: "eu-west-1", TOPIC_ARN });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^STS_ACCESS_DENIED: /);
    expectNoSecret(result.stdout + result.stderr, metadata);
    expect(sns.requests).toHaveLength(0);
    expect(ec2.requests).toHaveLength(0);
  });
});
