import { spawn } from "node:child_process";

export interface ProcessResult {
  /** From spawn() to the child's exit, in ms (real time). */
  wallMs: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a command to completion and time it from spawn to exit. The child is killed (by its own pid)
 * if it outlives `timeoutMs`. Never rejects on a non-zero exit: callers check `code`.
 */
export function runTimed(
  command: string,
  args: readonly string[],
  options: { env: Record<string, string>; cwd?: string; timeoutMs?: number; inheritStderr?: boolean },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ["ignore", "pipe", options.inheritStderr ? "inherit" : "pipe"] });
    let stdout = "";
    let stderr = "";
    let exitedAt = 0;
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", () => (exitedAt = performance.now()));
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ wallMs: (exitedAt || performance.now()) - started, code, signal, stdout, stderr });
    });
  });
}

/** Like {@link runTimed}, but a non-zero exit is an error that shows the child's stderr. */
export async function runOk(command: string, args: readonly string[], options: { env: Record<string, string>; cwd?: string; timeoutMs?: number }): Promise<ProcessResult> {
  const result = await runTimed(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${result.code ?? result.signal}:\n${result.stderr.slice(-2000)}`);
  }
  return result;
}

/** The last line of a child's stdout parsed as JSON (children print their measurements that way). */
export function lastJsonLine<T>(result: ProcessResult): T {
  const line = result.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`expected a JSON line on stdout, got ${JSON.stringify(result.stdout.slice(-500))}; stderr: ${result.stderr.slice(-1000)}`);
  }
}
