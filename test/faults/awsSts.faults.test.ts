import { awsTrustPolicy } from "../../src/index.js";
import { ASSUME } from "../helpers/gcpToAws.js";
import { describeFaults } from "./faultMatrix.js";
import { ASSUME_ROLE, gcpToAwsHarness, IDENTITY, type GcpToAwsFaultEnv, type GcpToAwsFaultRow } from "./gcpToAwsHarness.js";

const KEY_RETRIEVAL = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";
/**
 * "An answer after 20 s" against the STS client's 10 s request timeout, scaled by 1/10 so three
 * attempts take seconds: the public option `clientConfig.requestHandler: { requestTimeout: 1000 }`
 * and an answer after 2 s, still twice the timeout.
 */
const SCALED_ANSWER_DELAY_MS = 2_000;
const SHORT_REQUEST_TIMEOUT = { clientConfig: { requestHandler: { requestTimeout: 1_000 } } };
const NO_TIMEOUT_FLAG = "the CLI has no request-timeout flag (10 s default: 3 attempts take 30 s)";

/** STS's answer to a token that it accepted, with planted credentials, cut off mid-document. */
const truncatedXml = (env: GcpToAwsFaultEnv) => {
  const { secretAccessKey, sessionToken } = env.planted.awsSecrets();
  return (
    '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials>' +
    `<AccessKeyId>ASIAPLANTEDTRUNCATED</AccessKeyId><SecretAccessKey>${secretAccessKey}</SecretAccessKey><SessionToken>${sessionToken}</Sess`
  );
};

const stsFault = (code: string, status: number, message: string, count: number) => (env: GcpToAwsFaultEnv) =>
  env.sts.failNext({ code, status, message, count, match: ASSUME });

const once = (n: number) => ({ [IDENTITY]: 1, [ASSUME_ROLE]: n });

