import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RecordedRequest } from "../../src/testing/index.js";
import { startAwsToGcp, type AwsToGcp } from "../helpers/awsToGcp.js";
import { MIN_REMAINING_MS, requestsBetween, runSoak, type FaultKind } from "./simulation.js";
import { withoutNockInterceptor } from "../helpers/withoutNockInterceptor.js";

withoutNockInterceptor();

/** Replay a run with SOAK_SEED=<seed>. */
const SEED = Number(process.env.SOAK_SEED ?? 20_261_101);
const DAYS = 30;
const CALLERS = 10;
const GOOGLE_TOKEN_LIFETIME_MS = 3600_000; // serviceAccountTokenLifetimeSeconds default, and the fake's federated tokens
// 1 h AWS credentials: with 55 min between token exchanges, every exchange finds them in their refresh
// window, so each Google refresh also refreshes them (in the background) and IMDS outages meet it.
const AWS_CREDENTIALS_LIFETIME_S = 3600;

let env: AwsToGcp;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-11-01T00:00:00Z"));
  env = await startAwsToGcp({ credentialsLifetimeSeconds: AWS_CREDENTIALS_LIFETIME_S });
});

afterEach(async () => {
  vi.useRealTimers();
  await env.close();
});

const action = (name: string) => (request: RecordedRequest) => request.action === name;

