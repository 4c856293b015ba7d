import { fileURLToPath } from "node:url";

/** The repository root (this file runs from bench/.build/lib/). */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The compiled benchmarks, bench/.build/. */
export const BUILD = fileURLToPath(new URL("../", import.meta.url));
/** The built CLI, in the snapshot of dist/ that every benchmark uses (see snapshot.ts). */
export const CLI = `${BUILD}dist/cli.cjs`;

/** A loopback port nothing listens on: whatever is not pointed at a fake fails fast, never leaves the machine. */
export const CLOSED_HOST = "127.0.0.1:9";

/**
 * Variables dropped from every child's environment: cloud configuration that could make a child
 * find a real identity or endpoint, proxies, and Node options. NODE_EXTRA_CA_CERTS (set on this
 * machine image) adds ~40 ms to every Node start by parsing a CA bundle: it would inflate both sides
 * of the process-level ratios equally and so flatter them.
 */
const DROPPED = /^(AWS_|GCE_|GOOGLE_|CLOUDSDK_|GCLOUD_|NODE_OPTIONS$|NODE_EXTRA_CA_CERTS$|HTTPS?_PROXY$|ALL_PROXY$|NO_PROXY$)/i;

/**
 * The environment for a benchmark child process: this one's, without cloud configuration, with every
 * endpoint on a closed loopback port unless `extra` points it at a fake, and no AWS config files.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const kept = Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !DROPPED.test(entry[0]));
  return {
    ...Object.fromEntries(kept),
    GCE_METADATA_HOST: CLOSED_HOST,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://${CLOSED_HOST}`,
    AWS_ENDPOINT_URL_STS: `http://${CLOSED_HOST}`,
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    NO_PROXY: "127.0.0.1,localhost",
    ...extra,
  };
}

/** Make this process's environment what {@link cleanEnv} gives a child (for sections measuring in-process). */
export function useCleanEnv(extra: Record<string, string> = {}): void {
  const env = cleanEnv(extra);
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  Object.assign(process.env, env);
}
