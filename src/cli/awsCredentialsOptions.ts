import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type { OptionSpec, OptionValues } from "./commandSpec.js";
import { TOKEN_SOURCE_OPTIONS } from "./tokenSourceOptions.js";

/** The options of `aws-credentials`; kept apart from the command so the cached path loads nothing else. */
export const AWS_CREDENTIALS_OPTIONS: OptionSpec[] = [
  { name: "role-arn", placeholder: "ARN", required: true, description: "role to assume, arn:aws:iam::<account>:role/<name>" },
  { name: "audience", placeholder: "AUD", description: "audience of the Google ID token; default sts.amazonaws.com" },
  { name: "role-session-name", placeholder: "NAME", description: "session name; default gcp-<service account>" },
  { name: "duration-seconds", type: "integer", placeholder: "S", description: "session length, 900-43200; default 3600" },
  { name: "region", placeholder: "REGION", description: "STS region; default AWS_REGION, AWS_DEFAULT_REGION, else us-east-1" },
  { name: "sts-endpoint", placeholder: "URL", description: "STS endpoint; default the regional endpoint (or AWS_ENDPOINT_URL_STS)" },
  ...TOKEN_SOURCE_OPTIONS,
  { name: "cache-dir", placeholder: "DIR", description: "cache directory; default $XDG_CACHE_HOME/cross-cloud-credentials" },
  { name: "no-cache", type: "flag", description: "neither read nor write the cache" },
];

/** The options (and environment variables) whose values change the credentials. */
const KEYED_OPTIONS = ["role-arn", "audience", "role-session-name", "duration-seconds", "region", "sts-endpoint", "token-source", "token-file"];
const KEYED_ENV = [
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_STS",
  "GCE_METADATA_HOST",
  // which Google identity --token-source adc uses
  "GOOGLE_APPLICATION_CREDENTIALS",
  "CLOUDSDK_CONFIG",
];

/** The cache key of an `aws-credentials` invocation: every option and environment variable that changes the credentials. */
export function awsCredentialsCacheKey(values: OptionValues, env: NodeJS.ProcessEnv = process.env): string {
  const keyed: unknown[] = KEYED_OPTIONS.map((name) => {
    const value = values[name];
    return [name, name === "token-file" && typeof value === "string" ? resolve(value) : (value ?? null)];
  });
  keyed.push(["env", KEYED_ENV.map((name) => env[name] ?? null)]);
  return createHash("sha256").update(JSON.stringify(keyed)).digest("hex").slice(0, 32);
}
