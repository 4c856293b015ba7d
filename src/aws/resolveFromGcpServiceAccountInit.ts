import type { STSClientConfig } from "@aws-sdk/client-sts";
import type { Logger } from "@smithy/types";
import { ENV_ROLE_ARN, regionFromEnv } from "../internal/env.js";
import { redactingLogger } from "../internal/redactingLogger.js";
import { gceMetadataTokenSource } from "../tokenSources/gceMetadataTokenSource.js";
import type { TokenSource } from "../tokenSources/TokenSource.js";
import { describeValue } from "../internal/describeValue.js";

export const DEFAULT_AUDIENCE = "sts.amazonaws.com";
export const DEFAULT_DURATION_SECONDS = 3600;
export const DEFAULT_STS_REGION = "us-east-1";
export const ROLE_ARN = /^arn:[a-z][a-z0-9-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/){0,32}[\w+=,.@-]{1,64}$/;
export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const POLICY_ARN = /^arn:[a-z][a-z0-9-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]+$/;

/** Options of {@link fromGcpServiceAccount}. Only `roleArn` is required (or env `AWS_ROLE_ARN`). */
export interface FromGcpServiceAccountInit {
  /** Role to assume, `arn:<partition>:iam::<12 digits>:role/<path/name>`. Default: env `AWS_ROLE_ARN`. */
  roleArn?: string;
  /** `aud` of the Google ID token; pin it in the trust policy as `accounts.google.com:oaud`. Default `"sts.amazonaws.com"`. */
  audience?: string;
  /** Session name, `[\w+=,.@-]{2,64}`. Default: `gcp-` + the token's email local part (else `sub`), sanitized, cut to 64. */
  roleSessionName?: string;
  /** Session length in seconds, 900–43200, at most the role's `MaxSessionDuration`. Default 3600. */
  durationSeconds?: number;
  /** Inline session policy (a JSON policy document string) passed to STS. Default none. */
  policy?: string;
  /** Managed session policies passed to STS. Default none. */
  policyArns?: Array<{ arn: string }>;
  /** Where the Google ID token comes from. Default `gceMetadataTokenSource()`. */
  tokenSource?: TokenSource;
  /**
   * STS client config (`region`, `endpoint`, `requestHandler`, `logger`…). Default region:
   * `AWS_REGION`, `AWS_DEFAULT_REGION`, else `us-east-1`, at the regional endpoint; `AWS_ENDPOINT_URL_STS`
   * is honoured. `maxAttempts` is always 1: this provider applies its own retry policy.
   */
  clientConfig?: STSClientConfig;
  /** Receives debug lines only; never a token or secret. Default none. (`clientConfig.logger` is scrubbed of credentials too.) */
  logger?: Logger;
}

export interface FromGcpServiceAccountSettings {
  roleArn: string;
  accountId: string;
  audience: string;
  roleSessionName?: string;
  durationSeconds: number;
  policy?: string;
  policyArns?: Array<{ arn: string }>;
  tokenSource: TokenSource;
  clientConfig: STSClientConfig;
  logger?: Logger;
}

function fail(message: string): never {
  throw new TypeError(`fromGcpServiceAccount: ${message}`);
}

/** Validates user options and resolves defaults. Throws TypeError / RangeError naming the option. */
export function resolveFromGcpServiceAccountInit(init: FromGcpServiceAccountInit = {}): FromGcpServiceAccountSettings {
  if (typeof init !== "object" || init === null) fail("the argument must be an options object, e.g. { roleArn }");
  const roleArn = init.roleArn ?? process.env[ENV_ROLE_ARN];
  if (roleArn === undefined || roleArn === "") fail(`roleArn is required (or set env ${ENV_ROLE_ARN}), e.g. "arn:aws:iam::123456789012:role/gcp-reader"`);
  const arnMatch = typeof roleArn === "string" ? ROLE_ARN.exec(roleArn) : null;
  if (!arnMatch) fail(`roleArn must look like "arn:<partition>:iam::<12-digit account>:role/<path/name>", got ${describeValue(roleArn)}`);

  const audience = init.audience ?? DEFAULT_AUDIENCE;
  if (typeof audience !== "string" || audience.trim() === "") fail(`audience must be a non-empty string, got ${describeValue(audience)}`);

  const { roleSessionName } = init;
  if (roleSessionName !== undefined) {
    if (typeof roleSessionName !== "string") fail(`roleSessionName must be a string matching [\\w+=,.@-]{2,64}`);
    if (roleSessionName.length < 2 || roleSessionName.length > 64) {
      throw new RangeError(`fromGcpServiceAccount: roleSessionName must be 2 to 64 characters, got ${roleSessionName.length}`);
    }
    if (!ROLE_SESSION_NAME.test(roleSessionName)) fail(`roleSessionName may only hold letters, digits and + = , . @ _ -, got ${describeValue(roleSessionName)}`);
  }

  const durationSeconds = init.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (typeof durationSeconds !== "number" || !Number.isInteger(durationSeconds)) fail(`durationSeconds must be an integer number of seconds, got ${describeValue(durationSeconds)}`);
  if (durationSeconds < 900 || durationSeconds > 43200) {
    throw new RangeError(`fromGcpServiceAccount: durationSeconds must be between 900 and 43200 (and at most the role's MaxSessionDuration), got ${durationSeconds}`);
  }

  const { policy, policyArns } = init;
  if (policy !== undefined && (typeof policy !== "string" || !isJsonObject(policy))) fail("policy must be a JSON policy document string");
  if (policyArns !== undefined && (!Array.isArray(policyArns) || !policyArns.every((p) => typeof p?.arn === "string" && POLICY_ARN.test(p.arn)))) {
    fail('policyArns must be an array of { arn: "arn:aws:iam::<account or aws>:policy/<name>" }');
  }

  const tokenSource = init.tokenSource ?? gceMetadataTokenSource();
  if (typeof tokenSource !== "function") fail("tokenSource must be a function ({ audience }) => Promise<string>, e.g. gceMetadataTokenSource()");

  const { clientConfig = {}, logger } = init;
  if (typeof clientConfig !== "object" || clientConfig === null) fail("clientConfig must be an STSClientConfig object");
  if (logger !== undefined && (typeof logger !== "object" || logger === null || typeof logger.debug !== "function")) fail("logger must be an AWS SDK Logger ({ debug, info, warn, error })");

  return {
    roleArn: roleArn as string,
    accountId: (arnMatch as RegExpExecArray)[1] as string,
    audience,
    roleSessionName,
    durationSeconds,
    policy,
    policyArns,
    tokenSource,
    clientConfig: {
      region: regionFromEnv() ?? DEFAULT_STS_REGION,
      ...clientConfig,
      ...(clientConfig.logger ? { logger: redactingLogger(clientConfig.logger) } : {}),
    },
    logger: logger && redactingLogger(logger),
  };
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null;
  } catch {
    return false;
  }
}
