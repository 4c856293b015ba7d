import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { CrossCloudCredentialsError } from "../errors.js";
import { createRefreshingCache, type RefreshOptions } from "../internal/createRefreshingCache.js";
import { decodeJwtClaims, formatEpochSeconds, isJwtShaped, type JwtClaims } from "../internal/jwtClaims.js";
import { safeCause } from "../internal/redact.js";
import { withRetry } from "../internal/withRetry.js";
import { classifyStsError } from "./classifyStsError.js";
import { createStsExchange } from "./createStsExchange.js";
import { resolveFromGcpServiceAccountInit, type FromGcpServiceAccountInit, type FromGcpServiceAccountSettings } from "./resolveFromGcpServiceAccountInit.js";
import { stsError } from "./stsError.js";

/** An ID token this close to its `exp` is fetched again before it is sent to STS. */
export const TOKEN_MIN_REMAINING_MS = 60_000;
export const STS_MAX_ATTEMPTS = 3;

/** The provider: an AWS SDK v3 credential provider that also takes `{ forceRefresh }`. */
export type GcpServiceAccountCredentialProvider = ((options?: RefreshOptions) => Promise<AwsCredentialIdentity & { expiration: Date; accountId: string }>) &
  AwsCredentialIdentityProvider;

/**
 * AWS credentials for code running on Google Cloud: exchanges the service account's Google ID token
 * at STS AssumeRoleWithWebIdentity. Pass it as `credentials` to any AWS SDK v3 client, or place it
 * in `createCredentialChain(...)`. One provider instance is one cache: share it between clients.
 *
 * Options are validated now (TypeError / RangeError); nothing is fetched until the first call.
 */
export function fromGcpServiceAccount(init: FromGcpServiceAccountInit): GcpServiceAccountCredentialProvider {
  const settings = resolveFromGcpServiceAccountInit(init);
  const exchange = createStsExchange(settings);
  const load = async () => {
    let token = await fetchUsableToken(settings);
    for (let refetched = false; ; refetched = true) {
      const claims = decodeJwtClaims(token);
      const roleSessionName = settings.roleSessionName ?? defaultRoleSessionName(claims);
      try {
        return await withRetry(() => exchange(token, roleSessionName), {
          maxAttempts: STS_MAX_ATTEMPTS,
          baseDelayMs: 200,
          maxDelayMs: 2_000,
          isRetryable: (error) => classifyStsError(error).retryable,
        });
      } catch (error) {
        const failure = classifyStsError(error);
        if (failure.code === "STS_EXPIRED_TOKEN" && !refetched) {
          settings.logger?.debug?.("cross-cloud-credentials: STS says the ID token expired, fetching a fresh one");
          token = await fetchUsableToken(settings);
          continue;
        }
        throw stsError(failure, error, { roleArn: settings.roleArn, claims });
      }
    }
  };
  return createRefreshingCache(load, { logger: settings.logger, what: `AWS credentials for ${settings.roleArn}` }) as GcpServiceAccountCredentialProvider;
}

/** A token from the source that is a JWT and not within a minute of its `exp` (fetched twice at most). */
async function fetchUsableToken(settings: FromGcpServiceAccountSettings): Promise<string> {
  const first = await fetchToken(settings);
  if (!expiresSoon(first)) return first;
  settings.logger?.debug?.("cross-cloud-credentials: ID token expires within a minute, fetching another");
  const second = await fetchToken(settings);
  const exp = decodeJwtClaims(second)?.exp;
  if (typeof exp === "number" && exp * 1000 <= Date.now()) {
    throw new CrossCloudCredentialsError(
      `The token source returned an ID token that expired at ${formatEpochSeconds(exp)}, twice. Check this machine's clock and the token source.`,
      { code: "ID_TOKEN_EXPIRED" },
    );
  }
  return second;
}

async function fetchToken(settings: FromGcpServiceAccountSettings): Promise<string> {
  let token: unknown;
  try {
    token = await settings.tokenSource({ audience: settings.audience });
  } catch (error) {
    if (error instanceof CrossCloudCredentialsError) throw error;
    throw new CrossCloudCredentialsError(`The token source failed to return a Google ID token: ${safeCause(error).message}`, {
      code: "TOKEN_SOURCE_FAILED",
      cause: safeCause(error),
    });
  }
  if (!isJwtShaped(token)) {
    throw new CrossCloudCredentialsError(`The token source returned ${typeof token === "string" ? "a string that is not a JWT" : typeof token}, expected a compact JWT string.`, {
      code: "TOKEN_SOURCE_FAILED",
    });
  }
  return token;
}

function expiresSoon(token: string): boolean {
  const exp = decodeJwtClaims(token)?.exp;
  return typeof exp === "number" && exp * 1000 - Date.now() < TOKEN_MIN_REMAINING_MS;
}

/** `gcp-` + the email's local part, else the subject, reduced to STS's allowed characters and 64 characters. */
export function defaultRoleSessionName(claims: JwtClaims | undefined): string {
  const who = (typeof claims?.email === "string" ? claims.email.split("@")[0] : undefined) || (typeof claims?.sub === "string" ? claims.sub : "") || "workload";
  return `gcp-${who}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
}
