import { fromInstanceMetadata } from "@aws-sdk/credential-providers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createFakeEc2Metadata, type FakeEc2Metadata, type FakeEc2MetadataOptions } from "../../src/testing/index.js";

let fake: FakeEc2Metadata | undefined;
afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await fake?.close();
  fake = undefined;
});

async function start(opts?: FakeEc2MetadataOptions): Promise<FakeEc2Metadata> {
  fake = await createFakeEc2Metadata(opts);
  return fake;
}

const CREDENTIALS = "/latest/meta-data/iam/security-credentials/";
const putToken = (server: FakeEc2Metadata, headers: Record<string, string> = { "X-aws-ec2-metadata-token-ttl-seconds": "21600" }) =>
  fetch(`${server.url}/latest/api/token`, { method: "PUT", headers });
const tokenOf = async (server: FakeEc2Metadata, ttlSeconds = 21600) =>
  (await putToken(server, { "X-aws-ec2-metadata-token-ttl-seconds": String(ttlSeconds) })).text();
const get = (server: FakeEc2Metadata, path: string, token?: string) =>
  fetch(`${server.url}${path}`, { headers: token === undefined ? {} : { "X-aws-ec2-metadata-token": token } });

describe("createFakeEc2Metadata: IMDSv2 session tokens", () => {
  it("refuses every GET without a session token (IMDSv1 disabled) with a plain-text 401", async () => {
    const server = await start();
    for (const path of [CREDENTIALS, `${CREDENTIALS}ec2-role`, "/latest/meta-data/placement/region"]) {
      const res = await get(server, path);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("text/plain");
      expect(await res.text()).toBe("Unauthorized");
    }
    expect((await get(server, CREDENTIALS, "made-up-token")).status).toBe(401);
    expect(server.issuedCredentials).toEqual([]);
  });

  it("requires the TTL header, between 1 and 21600 seconds", async () => {
    const server = await start();
    expect((await putToken(server, {})).status).toBe(400);
    for (const ttl of ["0", "21601", "-5", "1.5", "abc"]) {
      expect((await putToken(server, { "X-aws-ec2-metadata-token-ttl-seconds": ttl })).status, ttl).toBe(400);
    }
    const res = await putToken(server, { "X-aws-ec2-metadata-token-ttl-seconds": "1" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-aws-ec2-metadata-token-ttl-seconds")).toBe("1");
    expect((await res.text()).length).toBeGreaterThan(40);
    expect(server.tokenPuts()).toHaveLength(7);
  });

  it("rejects a token PUT carrying X-Forwarded-For with 403, and GET on the token path with 405", async () => {
    const server = await start();
    const forwarded = await putToken(server, { "X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "10.0.0.1" });
    expect(forwarded.status).toBe(403);
    expect((await fetch(`${server.url}/latest/api/token`)).status).toBe(405);
    const token = await tokenOf(server);
    const post = await fetch(`${server.url}${CREDENTIALS}`, { method: "POST", headers: { "X-aws-ec2-metadata-token": token } });
    expect(post.status).toBe(405);
  });

  it("expires a token after its TTL on the (fake) Date clock", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
    const server = await start();
    const token = await tokenOf(server, 60);
    expect((await get(server, CREDENTIALS, token)).status).toBe(200);
    vi.setSystemTime(new Date("2030-01-01T00:00:59.999Z"));
    expect((await get(server, CREDENTIALS, token)).status).toBe(200);
    vi.setSystemTime(new Date("2030-01-01T00:01:00Z"));
    expect((await get(server, CREDENTIALS, token)).status).toBe(401);
    expect((await get(server, CREDENTIALS, await tokenOf(server, 60))).status).toBe(200);
  });
});

describe("createFakeEc2Metadata: metadata and role credentials", () => {
  it("serves the role, its credentials in IMDS's JSON shape, the placement and the identity document", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00.250Z") });
    const server = await start({ roleName: "web", region: "eu-west-3", availabilityZone: "eu-west-3b", accountId: "210987654321" });
    const token = await tokenOf(server);
    expect(await (await get(server, CREDENTIALS, token)).text()).toBe("web");
    expect((await get(server, `${CREDENTIALS}other-role`, token)).status).toBe(404);
    const body = JSON.parse(await (await get(server, `${CREDENTIALS}web`, token)).text()) as Record<string, string>;
    const [issued] = server.issuedCredentials;
    expect(body).toEqual({
      Code: "Success",
      LastUpdated: "2030-01-01T00:00:00Z",
      Type: "AWS-HMAC",
      AccessKeyId: issued!.accessKeyId,
      SecretAccessKey: issued!.secretAccessKey,
      Token: issued!.sessionToken,
      Expiration: "2030-01-01T06:00:00Z",
    });
    expect(body.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(server.lookupSecret(body.AccessKeyId!)).toBe(body.SecretAccessKey);
    expect(server.lookupSecret("ASIAUNKNOWN")).toBeUndefined();
    expect(await (await get(server, "/latest/meta-data/placement/region", token)).text()).toBe("eu-west-3");
    expect(await (await get(server, "/latest/meta-data/placement/availability-zone", token)).text()).toBe("eu-west-3b");
    const document = JSON.parse(await (await get(server, "/latest/dynamic/instance-identity/document", token)).text());
    expect(document).toMatchObject({ region: "eu-west-3", availabilityZone: "eu-west-3b", accountId: "210987654321" });
    expect(server.credentialGets()).toHaveLength(1);
  });

  it("serves the same credentials until less than a quarter of their lifetime is left, then rotates", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
    const server = await start({ credentialsLifetimeSeconds: 3600 });
    const accessKey = async () => {
      const token = await tokenOf(server);
      return (JSON.parse(await (await get(server, `${CREDENTIALS}ec2-role`, token)).text()) as { AccessKeyId: string }).AccessKeyId;
    };
    const first = await accessKey();
    vi.setSystemTime(new Date("2030-01-01T00:45:00Z")); // exactly 1/4 left
    expect(await accessKey()).toBe(first);
    vi.setSystemTime(new Date("2030-01-01T00:45:01Z"));
    const second = await accessKey();
    expect(second).not.toBe(first);
    expect(server.issuedCredentials.map((c) => c.accessKeyId)).toEqual([first, second]);
    expect(server.issuedCredentials[1]!.expiration.toISOString()).toBe("2030-01-01T01:45:01.000Z");
    expect(server.lookupSecret(first)).toBe(server.issuedCredentials[0]!.secretAccessKey);
  });

  it("renders scripted failures as plain text and validates its options", async () => {
    const server = await start();
    server.failNext({ status: 503, match: (r) => r.action === "PutToken" });
    const res = await putToken(server);
    expect([res.status, res.headers.get("content-type"), await res.text()]).toEqual([503, "text/plain", "Service Unavailable"]);
    expect(server.requests.map((r) => r.action)).toEqual(["PutToken"]);
    expect(() => createFakeEc2Metadata({ credentialsLifetimeSeconds: 0 })).toThrow(RangeError);
    expect(() => createFakeEc2Metadata({ accountId: "12" })).toThrow(/accountId must be 12 digits/);
  });
});

describe("createFakeEc2Metadata with the AWS SDK's fromInstanceMetadata()", () => {
  it("returns the fake's credentials through IMDSv2", async () => {
    const server = await start();
    vi.stubEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url);
    const credentials = await fromInstanceMetadata({ timeout: 2000 })();
    const [issued] = server.issuedCredentials;
    expect(credentials).toMatchObject({
      accessKeyId: issued!.accessKeyId,
      secretAccessKey: issued!.secretAccessKey,
      sessionToken: issued!.sessionToken,
      expiration: issued!.expiration,
    });
    expect(server.tokenPuts()).toHaveLength(1);
    expect(server.tokenPuts()[0]!.headers["x-aws-ec2-metadata-token-ttl-seconds"]).toBe("21600");
    expect(server.requests.map((r) => r.action)).toEqual(["PutToken", "GetRoleName", "GetCredentials"]);
  });

  it("fails when the token PUT is refused, because the SDK's IMDSv1 fallback gets 401", async () => {
    const server = await start();
    vi.stubEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url);
    server.failNext({ status: 403, match: (r) => r.action === "PutToken" });
    await expect(fromInstanceMetadata({ timeout: 2000 })()).rejects.toMatchObject({ statusCode: 401 });
    const role = server.requests.find((r) => r.action === "GetRoleName");
    expect(role?.headers["x-aws-ec2-metadata-token"]).toBeUndefined();
    expect(server.issuedCredentials).toEqual([]);
  });
});
