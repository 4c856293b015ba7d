import { fromContainerMetadata, fromHttp } from "@aws-sdk/credential-providers";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createFakeEcsCredentialsEndpoint,
  type FakeEcsCredentialsEndpoint,
  type FakeEcsCredentialsEndpointOptions,
} from "../../src/testing/index.js";

let fake: FakeEcsCredentialsEndpoint | undefined;
afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await fake?.close();
  fake = undefined;
});

async function start(opts?: FakeEcsCredentialsEndpointOptions): Promise<FakeEcsCredentialsEndpoint> {
  fake = await createFakeEcsCredentialsEndpoint(opts);
  // The SDK prefers the relative URI (169.254.170.2) when both are set: make sure only ours is.
  vi.stubEnv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", undefined);
  vi.stubEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN", undefined);
  vi.stubEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", undefined);
  vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", fake.fullUri);
  return fake;
}

describe("createFakeEcsCredentialsEndpoint", () => {
  it("answers the container credentials JSON on any GET path, same set until rotation", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
    const server = await start({ roleArn: "arn:aws:iam::111122223333:role/task", credentialsLifetimeSeconds: 3600 });
    expect(server.fullUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/credentials\/[0-9a-f-]{36}$/);
    const first = (await (await fetch(server.fullUri)).json()) as Record<string, string>;
    expect(first).toEqual({
      AccessKeyId: server.issuedCredentials[0]!.accessKeyId,
      SecretAccessKey: server.issuedCredentials[0]!.secretAccessKey,
      Token: server.issuedCredentials[0]!.sessionToken,
      Expiration: "2030-01-01T01:00:00Z",
      RoleArn: "arn:aws:iam::111122223333:role/task",
    });
    expect(await (await fetch(`${server.url}/v1/credentials`)).json()).toEqual(first);
    vi.setSystemTime(new Date("2030-01-01T00:50:00Z"));
    const rotated = (await (await fetch(server.fullUri)).json()) as { AccessKeyId: string };
    expect(rotated.AccessKeyId).not.toBe(first.AccessKeyId);
    expect(server.lookupSecret(rotated.AccessKeyId)).toBe(server.issuedCredentials[1]!.secretAccessKey);
    expect(server.credentialGets()).toHaveLength(3);
    expect((await fetch(server.fullUri, { method: "POST" })).status).toBe(405);
  });

  it("requires the exact Authorization header when authorizationToken is set", async () => {
    const server = await start({ authorizationToken: "eks-pod-identity-token" });
    const missing = await fetch(server.fullUri);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ Code: "AccessDeniedException", Message: "Authorization token is missing" });
    expect((await fetch(server.fullUri, { headers: { Authorization: "Bearer eks-pod-identity-token" } })).status).toBe(401);
    expect((await fetch(server.fullUri, { headers: { Authorization: "eks-pod-identity-token" } })).status).toBe(200);
    expect(server.issuedCredentials).toHaveLength(1);
    expect(() => createFakeEcsCredentialsEndpoint({ authorizationToken: "a\r\nb" })).toThrow(TypeError);
  });

  it("renders scripted failures as {Code, Message} JSON", async () => {
    const server = await start();
    server.failNext({ status: 429, code: "ThrottlingException", message: "slow down" });
    const res = await fetch(server.fullUri);
    expect([res.status, await res.json()]).toEqual([429, { Code: "ThrottlingException", Message: "slow down" }]);
    expect((await fetch(server.fullUri)).status).toBe(200);
  });
});

describe("createFakeEcsCredentialsEndpoint with the AWS SDK", () => {
  it("fromContainerMetadata() returns its credentials via AWS_CONTAINER_CREDENTIALS_FULL_URI", async () => {
    const server = await start();
    const credentials = await fromContainerMetadata({ timeout: 2000 })();
    const [issued] = server.issuedCredentials;
    expect(credentials).toMatchObject({
      accessKeyId: issued!.accessKeyId,
      secretAccessKey: issued!.secretAccessKey,
      sessionToken: issued!.sessionToken,
      expiration: issued!.expiration,
    });
    expect(server.requests.map((r) => r.path)).toEqual([server.relativeUri]);
  });

  it("fromHttp() sends AWS_CONTAINER_AUTHORIZATION_TOKEN and gets its credentials (EKS Pod Identity)", async () => {
    const server = await start({ authorizationToken: "pod-identity-token" });
    vi.stubEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "pod-identity-token");
    const credentials = await fromHttp({ timeout: 2000, maxRetries: 0 })();
    expect(credentials).toMatchObject({
      accessKeyId: server.issuedCredentials[0]!.accessKeyId,
      sessionToken: server.issuedCredentials[0]!.sessionToken,
    });
    expect(server.requests[0]!.headers.authorization).toBe("pod-identity-token");
  });

  it("fromHttp() surfaces the 401 of a wrong token", async () => {
    const server = await start({ authorizationToken: "pod-identity-token" });
    vi.stubEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "stale-token");
    await expect(fromHttp({ timeout: 2000, maxRetries: 0 })()).rejects.toThrow(/Server responded with status: 401/);
    expect(server.issuedCredentials).toEqual([]);
  });
});
