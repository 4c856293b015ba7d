import { readFile } from "node:fs/promises";
import type { WorkloadIdentityProviderOptions } from "../gcp/resolveAwsExternalAccountOptions.js";
import { UsageError, type OptionSpec, type OptionValues } from "./commandSpec.js";

/** The options naming a workload identity pool provider and the service account, shared by the AWS → GCP commands. */
export const WORKLOAD_IDENTITY_OPTIONS: OptionSpec[] = [
  { name: "project-number", placeholder: "N", description: "project number of the workload identity pool" },
  { name: "pool-id", placeholder: "POOL", description: "workload identity pool ID" },
  { name: "provider-id", placeholder: "PROVIDER", description: "workload identity pool provider ID" },
  { name: "service-account", placeholder: "EMAIL", description: "service account to impersonate" },
  { name: "service-account-token-lifetime-seconds", type: "integer", placeholder: "S", description: "impersonated token lifetime, 600-43200; default 3600" },
];

export const CREDENTIAL_CONFIG_OPTION: OptionSpec = {
  name: "credential-config",
  placeholder: "FILE",
  description: "a credential configuration file (gcp-credential-config output) instead of the provider options",
};

/** Provider options from the flags. */
export function workloadIdentityFromFlags(values: OptionValues): WorkloadIdentityProviderOptions {
  return {
    projectNumber: values["project-number"] as string | undefined,
    poolId: values["pool-id"] as string | undefined,
    providerId: values["provider-id"] as string | undefined,
    serviceAccountEmail: values["service-account"] as string | undefined,
    serviceAccountTokenLifetimeSeconds: values["service-account-token-lifetime-seconds"] as number | undefined,
  };
}

interface CredentialConfigFile {
  type?: unknown;
  audience?: unknown;
  token_url?: unknown;
  service_account_impersonation_url?: unknown;
  service_account_impersonation?: { token_lifetime_seconds?: unknown };
  universe_domain?: unknown;
  quota_project_id?: unknown;
}

const optionalString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/**
 * Provider options from --credential-config FILE, or from the flags. Only the Google side of the
 * file is used; the AWS identity always comes from the AWS SDK chain, whatever `credential_source` says.
 */
export async function workloadIdentityFrom(values: OptionValues): Promise<WorkloadIdentityProviderOptions> {
  const file = values["credential-config"] as string | undefined;
  if (file === undefined) return workloadIdentityFromFlags(values);
  if (WORKLOAD_IDENTITY_OPTIONS.some((o) => values[o.name] !== undefined)) throw new UsageError("give either --credential-config or the provider options, not both");
  let config: CredentialConfigFile;
  try {
    config = JSON.parse(await readFile(file, "utf8")) as CredentialConfigFile;
  } catch (error) {
    throw new UsageError(`--credential-config ${file} is not a readable JSON file (${(error as NodeJS.ErrnoException).code ?? "invalid JSON"})`);
  }
  if (config.type !== "external_account") throw new UsageError(`--credential-config ${file} is not an external_account credential configuration`);
  const lifetime = config.service_account_impersonation?.token_lifetime_seconds;
  return {
    audience: optionalString(config.audience),
    tokenUrl: optionalString(config.token_url),
    serviceAccountImpersonationUrl: optionalString(config.service_account_impersonation_url),
    serviceAccountTokenLifetimeSeconds: typeof lifetime === "number" ? lifetime : undefined,
    universeDomain: optionalString(config.universe_domain),
    quotaProjectId: optionalString(config.quota_project_id),
  };
}
