import { afterEach, describe, expect, it, vi } from "vitest";
import { createFakeGoogleSts, type FakeGoogleSts, type FakeGoogleStsOptions } from "../../src/testing/index.js";
import { CLOUD_PLATFORM, SERVICE_ACCOUNT, awsSecrets, federatedToken, impersonate } from "./googleStsFixtures.js";

let fake: FakeGoogleSts | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await fake?.close();
  fake = undefined;
});

async function start(opts: Partial<FakeGoogleStsOptions> = {}): Promise<FakeGoogleSts> {
  fake = await createFakeGoogleSts({ awsSecrets, ...opts });
  return fake;
}

const UNAUTHENTICATED = {
  error: {
    code: 401,
    message: expect.stringContaining("Request had invalid authentication credentials."),
    status: "UNAUTHENTICATED",
  },
};
const listBuckets = (sts: FakeGoogleSts, bearer?: string) =>
  fetch(`${sts.url}/storage/v1/b?project=my-project`, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });

describe("createFakeGoogleSts: IAM Credentials generateAccessToken", () => {
  it("impersonates a service account for a live federated token", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
    const sts = await start({ serviceAccounts: [SERVICE_ACCOUNT] });
    expect(sts.serviceAccountImpersonationUrl(SERVICE_ACCOUNT)).toBe(
      `${sts.url}/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken`,
    );
    const federated = await federatedToken(sts);
    const res = await impersonate(sts, federated, { scope: [CLOUD_PLATFORM], lifetime: "1200s" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accessToken: string; expireTime: string };
    expect(body).toEqual({ accessToken: expect.stringMatching(/^ya29\.sa-[\w-]{40,}$/), expireTime: "2030-01-01T00:20:00Z" });
    expect(sts.impersonations).toBe(1);
    expect(sts.issuedAccessTokens).toEqual([federated, body.accessToken]);
    expect(sts.requests.map((r) => r.action)).toEqual(["ExchangeToken", "GenerateAccessToken"]);
  });

  it("answers 401 UNAUTHENTICATED to a missing, unknown, expired or impersonated bearer", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
    const sts = await start();
    const federated = await federatedToken(sts);
    const impersonated = ((await (await impersonate(sts, federated, { scope: [CLOUD_PLATFORM] })).json()) as { accessToken: string })
      .accessToken;
    const rejects = async (bearer: string | undefined) => {
      const res = await impersonate(sts, bearer, { scope: [CLOUD_PLATFORM] });
      expect(res.status, String(bearer)).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="https://accounts.google.com/"');
      expect(await res.json()).toEqual(UNAUTHENTICATED);
    };
    for (const bearer of [undefined, "ya29.made-up", impersonated]) await rejects(bearer);
    vi.setSystemTime(new Date("2030-01-01T00:59:59.999Z"));
    expect((await impersonate(sts, federated, { scope: [CLOUD_PLATFORM] })).status).toBe(200);
    vi.setSystemTime(new Date("2030-01-01T01:00:00Z")); // the federated token's expiry
    await rejects(federated);
    expect(sts.impersonations).toBe(2);
  });

  it("denies an account outside serviceAccounts with 403 PERMISSION_DENIED", async () => {
    const sts = await start({ serviceAccounts: [SERVICE_ACCOUNT] });
    const res = await impersonate(sts, await federatedToken(sts), { scope: [CLOUD_PLATFORM] }, "other@p.iam.gserviceaccount.com");
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: {
        code: 403,
        message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
        status: "PERMISSION_DENIED",
      },
    });
    expect(sts.impersonations).toBe(0);
  });

  it("denies a federated token without the cloud-platform or iam scope", async () => {
    const sts = await start();
    const narrow = await federatedToken(sts, "https://www.googleapis.com/auth/devstorage.read_only");
    const res = await impersonate(sts, narrow, { scope: [CLOUD_PLATFORM] });
    expect([res.status, ((await res.json()) as { error: { status: string } }).error.status]).toEqual([403, "PERMISSION_DENIED"]);
  });

  it("answers 400 INVALID_ARGUMENT to a lifetime outside 600–43200 s or a missing scope", async () => {
    const sts = await start();
    const federated = await federatedToken(sts);
    for (const body of [
      { scope: [CLOUD_PLATFORM], lifetime: "599s" },
      { scope: [CLOUD_PLATFORM], lifetime: "43201s" },
      { scope: [CLOUD_PLATFORM], lifetime: "3600" },
      { scope: [] },
      { lifetime: "3600s" },
    ]) {
      const res = await impersonate(sts, federated, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { status: string } }).error.status).toBe("INVALID_ARGUMENT");
    }
    for (const lifetime of ["600s", "43200s"]) {
      expect((await impersonate(sts, federated, { scope: [CLOUD_PLATFORM], lifetime })).status, lifetime).toBe(200);
    }
  });
});

describe("createFakeGoogleSts: Cloud Storage stand-in", () => {
  it("lists buckets only for live tokens it issued, recording every bearer", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
    const sts = await start();
    const federated = await federatedToken(sts);
    const ok = await listBuckets(sts, federated);
    expect([ok.status, await ok.json()]).toEqual([
      200,
      { kind: "storage#buckets", items: [{ kind: "storage#bucket", id: "demo-bucket", name: "demo-bucket" }] },
    ]);
    const anonymous = await listBuckets(sts);
    expect([anonymous.status, ((await anonymous.json()) as { error: { status: string } }).error.status]).toEqual([401, "UNAUTHENTICATED"]);
    expect((await listBuckets(sts, "ya29.forged")).status).toBe(401);
    vi.setSystemTime(new Date("2030-01-01T01:00:00Z"));
    expect((await listBuckets(sts, federated)).status).toBe(401);
    expect(sts.apiCalls).toEqual([
      { path: "/storage/v1/b", bearer: federated, authorized: true },
      { path: "/storage/v1/b", bearer: undefined, authorized: false },
      { path: "/storage/v1/b", bearer: "ya29.forged", authorized: false },
      { path: "/storage/v1/b", bearer: federated, authorized: false },
    ]);
  });

  it("renders scripted failures in the Google API error shape and 404s unknown paths", async () => {
    const sts = await start();
    sts.failNext({ code: "UNAVAILABLE", message: "try later", match: (r) => r.action === "StorageApi" });
    const res = await listBuckets(sts, await federatedToken(sts));
    expect([res.status, await res.json()]).toEqual([503, { error: { code: 503, message: "try later", status: "UNAVAILABLE" } }]);
    const missing = await fetch(`${sts.url}/v1/unknown`);
    expect([missing.status, ((await missing.json()) as { error: { status: string } }).error.status]).toEqual([404, "NOT_FOUND"]);
  });
});
