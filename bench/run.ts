// `npm run bench [-- --quick] [-- --only=cli,memory] [-- --no-write]`
//
// Runs every comparison of issue 7 against the loopback fakes, each section in its own Node process
// (so that one section's fake clock, JIT state or heap cannot colour another's figures), prints a
// table, and (full runs only) writes BENCHMARKS.md. Exits non-zero when an exact check fails (the
// upstream call counts of items 5 and 6, among others) or a section crashes; a missed timing target
// is reported, not fatal: timings on a shared machine are evidence, not a gate.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { BUILD, cleanEnv, ROOT } from "./lib/env.js";
import { runTimed } from "./lib/processes.js";
import { snapshotPackage } from "./lib/snapshot.js";
import { markdownTable, targetMet, type Check, type ComparisonRow, type SectionResult } from "./lib/report.js";
import { formatRatio } from "./lib/stats.js";

const SECTIONS = ["cachedCall", "firstCredentials", "importCost", "cli", "concurrency", "awsToGcpCounts", "awsToGcpThroughput", "memory"] as const;
const BENCHMARKS_MD = join(ROOT, "BENCHMARKS.md");
const NOTES_START = "<!-- notes:start -->";
const NOTES_END = "<!-- notes:end -->";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const only = argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length).split(",");
const write = !quick && !only && !argv.includes("--no-write");
const unknown = argv.filter((arg) => !["--quick", "--no-write"].includes(arg) && !arg.startsWith("--only="));
if (unknown.length > 0 || only?.some((name) => !(SECTIONS as readonly string[]).includes(name))) {
  process.stderr.write(`usage: npm run bench [-- --quick] [-- --only=${SECTIONS.join(",")}] [-- --no-write]\n`);
  process.exit(2);
}
if (!existsSync(join(ROOT, "dist/index.js")) || !existsSync(join(ROOT, "dist/cli.cjs"))) {
  process.stderr.write("dist/ is missing: run `npm run build` first (`npm run bench` does).\n");
  process.exit(2);
}

// Every section uses one copy of the build, so that a rebuild of dist/ meanwhile (another terminal's
// `npm test`) cannot mix two builds in one run or pull files away mid-run.
snapshotPackage();
const startedAt = new Date();
const loadAtStart = loadavg();
const started = performance.now();
const scratch = await mkdtemp(join(tmpdir(), "ccc-bench-results-"));
const results: SectionResult[] = [];
const crashed: string[] = [];
process.stderr.write(`cross-cloud-credentials benchmarks (${quick ? "quick" : "full"})\n`);
for (const section of SECTIONS.filter((name) => !only || only.includes(name))) {
  process.stderr.write(`▶ ${section}\n`);
  const resultFile = join(scratch, `${section}.json`);
  const sectionStarted = performance.now();
  const run = await runTimed(process.execPath, [`${BUILD}sections/${section}.js`, ...(quick ? ["--quick"] : []), "--result-file", resultFile], {
    env: cleanEnv(),
    cwd: ROOT,
    timeoutMs: 30 * 60_000,
    inheritStderr: true,
  });
  if (run.code !== 0 || !existsSync(resultFile)) {
    crashed.push(section);
    process.stderr.write(`✘ ${section} failed (exit ${run.code ?? run.signal})\n${run.stdout.slice(-2000)}\n`);
    continue;
  }
  const result = JSON.parse(await readFile(resultFile, "utf8")) as SectionResult;
  result.elapsedMs = performance.now() - sectionStarted;
  results.push(result);
}
await rm(scratch, { recursive: true, force: true });
const elapsedMs = performance.now() - started;

const rows = results.flatMap((result) => result.rows).sort((a, b) => a.item - b.item);
const checks = results.flatMap((result) => result.checks).sort((a, b) => a.item - b.item);
const failedChecks = checks.filter((check) => !check.ok);

const targetText = (row: ComparisonRow) => row.countTarget?.text ?? (row.target ? `${row.target.op} ${row.target.value.toFixed(2)}×` : "—");
const metText = (row: ComparisonRow) => {
  const met = targetMet(row);
  return met === undefined ? "info" : met ? "met" : "MISSED";
};

