import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { createCredentialChain } from "@aws-sdk/credential-providers";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fromGcpServiceAccount } from "../../src/index.js";
import { ROLE_ARN, startGcpToAws, type GcpToAws } from "../helpers/gcpToAws.js";
import { mockTokenSource } from "../../src/testing/index.js";

const STS_OK = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/gcp-reader/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>
<Credentials><AccessKeyId>ASIAREGIONAL</AccessKeyId><SecretAccessKey>regional-secret</SecretAccessKey><SessionToken>regional-session</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`;

describe("fromGcpServiceAccount with the real AWS SDK", () => {
  let env: GcpToAws;
  beforeEach(async () => {
    env = await startGcpToAws();
  });
  afterEach(async () => {
    await env.close();
  });

  it("signs a real STSClient GetCallerIdentity call that the fake verifies against the secret it issued", async () => {
    const credentials = env.provider();
    const client = new STSClient({ region: "us-east-1", endpoint: env.sts.url, credentials });
    const identity = await client.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/gcp-reader\/gcp-workload$/);
    expect(env.sts.verifiedCallerIdentityCalls).toBe(1);
    await client.send(new GetCallerIdentityCommand({}));
    expect(env.sts.verifiedCallerIdentityCalls).toBe(2);
    expect(env.assumeCalls()).toBe(1);
  });

  it("shares one cache between several SDK clients using the same provider", async () => {
    const credentials = env.provider();
    const clients = Array.from({ length: 5 }, () => new STSClient({ region: "us-east-1", endpoint: env.sts.url, credentials }));
    await Promise.all(clients.map((c) => c.send(new GetCallerIdentityCommand({}))));
    expect(env.assumeCalls()).toBe(1);
    expect(env.sts.verifiedCallerIdentityCalls).toBe(5);
  });

  it("sends the session name, duration and session policies to STS", async () => {
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
    await env.provider({ roleSessionName: "my-session", durationSeconds: 900, policy, policyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }] })();
    const form = new URLSearchParams(env.sts.requests[0]!.body);
    expect(form.get("RoleSessionName")).toBe("my-session");
    expect(form.get("DurationSeconds")).toBe("900");
    expect(form.get("Policy")).toBe(policy);
    expect(form.get("PolicyArns.member.1.arn")).toBe("arn:aws:iam::aws:policy/ReadOnlyAccess");
    expect(env.sts.issuedCredentials[0]!.durationSeconds).toBe(900);
  });

  it("requests the token with the audience, URL-encoded, and defaults the session name from the email", async () => {
    await env.provider({ audience: "https://example.com/aud?x=1&y" })();
    const request = env.metadata.identityRequests()[0]!;
    expect(request.url.searchParams.get("audience")).toBe("https://example.com/aud?x=1&y");
    expect(new URLSearchParams(env.sts.requests[0]!.body).get("RoleSessionName")).toBe("gcp-workload");
  });

  it("honours AWS_ENDPOINT_URL_STS when no endpoint is configured", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_STS", env.sts.url);
    const provider = fromGcpServiceAccount({ roleArn: ROLE_ARN, clientConfig: { region: "us-east-1" } });
    await expect(provider()).resolves.toMatchObject({ accountId: "123456789012" });
    expect(env.assumeCalls()).toBe(1);
  });

  it("reaches the fallback of createCredentialChain when there is no metadata server", async () => {
    vi.stubEnv("GCE_METADATA_HOST", "127.0.0.1:9"); // nothing listens on the discard port
    const fallback = vi.fn(async () => ({ accessKeyId: "AKIDFALLBACK", secretAccessKey: "fallback-secret" }));
    const chain = createCredentialChain(env.provider(), fallback);
    const started = Date.now();
    await expect(chain()).resolves.toMatchObject({ accessKeyId: "AKIDFALLBACK" });
    expect(fallback).toHaveBeenCalledTimes(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(env.assumeCalls()).toBe(0);
  });
});

describe("fromGcpServiceAccount STS endpoint selection", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("calls the regional STS endpoint of AWS_REGION", async () => {
    vi.stubEnv("AWS_REGION", "ap-southeast-2");
    vi.stubEnv("AWS_ENDPOINT_URL_STS", "");
    const scope = nock("https://sts.ap-southeast-2.amazonaws.com").post("/", /Action=AssumeRoleWithWebIdentity/).reply(200, STS_OK, { "content-type": "text/xml" });
    const credentials = await fromGcpServiceAccount({ roleArn: ROLE_ARN, tokenSource: mockTokenSource() })();
    expect(credentials.accessKeyId).toBe("ASIAREGIONAL");
    scope.done();
  });

  it("prefers clientConfig.region over AWS_REGION", async () => {
    vi.stubEnv("AWS_REGION", "ap-southeast-2");
    vi.stubEnv("AWS_ENDPOINT_URL_STS", "");
    const scope = nock("https://sts.eu-central-1.amazonaws.com").post("/").reply(200, STS_OK, { "content-type": "text/xml" });
    await fromGcpServiceAccount({ roleArn: ROLE_ARN, tokenSource: mockTokenSource(), clientConfig: { region: "eu-central-1" } })();
    scope.done();
  });
});
