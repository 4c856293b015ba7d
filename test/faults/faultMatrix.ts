import { inspect } from "node:util";
import { describe, expect, it, vi } from "vitest";
import type { ErrorCode } from "../../src/index.js";
import { captureLogger, causeChainText } from "../helpers/leaks.js";
import { runCli } from "../helpers/runCli.js";
import { withoutNockInterceptor } from "../helpers/withoutNockInterceptor.js";
import { findLeaks, leakExcerpts, MARKER } from "./plantedSecrets.js";

/** The upstream a row injects its fault into, in the order of the table. */
export const FAULT_PATHS = ["GCP metadata", "AWS STS", "EC2 IMDS", "ECS container endpoint", "Google STS", "IAM Credentials"] as const;
export type FaultPath = (typeof FAULT_PATHS)[number];

/** What the contract says must happen. */
export interface FaultExpectation {
  /** In words, for the table: "recovers after retry", "fails fast", "not retried"… */
  summary: string;
  /** `"ok"`: the call returns credentials / an access token; otherwise the `CrossCloudCredentialsError` code. */
  outcome: "ok" | ErrorCode;
  /** `tryNextLink` of the error (only checked for errors). Default `false`. */
  tryNextLink?: boolean;
  /** Requests each fake must have seen, by counter name (see each harness's `counters`). */
  attempts: Record<string, number>;
  /** Upper bound on the call's wall time where the contract gives one. */
  withinMs?: number;
  /** What the error message must say (the hint, the claims). */
  message?: RegExp;
}

/** One row of the matrix: a fault, how to script it, what must happen. `E` is the harness's environment. */
export interface FaultRow<E> {
  /** The fault, as the table shows it. */
  fault: string;
  expect: FaultExpectation;
  /** Script the fakes (or the workload's environment) for the fault. Called again before the CLI run. */
  script(env: E): void | Promise<void>;
  /** Why the row does not run through the CLI, when it cannot (e.g. it needs an option the CLI lacks). */
  noCli?: string;
}

/** How rows of one direction run: the fakes, the library call, the CLI invocation, what to count and scan. */
export interface FaultHarness<E, R extends FaultRow<E>> {
  /** What a successful call yields, for the table ("credentials", "access token"). */
  successLabel: string;
  start(row: R): Promise<E>;
  /** One call of the real code path (cold), with a capturing logger wherever the API takes one. Reads the env `start` stubbed last. */
  call(env: E, row: R, logger: ReturnType<typeof captureLogger>): Promise<unknown>;
  /** Requests seen by the fakes so far, by counter name. */
  counters(env: E): Record<string, number>;
  /** Every secret the fakes issued or that the environment holds (planted ones included). */
  secrets(env: E): string[];
  /** The CLI command equivalent to `call`, and its environment (added to runCli's clean one). */
  cli(env: E, row: R): { args: string[]; env: Record<string, string> };
  close(env: E): Promise<void>;
}

/** What one row observed, as the reporter turns it into a table line (JSON-serialisable: it crosses to the reporter). */
export interface FaultRecord {
  order: [number, number];
  path: FaultPath;
  fault: string;
  expected: string;
  actual: string;
  attempts: string;
  elapsedMs: number;
  code: string;
  leaked: string[];
  cli: string;
  asExpected: boolean;
}

/** A secret-hygiene check outside the matrix (logging switches, debug output), for the same report. */
export interface HygieneRecord {
  order: number;
  check: string;
  expected: string;
  actual: string;
  asExpected: boolean;
}

declare module "vitest" {
  interface TaskMeta {
    fault?: FaultRecord;
    hygiene?: HygieneRecord;
  }
}

/** A call still pending after this is recorded as "no answer" (rather than hitting the test timeout unrecorded). */
export const CALL_CAP_MS = 12_000;

