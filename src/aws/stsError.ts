import { CrossCloudCredentialsError } from "../errors.js";
import { describeClaims, type JwtClaims } from "../internal/jwtClaims.js";
import { redact, safeCause } from "../internal/redact.js";
import type { StsErrorClass } from "./classifyStsError.js";

const FIX_BY_CODE: Partial<Record<StsErrorClass["code"], string>> = {
  STS_ACCESS_DENIED:
    "The role's trust policy does not admit this token. Its StringEquals conditions must match the claims above: " +
    "accounts.google.com:oaud = aud, accounts.google.com:aud = azp (the service account's unique ID), accounts.google.com:sub = sub. " +
    "awsTrustPolicy({ serviceAccountUniqueId, audience }) builds a matching policy.",
  STS_INVALID_IDENTITY_TOKEN: "AWS could not validate the token: check that it is a Google ID token (iss https://accounts.google.com) that has not expired.",
  STS_EXPIRED_TOKEN: "The ID token had expired, still after fetching a fresh one: check the clock of this machine and the token source.",
  STS_IDP_COMMUNICATION_ERROR: "AWS could not reach Google to verify the token. This is transient: try again later.",
  STS_THROTTLED: "STS is throttling this account (about 600 requests per second). Share one provider instance between clients so credentials are cached.",
  STS_VALIDATION_ERROR: "Check durationSeconds against the role's MaxSessionDuration (aws iam get-role), and the session name and policies.",
  STS_POLICY_REJECTED: "The session policy (policy / policyArns) is malformed or too large.",
  STS_REGION_DISABLED: "Activate STS in this region (IAM console > Account settings), or set clientConfig.region / AWS_REGION to an active region.",
  STS_UNAVAILABLE: "STS could not be reached or answered with a server error after retries: check the network path to STS and try again.",
};

/** The typed error for a failed AssumeRoleWithWebIdentity, with the claims AWS compared where it helps. */
export function stsError(failure: StsErrorClass, cause: unknown, context: { roleArn: string; claims?: JwtClaims }): CrossCloudCredentialsError {
  const what = failure.wireCode ? `${failure.wireCode}` : failure.status ? `HTTP ${failure.status}` : "no answer";
  const aws = failure.awsMessage ? `: ${redact(failure.awsMessage)}` : "";
  const showClaims = failure.code === "STS_ACCESS_DENIED" || failure.code === "STS_INVALID_IDENTITY_TOKEN" || failure.code === "STS_EXPIRED_TOKEN" || failure.wireCode === "IDPRejectedClaim";
  const message = [
    `AWS STS AssumeRoleWithWebIdentity for role ${context.roleArn} failed (${what}${aws}).`,
    showClaims ? `Token claims: ${describeClaims(context.claims)}.` : "",
    FIX_BY_CODE[failure.code] ?? "",
    failure.requestId ? `(request ID ${failure.requestId})` : "",
  ]
    .filter(Boolean)
    .join(" ");
  return new CrossCloudCredentialsError(message, {
    code: failure.code,
    cause: safeCause(cause),
    requestId: failure.requestId,
    stsErrorCode: failure.wireCode,
  });
}
