import { createRequire } from "node:module";
import type { AwsClient } from "google-auth-library";
import { CrossCloudCredentialsError } from "../errors.js";
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

  class FederatedAwsClient extends GoogleAwsClient {
    protected override async refreshAccessTokenAsync(): ReturnType<AwsClient["refreshAccessTokenAsync"]> {
      try {
        return await super.refreshAccessTokenAsync();
      } catch (error) {
        throw googleFederationError(error, provider);
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
