import { AWS_SUBJECT_TOKEN_TYPE, optionError, resolveWorkloadIdentityProvider, type WorkloadIdentityProviderOptions } from "./resolveAwsExternalAccountOptions.js";
import { describeValue } from "../internal/describeValue.js";

const IMDS = "http://169.254.169.254";

/** Options of {@link gcpCredentialConfig}. */
export interface GcpCredentialConfigOptions extends WorkloadIdentityProviderOptions {
  /** Add `imdsv2_session_token_url`, so Google's libraries use IMDSv2 sessions. Default true. */
  imdsv2?: boolean;
}

/** The credential configuration file for AWS workloads, as gcloud writes it. */
export interface GcpCredentialConfig {
  universe_domain: string;
  type: "external_account";
  audience: string;
  subject_token_type: "urn:ietf:params:aws:token-type:aws4_request";
  token_url: string;
  credential_source: {
    environment_id: "aws1";
    region_url: string;
    url: string;
    regional_cred_verification_url: string;
    imdsv2_session_token_url?: string;
  };
  service_account_impersonation_url?: string;
  service_account_impersonation?: { token_lifetime_seconds: number };
  token_info_url?: string;
  quota_project_id?: string;
}

/**
 * The credential-configuration JSON that `gcloud iam workload-identity-pools create-cred-config
 * --aws --enable-imdsv2` writes, field for field and in the same order, so gcloud and Google's
 * libraries in other languages can use it (`JSON.stringify(config, null, 2)` gives gcloud's bytes).
 */
export function gcpCredentialConfig(options: GcpCredentialConfigOptions): GcpCredentialConfig {
  const provider = resolveWorkloadIdentityProvider("gcpCredentialConfig", options);
  const imdsv2 = options.imdsv2 ?? true;
  if (typeof imdsv2 !== "boolean") optionError("gcpCredentialConfig", `imdsv2 must be a boolean, got ${describeValue(imdsv2)}`);
  return {
    universe_domain: provider.universeDomain,
    type: "external_account",
    audience: provider.audience,
    subject_token_type: AWS_SUBJECT_TOKEN_TYPE,
    token_url: provider.tokenUrl,
    credential_source: {
      environment_id: "aws1",
      region_url: `${IMDS}/latest/meta-data/placement/availability-zone`,
      url: `${IMDS}/latest/meta-data/iam/security-credentials`,
      regional_cred_verification_url: "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
      ...(imdsv2 ? { imdsv2_session_token_url: `${IMDS}/latest/api/token` } : {}),
    },
    ...(provider.serviceAccountImpersonationUrl
      ? {
          service_account_impersonation_url: provider.serviceAccountImpersonationUrl,
          ...(provider.serviceAccountTokenLifetimeSeconds !== undefined
            ? { service_account_impersonation: { token_lifetime_seconds: provider.serviceAccountTokenLifetimeSeconds } }
            : {}),
        }
      : { token_info_url: `https://sts.${provider.universeDomain}/v1/introspect` }),
    ...(provider.quotaProjectId !== undefined ? { quota_project_id: provider.quotaProjectId } : {}),
  };
}
