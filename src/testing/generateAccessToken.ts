import { randomBytes } from "node:crypto";
import type { FakeResponse, RecordedRequest } from "./fakeHttpServer.js";
import { googleApiError } from "./googleErrors.js";
import { formatRfc3339Seconds } from "./rotatingAwsCredentials.js";

/** An access token issued by the fake Google STS, federated or impersonated. */
export interface GoogleTokenGrant {
  /** The bearer token. */
  accessToken: string;
  /** `"federated"` (from STS) or `"impersonated"` (from `generateAccessToken`). */
  kind: "federated" | "impersonated";
  /** OAuth scopes granted. */
  scopes: string[];
  /** Expiry, in ms since the epoch. */
  expiresAtMs: number;
  /** The impersonated service account, for impersonated tokens. */
  serviceAccount?: string;
}

const EMAIL_SEGMENT = /\/serviceAccounts\/([^/]+):generateAccessToken$/;
const IMPERSONATION_SCOPES = ["https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/iam"];
const LIFETIME = /^(\d+)(?:\.\d{1,9})?s$/;
const MIN_LIFETIME_SECONDS = 600;
const MAX_LIFETIME_SECONDS = 43_200;

/**
 * IAM Credentials `generateAccessToken` for a caller already authenticated as `federated`: checks the
 * caller's scopes (`cloud-platform` or `iam`), that the account is in `allowed` (when given), and the
 * JSON body `{scope: string[], lifetime?: "<seconds>s"}` (lifetime 600–43200 s, default 3600 s);
 * answers `{accessToken, expireTime}` or Google's API error shape. `mintToken` chooses the token
 * (default `ya29.sa-` + 32 random bytes).
 */
export function generateAccessToken(
  request: RecordedRequest,
  federated: GoogleTokenGrant,
  allowed: string[] | undefined,
  mintToken?: () => string,
): { response: FakeResponse; grant?: GoogleTokenGrant } {
  const fail = (code: number, message: string) => ({ response: googleApiError(code, message) });
  if (!federated.scopes.some((scope) => IMPERSONATION_SCOPES.includes(scope))) {
    return fail(403, "Request had insufficient authentication scopes.");
  }
  const segment = EMAIL_SEGMENT.exec(request.path)![1]!;
  let email: string;
  try {
    email = decodeURIComponent(segment);
  } catch {
    return fail(400, `Invalid service account name: ${segment}`);
  }
  if (allowed !== undefined && !allowed.includes(email)) {
    return fail(403, "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).");
  }
  let body: { scope?: unknown; lifetime?: unknown };
  try {
    body = JSON.parse(request.body) as typeof body;
    if (typeof body !== "object" || body === null) throw new TypeError("not an object");
  } catch {
    return fail(400, "Invalid JSON payload received.");
  }
  const { scope, lifetime = "3600s" } = body;
  if (!Array.isArray(scope) || scope.length === 0 || !scope.every((s) => typeof s === "string" && s !== "")) {
    return fail(400, "Scope required.");
  }
  const match = typeof lifetime === "string" ? LIFETIME.exec(lifetime) : null;
  const seconds = match ? Number(match[1]) : NaN;
  if (!(seconds >= MIN_LIFETIME_SECONDS && seconds <= MAX_LIFETIME_SECONDS)) {
    return fail(
      400,
      `Invalid value for lifetime "${String(lifetime)}": must be a duration from ${MIN_LIFETIME_SECONDS}s to ${MAX_LIFETIME_SECONDS}s.`,
    );
  }
  const expiresAtMs = Math.floor(Date.now() / 1000) * 1000 + seconds * 1000;
  const grant: GoogleTokenGrant = {
    accessToken: mintToken?.() ?? `ya29.sa-${randomBytes(32).toString("base64url")}`,
    kind: "impersonated",
    scopes: scope as string[],
    expiresAtMs,
    serviceAccount: email,
  };
  const answer = { accessToken: grant.accessToken, expireTime: formatRfc3339Seconds(new Date(expiresAtMs)) };
  return {
    response: { status: 200, headers: { "content-type": "application/json; charset=UTF-8" }, body: JSON.stringify(answer) },
    grant,
  };
}