describe("awsExternalAccountClient over 30 simulated days with random faults (soak)", () => {
  it("never hands out a token within 60 s of expiry, refreshes one at a time at the minimum rate, and hides every outage shorter than the cached token's remaining life", async () => {
    const { ec2, google } = env;
    // google-auth-library retries Google's 5xx itself, sleeping 0.1 + 0.5 + 1.5 s of real time: few Google
    // outages. The one outage that outlasts the cached token is a Google STS one (an IMDS outage is hidden
    // by the AWS credentials cached for the exchange, so it would show nothing).
    const kinds: FaultKind[] = [
      { name: "Google STS 503", server: google, target: action("ExchangeToken"), script: { status: 503 }, weight: 1, maxOutages: 3 },
      { name: "IAM Credentials 503", server: google, target: action("GenerateAccessToken"), script: { status: 503 }, weight: 1, maxOutages: 1, mayOutlast: false },
      { name: "IMDS credentials 500", server: ec2, target: action("GetCredentials"), script: { status: 500 }, weight: 2, mayOutlast: false },
      { name: "IMDS credentials 503", server: ec2, target: action("GetCredentials"), script: { status: 503 }, weight: 1, mayOutlast: false },
      { name: "IMDS connection drop", server: ec2, target: (r) => r.action === "GetRoleName" || r.action === "GetCredentials", script: { drop: true }, weight: 1, mayOutlast: false },
    ];
    const transients: FaultKind[] = [
      ...kinds,
      { name: "IMDS token PUT 503", server: ec2, target: action("PutToken"), script: { status: 503 }, weight: 1 },
    ];
    const auth = env.client();

    const report = await runSoak({
      seed: SEED,
      start: new Date(Date.now()),
      days: DAYS,
      callers: CALLERS,
      call: async () => {
        const headers = await auth.getRequestHeaders();
        const token = /^Bearer (\S+)$/.exec(headers.get("authorization") ?? "")?.[1] ?? "(no bearer token)";
        return { id: token, expiresAtMs: google.grantOf(token)?.expiresAtMs ?? -Infinity };
      },
      servers: [ec2, google],
      // google-auth-library replaces its token in the last 5 min; about 780 tokens of 55 min in 30 days.
      outages: { kinds, count: 8, uncovered: 1, overhangMinutes: 2, refreshMinutesBeforeExpiry: 5, setsInRun: 750 },
      transients: { kinds: transients, chancePerMinute: 0.0003 },
    });
    const at = (ms: number) => new Date(ms).toISOString();
    const context = `seed ${SEED}`;

    // Sanity: the run is the one described, and its faults did reach the upstreams.
    expect(report.minutes).toBe(DAYS * 24 * 60);
    expect(report.calls).toBe(DAYS * 24 * 60 * CALLERS);
    expect.soft(report.outages.filter((o) => o.failedRequests > 0).length, `${context}: outages that met a refresh`).toBeGreaterThanOrEqual(3);
    expect.soft(report.requests.filter((r) => r.fault?.startsWith("transient")).length, `${context}: transient faults that hit a request`).toBeGreaterThanOrEqual(3);

    // 1. Never a token that is expired or expires within 60 s.
    expect.soft(report.staleHandouts.map((h) => `${at(h.atMs)}: token with ${h.remainingMs} ms left`), context).toEqual([]);

    // 2. Never more than one refresh in flight: no two requests of the same kind overlap at a fake.
    for (const [server, name] of [[google, "ExchangeToken"], [google, "GenerateAccessToken"], [ec2, "PutToken"], [ec2, "GetRoleName"], [ec2, "GetCredentials"]] as const) {
      expect.soft(report.maxConcurrency(server, name), `${context}: concurrent ${name}`).toBe(1);
    }

    // 3. Callers see an error only while an outage lasts and the cached token has less than 60 s left:
    //    every outage shorter than its remaining life is invisible, and recovery is immediate.
    const unexplained = report.errors.filter((e) => e.outage === undefined || e.cachedRemainingMs >= MIN_REMAINING_MS);
    expect.soft(unexplained.slice(0, 5).map((e) => `${at(e.atMs)} (${e.outage ?? "no outage"}, cached token valid ${e.cachedRemainingMs / 1000} s more): ${e.code} ${e.message}`), context).toEqual([]);
    const visible = report.outages.filter((o) => o.covered && o.errorMinutes > 0);
    expect.soft(visible.map((o) => `${o.kind} ${at(o.startMs)}–${at(o.endMs)}, cached token expiring ${at(o.cachedExpiryAtStartMs)}: ${o.errorMinutes} minute(s) of caller errors`), context).toEqual([]);
    const outlasting = report.outages.filter((o) => !o.covered && o.failedRequests > 0);
    expect.soft(outlasting.length, `${context}: outages that outlasted the cached token`).toBeGreaterThanOrEqual(1);
    for (const outage of outlasting) {
      expect.soft(report.errors.some((e) => e.atMs >= outage.startMs && e.atMs < outage.endMs), `${context}: an outage outlasting the token is seen by callers (${outage.kind} ${at(outage.startMs)})`).toBe(true);
    }

    // 4. Bounded traffic to a failing upstream while a valid token is cached.
    for (const outage of report.outages) {
      expect.soft(outage.attemptMinutesWhileValid, `${context}: ${outage.kind} at ${at(outage.startMs)}: minutes with a refresh attempt out of ${outage.validMinutes} with a valid token`).toBeLessThanOrEqual(2 + outage.validMinutes / 2);
    }

    // 5. Upstream calls per token lifetime stay at the minimum: every impersonated token reached callers,
    //    none was replaced before the last quarter of its life, and a lifetime without faults took
    //    exactly one token exchange and one generateAccessToken.
    const grants = google.issuedAccessTokens.map((token) => ({ token, grant: google.grantOf(token)! }));
    const impersonated = grants.filter((g) => g.grant.kind === "impersonated").map((g) => ({ token: g.token, atMs: g.grant.expiresAtMs - GOOGLE_TOKEN_LIFETIME_MS }));
    expect.soft(report.handouts.map((h) => h.id), `${context}: every token issued was handed out, once`).toEqual(impersonated.map((t) => t.token));
    const early: string[] = [];
    const wasteful: string[] = [];
    for (let i = 1; i < impersonated.length; i++) {
      const [previous, current] = [impersonated[i - 1]!, impersonated[i]!];
      if (current.atMs - previous.atMs < (GOOGLE_TOKEN_LIFETIME_MS * 3) / 4) early.push(`${at(previous.atMs)} → ${at(current.atMs)}`);
      const exchanges = requestsBetween(report, google, "ExchangeToken", previous.atMs, current.atMs);
      const impersonations = requestsBetween(report, google, "GenerateAccessToken", previous.atMs, current.atMs);
      const awsFetches = requestsBetween(report, ec2, "GetCredentials", previous.atMs, current.atMs);
      const faulted = [...exchanges, ...impersonations, ...awsFetches].some((r) => r.fault !== undefined);
      if (!faulted && (exchanges.length !== 1 || impersonations.length !== 1 || awsFetches.length > 1)) {
        wasteful.push(`${at(previous.atMs)} → ${at(current.atMs)}: ${exchanges.length} exchanges, ${impersonations.length} generateAccessToken, ${awsFetches.length} IMDS credential fetches`);
      }
    }
    expect.soft(early, `${context}: tokens replaced before the last quarter of their life`).toEqual([]);
    expect.soft(wasteful.slice(0, 5), `${context}: fault-free lifetimes with more than the minimum calls`).toEqual([]);

    // AWS credentials: one IMDS fetch per set, each set used, and never used with less than 60 s left.
    const usedKeys = new Set(google.acceptedExchanges.map((e) => e.accessKeyId));
    const fetchedOk = report.requests.filter((r) => r.server === ec2 && r.request.action === "GetCredentials" && r.fault === undefined).length;
    expect.soft(fetchedOk, `${context}: IMDS credential fetches vs AWS credential sets used`).toBeLessThanOrEqual(usedKeys.size + 1);
    const nearlyExpired = google.acceptedExchanges.filter((e) => {
      const set = ec2.issuedCredentials.find((c) => c.accessKeyId === e.accessKeyId)!;
      const exchangedAtMs = google.grantOf(e.accessToken)!.expiresAtMs - GOOGLE_TOKEN_LIFETIME_MS;
      return set.expiration.getTime() - exchangedAtMs < MIN_REMAINING_MS;
    });
    expect.soft(nearlyExpired.length, `${context}: token exchanges signed with AWS credentials within 60 s of expiry`).toBe(0);
    expect.soft(ec2.tokenPuts().filter((r) => !report.requests.some((l) => l.request === r && l.fault)).length, `${context}: IMDSv2 session tokens (6 h each)`).toBeLessThanOrEqual(DAYS * 4 + 1);

    console.info(
      `awsExternalAccountClient soak (${context}): ${report.calls} calls over ${DAYS} days, ${impersonated.length} Google tokens, ${usedKeys.size} AWS credential sets, ` +
        `${report.outages.length} outages (${report.outages.filter((o) => o.failedRequests > 0).length} met a refresh), ` +
        `${report.transientFaults} transient faults, ${report.errors.length} caller errors`,
    );
  }, 120_000);
});
