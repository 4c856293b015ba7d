import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { describeValue } from "../internal/describeValue.js";

export const DEFAULT_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"];
export const DEFAULT_UNIVERSE_DOMAIN = "googleapis.com";
export const AWS_SUBJECT_TOKEN_TYPE = "urn:ietf:params:aws:token-type:aws4_request";
const AUDIENCE = /^\/\/iam\.[a-z0-9.-]+\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/providers\/[a-z0-9-]{4,32}$/;
const POOL_OR_PROVIDER_ID = /^[a-z0-9-]{4,32}$/;
const EMAIL = /^[^\s/@]+@[^\s/@]+$/;
const AWS_REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;

/** Where the workload identity pool provider is: `audience`, or its three parts. */
export interface WorkloadIdentityProviderOptions {
  /** `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X`. Either this or the three parts below. */
  audience?: string;
  /** Project number (digits) of the pool. With `poolId` and `providerId`, instead of `audience`. */
  projectNumber?: string;
  /** Workload identity pool ID. */
  poolId?: string;
  /** Workload identity pool provider ID. */
  providerId?: string;
  /** Service account to impersonate. Default none: the federated token is used directly. */
  serviceAccountEmail?: string;
  /** Lifetime of the impersonated token, 600–43200 seconds. Default 3600. */
  serviceAccountTokenLifetimeSeconds?: number;
  /** Google STS token endpoint. Default `https://sts.<universe domain>/v1/token`. */
  tokenUrl?: string;
  /** IAM Credentials `generateAccessToken` URL. Default built from `serviceAccountEmail`. */
  serviceAccountImpersonationUrl?: string;
  /** Default `"googleapis.com"`. */
  universeDomain?: string;
  /** Project billed for quota. Default none. */
  quotaProjectId?: string;
}

/** Options of {@link awsExternalAccountClient}. */
export interface AwsExternalAccountOptions extends WorkloadIdentityProviderOptions {
  /** OAuth scopes. Default `["https://www.googleapis.com/auth/cloud-platform"]`. */
  scopes?: string[];
  /** Any AWS SDK v3 credential provider. Default: the AWS SDK default chain (env, SSO/profile, web identity, container, IMDSv2). */
  awsCredentials?: AwsCredentialIdentityProvider;
  /** AWS region, or an async function returning it. Default: `AWS_REGION`, `AWS_DEFAULT_REGION`, else IMDSv2 `placement/region`. */
  awsRegion?: string | (() => Promise<string>);
}

export interface WorkloadIdentityProviderSettings {
  audience: string;
  universeDomain: string;
  tokenUrl: string;
  serviceAccountImpersonationUrl?: string;
  /** Only when given explicitly (gcloud writes the field only then); 3600 applies otherwise. */
  serviceAccountTokenLifetimeSeconds?: number;
  quotaProjectId?: string;
}

export function optionError(fn: string, message: string): never {
  throw new TypeError(`${fn}: ${message}`);
}