/** Debug switches a user may have on; the CLI's stderr must stay free of secrets under them. */
export const DEBUG_ENV = { DEBUG: "*", NODE_DEBUG: "*" };

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** The observable parts of an outcome, in the same words for expected and actual, so they compare as strings. */
function describeOutcome(
  successLabel: string,
  outcome: { outcome: string; tryNextLink?: boolean; attempts: Record<string, number>; within?: string; message?: string },
): string {
  const result = outcome.outcome === "ok" ? successLabel : `${outcome.outcome}${outcome.tryNextLink ? " (tryNextLink)" : ""}`;
  const attempts = Object.entries(outcome.attempts).map(([unit, n]) => plural(n, unit));
  return [result, ...attempts, outcome.within, outcome.message].filter(Boolean).join("; ");
}

/** Every text an error can reach a user or a log through. */
function errorSurfaces(error: unknown): Record<string, string> {
  if (error === undefined) return {};
  let json: string;
  try {
    json = JSON.stringify(error) ?? "";
  } catch (e) {
    json = `unserialisable: ${String(e)}`;
  }
  return {
    message: String((error as Error | undefined)?.message),
    "String(err)": String(error),
    "cause chain": causeChainText(error),
    "JSON.stringify(err)": json,
    "util.inspect(err)": inspect(error, { depth: 10, showHidden: true }),
  };
}

/** Captures everything written to the console, stdout and stderr, and process warnings, while `fn` runs. */
export async function captureProcessOutput<T>(fn: () => Promise<T>): Promise<{ value: T; output: string }> {
  const chunks: string[] = [];
  const keep = (...args: unknown[]) => void chunks.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 10 }))).join(" "));
  const spies = (["log", "info", "warn", "error", "debug", "trace"] as const).map((method) => vi.spyOn(console, method).mockImplementation(keep));
  const writes = ([process.stdout, process.stderr] as const).map((stream) =>
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown) => (keep(String(chunk)), true)) as typeof stream.write),
  );
  const onWarning = (warning: Error) => keep(`warning: ${warning.name}: ${warning.message}`);
  process.on("warning", onWarning);
  try {
    return { value: await fn(), output: chunks.join("\n") };
  } finally {
    process.off("warning", onWarning);
    for (const spy of [...spies, ...writes]) spy.mockRestore();
  }
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown } | { ok: false; timedOut: true };

/** One cold call of the code under test, capped at {@link CALL_CAP_MS}, with everything it printed or logged. */
async function observeCall<E, R extends FaultRow<E>>(harness: FaultHarness<E, R>, env: E, row: R) {
  const logger = captureLogger();
  const started = performance.now();
  let cap: NodeJS.Timeout | undefined;
  const { value: settled, output } = await captureProcessOutput(() =>
    Promise.race<Settled>([
      harness.call(env, row, logger).then(
        (value) => ({ ok: true, value }),
        (error: unknown) => ({ ok: false, error }),
      ),
      new Promise((resolve) => {
        cap = setTimeout(() => resolve({ ok: false, timedOut: true }), CALL_CAP_MS);
      }),
    ]).finally(() => clearTimeout(cap)),
  );
  return { settled, output, logger, elapsedMs: Math.round(performance.now() - started), counters: harness.counters(env) };
}

type ErrorShape = { code?: unknown; tryNextLink?: unknown; message?: unknown; name?: unknown } | undefined;

/** The outcome in the table's words: "ok", our error's code, or what else happened. */
function outcomeOf(settled: Settled): string {
  if (settled.ok) return "ok";
  if ("timedOut" in settled) return `no answer within ${CALL_CAP_MS / 1000} s`;
  const error = settled.error as ErrorShape;
  return error?.name === "CrossCloudCredentialsError" ? String(error.code) : `untyped ${String(error?.name)} (${String(error?.code ?? error?.message)})`;
}

/**
 * One `describe(path)` with one test per row. Each test runs the real code path cold against the
 * scripted fakes and, at the same time, the built CLI against a second copy of the fakes scripted
 * alike (so a slow row costs its time once). It records what it saw in the test's meta for the
 * RELIABILITY.md reporter, then asserts expected == actual and that no secret leaked.
 */
