import { createRequire } from "node:module";
import type { AwsClient, Credentials } from "google-auth-library";
import { CrossCloudCredentialsError } from "../errors.js";
import { failedRefreshBackoffMs, MIN_REMAINING_VALIDITY_MS } from "../internal/createRefreshingCache.js";
import { createAwsSecurityCredentialsSupplier } from "./createAwsSecurityCredentialsSupplier.js";
import { googleFederationError } from "./googleFederationError.js";
import { AWS_SUBJECT_TOKEN_TYPE, resolveAwsSourceOptions, resolveWorkloadIdentityProvider, type AwsExternalAccountOptions } from "./resolveAwsExternalAccountOptions.js";

const DEFAULT_IMPERSONATED_LIFETIME_SECONDS = 3600;

/**
 * A google-auth-library `AwsClient` (workload identity federation) fed by this workload's own AWS
 * identity, from wherever the AWS SDK finds it: env (Lambda), profiles, web identity (EKS IRSA),
 * container endpoint (ECS, EKS Pod Identity), or IMDSv2 (EC2). Use it wherever an auth client is
 * accepted: `google.options({ auth })`, `storage({ version: "v1", auth })`, `client.request()`.
 *
 * Synchronous, as google-auth-library clients are; google-auth-library (a peer dependency) is
 * loaded now, the AWS SDK on the first token request.
 */
export function awsExternalAccountClient(options: AwsExternalAccountOptions): AwsClient {
  const provider = resolveWorkloadIdentityProvider("awsExternalAccountClient", options);
  const { scopes } = resolveAwsSourceOptions("awsExternalAccountClient", options);
  const { AwsClient: GoogleAwsClient } = requireGoogleAuthLibrary();

  // google-auth-library refreshes 5 minutes before expiry and fails the caller when that refresh
  // fails, even with a token still valid. Like fromGcpServiceAccount, this client keeps serving a
  // token with at least a minute left through an outage, and backs off before asking again.
  class FederatedAwsClient extends GoogleAwsClient {
    #failedRefreshes = 0;
    #retryAfter = 0;
    // google-auth-library 10 shares one in-flight refresh between concurrent callers; 9.x does not.
    #pending: ReturnType<AwsClient["refreshAccessTokenAsync"]> | undefined;

    protected override refreshAccessTokenAsync(): ReturnType<AwsClient["refreshAccessTokenAsync"]> {
      this.#pending ??= this.#refresh().finally(() => {
        this.#pending = undefined;
      });
      return this.#pending;
    }

    async #refresh(): ReturnType<AwsClient["refreshAccessTokenAsync"]> {
      const cached = (this as unknown as { cachedAccessToken?: Credentials | null }).cachedAccessToken;
      const usable = () => cached?.expiry_date != null && cached.expiry_date - Date.now() >= MIN_REMAINING_VALIDITY_MS;
      if (usable() && Date.now() < this.#retryAfter) return { ...cached };
      try {
        const refreshed = await super.refreshAccessTokenAsync();
        if (typeof refreshed.access_token !== "string" || refreshed.access_token === "") {
          // google-auth-library would cache "undefined" as a token that never expires.
          (this as unknown as { cachedAccessToken: Credentials | null }).cachedAccessToken = cached ?? null;
          throw new CrossCloudCredentialsError("Google answered the token exchange with HTTP 200 but no access token.", { code: "GOOGLE_STS_FAILED" });
        }
        this.#failedRefreshes = 0;
        return refreshed;
      } catch (error) {
        if (!usable()) throw googleFederationError(error, provider);
        this.#retryAfter = Date.now() + failedRefreshBackoffMs(++this.#failedRefreshes);
        return { ...cached };
      }
    }
  }

  return new FederatedAwsClient({
    type: "external_account",
    audience: provider.audience,
    subject_token_type: AWS_SUBJECT_TOKEN_TYPE,
    token_url: provider.tokenUrl,
    ...(provider.serviceAccountImpersonationUrl
      ? {
          service_account_impersonation_url: provider.serviceAccountImpersonationUrl,
          service_account_impersonation: { token_lifetime_seconds: provider.serviceAccountTokenLifetimeSeconds ?? DEFAULT_IMPERSONATED_LIFETIME_SECONDS },
        }
      : {}),
    scopes,
    universe_domain: provider.universeDomain,
    ...(provider.quotaProjectId !== undefined ? { quota_project_id: provider.quotaProjectId } : {}),
    aws_security_credentials_supplier: createAwsSecurityCredentialsSupplier({ awsCredentials: options.awsCredentials, awsRegion: options.awsRegion }),
  });
}

function requireGoogleAuthLibrary(): typeof import("google-auth-library") {
  try {
    return createRequire(import.meta.url)("google-auth-library") as typeof import("google-auth-library");
  } catch (error) {
    throw new CrossCloudCredentialsError("awsExternalAccountClient needs the peer dependency google-auth-library: npm install google-auth-library@^10", {
      code: "GOOGLE_AUTH_FAILED",
      cause: error,
    });
  }
}
