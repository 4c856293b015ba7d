// Item 5: 10,000 concurrent callers on a cold provider cause exactly 1 token fetch and 1 STS call, and
// so does a refresh under the same load; the latency callers see (real time) during each phase.
import { useCleanEnv } from "../lib/env.js";
import { installFakeClock } from "../lib/fakeClock.js";
import { emitResult, expectEqual, isQuick, log, markdownTable, type Check } from "../lib/report.js";
import { formatMs, median, percentile } from "../lib/stats.js";

const CALLERS = 10_000;
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const clock = installFakeClock(T0);
const repetitions = isQuick() ? 1 : 7; // the counts are checked in every run

// Loaded after the fake clock is in place, so that no module can keep a reference to the real Date.
const { fromWebToken } = await import("@aws-sdk/credential-providers");
const { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } = await import("@smithy/core");
const { fromGcpServiceAccount } = await import("cross-cloud-credentials");
const { fetchIdToken, ROLE_ARN, ROLE_SESSION_NAME, startGcpToAwsFakes } = await import("../lib/gcpToAwsFakes.js");

const fakes = await startGcpToAwsFakes();
useCleanEnv(fakes.env);

interface Credentials {
  accessKeyId: string;
  expiration?: Date;
}
interface Phase {
  name: string;
  tokenFetches: number;
  stsCalls: number;
  latencies: number[];
  /** From the first call to the last caller served. */
  makespanMs: number;
  /** Distinct access key IDs handed out in the phase. */
  keys: string[];
}

/** Start CALLERS calls at once (one synchronous loop), wait for all, then for any background refresh to land. */
async function burst(name: string, provider: () => Promise<Credentials>, settle: { stsCalls: number } | undefined): Promise<Phase> {
  const counters = fakes;
  const tokensBefore = counters.tokenFetches();
  const stsBefore = counters.stsCalls();
  const latencies = new Array<number>(CALLERS);
  const keys = new Set<string>();
  const started = performance.now();
  const calls = new Array<Promise<void>>(CALLERS);
  for (let i = 0; i < CALLERS; i++) {
    const begin = performance.now();
    calls[i] = provider().then((credentials) => {
      latencies[i] = performance.now() - begin;
      keys.add(credentials.accessKeyId);
    });
  }
  await Promise.all(calls);
  const makespanMs = performance.now() - started;
  if (settle) {
    // A background refresh finishes after the callers were served: wait for its STS call to land.
    const deadline = performance.now() + 10_000;
    while (counters.stsCalls() - stsBefore < settle.stsCalls && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50)); // and give a second, unwanted call the chance to show
  }
  return { name, tokenFetches: counters.tokenFetches() - tokensBefore, stsCalls: counters.stsCalls() - stsBefore, latencies, makespanMs, keys: [...keys] };
}

const newBaseline = async () => {
  const token = await fetchIdToken(fakes.metadata.host);
  return memoizeIdentityProvider(fromWebToken({ roleArn: ROLE_ARN, webIdentityToken: token, roleSessionName: ROLE_SESSION_NAME }), isIdentityExpired, doesIdentityRequireRefresh)!;
};

// Warm-up, not reported: the same bursts on throwaway instances, so that module loading and JIT
// compilation are not charged to the first measured phase of either side.
log(`concurrency: warm-up`);
for (const warmUp of [fromGcpServiceAccount({ roleArn: ROLE_ARN }), await newBaseline()]) {
  for (let i = 0; i < 3; i++) await burst("warm-up", warmUp, undefined);
}

interface Scenario {
  ours: Phase[];
  baseline: Phase[];
  /** Facts about who got which credentials, each "yes" when as expected. */
  facts: Record<string, string>;
}