// Console summary.
const summary = rows.map((row) => [String(row.item), row.name.replace(/`/g, ""), row.ours, row.baseline, formatRatio(row.ratio), targetText(row), metText(row)]);
printTable(["#", "comparison", "ours", "baseline", "ratio", "target", ""], summary);
process.stdout.write(`\n${checks.length - failedChecks.length}/${checks.length} exact checks passed`);
process.stdout.write(failedChecks.length ? `; FAILED:\n${failedChecks.map((c) => `  [${c.item}] ${c.name}: expected ${c.expected}, got ${c.actual}`).join("\n")}\n` : ".\n");
if (crashed.length) process.stdout.write(`Sections that crashed: ${crashed.join(", ")}\n`);
const complete = crashed.length === 0;
const writing = write && complete;
process.stdout.write(
  `Took ${(elapsedMs / 1000).toFixed(0)} s.${writing ? " Wrote BENCHMARKS.md." : write ? " BENCHMARKS.md not written: the run is incomplete." : quick ? " (--quick: BENCHMARKS.md not written.)" : ""}\n`,
);

if (writing) await writeFile(BENCHMARKS_MD, await renderMarkdown());
process.exitCode = failedChecks.length || !complete ? 1 : 0;


function printTable(header: string[], body: string[][]): void {
  const widths = header.map((cell, i) => Math.min(i === 1 ? 60 : 28, Math.max(cell.length, ...body.map((row) => row[i]!.length))));
  const line = (cells: string[]) => cells.map((cell, i) => (cell.length > widths[i]! ? `${cell.slice(0, widths[i]! - 1)}…` : cell.padEnd(widths[i]!))).join("  ");
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => "─".repeat(w)).join("  ")}\n${body.map(line).join("\n")}\n`);
}

function readOnlyGit(args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

async function renderMarkdown(): Promise<string> {
  const previous = existsSync(BENCHMARKS_MD) ? await readFile(BENCHMARKS_MD, "utf8") : "";
  const notes =
    previous.includes(NOTES_START) && previous.includes(NOTES_END)
      ? previous.slice(previous.indexOf(NOTES_START) + NOTES_START.length, previous.indexOf(NOTES_END)).trim()
      : "_No notes yet._";
  const commit = readOnlyGit(["rev-parse", "--short", "HEAD"]);
  const dirty = readOnlyGit(["status", "--porcelain", "--untracked-files=no"]) !== "";
  const cpu = cpus();
  const fmtLoad = (load: number[]) => load.map((l) => l.toFixed(2)).join(" / ");
  const checkRows = checks.map((c: Check) => [String(c.item), c.name, c.expected, c.actual, c.ok ? "✔" : "✘ FAILED"]);
  const missed = rows.filter((row) => targetMet(row) === false);
  return [
    "# Benchmarks",
    "",
    "<!-- Generated by `npm run bench` (bench/run.ts). Everything outside the notes block is rewritten at each full run. -->",
    "",
    `Measured ${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC at commit \`${commit || "unknown"}\`${dirty ? " (with uncommitted changes)" : ""}, ` +
      `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, load average (1/5/15 min) ${fmtLoad(loadAtStart)} at the start and ${fmtLoad(loadavg())} at the end ` +
      `(a shared machine: other jobs ran alongside). The run took ${(elapsedMs / 60_000).toFixed(1)} min.`,
    "",
    "**Reproduce:** `npm ci && npm run bench` (builds dist/ and the benchmarks, runs every comparison, rewrites this file). " +
      "`npm run bench -- --quick` runs everything briefly in well under 2 minutes, checks the exact counts (items 5 and 6 and the others below) and exits non-zero if one is wrong; it does not write this file. " +
      "`npm run bench -- --only=cli,memory` runs some sections.",
    "",
    "Ratios are ours / baseline, both measured in the same run; each ratio is the median of per-round (or per-pair) ratios, and every time or rate shown is a median. " +
      "For throughput a higher ratio is better, for times a lower one. Absolute figures are for information only. Nothing here talks to anything but loopback fakes.",
    "",
    "## Summary",
    "",
    markdownTable(["#", "comparison", "ours", "baseline", "ratio", "target", "result"], rows.map((row) => [String(row.item), row.name, row.ours, `${row.baseline} — ${row.baselineName}`, formatRatio(row.ratio), targetText(row), metText(row)])),
    "",
    missed.length
      ? `Missed in this run: ${missed.map((row) => `item ${row.item} (${row.countTarget ? "counts" : `${formatRatio(row.ratio)} against ${targetText(row)}`})`).join(", ")}. See the notes below for the profile and the proposed fix.`
      : "Every target was met in this run.",
    "",
    "## Exact checks",
    "",
    `${checks.length - failedChecks.length} of ${checks.length} passed. \`npm run bench -- --quick\` (CI) fails on any of these.`,
    "",
    markdownTable(["#", "check", "expected", "actual", ""], checkRows),
    "",
    "## Notes: misses, profiles, before and after",
    "",
    NOTES_START,
    notes,
    NOTES_END,
    "",
    ...results.flatMap((result) => [`## ${result.title}`, "", ...result.details, "", `_Section time: ${((result.elapsedMs ?? 0) / 1000).toFixed(0)} s._`, ""]),
    "## Method",
    "",
    "- Every section runs in its own Node process, started by bench/run.ts with a clean environment: no `AWS_*`/`GCE_*`/`GOOGLE_*` variables but those pointing at the fakes, " +
      "`AWS_CONFIG_FILE`/`AWS_SHARED_CREDENTIALS_FILE` = /nonexistent, metadata and STS endpoints on a closed loopback port unless a fake is meant, no proxies, and no `NODE_OPTIONS`/`NODE_EXTRA_CA_CERTS` " +
      "(this machine image sets the latter, which adds ~40 ms to every Node start and would flatter the process-level ratios).",
    "- Fakes: `createFakeGcpMetadataServer`, `createFakeAwsSts`, `createFakeEc2Metadata`, `createFakeGoogleSts` from `cross-cloud-credentials/testing`, on 127.0.0.1, in the section's process.",
    "- Throughput: tinybench 6, a batch of sequential awaited calls per iteration (a single call is below the timer's resolution), rounds with alternating task order.",
    "- Fresh-process figures: the child measures with `performance.now()` (which counts from its start) and prints JSON; pairs of processes run back to back in alternating order.",
    "- Simulated time (items 5 and 6): bench/lib/fakeClock.ts replaces `Date` in the section's process by one whose `now()` is frozen and moved only by the benchmark; " +
      "`performance.now()`, timers and the event loop stay real, so latencies are real time and timeouts still work, and the in-process fakes follow the same clock. " +
      "vitest's fake timers were not used: they need vitest's runner, and timed comparisons stay out of `npm test`.",
    "",
  ].join("\n");
}
