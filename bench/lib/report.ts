import { writeFileSync } from "node:fs";

/** What each benchmark section hands to the runner (bench/run.ts): a JSON file named by `--result-file`. */

/** `ratio` (ours / baseline) must be `<=` or `>=` `value`. */
export interface Target {
  op: "<=" | ">=";
  value: number;
}

/** One comparison: our median against the baseline's, measured in the same run. */
export interface ComparisonRow {
  /** Item number of issue 7 (1–7). */
  item: number;
  /** What is compared, e.g. "cached `await provider()`". */
  name: string;
  /** Our median, formatted with its unit. */
  ours: string;
  /** The baseline's median, formatted with its unit. */
  baseline: string;
  /** What the baseline is, e.g. "memoizeIdentityProvider(fromWebToken)". */
  baselineName: string;
  /** ours / baseline (for throughput: ours' rate / baseline's rate). */
  ratio: number;
  /** The target for the ratio; none for informational rows. */
  target?: Target;
  /** A target that is not about the ratio (exact upstream call counts), with whether this run met it. */
  countTarget?: { text: string; met: boolean };
  /** Free text, e.g. the sample count. */
  note?: string;
}

/** An exact expectation (counts of upstream calls): a failure makes the run exit non-zero. */
export interface Check {
  item: number;
  name: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface SectionResult {
  /** Section file name, e.g. "cachedCall". */
  section: string;
  title: string;
  rows: ComparisonRow[];
  checks: Check[];
  /** Markdown for BENCHMARKS.md: method, extra figures, module lists. */
  details: string[];
  /** Wall time of the section, filled in by the runner. */
  elapsedMs?: number;
}

export function targetMet(row: ComparisonRow): boolean | undefined {
  if (row.countTarget) return row.countTarget.met;
  if (!row.target) return undefined;
  return row.target.op === "<=" ? row.ratio <= row.target.value : row.ratio >= row.target.value;
}

/**
 * Hand a section's result to the runner and end the process (open handles of SDKs must not keep it
 * alive): written to the file named by `--result-file`, else printed as JSON on stdout.
 */
export function emitResult(result: SectionResult): never {
  const at = process.argv.indexOf("--result-file");
  const json = JSON.stringify(result, null, 2);
  if (at > 0 && process.argv[at + 1]) writeFileSync(process.argv[at + 1]!, json);
  else writeFileSync(1, `${json}\n`);
  process.exit(0);
}

/** Progress for humans on stderr (stdout carries the result line). */
export function log(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

export function isQuick(argv: readonly string[] = process.argv): boolean {
  return argv.includes("--quick");
}

/** A check of an exact value. */
export function expectEqual(item: number, name: string, actual: number | string, expected: number | string): Check {
  return { item, name, expected: String(expected), actual: String(actual), ok: actual === expected };
}

/** A check of an upper bound. */
export function expectAtMost(item: number, name: string, actual: number, bound: number): Check {
  return { item, name, expected: `≤ ${bound}`, actual: String(actual), ok: actual <= bound };
}

/** Markdown table from a header and rows of cells. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const escape = (cell: string) => cell.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [
    `| ${header.map(escape).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(escape).join(" | ")} |`),
  ].join("\n");
}