/** One run of every phase on a new provider (and a new baseline), starting at `start` on the fake clock. */
async function scenario(start: number): Promise<Scenario> {
  clock.set(start);
  const provider = fromGcpServiceAccount({ roleArn: ROLE_ARN }); // 1 h credentials, 1 h ID tokens
  const cold = await burst("cold start (empty cache)", provider, undefined);
  const cached = await burst("cached (no refresh due)", provider, undefined);
  clock.set(start + 50 * MINUTE); // 10 min left: advisory window (last 15 min), outside the mandatory one (last 5 min)
  const advisory = await burst("advisory refresh (10 min left): served from cache, 1 background refresh", provider, { stsCalls: 1 });
  const afterAdvisory = await provider();
  const refreshedAt = clock.now();
  clock.set(refreshedAt + 56 * MINUTE); // 4 min left of the credentials fetched at +50 min: mandatory window
  const mandatory = await burst("mandatory refresh (4 min left): callers wait for 1 refresh", provider, undefined);
  clock.set(refreshedAt + 56 * MINUTE + 61 * MINUTE); // the credentials of the mandatory refresh expired a minute ago
  const expired = await burst("expired cache (1 min past expiry)", provider, undefined);

  // The AWS SDK's own memoized path (info): one static token, refresh 5 min before expiry, blocking.
  const baselineStart = clock.now() + 24 * 60 * MINUTE;
  clock.set(baselineStart);
  const baseline = await newBaseline();
  const baselineCold = await burst("cold start", baseline, undefined);
  clock.set(baselineStart + 56 * MINUTE); // its refresh window (last 5 min); the static token is still valid for 4 min
  const baselineRefresh = await burst("refresh window (4 min left), callers wait", baseline, undefined);

  const firstKey = cold.keys[0];
  return {
    ours: [cold, cached, advisory, mandatory, expired],
    baseline: [baselineCold, baselineRefresh],
    facts: {
      "cold start: every caller got the same credentials": cold.keys.length === 1 ? "yes" : "no",
      "advisory refresh: every caller got the cached credentials at once": advisory.keys.length === 1 && advisory.keys[0] === firstKey ? "yes" : "no",
      "advisory refresh: the next call gets the refreshed credentials": afterAdvisory.accessKeyId !== firstKey ? "yes" : "no",
      "mandatory refresh: every caller got the same, new credentials": mandatory.keys.length === 1 && mandatory.keys[0] !== afterAdvisory.accessKeyId ? "yes" : "no",
    },
  };
}

log(`concurrency: ${repetitions} run(s) of every phase, ${CALLERS} concurrent callers per phase`);
const runs: Scenario[] = [];
for (let i = 0; i < repetitions; i++) runs.push(await scenario(T0 + i * 7 * 24 * 60 * MINUTE));
await fakes.close();
clock.uninstall();

const checks: Check[] = [];
// Every run must show the exact counts; the check shows the distinct values seen over the runs.
const seen = (values: number[]) => [...new Set(values)].join(" / ");
const expectCounts = (side: "ours" | "baseline", index: number, tokenFetches: number | undefined, stsCalls: number) => {
  const name = `${side === "baseline" ? "baseline, " : ""}${runs[0]![side][index]!.name}`;
  if (tokenFetches !== undefined) checks.push(expectEqual(5, `${name}: ID token fetches (each of ${repetitions} run(s))`, seen(runs.map((r) => r[side][index]!.tokenFetches)), String(tokenFetches)));
  checks.push(expectEqual(5, `${name}: STS calls (each of ${repetitions} run(s))`, seen(runs.map((r) => r[side][index]!.stsCalls)), String(stsCalls)));
};
expectCounts("ours", 0, 1, 1);
expectCounts("ours", 1, 0, 0);
expectCounts("ours", 2, 1, 1);
expectCounts("ours", 3, 1, 1);
expectCounts("ours", 4, 1, 1);
for (const fact of Object.keys(runs[0]!.facts)) checks.push(expectEqual(5, `${fact} (each run)`, seen(runs.map((r) => (r.facts[fact] === "yes" ? 1 : 0))) === "1" ? "yes" : "no", "yes"));
expectCounts("baseline", 0, undefined, 1);
expectCounts("baseline", 1, undefined, 1);

/** Median over runs of a per-run statistic of one phase. */
const acrossRuns = (side: "ours" | "baseline", index: number, stat: (phase: Phase) => number) => median(runs.map((r) => stat(r[side][index]!)));
const p50 = (phase: Phase) => percentile(phase.latencies, 50);
const p99Of = (phase: Phase) => percentile(phase.latencies, 99);
const latencyRow = (side: "ours" | "baseline", index: number, tokens: string) => [
  runs[0]![side][index]!.name,
  tokens,
  String(runs[0]![side][index]!.stsCalls),
  formatMs(acrossRuns(side, index, p50)),
  formatMs(acrossRuns(side, index, p99Of)),
  formatMs(acrossRuns(side, index, (phase) => Math.max(...phase.latencies))),
  formatMs(acrossRuns(side, index, (phase) => phase.makespanMs)),
];
const [, , ADVISORY, MANDATORY] = [0, 1, 2, 3];
const BASELINE_REFRESH = 1;
const ratioOfP99 = (index: number) => median(runs.map((r) => p99Of(r.ours[index]!) / p99Of(r.baseline[BASELINE_REFRESH]!)));
const countsMet = checks.every((check) => check.ok);
const first = runs[0]!;
const countsText = (phase: Phase) => `${phase.tokenFetches} + ${phase.stsCalls}`;

