import { CrossCloudCredentialsError } from "../errors.js";
import { redact, safeCause } from "../internal/redact.js";

interface GaxiosLike {
  config?: { url?: string | URL };
  response?: { status?: number; data?: unknown };
  message?: string;
}

/** Google's error fields: OAuth `{error, error_description}` or Google API `{error: {status, message}}`. */
export function googleErrorFields(data: unknown): { error?: string; description?: string } {
  if (!data || typeof data !== "object") return {};
  const body = data as { error?: unknown; error_description?: unknown };
  if (typeof body.error === "string") return { error: body.error, description: typeof body.error_description === "string" ? body.error_description : undefined };
  const nested = body.error as { status?: unknown; message?: unknown } | undefined;
  if (nested && typeof nested === "object") {
    return { error: typeof nested.status === "string" ? nested.status : undefined, description: typeof nested.message === "string" ? nested.message : undefined };
  }
  return {};
}

const STS_FIX =
  "Check that the pool and provider exist and are enabled, that the provider's AWS account ID is this account, and that its attribute condition admits this role.";
const IMPERSONATION_FIX =
  "Grant roles/iam.workloadIdentityUser on the service account to principalSet://iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/attribute.aws_role/arn:aws:sts::<account>:assumed-role/<role>, and enable the IAM Credentials API.";

/**
 * Turns a google-auth-library failure during the token exchange into a typed error naming the step
 * (Google STS or impersonation) and carrying Google's own error text. The original error is never
 * kept: its `config` holds the signed AWS request with the session token.
 */
export function googleFederationError(error: unknown, urls: { tokenUrl: string; serviceAccountImpersonationUrl?: string }): CrossCloudCredentialsError {
  if (error instanceof CrossCloudCredentialsError) return error;
  const e = (error ?? {}) as GaxiosLike;
  const url = e.config?.url?.toString() ?? "";
  const impersonation = urls.serviceAccountImpersonationUrl !== undefined && url.startsWith(urls.serviceAccountImpersonationUrl);
  const { error: googleError, description } = googleErrorFields(e.response?.data);
  const status = e.response?.status;
  const answered = status !== undefined ? `HTTP ${status}${googleError ? ` ${googleError}` : ""}${description ? `: ${redact(description)}` : ""}` : redact(safeCause(error).message);
  const message = impersonation
    ? `Google IAM Credentials refused to impersonate the service account (${answered}). ${IMPERSONATION_FIX}`
    : `Google STS did not exchange the AWS identity for a Google token (${answered}). ${STS_FIX}`;
  return new CrossCloudCredentialsError(message, {
    code: impersonation ? "GOOGLE_IMPERSONATION_FAILED" : "GOOGLE_STS_FAILED",
    cause: safeCause(error),
    googleError,
    googleErrorDescription: description && redact(description),
  });
}
