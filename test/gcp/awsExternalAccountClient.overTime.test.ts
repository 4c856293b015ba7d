import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startAwsToGcp, type AwsToGcp } from "../helpers/awsToGcp.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let env: AwsToGcp;

afterEach(async () => {
  vi.useRealTimers();
  await env.close();
});

describe("awsExternalAccountClient upstream calls over time (fake clock)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-25T00:00:00Z"));
  });

  it("over 3 hours of requests every minute: one IMDS credentials fetch per credential lifetime, one IMDSv2 token, one exchange per Google token", async () => {
    env = await startAwsToGcp({ credentialsLifetimeSeconds: 6 * 3600 });
    const auth = env.client();
    for (let minute = 0; minute <= 180; minute++) {
      await auth.getRequestHeaders();
      vi.setSystemTime(Date.now() + MINUTE);
    }
    expect(env.ec2.credentialGets()).toHaveLength(1); // 6 h credentials, 3 h simulated
    expect(env.ec2.tokenPuts()).toHaveLength(1); // the 6 h session token is reused
    // Google tokens live 1 h and google-auth-library renews them 5 min early: 4 exchanges in 3 h.
    expect(env.google.exchanges).toBe(4);
    expect(env.google.impersonations).toBe(4);
  });

  it("with 1-hour AWS credentials, refetches them only in their refresh window", async () => {
    env = await startAwsToGcp({ credentialsLifetimeSeconds: 3600 });
    const auth = env.client();
    for (let minute = 0; minute <= 180; minute++) {
      await auth.getRequestHeaders();
      vi.setSystemTime(Date.now() + MINUTE);
    }
    // Each set is replaced in its last 15 minutes, i.e. about every 45 min: at most 5 fetches in 3 h (not one per exchange).
    const fetches = env.ec2.credentialGets().length;
    expect(fetches).toBeGreaterThanOrEqual(3);
    expect(fetches).toBeLessThanOrEqual(5);
    expect(env.ec2.tokenPuts()).toHaveLength(1);
  });

  it("re-PUTs the IMDSv2 session token only when its 6 h TTL is near", async () => {
    env = await startAwsToGcp({ credentialsLifetimeSeconds: 3600 });
    const auth = env.client();
    await auth.getAccessToken();
    vi.setSystemTime(Date.now() + 5 * HOUR); // Google token and AWS credentials expired: IMDS is asked again
    await auth.getAccessToken();
    expect(env.ec2.credentialGets()).toHaveLength(2);
    expect(env.ec2.tokenPuts()).toHaveLength(1);
    vi.setSystemTime(Date.now() + 59 * MINUTE + 30_000); // 30 s before the session token's TTL
    await auth.getAccessToken();
    expect(env.ec2.credentialGets()).toHaveLength(3);
    expect(env.ec2.tokenPuts()).toHaveLength(2);
  });

  it("re-PUTs exactly once when IMDS answers 401 to a stale session token", async () => {
    env = await startAwsToGcp({ credentialsLifetimeSeconds: 3600 });
    const auth = env.client();
    await auth.getAccessToken();
    vi.setSystemTime(Date.now() + 2 * HOUR);
    env.ec2.failNext({ status: 401, match: (r) => r.action === "GetCredentials" });
    await auth.getAccessToken();
    expect(env.ec2.tokenPuts()).toHaveLength(2);
    expect(env.ec2.credentialGets()).toHaveLength(3); // the first, the one answered 401, its retry
  });
});

describe("awsExternalAccountClient through a Google outage (fake clock)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-25T00:00:00Z"));
  });
  const exchange = (r: { action?: string }) => r.action === "ExchangeToken";

  it("serves the cached token while a refresh fails and it has at least a minute left, backing off between attempts", async () => {
    env = await startAwsToGcp();
    const auth = env.client();
    const { token } = await auth.getAccessToken();
    vi.setSystemTime(Date.now() + 57 * MINUTE); // 3 min left: google-auth-library refreshes 5 min early
    env.google.failNext({ status: 400, code: "invalid_grant", message: "outage", count: 100, match: exchange });
    expect((await auth.getAccessToken()).token).toBe(token);
    const attempts = env.google.requests.filter(exchange).length;
    expect(attempts).toBe(2);
    for (let i = 0; i < 10; i++) expect((await auth.getAccessToken()).token).toBe(token); // within the backoff: no new attempt
    expect(env.google.requests.filter(exchange).length).toBe(attempts);
    vi.setSystemTime(Date.now() + 31_000); // past the first backoff (at most 30 s)
    expect((await auth.getAccessToken()).token).toBe(token);
    expect(env.google.requests.filter(exchange).length).toBe(attempts + 1);
  });

  it("fails with a typed error once the cached token has less than a minute left", async () => {
    env = await startAwsToGcp();
    const auth = env.client();
    await auth.getAccessToken();
    vi.setSystemTime(Date.now() + 59 * MINUTE + 30_000);
    env.google.failNext({ status: 400, code: "invalid_grant", message: "outage", count: 100, match: exchange });
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: "GOOGLE_STS_FAILED", googleError: "invalid_grant" });
  });
});

describe("awsExternalAccountClient IMDS faults", () => {
  it("fails in under 3 s with the hop-limit hint when the token PUT is black-holed", async () => {
    env = await startAwsToGcp();
    env.ec2.failNext({ hang: true, count: 5, match: (r) => r.action === "PutToken" });
    const started = Date.now();
    const error = await env.client().getAccessToken().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toMatchObject({ code: "AWS_REGION_FAILED", message: expect.stringContaining("http-put-response-hop-limit") });
  });

  it("gives the hop-limit hint on the credentials step too when the region is configured", async () => {
    env = await startAwsToGcp();
    env.ec2.failNext({ hang: true, count: 5, match: (r) => r.action === "PutToken" });
    const error = await env.client({ awsRegion: "eu-west-3" }).getAccessToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "AWS_CREDENTIALS_FAILED", message: expect.stringContaining("http-put-response-hop-limit") });
  });
});
