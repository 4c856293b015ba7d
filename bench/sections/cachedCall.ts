// Item 1: throughput of a cached credential call, ours against the AWS SDK's own memoized path.
import { fromWebToken } from "@aws-sdk/credential-providers";
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from "@smithy/core";
import { fromGcpServiceAccount } from "cross-cloud-credentials";
import { useCleanEnv } from "../lib/env.js";
import { fetchIdToken, ROLE_ARN, ROLE_SESSION_NAME, startGcpToAwsFakes } from "../lib/gcpToAwsFakes.js";
import { emitResult, expectEqual, isQuick, log, markdownTable } from "../lib/report.js";
import { formatRate, formatRatio, median, medianPairedRatio } from "../lib/stats.js";
import { measureThroughput } from "../lib/throughput.js";

const quick = isQuick();
const options = quick ? { rounds: 3, timeMs: 100, warmupMs: 20, batch: 1000 } : { rounds: 15, timeMs: 300, warmupMs: 100, batch: 1000 };

const fakes = await startGcpToAwsFakes();
useCleanEnv(fakes.env);

// Ours, as a user builds it: the default token source (metadata server) and STS from the environment.
const ours = fromGcpServiceAccount({ roleArn: ROLE_ARN });
// The AWS SDK's path: fromWebToken with the token fetched once, memoized the way every SDK client
// memoizes its credentials (@smithy/core memoizeIdentityProvider, refresh 5 minutes before expiry).
const token = await fetchIdToken(fakes.metadata.host);
const baseline = memoizeIdentityProvider(
  fromWebToken({ roleArn: ROLE_ARN, webIdentityToken: token, roleSessionName: ROLE_SESSION_NAME }),
  isIdentityExpired,
  doesIdentityRequireRefresh,
)!;

const first = await ours();
const baselineFirst = await baseline();
if (!first.accessKeyId || !baselineFirst.accessKeyId) throw new Error("no credentials");
const stsCallsBefore = fakes.stsCalls();
const resolved = Promise.resolve(first);

log(`cached call: ${options.rounds} rounds × ${options.timeMs} ms per task, ${options.batch} sequential awaits per iteration`);
const calls = {
  ours: () => ours(),
  baseline: () => baseline(),
  "floor: async () => cached": async () => first,
  "floor: return a stored resolved promise": () => resolved,
};
const rates = await measureThroughput(calls, options);
const upstreamDuringRun = fakes.stsCalls() - stsCallsBefore;
await fakes.close();

const ratio = medianPairedRatio(rates.ours!, rates.baseline!);
const describe = (name: string) => {
  const values = rates[name]!;
  return [name, formatRate(median(values)), `${formatRate(Math.min(...values))} – ${formatRate(Math.max(...values))}`, formatRatio(medianPairedRatio(values, rates.baseline!))];
};

emitResult({
  section: "cachedCall",
  title: "1. Cached credential call",
  rows: [
    {
      item: 1,
      name: "Cached credential call `await provider()` (throughput, higher is better)",
      ours: formatRate(median(rates.ours!)),
      baseline: formatRate(median(rates.baseline!)),
      baselineName: "`memoizeIdentityProvider(fromWebToken(…))` (@smithy/core)",
      ratio,
      target: { op: ">=", value: 1.0 },
      note: `median of ${options.rounds} interleaved rounds`,
    },
  ],
  checks: [expectEqual(1, "STS calls made by the cached calls of both providers", upstreamDuringRun, 0)],
  details: [
    `Both providers are warmed with one real exchange against the fakes, then called in a loop of ${options.batch} sequential \`await\`s per tinybench iteration ` +
      `(${options.rounds} rounds, ${options.timeMs} ms per task, task order alternating between rounds). Ratio = median over rounds of ours/baseline in the same round. ` +
      "The two floors show what a cached call costs at the least: an `async` function returning a value, and returning an already-resolved promise.",
    "",
    markdownTable(["call", "median", "range over rounds", "÷ baseline"], Object.keys(calls).map(describe)),
  ],
});