/** Validates the provider options shared by the client and the credential config. */
export function resolveWorkloadIdentityProvider(fn: string, options: WorkloadIdentityProviderOptions): WorkloadIdentityProviderSettings {
  if (typeof options !== "object" || options === null) optionError(fn, "the argument must be an options object");
  const { projectNumber, poolId, providerId, serviceAccountEmail, serviceAccountTokenLifetimeSeconds: lifetime, quotaProjectId } = options;
  const universeDomain = options.universeDomain ?? DEFAULT_UNIVERSE_DOMAIN;
  if (typeof universeDomain !== "string" || !/^[a-z0-9.-]+\.[a-z]+$/.test(universeDomain)) optionError(fn, `universeDomain must be a domain such as "googleapis.com", got ${describeValue(universeDomain)}`);

  const parts = [projectNumber, poolId, providerId];
  let audience = options.audience;
  if (audience !== undefined && parts.some((p) => p !== undefined)) optionError(fn, "give either audience or projectNumber + poolId + providerId, not both");
  if (audience === undefined) {
    if (parts.every((p) => p === undefined)) optionError(fn, "audience, or projectNumber + poolId + providerId, is required");
    if (typeof projectNumber !== "string" || !/^\d+$/.test(projectNumber)) optionError(fn, `projectNumber must be the project's number as a string of digits, got ${describeValue(projectNumber)}`);
    if (typeof poolId !== "string" || !POOL_OR_PROVIDER_ID.test(poolId)) optionError(fn, `poolId must be 4-32 lowercase letters, digits or hyphens, got ${describeValue(poolId)}`);
    if (typeof providerId !== "string" || !POOL_OR_PROVIDER_ID.test(providerId)) optionError(fn, `providerId must be 4-32 lowercase letters, digits or hyphens, got ${describeValue(providerId)}`);
    audience = `//iam.${universeDomain}/projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}/providers/${providerId}`;
  } else if (typeof audience !== "string" || !AUDIENCE.test(audience)) {
    optionError(fn, `audience must look like "//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>", got ${describeValue(audience)}`);
  }

  if (serviceAccountEmail !== undefined && (typeof serviceAccountEmail !== "string" || !EMAIL.test(serviceAccountEmail))) {
    optionError(fn, `serviceAccountEmail must be a service account email, got ${describeValue(serviceAccountEmail)}`);
  }
  if (lifetime !== undefined) {
    if (typeof lifetime !== "number" || !Number.isInteger(lifetime)) optionError(fn, `serviceAccountTokenLifetimeSeconds must be an integer number of seconds, got ${describeValue(lifetime)}`);
    if (lifetime < 600 || lifetime > 43200) throw new RangeError(`${fn}: serviceAccountTokenLifetimeSeconds must be between 600 and 43200, got ${lifetime}`);
  }
  const tokenUrl = options.tokenUrl ?? `https://sts.${universeDomain}/v1/token`;
  const impersonationUrl =
    options.serviceAccountImpersonationUrl ??
    (serviceAccountEmail && `https://iamcredentials.${universeDomain}/v1/projects/-/serviceAccounts/${serviceAccountEmail}:generateAccessToken`);
  for (const [name, url] of [["tokenUrl", tokenUrl], ["serviceAccountImpersonationUrl", impersonationUrl]] as const) {
    if (url !== undefined && (typeof url !== "string" || !URL.canParse(url))) optionError(fn, `${name} must be an absolute URL, got ${describeValue(url)}`);
  }
  if (lifetime !== undefined && !impersonationUrl) optionError(fn, "serviceAccountTokenLifetimeSeconds needs serviceAccountEmail (it is the impersonated token's lifetime)");
  if (quotaProjectId !== undefined && (typeof quotaProjectId !== "string" || quotaProjectId === "")) optionError(fn, "quotaProjectId must be a non-empty project ID string");

  return {
    audience,
    universeDomain,
    tokenUrl,
    ...(impersonationUrl ? { serviceAccountImpersonationUrl: impersonationUrl } : {}),
    ...(lifetime !== undefined ? { serviceAccountTokenLifetimeSeconds: lifetime } : {}),
    ...(quotaProjectId !== undefined ? { quotaProjectId } : {}),
  };
}

/** Validates the client-only options. */
export function resolveAwsSourceOptions(fn: string, options: AwsExternalAccountOptions): { scopes: string[] } {
  const { scopes = DEFAULT_SCOPES, awsCredentials, awsRegion } = options;
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === "string" && s !== "")) {
    optionError(fn, 'scopes must be a non-empty array of OAuth scope strings, e.g. ["https://www.googleapis.com/auth/cloud-platform"]');
  }
  if (awsCredentials !== undefined && typeof awsCredentials !== "function") optionError(fn, "awsCredentials must be an AWS SDK v3 credential provider function, e.g. fromContainerMetadata()");
  if (awsRegion !== undefined && typeof awsRegion !== "function" && (typeof awsRegion !== "string" || !AWS_REGION.test(awsRegion))) {
    optionError(fn, `awsRegion must be a region such as "eu-west-1" or an async function returning one, got ${describeValue(awsRegion)}`);
  }
  return { scopes };
}