export function describeFaults<E, R extends FaultRow<E>>(path: FaultPath, harness: FaultHarness<E, R>, rows: readonly R[]): void {
  describe(path, () => {
    withoutNockInterceptor();
    rows.forEach((row, index) => {
      it(row.fault, { timeout: CALL_CAP_MS + 15_000 }, async ({ task }) => {
        // The library's copy starts last, so the process-wide env stubs point at it.
        const cliEnv = row.noCli ? undefined : await harness.start(row);
        const env = await harness.start(row);
        try {
          if (cliEnv) await row.script(cliEnv);
          await row.script(env);
          const cliCommand = cliEnv && harness.cli(cliEnv, row);
          const cliRun = cliCommand ? runCli(cliCommand.args, { ...DEBUG_ENV, ...cliCommand.env }) : undefined;
          const { settled, output, logger, elapsedMs, counters } = await observeCall(harness, env, row);
          const cli = await cliRun;

          const error = settled.ok || "timedOut" in settled ? undefined : (settled.error as ErrorShape);
          const secrets = [...harness.secrets(env), ...(cliEnv ? harness.secrets(cliEnv) : [])];
          const surfaces: Record<string, string> = {
            ...errorSurfaces(error),
            "logger output": logger.text(),
            "console/stdout/stderr": output,
            ...(cli ? { "CLI stderr": cli.stderr, ...(cli.code === 0 ? {} : { "CLI stdout": cli.stdout }) } : {}),
          };
          const leaked = findLeaks(surfaces, secrets);

          const { expect: expected } = row;
          const within = expected.withinMs === undefined ? undefined : `< ${expected.withinMs / 1000} s`;
          const attempts = Object.fromEntries(Object.keys(expected.attempts).map((name) => [name, counters[name] ?? NaN]));
          const messageOk = !expected.message || expected.message.test(String(error?.message));
          const expectedText = describeOutcome(harness.successLabel, { ...expected, within, message: undefined });
          const actualText = describeOutcome(harness.successLabel, {
            outcome: outcomeOf(settled),
            tryNextLink: error?.tryNextLink === true,
            attempts,
            within: within && (elapsedMs < expected.withinMs! ? within : `took ${elapsedMs} ms`),
            message: messageOk ? undefined : `message lacks ${expected.message}`,
          });
          const cliExpected = expected.outcome === "ok" ? 0 : 1;

          task.meta.fault = {
            order: [FAULT_PATHS.indexOf(path), index],
            path,
            fault: row.fault,
            expected: `${expected.summary}: ${expectedText}`,
            actual: actualText,
            attempts: Object.entries(attempts)
              .map(([name, n]) => plural(n, name))
              .join(", "),
            elapsedMs,
            code: typeof error?.code === "string" ? error.code : "",
            leaked,
            cli: cli ? `exit ${cli.code}` : `not run: ${row.noCli}`,
            asExpected: actualText === expectedText && leaked.length === 0 && (!cli || cli.code === cliExpected),
          };

          expect(actualText).toBe(expectedText);
          const excerpts = leaked.flatMap((leak) => leakExcerpts(surfaces[leak.slice(0, leak.indexOf(":"))]!, secrets).map((e) => `${leak}: ${e}`));
          expect(leaked, `surfaces holding a planted secret:\n${excerpts.join("\n")}`).toEqual([]);
          // Positive control: the planted secrets really flowed, so a clean scan means something.
          if (settled.ok) expect(JSON.stringify(settled.value)).toContain(MARKER);
          if (cli) {
            expect({ exit: cli.code, stdoutOnFailure: cli.code === 0 ? "" : cli.stdout }, cli.stderr.slice(-2_000)).toEqual({ exit: cliExpected, stdoutOnFailure: "" });
            if (cli.code === 0) expect(cli.stdout).toContain(MARKER);
          }
        } finally {
          await Promise.all([harness.close(env), cliEnv && harness.close(cliEnv)]);
        }
      });
    });
  });
}
