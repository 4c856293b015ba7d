// Item 7: RSS and heap of a process holding 100 providers after 1M calls, against an empty Node
// process; growth per provider.
import { BUILD, cleanEnv, ROOT } from "../lib/env.js";
import { startGcpToAwsFakes } from "../lib/gcpToAwsFakes.js";
import { lastJsonLine, runOk } from "../lib/processes.js";
import { emitResult, expectEqual, isQuick, log, markdownTable } from "../lib/report.js";
import { formatBytes, formatMs, median } from "../lib/stats.js";

const PROVIDERS = 100;
const CALLS = 1_000_000;
const quick = isQuick();
const rounds = quick ? 1 : 5;

type Memory = NodeJS.MemoryUsage;
interface Sample {
  warm?: Memory;
  after: Memory;
  callsMs?: number;
}

const fakes = await startGcpToAwsFakes();
const env = cleanEnv(fakes.env);
const run = async (args: string[]): Promise<Sample> => lastJsonLine<Sample>(await runOk(process.execPath, ["--expose-gc", ...args], { env, cwd: ROOT, timeoutMs: 120_000 }));
const variants = {
  "empty Node process": [`${BUILD}children/memoryEmpty.js`],
  [`ours: ${PROVIDERS} providers`]: [`${BUILD}children/memoryHolder.js`, "ours", String(PROVIDERS), String(CALLS)],
  "ours: 1 provider": [`${BUILD}children/memoryHolder.js`, "ours", "1", String(CALLS)],
  [`AWS SDK: ${PROVIDERS} × memoizeIdentityProvider(fromWebToken) (info)`]: [`${BUILD}children/memoryHolder.js`, "baseline", String(PROVIDERS), String(CALLS)],
  "AWS SDK: 1 provider (info)": [`${BUILD}children/memoryHolder.js`, "baseline", "1", String(CALLS)],
};
const names = Object.keys(variants);
const samples: Record<string, Sample[]> = Object.fromEntries(names.map((name) => [name, []]));
log(`memory: ${rounds} round(s) of ${names.length} processes, ${CALLS.toLocaleString("en")} calls each`);
const stsBefore = fakes.stsCalls();
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + round) % names.length]!;
    samples[name]!.push(await run(variants[name as keyof typeof variants]));
  }
}
const stsCalls = fakes.stsCalls() - stsBefore;
await fakes.close();

const med = (name: string, stage: "warm" | "after", field: keyof Memory) => median(samples[name]!.map((s) => (s[stage] ?? s.after)[field]));
const [empty, ours100, ours1, sdk100, sdk1] = names as [string, string, string, string, string];
const perProvider = (many: string, one: string, field: keyof Memory) => (med(many, "after", field) - med(one, "after", field)) / (PROVIDERS - 1);
const heapGrowth = med(ours100, "after", "heapUsed") - med(ours100, "warm", "heapUsed");
const rssRatio = med(ours100, "after", "rss") / med(empty, "after", "rss");

emitResult({
  section: "memory",
  title: "7. Memory",
  rows: [
    {
      item: 7,
      name: `RSS, ${PROVIDERS} providers after ${CALLS.toLocaleString("en")} calls (no target in the issue)`,
      ours: formatBytes(med(ours100, "after", "rss")),
      baseline: formatBytes(med(empty, "after", "rss")),
      baselineName: "empty Node process",
      ratio: rssRatio,
      note: `growth per provider: ${formatBytes(perProvider(ours100, ours1, "rss"))} RSS, ${formatBytes(perProvider(ours100, ours1, "heapUsed"))} heap`,
    },
    {
      item: 7,
      name: `Heap used, ${PROVIDERS} providers after ${CALLS.toLocaleString("en")} calls (no target in the issue)`,
      ours: formatBytes(med(ours100, "after", "heapUsed")),
      baseline: formatBytes(med(empty, "after", "heapUsed")),
      baselineName: "empty Node process",
      ratio: med(ours100, "after", "heapUsed") / med(empty, "after", "heapUsed"),
    },
  ],
  checks: [expectEqual(7, `STS calls: 1 per provider per process (${rounds} round(s) of ${2 * PROVIDERS + 2} providers)`, stsCalls, rounds * (2 * PROVIDERS + 2))],
  details: [
    `Fresh processes run with \`--expose-gc\`; figures are \`process.memoryUsage()\` after two \`gc()\` calls, medians of ${rounds} round(s). A holder creates its providers (the default metadata token source, ` +
      `STS at the fake), gets credentials once per provider ("warm"), then makes ${CALLS.toLocaleString("en")} sequential cached calls round robin ("after"). ` +
      `Growth per provider = (${PROVIDERS} providers − 1 provider) / ${PROVIDERS - 1}, which leaves out what loading the modules costs.`,
    "",
    markdownTable(
      ["process", "RSS warm", "RSS after", "heap used warm", "heap used after", "external after", "calls took"],
      names.map((name) => [
        name,
        samples[name]![0]!.warm ? formatBytes(med(name, "warm", "rss")) : "—",
        formatBytes(med(name, "after", "rss")),
        samples[name]![0]!.warm ? formatBytes(med(name, "warm", "heapUsed")) : "—",
        formatBytes(med(name, "after", "heapUsed")),
        formatBytes(med(name, "after", "external")),
        samples[name]![0]!.callsMs !== undefined ? formatMs(median(samples[name]!.map((s) => s.callsMs!))) : "—",
      ]),
    ),
    "",
    markdownTable(
      ["growth per provider", "RSS", "heap used"],
      [
        ["ours (`fromGcpServiceAccount`)", formatBytes(perProvider(ours100, ours1, "rss")), formatBytes(perProvider(ours100, ours1, "heapUsed"))],
        ["AWS SDK (`memoizeIdentityProvider(fromWebToken)`), info", formatBytes(perProvider(sdk100, sdk1, "rss")), formatBytes(perProvider(sdk100, sdk1, "heapUsed"))],
      ],
    ),
    "",
    `Heap used by ${PROVIDERS} of our providers after the ${CALLS.toLocaleString("en")} calls minus before them: ${formatBytes(heapGrowth)} ` +
      (heapGrowth <= 64 * 1024 ? "(the cached calls leave nothing behind)." : "(the cached calls left memory behind: look for a leak)."),
  ],
});
