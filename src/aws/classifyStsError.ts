import type { ErrorCode } from "../errors.js";

/** The SDK names modeled errors with an `Exception` suffix that the STS wire code lacks. */
const WIRE_CODE_BY_SDK_NAME: Record<string, string> = {
  IDPCommunicationErrorException: "IDPCommunicationError",
  IDPRejectedClaimException: "IDPRejectedClaim",
  InvalidIdentityTokenException: "InvalidIdentityToken",
  MalformedPolicyDocumentException: "MalformedPolicyDocument",
  PackedPolicyTooLargeException: "PackedPolicyTooLarge",
  ThrottlingException: "Throttling",
};

const CODE_BY_WIRE_CODE: Record<string, ErrorCode> = {
  AccessDenied: "STS_ACCESS_DENIED",
  InvalidIdentityToken: "STS_INVALID_IDENTITY_TOKEN",
  ExpiredTokenException: "STS_EXPIRED_TOKEN",
  IDPCommunicationError: "STS_IDP_COMMUNICATION_ERROR",
  Throttling: "STS_THROTTLED",
  ValidationError: "STS_VALIDATION_ERROR",
  MalformedPolicyDocument: "STS_POLICY_REJECTED",
  PackedPolicyTooLarge: "STS_POLICY_REJECTED",
  RegionDisabledException: "STS_REGION_DISABLED",
};

/** Errors without an answer that a retry can fix: timeouts and socket failures. */
const NETWORK_ERROR_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "IncompleteCredentials"]);
const NETWORK_ERROR_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** AWS's wording when it could not fetch Google's keys: transient, unlike other InvalidIdentityToken errors. */
const KEY_RETRIEVAL = /retrieve.*(verification )?key|verification key/i;

export interface StsErrorClass {
  code: ErrorCode;
  /** The STS error code as sent on the wire, when STS answered with one. */
  wireCode?: string;
  retryable: boolean;
  /** The HTTP status, when STS answered at all. */
  status?: number;
  requestId?: string;
  /** AWS's own message (never holds the token). */
  awsMessage?: string;
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/**
 * Classifies an error thrown by the AWS SDK for AssumeRoleWithWebIdentity: which code, and whether
 * it is worth retrying (IDP communication, throttling, key retrieval, 5xx and network errors).
 */
export function classifyStsError(error: unknown): StsErrorClass {
  const e = (error ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const requestId = e.$metadata?.requestId;
  const awsMessage = typeof e.message === "string" ? e.message : undefined;
  const base = { status, requestId, awsMessage };
  if (status === undefined) {
    // No answer: a network failure is worth retrying; a local error (bad endpoint URL, bad config) is not.
    const network = NETWORK_ERROR_NAMES.has(e.name ?? "") || NETWORK_ERROR_CODES.has((error as { code?: string } | undefined)?.code ?? "");
    return { ...base, code: network ? "STS_UNAVAILABLE" : "STS_ERROR", retryable: network };
  }
  if (status < 400 || e.$fault === undefined) {
    // An answer the SDK could not read (malformed XML, credentials missing): worth another attempt.
    return { ...base, code: "STS_UNAVAILABLE", retryable: true };
  }
  const wireCode = WIRE_CODE_BY_SDK_NAME[e.name ?? ""] ?? e.name;
  if (status >= 500) return { ...base, wireCode, code: "STS_UNAVAILABLE", retryable: true };
  const code = CODE_BY_WIRE_CODE[wireCode ?? ""] ?? "STS_ERROR";
  const retryable =
    code === "STS_IDP_COMMUNICATION_ERROR" ||
    code === "STS_THROTTLED" ||
    (code === "STS_INVALID_IDENTITY_TOKEN" && KEY_RETRIEVAL.test(awsMessage ?? ""));
  return { ...base, wireCode, code, retryable };
}
