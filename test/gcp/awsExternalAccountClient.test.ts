import { storage } from "@googleapis/storage";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CrossCloudCredentialsError } from "../../src/index.js";
import { causeChainText } from "../helpers/leaks.js";
import { AUDIENCE, startAwsToGcp, type AwsToGcp } from "../helpers/awsToGcp.js";

let env: AwsToGcp;
beforeEach(async () => {
  env = await startAwsToGcp();
});
afterEach(async () => {
  await env.close();
});

describe("awsExternalAccountClient on EC2 (IMDSv2)", () => {
  it("authorizes a real @googleapis/storage client with the impersonated token", async () => {
    const auth = env.client();
    const gcs = storage({ version: "v1", auth, rootUrl: `${env.google.url}/` });
    const res = await gcs.buckets.list({ project: "my-project" });
    expect(res.data.items?.[0]?.name).toBe("demo-bucket");
    const impersonated = env.google.issuedAccessTokens.find((t) => t.startsWith("ya29.sa-"));
    expect(env.google.apiCalls).toEqual([expect.objectContaining({ bearer: impersonated, authorized: true })]);
    const [exchange] = env.google.acceptedExchanges;
    expect(exchange).toMatchObject({ accessKeyId: env.ec2.issuedCredentials[0]!.accessKeyId, region: "eu-west-3", audience: AUDIENCE });
  });

  it("uses the federated token directly without serviceAccountEmail", async () => {
    const auth = env.client({ serviceAccountEmail: undefined, serviceAccountImpersonationUrl: undefined });
    const { token } = await auth.getAccessToken();
    expect(token).toMatch(/^ya29\.fed-/);
    expect(env.google.impersonations).toBe(0);
  });

  it("is rejected by Google STS when the AWS secret is wrong", async () => {
    const auth = env.client({ awsCredentials: async () => ({ ...env.ec2.issuedCredentials[0]!, accessKeyId: env.ec2.issuedCredentials[0]?.accessKeyId ?? "ASIAUNKNOWN", secretAccessKey: "wrong-secret-0000000000000000000000000000" }) });
    // Issue one real credential set first so the access key exists at the fake.
    await env.client().getAccessToken();
    const before = env.google.exchanges;
    const error = await auth.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrossCloudCredentialsError);
    expect(error).toMatchObject({ code: "GOOGLE_STS_FAILED", googleError: "invalid_grant" });
    expect(env.google.exchanges).toBe(before);
  });

  it("makes 1 AWS credential resolution, 1 STS exchange and 1 impersonation for 100 concurrent getAccessToken calls", async () => {
    const auth = env.client();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => auth.getAccessToken()));
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(env.ec2.credentialGets()).toHaveLength(1);
    expect(env.ec2.tokenPuts()).toHaveLength(1);
    expect(env.google.exchanges).toBe(1);
    expect(env.google.impersonations).toBe(1);
  });

  it("takes the region from IMDSv2 placement/region, not a chopped availability zone", async () => {
    await env.client().getAccessToken();
    expect(env.google.acceptedExchanges[0]!.region).toBe("eu-west-3");
    expect(env.ec2.requests.map((r) => r.action)).not.toContain("GetAvailabilityZone");
  });

  it("prefers awsRegion, then AWS_REGION, over IMDS", async () => {
    await env.client({ awsRegion: "ap-south-1" }).getAccessToken();
    expect(env.google.acceptedExchanges[0]!.region).toBe("ap-south-1");
    expect(env.ec2.requests.map((r) => r.action)).not.toContain("GetRegion");
  });

  it("never sends metadata traffic through HTTP_PROXY or HTTPS_PROXY", async () => {
    vi.stubEnv("HTTP_PROXY", "http://127.0.0.1:9");
    vi.stubEnv("HTTPS_PROXY", "http://127.0.0.1:9");
    vi.stubEnv("http_proxy", "http://127.0.0.1:9");
    vi.stubEnv("NO_PROXY", env.google.url); // gaxios honours proxies for Google's own endpoints; only the fake Google origin is exempt
    await expect(env.client().getAccessToken()).resolves.toMatchObject({ token: expect.stringMatching(/^ya29\.sa-/) });
    expect(env.ec2.credentialGets()).toHaveLength(1);
  });

  it("sends quotaProjectId as x-goog-user-project", async () => {
    const headers = await env.client({ quotaProjectId: "billing-project" }).getRequestHeaders();
    expect(new Headers(headers as unknown as Record<string, string>).get("x-goog-user-project")).toBe("billing-project");
  });

  it("explains an impersonation refusal with Google's text and no secret", async () => {
    const auth = env.client({ serviceAccountImpersonationUrl: env.google.serviceAccountImpersonationUrl("other@my-project.iam.gserviceaccount.com") });
    const error = (await auth.getAccessToken().catch((e: unknown) => e)) as CrossCloudCredentialsError;
    expect(error).toBeInstanceOf(CrossCloudCredentialsError);
    expect(error.code).toBe("GOOGLE_IMPERSONATION_FAILED");
    expect(error.googleError).toBe("PERMISSION_DENIED");
    expect(error.message).toContain("roles/iam.workloadIdentityUser");
    const secrets = [...env.ec2.issuedCredentials.flatMap((c) => [c.secretAccessKey, c.sessionToken]), ...env.google.issuedAccessTokens];
    const text = error.message + causeChainText(error) + JSON.stringify(error);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it("reports a Google STS error with its error and error_description", async () => {
    env.google.failNext({ status: 400, code: "invalid_grant", message: "The audience in ID Token does not match the expected audience.", match: (r) => r.action === "ExchangeToken" });
    const error = (await env.client().getAccessToken().catch((e: unknown) => e)) as CrossCloudCredentialsError;
    expect(error).toMatchObject({ code: "GOOGLE_STS_FAILED", googleError: "invalid_grant", googleErrorDescription: "The audience in ID Token does not match the expected audience." });
    const secrets = env.ec2.issuedCredentials.flatMap((c) => [c.secretAccessKey, c.sessionToken]);
    const text = error.message + causeChainText(error) + JSON.stringify(error);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
