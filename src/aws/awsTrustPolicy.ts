import { DEFAULT_AUDIENCE } from "./resolveFromGcpServiceAccountInit.js";
import { describeValue } from "../internal/describeValue.js";

export interface AwsTrustPolicyOptions {
  /** The Google service account's numeric unique ID (`gcloud iam service-accounts describe EMAIL --format='value(uniqueId)'`). Required. */
  serviceAccountUniqueId: string;
  /** The service account's email, also admitted as `accounts.google.com:aud`. Optional. */
  serviceAccountEmail?: string;
  /** The audience `fromGcpServiceAccount` requests. Default `"sts.amazonaws.com"`. */
  audience?: string;
}

/** An IAM role trust policy document for `fromGcpServiceAccount`. */
export interface AwsTrustPolicy {
  Version: "2012-10-17";
  Statement: Array<{
    Effect: "Allow";
    Principal: { Federated: "accounts.google.com" };
    Action: "sts:AssumeRoleWithWebIdentity";
    Condition: { StringEquals: Record<string, string | string[]> };
  }>;
}

/**
 * The trust policy that lets exactly one Google service account assume the role through
 * `fromGcpServiceAccount` with one audience. AWS compares `accounts.google.com:aud` with the
 * token's `azp` (the unique ID), `accounts.google.com:oaud` with its `aud`, and
 * `accounts.google.com:sub` with its `sub`. Google is a built-in provider: create no OIDC provider.
 */
export function awsTrustPolicy(options: AwsTrustPolicyOptions): AwsTrustPolicy {
  const { serviceAccountUniqueId, serviceAccountEmail, audience = DEFAULT_AUDIENCE } = options ?? ({} as AwsTrustPolicyOptions);
  if (typeof serviceAccountUniqueId !== "string" || !/^\d{1,32}$/.test(serviceAccountUniqueId)) {
    throw new TypeError(
      `awsTrustPolicy: serviceAccountUniqueId must be the service account's numeric unique ID (21 digits, from gcloud iam service-accounts describe), got ${describeValue(serviceAccountUniqueId)}`,
    );
  }
  if (serviceAccountEmail !== undefined && (typeof serviceAccountEmail !== "string" || !/^[^\s@]+@[^\s@]+$/.test(serviceAccountEmail))) {
    throw new TypeError(`awsTrustPolicy: serviceAccountEmail must be an email address, got ${describeValue(serviceAccountEmail)}`);
  }
  if (typeof audience !== "string" || audience.trim() === "") {
    throw new TypeError(`awsTrustPolicy: audience must be a non-empty string, got ${describeValue(audience)}`);
  }
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: "accounts.google.com" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "accounts.google.com:aud": serviceAccountEmail ? [serviceAccountUniqueId, serviceAccountEmail] : serviceAccountUniqueId,
            "accounts.google.com:oaud": audience,
            "accounts.google.com:sub": serviceAccountUniqueId,
          },
        },
      },
    ],
  };
}