const rows: GcpToAwsFaultRow[] = [
  {
    fault: "Throttling twice, then OK",
    script: stsFault("Throttling", 400, "Rate exceeded", 2),
    expect: { summary: "recovers after retry", outcome: "ok", attempts: once(3) },
  },
  {
    fault: "Throttling on every call",
    script: stsFault("Throttling", 400, "Rate exceeded", Infinity),
    expect: { summary: "3 attempts, then a typed error", outcome: "STS_THROTTLED", attempts: once(3), message: /Share one provider instance/ },
  },
  {
    fault: "IDPCommunicationError once, then OK",
    script: stsFault("IDPCommunicationError", 400, "We are unable to reach the identity provider.", 1),
    expect: { summary: "recovers after retry", outcome: "ok", attempts: once(2) },
  },
  {
    fault: "IDPCommunicationError on every call",
    script: stsFault("IDPCommunicationError", 400, "We are unable to reach the identity provider.", Infinity),
    expect: { summary: "3 attempts, then a typed error", outcome: "STS_IDP_COMMUNICATION_ERROR", attempts: once(3), message: /transient/ },
  },
  {
    fault: "InvalidIdentityToken (key retrieval) once, then OK",
    script: stsFault("InvalidIdentityToken", 400, KEY_RETRIEVAL, 1),
    expect: { summary: "retried: transient", outcome: "ok", attempts: once(2) },
  },
  {
    fault: "InvalidIdentityToken (key retrieval) on every call",
    script: stsFault("InvalidIdentityToken", 400, KEY_RETRIEVAL, Infinity),
    expect: { summary: "3 attempts, then a typed error", outcome: "STS_INVALID_IDENTITY_TOKEN", attempts: once(3), message: /aud="sts\.amazonaws\.com"/ },
  },
  {
    fault: "InvalidIdentityToken (expired): `ExpiredTokenException` once, as AWS answers an expired ID token",
    script: stsFault("ExpiredTokenException", 400, "Token expired: current date/time must be before the expiration date/time", 1),
    expect: { summary: "one fresh ID token, then OK", outcome: "ok", attempts: { [IDENTITY]: 2, [ASSUME_ROLE]: 2 } },
  },
  {
    fault: "InvalidIdentityToken (expired): `ExpiredTokenException` on every call",
    script: stsFault("ExpiredTokenException", 400, "Token expired: current date/time must be before the expiration date/time", Infinity),
    expect: { summary: "one fresh ID token, then a typed error", outcome: "STS_EXPIRED_TOKEN", attempts: { [IDENTITY]: 2, [ASSUME_ROLE]: 2 }, message: /clock/ },
  },
  {
    fault: "InvalidIdentityToken (expired), sent as `InvalidIdentityToken` with an expiry message",
    script: stsFault("InvalidIdentityToken", 400, "Token is expired", Infinity),
    expect: { summary: "not retried, claims shown", outcome: "STS_INVALID_IDENTITY_TOKEN", attempts: once(1), message: /exp=\d{4}-/ },
  },
  {
    fault: "AccessDenied (the trust policy pins another subject)",
    sts: { trustPolicy: awsTrustPolicy({ serviceAccountUniqueId: "999999999999999999999" }) },
    script: () => undefined,
    expect: { summary: "not retried, claims and role shown", outcome: "STS_ACCESS_DENIED", attempts: once(1), message: /sub="108123456789012345678" \(compared with accounts\.google\.com:sub\)/ },
  },
  {
    fault: "RegionDisabledException",
    script: stsFault("RegionDisabledException", 403, "STS is not activated in this region for account:123456789012.", Infinity),
    expect: { summary: "not retried, typed error", outcome: "STS_REGION_DISABLED", attempts: once(1), message: /Activate STS in this region/ },
  },
  {
    fault: "ValidationError (durationSeconds 7200 above the role's MaxSessionDuration 3600)",
    sts: { maxSessionDurationSeconds: 3_600 },
    init: { durationSeconds: 7_200 },
    cliArgs: ["--duration-seconds", "7200"],
    script: () => undefined,
    expect: { summary: "not retried, typed error", outcome: "STS_VALIDATION_ERROR", attempts: once(1), message: /MaxSessionDuration/ },
  },
  {
    fault: "500 once, then OK",
    script: stsFault("InternalFailure", 500, "Internal failure", 1),
    expect: { summary: "recovers after retry", outcome: "ok", attempts: once(2) },
  },
  {
    fault: "500 on every call",
    script: stsFault("InternalFailure", 500, "Internal failure", Infinity),
    expect: { summary: "3 attempts, then a typed error", outcome: "STS_UNAVAILABLE", attempts: once(3) },
  },
  {
    fault: "malformed XML once (HTTP 200, cut off after planted credentials), then OK",
    script: (env) => env.sts.failNext({ status: 200, body: truncatedXml(env), match: ASSUME }),
    expect: { summary: "recovers after retry", outcome: "ok", attempts: once(2) },
  },
  {
    fault: "malformed XML on every call",
    script: (env) => env.sts.failNext({ status: 200, body: truncatedXml(env), count: Infinity, match: ASSUME }),
    expect: { summary: "3 attempts, then a typed error", outcome: "STS_UNAVAILABLE", attempts: once(3) },
  },
  {
    fault: "an answer after 20 s, once (scaled 1/10: answer after 2 s, requestTimeout 1 s)",
    init: SHORT_REQUEST_TIMEOUT,
    noCli: NO_TIMEOUT_FLAG,
    script: (env) => env.sts.failNext({ delayMs: SCALED_ANSWER_DELAY_MS, match: ASSUME }),
    expect: { summary: "times out, recovers after retry", outcome: "ok", attempts: once(2), withinMs: 3_000 },
  },
  {
    fault: "an answer after 20 s, every call (scaled 1/10: answer after 2 s, requestTimeout 1 s)",
    init: SHORT_REQUEST_TIMEOUT,
    noCli: NO_TIMEOUT_FLAG,
    script: (env) => env.sts.failNext({ delayMs: SCALED_ANSWER_DELAY_MS, count: Infinity, match: ASSUME }),
    expect: { summary: "3 timed-out attempts, then a typed error", outcome: "STS_UNAVAILABLE", attempts: once(3), withinMs: 6_000 },
  },
];

describeFaults("AWS STS", gcpToAwsHarness, rows);
