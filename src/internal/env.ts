/** Environment variables this package reads. Always read at call time, never at import time. */
export const ENV_ROLE_ARN = "AWS_ROLE_ARN";
export const ENV_REGION = "AWS_REGION";
export const ENV_DEFAULT_REGION = "AWS_DEFAULT_REGION";
export const ENV_GCE_METADATA_HOST = "GCE_METADATA_HOST";

/** The region from `AWS_REGION`, else `AWS_DEFAULT_REGION`, else undefined. */
export function regionFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[ENV_REGION] || env[ENV_DEFAULT_REGION] || undefined;
}
