import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createFakeAwsSts, createFakeEcsCredentialsEndpoint, createFakeGoogleSts, mockTokenSource } from "../../src/testing/index.js";
import { startAwsToGcp, type AwsToGcp } from "../helpers/awsToGcp.js";

// The same client, unchanged, on ECS, EKS and Lambda: only the environment differs. The fake EC2
// metadata service stays reachable in each, to prove the instance role is never used instead.
describe("awsExternalAccountClient outside plain EC2", () => {
  let env: AwsToGcp;
  beforeEach(async () => {
    env = await startAwsToGcp();
  });
  afterEach(async () => {
    await env.close();
  });

  // A Google STS that also accepts subject tokens signed with the credentials of the platform under test.
  const googleAcceptsAlso = async (secrets: () => Array<{ accessKeyId: string; secretAccessKey: string }>) => {
    await env.google.close();
    const google = await createFakeGoogleSts({ awsSecrets: (id) => env.ec2.lookupSecret(id) ?? secrets().find((c) => c.accessKeyId === id)?.secretAccessKey });
    env.google = google;
    return google;
  };

  it("uses the ECS container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI + token) and never IMDS", async () => {
    const ecs = await createFakeEcsCredentialsEndpoint({ authorizationToken: "pod-identity-token" });
    try {
      const google = await googleAcceptsAlso(() => ecs.issuedCredentials);
      vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.fullUri);
      vi.stubEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "pod-identity-token");
      vi.stubEnv("AWS_REGION", "eu-central-1");
      const { token } = await env.client({ tokenUrl: google.tokenUrl, serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl("reader@my-project.iam.gserviceaccount.com") }).getAccessToken();
      expect(token).toMatch(/^ya29\.sa-/);
      expect(google.acceptedExchanges[0]).toMatchObject({ accessKeyId: ecs.issuedCredentials[0]!.accessKeyId, region: "eu-central-1" });
      expect(env.ec2.requests).toHaveLength(0);
    } finally {
      await ecs.close();
    }
  });

  it("fails on a broken container endpoint instead of falling back to the instance role", async () => {
    const ecs = await createFakeEcsCredentialsEndpoint({ authorizationToken: "right" });
    try {
      vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.fullUri);
      vi.stubEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong");
      vi.stubEnv("AWS_REGION", "eu-central-1");
      await expect(env.client().getAccessToken()).rejects.toMatchObject({ code: "AWS_CREDENTIALS_FAILED", message: expect.stringContaining("container environment") });
      expect(env.ec2.requests).toHaveLength(0);
    } finally {
      await ecs.close();
    }
  });

  it("uses EKS IRSA web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN) and never IMDS", async () => {
    const oidc = mockTokenSource();
    const sts = await createFakeAwsSts({ identityProviders: [oidc] });
    const dir = await mkdtemp(join(tmpdir(), "ccc-irsa-"));
    try {
      const google = await googleAcceptsAlso(() => sts.issuedCredentials);
      await writeFile(join(dir, "token"), await oidc({ audience: "sts.amazonaws.com" }));
      vi.stubEnv("AWS_WEB_IDENTITY_TOKEN_FILE", join(dir, "token"));
      vi.stubEnv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/eks-pod");
      vi.stubEnv("AWS_ENDPOINT_URL_STS", sts.url);
      vi.stubEnv("AWS_REGION", "us-west-2");
      await env.client({ tokenUrl: google.tokenUrl, serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl("reader@my-project.iam.gserviceaccount.com") }).getAccessToken();
      expect(sts.count("AssumeRoleWithWebIdentity")).toBe(1);
      expect(google.acceptedExchanges[0]).toMatchObject({ accessKeyId: sts.issuedCredentials[0]!.accessKeyId, region: "us-west-2" });
      expect(env.ec2.requests).toHaveLength(0);
    } finally {
      await sts.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("uses environment-variable credentials, as on Lambda", async () => {
    const lambdaRole = { accessKeyId: "ASIALAMBDAEXAMPLE000", secretAccessKey: "lambda-secret-0000000000000000000000000000", sessionToken: "lambda-session-token" };
    const google = await googleAcceptsAlso(() => [lambdaRole]);
    vi.stubEnv("AWS_ACCESS_KEY_ID", lambdaRole.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", lambdaRole.secretAccessKey);
    vi.stubEnv("AWS_SESSION_TOKEN", lambdaRole.sessionToken);
    vi.stubEnv("AWS_REGION", "sa-east-1");
    await env.client({ tokenUrl: google.tokenUrl, serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl("reader@my-project.iam.gserviceaccount.com") }).getAccessToken();
    expect(google.acceptedExchanges[0]).toMatchObject({ accessKeyId: lambdaRole.accessKeyId, region: "sa-east-1" });
    expect(google.acceptedExchanges[0]!.subjectToken.headers.find((h) => h.key.toLowerCase() === "x-amz-security-token")?.value).toBe(lambdaRole.sessionToken);
    expect(env.ec2.requests).toHaveLength(0);
  });
});
