import { AWS_CREDENTIALS_OPTIONS, awsCredentialsCacheKey } from "./awsCredentialsOptions.js";
import { parseCommandArgs } from "./commandSpec.js";
import { defaultCacheDir, readCachedCredentials } from "./credentialCacheEntry.js";

/**
 * The output of `aws-credentials` when its cache holds fresh credentials, else undefined. This is
 * what the AWS CLI runs before every command, so it loads only node:fs, node:crypto and node:util:
 * anything unusual (bad arguments, --help, --no-cache, a miss) is left to the full CLI.
 */
export function cachedCredentialProcessOutput(argv: string[]): string | undefined {
  if (argv[0] !== "aws-credentials") return undefined;
  let values;
  try {
    values = parseCommandArgs(AWS_CREDENTIALS_OPTIONS, argv.slice(1));
  } catch {
    return undefined;
  }
  if (values.help || values["no-cache"]) return undefined;
  const credentials = readCachedCredentials((values["cache-dir"] as string | undefined) ?? defaultCacheDir(), awsCredentialsCacheKey(values));
  return credentials && `${JSON.stringify({ Version: 1, ...credentials })}\n`;
}
