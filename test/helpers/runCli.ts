import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const CLI = `${ROOT}dist/cli.cjs`;
const HOOKS = fileURLToPath(new URL("./recordLoadedModules.mjs", import.meta.url));
const REQUIRE_HOOK = fileURLToPath(new URL("./recordRequiredModules.cjs", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of this process without any AWS_*, GCE_* or Google configuration, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const kept = Object.entries(process.env).filter(([key]) => !/^(AWS_|GCE_|GOOGLE_|CLOUDSDK_)/.test(key)) as Array<[string, string]>;
  return {
    ...Object.fromEntries(kept),
    // A child must never reach the link-local metadata addresses: by default it finds nothing listening on loopback.
    GCE_METADATA_HOST: "127.0.0.1:9",
    AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:9",
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    ...extra,
  };
}

/** Runs a command and resolves with its exit code and output (never rejects on a non-zero exit). */
export function runCommand(file: string, args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd: ROOT, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the built CLI (dist/cli.cjs) in a fresh Node process with a clean environment plus `env`. */
export function runCli(args: string[], env: Record<string, string> = {}, options: { recordModulesTo?: string } = {}): Promise<CliResult> {
  const hook = options.recordModulesTo
    ? ["--require", REQUIRE_HOOK, "--import", `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(new URL(`file://${HOOKS}`).href)});`]
    : [];
  return runCommand(process.execPath, [...hook, CLI, ...args], cleanEnv({ ...env, ...(options.recordModulesTo ? { RECORD_LOADED_MODULES: options.recordModulesTo } : {}) }));
}
