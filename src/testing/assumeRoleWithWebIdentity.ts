import { createHash, randomBytes } from "node:crypto";
import { verifyJwt, type Jwks } from "./createJwtIssuer.js";
import { evaluateTrustPolicy } from "./evaluateTrustPolicy.js";
import type { AwsSecretsFactory } from "./rotatingAwsCredentials.js";
import type { FakeResponse } from "./fakeHttpServer.js";
import { stsError, stsResult, xmlElement } from "./stsXml.js";

/** Temporary AWS credentials a fake STS issued, with the request that produced them. */
export interface IssuedAwsCredentials {
  /** `ASIA…` access key ID. */
  accessKeyId: string;
  /** Secret access key (random base64). */
  secretAccessKey: string;
  /** Session token (long random base64). */
  sessionToken: string;
  /** When the credentials expire (whole seconds, as on the wire). */
  expiration: Date;
  /** The role assumed. */
  roleArn: string;
  /** The session name requested. */
  roleSessionName: string;
  /** Lifetime requested, in seconds (3600 when not sent). */
  durationSeconds: number;
  /** `arn:<partition>:sts::<account>:assumed-role/<role name>/<session name>`. */
  assumedRoleArn: string;
  /** `AROA…:<session name>`. */
  assumedRoleId: string;
  /** 12-digit account of the role. */
  accountId: string;
  /** Inline session policy sent as `Policy`, if any. */
  policy?: string;
  /** Managed session policies sent as `PolicyArns.member.N.arn`, in order. */
  policyArns: string[];
}

/** What the action needs from its fake: trusted keys, trust policy, maximum duration. */
export interface AssumeRoleSettings {
  trustedJwks(): Jwks[];
  trustPolicy?: object;
  maxSessionDurationSeconds: number;
  /** Chooses the secret key and session token of issued credentials; default random. */
  secrets?: AwsSecretsFactory;
}

const ROLE_ARN = /^arn:([a-z][a-z-]*):iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ACCESS_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

const keyId = (prefix: string, length: number, seed: Buffer = randomBytes(length)): string =>
  prefix + Array.from(seed.subarray(0, length), (byte) => ACCESS_KEY_ALPHABET[byte % 32]).join("");

const notNull = (field: string) =>
  `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`;

/** `ManagedPolicyArn`s from `PolicyArns.member.N.arn`, ordered by N. */
function policyArnsOf(params: URLSearchParams): string[] {
  const members: Array<[number, string]> = [];
  for (const [name, value] of params) {
    const match = /^PolicyArns\.member\.(\d+)\.arn$/.exec(name);
    if (match) members.push([Number(match[1]), value]);
  }
  return members.sort(([a], [b]) => a - b).map(([, arn]) => arn);
}

/**
 * Handle `AssumeRoleWithWebIdentity` as AWS does for Google ID tokens: validate parameters, verify
 * the token against the trusted JWKS (`iss` must be `https://accounts.google.com`, `exp` in the
 * future), apply the trust policy, enforce the maximum session duration, then issue fresh credentials.
 */
export function assumeRoleWithWebIdentity(
  params: URLSearchParams,
  settings: AssumeRoleSettings,
  requestId: string,
): { response: FakeResponse; issued?: IssuedAwsCredentials } {
  const fail = (code: string, message: string) => ({ response: stsError(code, message, requestId) });
  const roleArn = params.get("RoleArn");
  const roleSessionName = params.get("RoleSessionName");
  const token = params.get("WebIdentityToken");
  if (roleArn === null) return fail("ValidationError", notNull("roleArn"));
  if (roleSessionName === null) return fail("ValidationError", notNull("roleSessionName"));
  if (token === null) return fail("ValidationError", notNull("webIdentityToken"));
  const arn = ROLE_ARN.exec(roleArn);
  if (!arn) return fail("ValidationError", `Request ARN is invalid: ${roleArn}`);
  if (!SESSION_NAME.test(roleSessionName)) {
    return fail(
      "ValidationError",
      `1 validation error detected: Value '${roleSessionName}' at 'roleSessionName' failed to satisfy constraint: ` +
        "Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64",
    );
  }
  const durationParam = params.get("DurationSeconds");
  const durationSeconds = durationParam === null ? 3600 : Number(durationParam);
  if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43200) {
    const bound = durationSeconds < 900 ? "greater than or equal to 900" : "less than or equal to 43200";
    return fail(
      "ValidationError",
      `1 validation error detected: Value '${durationParam}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${bound}`,
    );
  }
  const policy = params.get("Policy") ?? undefined;
  if (policy !== undefined) {
    try {
      JSON.parse(policy);
    } catch {
      return fail("MalformedPolicyDocument", "The policy is not in the valid JSON format.");
    }
  }

  const verified = verifyJwt(token, settings.trustedJwks());
  if (!verified.ok) {
    const messages = {
      malformed: "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
      "bad signature": "The signature of the web identity token could not be verified.",
      "unknown kid": "No key of the identity provider matches the kid of the web identity token.",
    };
    return fail("InvalidIdentityToken", messages[verified.reason]);
  }
  const { claims } = verified;
  if (claims.iss !== "https://accounts.google.com") {
    return fail("InvalidIdentityToken", `Token issuer ${String(claims.iss)} is not accounts.google.com`);
  }
  const nowSeconds = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== "number") return fail("InvalidIdentityToken", "The web identity token has no exp claim.");
  if (claims.exp <= nowSeconds) {
    return fail(
      "ExpiredTokenException",
      `Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${claims.exp}`,
    );
  }
  if (settings.trustPolicy && !evaluateTrustPolicy(settings.trustPolicy, claims)) {
    return fail("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
  }
  if (durationSeconds > settings.maxSessionDurationSeconds) {
    return fail("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }

  const [, partition, accountId, , roleName] = arn as unknown as [string, string, string, string, string];
  const roleId = keyId("AROA", 17, createHash("sha256").update(roleArn).digest());
  const planted = settings.secrets?.() ?? {};
  const issued: IssuedAwsCredentials = {
    accessKeyId: keyId("ASIA", 16),
    secretAccessKey: planted.secretAccessKey ?? randomBytes(30).toString("base64"),
    sessionToken: planted.sessionToken ?? randomBytes(300).toString("base64"),
    expiration: new Date(Math.floor(Date.now() / 1000 + durationSeconds) * 1000),
    roleArn,
    roleSessionName,
    durationSeconds,
    assumedRoleArn: `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${roleSessionName}`,
    assumedRoleId: `${roleId}:${roleSessionName}`,
    accountId,
    ...(policy !== undefined ? { policy } : {}),
    policyArns: policyArnsOf(params),
  };
  const result =
    xmlElement("SubjectFromWebIdentityToken", String(claims.sub)) +
    xmlElement("Audience", String(claims.azp ?? claims.aud)) +
    `<AssumedRoleUser>${xmlElement("Arn", issued.assumedRoleArn)}${xmlElement("AssumedRoleId", issued.assumedRoleId)}</AssumedRoleUser>` +
    `<Credentials>${xmlElement("AccessKeyId", issued.accessKeyId)}${xmlElement("SecretAccessKey", issued.secretAccessKey)}` +
    `${xmlElement("SessionToken", issued.sessionToken)}` +
    `${xmlElement("Expiration", issued.expiration.toISOString().replace(/\.\d{3}Z$/, "Z"))}</Credentials>` +
    xmlElement("Provider", "accounts.google.com");
  return { response: stsResult("AssumeRoleWithWebIdentity", result, requestId), issued };
}
