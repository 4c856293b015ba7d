import { CrossCloudCredentialsError } from "../errors.js";
import { redact, safeCause } from "./redact.js";

/**
 * Turns a google-auth-library / gaxios failure into a typed error carrying Google's own error text.
 * The gaxios error itself is never kept: its config holds the Authorization header.
 */
export function googleAuthError(step: string, error: unknown): CrossCloudCredentialsError {
  if (error instanceof CrossCloudCredentialsError) return error;
  const response = (error as { response?: { status?: number; data?: unknown } } | undefined)?.response;
  const detail = response ? `HTTP ${response.status}: ${describeGoogleErrorBody(response.data)}` : safeCause(error).message;
  return new CrossCloudCredentialsError(`${step} failed: ${redact(detail)}`, { code: "GOOGLE_AUTH_FAILED", cause: safeCause(error) });
}

function describeGoogleErrorBody(data: unknown): string {
  if (data && typeof data === "object") {
    const body = data as { error?: unknown; error_description?: unknown };
    if (typeof body.error === "string") return [body.error, body.error_description].filter((s) => typeof s === "string").join(": ");
    const nested = body.error as { message?: unknown; status?: unknown } | undefined;
    if (nested && typeof nested.message === "string") return [nested.status, nested.message].filter((s) => typeof s === "string").join(": ");
  }
  return typeof data === "string" ? data.slice(0, 500) : "no error text";
}
