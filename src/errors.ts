/**
 * Stable error codes of {@link CrossCloudCredentialsError}. Match on these, never on messages.
 */
export type ErrorCode =
  /** No GCP metadata server answered: this is not a Google Cloud workload. `tryNextLink` is true. */
  | "METADATA_UNAVAILABLE"
  /** The metadata server answered, but with an error or a body that is not an ID token. */
  | "METADATA_ERROR"
  /** A token source failed or returned something that is not a JWT. */
  | "TOKEN_SOURCE_FAILED"
  /** The token file could not be read. */
  | "TOKEN_FILE_UNREADABLE"
  /** The token source keeps returning an ID token that has already expired. */
  | "ID_TOKEN_EXPIRED"
  /** STS `AccessDenied`: the role's trust policy does not admit this token. */
  | "STS_ACCESS_DENIED"
  /** STS `InvalidIdentityToken`: AWS could not validate the token. */
  | "STS_INVALID_IDENTITY_TOKEN"
  /** STS `ExpiredTokenException`, still after fetching a fresh ID token. */
  | "STS_EXPIRED_TOKEN"
  /** STS `IDPCommunicationError` after retries: AWS could not reach Google. */
  | "STS_IDP_COMMUNICATION_ERROR"
  /** STS `Throttling` after retries. */
  | "STS_THROTTLED"
  /** STS `ValidationError`, e.g. `durationSeconds` above the role's `MaxSessionDuration`. */
  | "STS_VALIDATION_ERROR"
  /** STS `MalformedPolicyDocument` or `PackedPolicyTooLarge` for the session policy. */
  | "STS_POLICY_REJECTED"
  /** STS `RegionDisabledException`: STS is not activated in the region. */
  | "STS_REGION_DISABLED"
  /** STS answered 5xx, an unreadable body, or could not be reached, after retries. */
  | "STS_UNAVAILABLE"
  /** Any other STS error code; `stsErrorCode` holds it. */
  | "STS_ERROR"
  /** google-auth-library (ADC or IAM Credentials) could not produce an ID token. */
  | "GOOGLE_AUTH_FAILED"
  /** AWS → GCP: no AWS credentials could be resolved for this workload. */
  | "AWS_CREDENTIALS_FAILED"
  /** AWS → GCP: the AWS region could not be determined. */
  | "AWS_REGION_FAILED"
  /** AWS → GCP: Google STS refused or failed the token exchange; `googleError` holds its `error`. */
  | "GOOGLE_STS_FAILED"
  /** AWS → GCP: IAM Credentials refused or failed the service account impersonation. */
  | "GOOGLE_IMPERSONATION_FAILED";

export interface CrossCloudCredentialsErrorOptions {
  code: ErrorCode;
  cause?: unknown;
  tryNextLink?: boolean;
  requestId?: string;
  stsErrorCode?: string;
  googleError?: string;
  googleErrorDescription?: string;
}

/**
 * Every runtime failure of this package. The message says what failed, at which step, and what to
 * do. No message, property or `cause` ever holds a token, secret key or session token.
 */
export class CrossCloudCredentialsError extends Error {
  readonly code: ErrorCode;
  /** True only when this environment has no such identity, so a credential chain should move on. */
  readonly tryNextLink: boolean;
  /** The upstream request ID, when the upstream answered with one. */
  readonly requestId?: string;
  /** The STS error code as AWS sent it (e.g. `AccessDenied`), when STS answered with one. */
  readonly stsErrorCode?: string;
  /** Google's `error` (OAuth) or `status` (IAM), when Google answered with one. */
  readonly googleError?: string;
  /** Google's `error_description` (OAuth) or `message` (IAM). */
  readonly googleErrorDescription?: string;

  constructor(message: string, options: CrossCloudCredentialsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CrossCloudCredentialsError";
    this.code = options.code;
    this.tryNextLink = options.tryNextLink ?? false;
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.stsErrorCode !== undefined) this.stsErrorCode = options.stsErrorCode;
    if (options.googleError !== undefined) this.googleError = options.googleError;
    if (options.googleErrorDescription !== undefined) this.googleErrorDescription = options.googleErrorDescription;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      tryNextLink: this.tryNextLink,
      requestId: this.requestId,
      stsErrorCode: this.stsErrorCode,
      googleError: this.googleError,
      googleErrorDescription: this.googleErrorDescription,
    };
  }
}