emitResult({
  section: "concurrency",
  title: "5. Concurrency",
  rows: [
    {
      item: 5,
      name: `${CALLERS.toLocaleString("en")} concurrent callers: token fetches + STS calls on a cold start and at each refresh (ours)`,
      ours: `${countsText(first.ours[0]!)} (cold); ${countsText(first.ours[2]!)} (advisory); ${countsText(first.ours[3]!)} (mandatory); ${countsText(first.ours[4]!)} (expired)`,
      baseline: `${first.baseline[0]!.stsCalls} STS (cold); ${first.baseline[1]!.stsCalls} STS (refresh)`,
      baselineName: "`memoizeIdentityProvider(fromWebToken)`",
      ratio: Number.NaN,
      countTarget: { text: "exactly 1 token fetch + 1 STS call per burst", met: countsMet },
    },
    {
      item: 5,
      name: `p99 caller latency, ${CALLERS.toLocaleString("en")} callers, refresh in the mandatory window (callers wait)`,
      ours: `${formatMs(acrossRuns("ours", MANDATORY, p99Of))} (p50 ${formatMs(acrossRuns("ours", MANDATORY, p50))})`,
      baseline: `${formatMs(acrossRuns("baseline", BASELINE_REFRESH, p99Of))} (p50 ${formatMs(acrossRuns("baseline", BASELINE_REFRESH, p50))})`,
      baselineName: "`memoizeIdentityProvider(fromWebToken)` in its refresh window",
      ratio: ratioOfP99(MANDATORY),
      note: "info: ours also fetches a new ID token here, the baseline reuses its static one",
    },
    {
      item: 5,
      name: `p99 caller latency, ${CALLERS.toLocaleString("en")} callers, refresh in the advisory window (served from cache)`,
      ours: `${formatMs(acrossRuns("ours", ADVISORY, p99Of))} (p50 ${formatMs(acrossRuns("ours", ADVISORY, p50))})`,
      baseline: `${formatMs(acrossRuns("baseline", BASELINE_REFRESH, p99Of))} (p50 ${formatMs(acrossRuns("baseline", BASELINE_REFRESH, p50))})`,
      baselineName: "`memoizeIdentityProvider(fromWebToken)`: no advisory window, callers wait",
      ratio: ratioOfP99(ADVISORY),
      note: "info",
    },
  ],
  checks,
  details: [
    `${CALLERS.toLocaleString("en")} calls are started in one synchronous loop on one provider (\`fromGcpServiceAccount\` with the default metadata token source; fake metadata server and fake STS in the same process), ` +
      `then awaited together. Every phase is run ${repetitions} time(s) on a new provider; latencies are medians over the runs of each run's percentile. ` +
      "Latency = real time (`performance.now()`) from a caller's call to its credentials, so it includes waiting for the rest of the burst to be started. " +
      "The wall clock is the benchmark's fake clock (bench/lib/fakeClock.ts: `Date` frozen and moved by the benchmark, everything else real), so the provider sees the credentials' age change between phases while timers and latencies stay real. " +
      "Before the measured runs, the same bursts run on throwaway instances (module loading, JIT).",
    "",
    markdownTable(
      ["phase (ours)", "token fetches", "STS calls", "p50", "p99", "max", "all served"],
      first.ours.map((phase, index) => latencyRow("ours", index, String(phase.tokenFetches))),
    ),
    "",
    "The AWS SDK's memoized path under the same load (info: it coalesces too, but refreshes only 5 minutes before expiry, always blocking, and `fromWebToken` never refreshes its token):",
    "",
    markdownTable(["phase (baseline)", "token fetches", "STS calls", "p50", "p99", "max", "all served"], [latencyRow("baseline", 0, "1 (before the burst)"), latencyRow("baseline", 1, "0 (the same static token)")]),
  ],
});
