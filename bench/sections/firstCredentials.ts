// Item 2: time to first credentials in a fresh process (import, token fetch, STS exchange), ours
// against a baseline script that fetches the token with `fetch` and calls fromWebToken directly.
import { BUILD, cleanEnv, ROOT } from "../lib/env.js";
import { ROLE_ARN, ROLE_SESSION_NAME, startGcpToAwsFakes } from "../lib/gcpToAwsFakes.js";
import { lastJsonLine, runOk } from "../lib/processes.js";
import { emitResult, expectEqual, isQuick, log, markdownTable } from "../lib/report.js";
import { formatMs, formatRatio, median, medianPairedRatio } from "../lib/stats.js";

interface Timings {
  scriptMs: number;
  importMs: number;
  sinceProcessStartMs: number;
  wallMs: number;
}

const quick = isQuick();
const rounds = quick ? 3 : 21;
const fakes = await startGcpToAwsFakes();
const env = cleanEnv(fakes.env);

const variants = {
  ours: [`${BUILD}children/firstCredentialsOurs.js`, ROLE_ARN],
  baseline: [`${BUILD}children/firstCredentialsBaseline.js`, ROLE_ARN, ROLE_SESSION_NAME, "providers"],
  "baseline, lean import": [`${BUILD}children/firstCredentialsBaseline.js`, ROLE_ARN, ROLE_SESSION_NAME, "web-identity"],
} as const;
type Variant = keyof typeof variants;
const timings: Record<Variant, Timings[]> = { ours: [], baseline: [], "baseline, lean import": [] };

log(`first credentials: ${rounds} rounds of fresh processes, order rotating`);
const names = Object.keys(variants) as Variant[];
for (let round = 0; round < rounds; round++) {
  const order = names.map((_, i) => names[(i + round) % names.length]!);
  for (const name of order) {
    const result = await runOk(process.execPath, variants[name], { env, cwd: ROOT });
    timings[name].push({ ...lastJsonLine<Omit<Timings, "wallMs">>(result), wallMs: result.wallMs });
  }
}
const processes = rounds * names.length;
const tokenFetches = fakes.tokenFetches();
const stsCalls = fakes.stsCalls();
await fakes.close();

const pick = (name: Variant, field: keyof Timings) => timings[name].map((t) => t[field]);
const ratio = medianPairedRatio(pick("ours", "scriptMs"), pick("baseline", "scriptMs"));

emitResult({
  section: "firstCredentials",
  title: "2. Time to first credentials in a fresh process",
  rows: [
    {
      item: 2,
      name: "Time to first credentials in a fresh process (import + token fetch + STS exchange)",
      ours: formatMs(median(pick("ours", "scriptMs"))),
      baseline: formatMs(median(pick("baseline", "scriptMs"))),
      baselineName: "script: `fetch` the ID token + `fromWebToken` from @aws-sdk/credential-providers",
      ratio,
      target: { op: "<=", value: 1.1 },
      note: `median of ${rounds} paired fresh processes`,
    },
    {
      item: 2,
      name: "… against the leanest baseline (info)",
      ours: formatMs(median(pick("ours", "scriptMs"))),
      baseline: formatMs(median(pick("baseline, lean import", "scriptMs"))),
      baselineName: "same script, `fromWebToken` from @aws-sdk/credential-provider-web-identity",
      ratio: medianPairedRatio(pick("ours", "scriptMs"), pick("baseline, lean import", "scriptMs")),
    },
  ],
  checks: [
    expectEqual(2, `ID token fetches by ${processes} fresh processes (1 each; baselines fetch with fetch())`, tokenFetches, processes),
    expectEqual(2, `STS AssumeRoleWithWebIdentity calls by ${processes} fresh processes (1 each)`, stsCalls, processes),
  ],
  details: [
    "Each fresh Node process imports its entry point, gets an ID token from the fake metadata server and exchanges it at the fake STS " +
      "(both in the benchmark's process, on loopback). *script* = from the script's first statement to credentials in hand (the compared figure: the same code path a " +
      "user's program pays); *since process start* adds Node's own start-up (`performance.now()` at credentials); *wall* = spawn to exit as seen by the parent " +
      "(the baseline lingers after its work: keep-alive sockets of `fetch`).",
    "",
    markdownTable(
      ["variant", "script (median)", "of which import", "since process start", "wall"],
      names.map((name) => [name, formatMs(median(pick(name, "scriptMs"))), formatMs(median(pick(name, "importMs"))), formatMs(median(pick(name, "sinceProcessStartMs"))), formatMs(median(pick(name, "wallMs")))]),
    ),
    "",
    `Ratio ours/baseline of the *since process start* medians: ${formatRatio(medianPairedRatio(pick("ours", "sinceProcessStartMs"), pick("baseline", "sinceProcessStartMs")))}.`,
  ],
});
