import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CrossCloudCredentialsError } from "../../src/index.js";
import { ASSUME, startGcpToAws, type GcpToAws } from "../helpers/gcpToAws.js";

const MINUTE = 60_000;
let env: GcpToAws;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-11-25T12:00:00Z"));
  env = await startGcpToAws();
});

afterEach(async () => {
  vi.useRealTimers();
  await env.close();
});

describe("fromGcpServiceAccount caching", () => {
  it("makes exactly 1 token fetch and 1 STS request for 1,000 concurrent cold calls", async () => {
    const provider = env.provider();
    const results = await Promise.all(Array.from({ length: 1000 }, () => provider()));
    expect(env.tokenFetches()).toBe(1);
    expect(env.assumeCalls()).toBe(1);
    expect(new Set(results.map((c) => c.accessKeyId)).size).toBe(1);
    expect(results[0]).toMatchObject({ accountId: "123456789012", expiration: new Date("2026-11-25T13:00:00Z") });
  });

  it("makes no network call before the advisory window", async () => {
    const provider = env.provider();
    const first = await provider();
    vi.setSystemTime(Date.now() + 44 * MINUTE); // 16 minutes left; advisory window is the last 15
    for (let i = 0; i < 50; i++) expect(await provider()).toBe(first);
    expect(env.assumeCalls()).toBe(1);
    expect(env.tokenFetches()).toBe(1);
  });

  it("refreshes once in the background in the advisory window while callers get cached credentials at once", async () => {
    const provider = env.provider();
    const first = await provider();
    vi.setSystemTime(Date.now() + 50 * MINUTE); // 10 minutes left
    const during = await Promise.all(Array.from({ length: 100 }, () => provider()));
    expect(during.every((c) => c === first)).toBe(true);
    await vi.waitFor(() => expect(env.assumeCalls()).toBe(2));
    await vi.waitFor(async () => expect((await provider()).accessKeyId).not.toBe(first.accessKeyId));
    expect(env.assumeCalls()).toBe(2);
    expect(env.tokenFetches()).toBe(2);
  });

  it("serves cached credentials while an advisory refresh fails, and retries after a backoff", async () => {
    const provider = env.provider();
    const first = await provider();
    env.sts.failNext({ code: "AccessDenied", status: 403, message: "Not authorized", match: ASSUME });
    vi.setSystemTime(Date.now() + 50 * MINUTE);
    expect(await provider()).toBe(first);
    await vi.waitFor(() => expect(env.assumeCalls()).toBe(2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await provider()).toBe(first); // within the backoff: no new attempt
    await new Promise((resolve) => setTimeout(resolve, 300)); // time for a (wrong) background refresh to reach the fakes
    expect(env.tokenFetches()).toBe(2);
    expect(env.assumeCalls()).toBe(2);
    vi.setSystemTime(Date.now() + 31_000); // first backoff is at most 30 s
    expect(await provider()).toBe(first);
    await vi.waitFor(() => expect(env.assumeCalls()).toBe(3));
    await vi.waitFor(async () => expect((await provider()).accessKeyId).not.toBe(first.accessKeyId));
  });

  it("makes callers wait for the refresh in the mandatory window", async () => {
    const provider = env.provider();
    const first = await provider();
    vi.setSystemTime(Date.now() + 56 * MINUTE); // 4 minutes left; mandatory window is the last 5
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a.accessKeyId).not.toBe(first.accessKeyId);
    expect(b).toBe(a);
    expect(env.assumeCalls()).toBe(2);
  });

  it("serves still-valid credentials when a mandatory refresh fails", async () => {
    const provider = env.provider();
    const first = await provider();
    env.sts.failNext({ code: "AccessDenied", status: 403, message: "Not authorized", match: ASSUME });
    vi.setSystemTime(Date.now() + 56 * MINUTE);
    expect(await provider()).toBe(first);
    expect(env.assumeCalls()).toBe(2);
  });

  it("rejects with a typed error when the cache has expired and STS fails, and does not cache the failure", async () => {
    const provider = env.provider();
    await provider();
    vi.setSystemTime(Date.now() + 61 * MINUTE);
    env.sts.failNext({ code: "AccessDenied", status: 403, message: "Not authorized to perform sts:AssumeRoleWithWebIdentity", match: ASSUME });
    const error = await provider().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrossCloudCredentialsError);
    expect(error).toMatchObject({ code: "STS_ACCESS_DENIED", stsErrorCode: "AccessDenied", tryNextLink: false });
    const next = await provider();
    expect(next.expiration.getTime()).toBeGreaterThan(Date.now());
    expect(env.assumeCalls()).toBe(3);
  });

  it("does not cache a cold-start failure: the next call tries again", async () => {
    const provider = env.provider();
    env.sts.failNext({ code: "AccessDenied", status: 403, message: "Not authorized", match: ASSUME });
    await expect(provider()).rejects.toMatchObject({ code: "STS_ACCESS_DENIED" });
    await expect(provider()).resolves.toMatchObject({ accountId: "123456789012" });
    expect(env.assumeCalls()).toBe(2);
  });

  // The window edges, for a 1 h lifetime (caps 15 and 5 min win) and a 15 min one (lifetime/4 and /6 win).
  const edges = [
    { durationSeconds: 3600, quietAt: 15 * MINUTE + 1000, advisoryAt: 15 * MINUTE - 1000, mandatoryAt: 5 * MINUTE - 1000 },
    { durationSeconds: 900, quietAt: 3.75 * MINUTE + 1000, advisoryAt: 3.75 * MINUTE - 1000, mandatoryAt: 2.5 * MINUTE - 1000 },
  ];
  for (const edge of edges) {
    it(`starts refreshing exactly at the window edges of a ${edge.durationSeconds} s lifetime`, async () => {
      const provider = env.provider({ durationSeconds: edge.durationSeconds });
      const first = await provider();
      const expiresAt = first.expiration.getTime();
      vi.setSystemTime(expiresAt - edge.quietAt);
      expect(await provider()).toBe(first);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(env.tokenFetches()).toBe(1);
      vi.setSystemTime(expiresAt - edge.advisoryAt);
      expect(await provider()).toBe(first); // advisory: served at once, refreshed behind
      await vi.waitFor(() => expect(env.assumeCalls()).toBe(2));
      const second = await provider();
      vi.setSystemTime(second.expiration.getTime() - edge.mandatoryAt);
      expect((await provider()).accessKeyId).not.toBe(second.accessKeyId); // mandatory: the caller waited
    });
  }

  it("rejects instead of serving credentials with less than a minute left when the refresh fails", async () => {
    const provider = env.provider();
    const first = await provider();
    vi.setSystemTime(first.expiration.getTime() - 30_000);
    env.sts.failNext({ code: "AccessDenied", status: 403, message: "Not authorized", match: ASSUME });
    await expect(provider()).rejects.toMatchObject({ code: "STS_ACCESS_DENIED" });
  });

  it("bypasses the cache with forceRefresh, still with one in-flight refresh", async () => {
    const provider = env.provider();
    const first = await provider();
    const forced = await Promise.all([provider({ forceRefresh: true }), provider({ forceRefresh: true }), provider({ forceRefresh: true })]);
    expect(env.assumeCalls()).toBe(2);
    expect(forced[0].accessKeyId).not.toBe(first.accessKeyId);
    expect(new Set(forced.map((c) => c.accessKeyId)).size).toBe(1);
    expect(await provider()).toBe(forced[0]);
  });
});
