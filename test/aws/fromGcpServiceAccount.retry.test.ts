import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CrossCloudCredentialsError } from "../../src/index.js";
import { ASSUME, startGcpToAws, type GcpToAws } from "../helpers/gcpToAws.js";

let env: GcpToAws;
beforeEach(async () => {
  env = await startGcpToAws();
});
afterEach(async () => {
  await env.close();
});

const KEY_RETRIEVAL = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

// One row per STS answer in the retry table: how often it is sent, how many attempts reach STS, the outcome.
const table = [
  { wire: "IDPCommunicationError", status: 400, times: 1, attempts: 2, outcome: "ok" },
  { wire: "IDPCommunicationError", status: 400, times: 3, attempts: 3, outcome: "STS_IDP_COMMUNICATION_ERROR" },
  { wire: "Throttling", status: 400, times: 2, attempts: 3, outcome: "ok" },
  { wire: "Throttling", status: 400, times: 3, attempts: 3, outcome: "STS_THROTTLED" },
  { wire: "InvalidIdentityToken", status: 400, times: 1, attempts: 2, outcome: "ok", message: KEY_RETRIEVAL },
  { wire: "InvalidIdentityToken", status: 400, times: 1, attempts: 1, outcome: "STS_INVALID_IDENTITY_TOKEN", message: "Incorrect token audience" },
  { wire: "InternalFailure", status: 500, times: 3, attempts: 3, outcome: "STS_UNAVAILABLE" },
  { wire: "ServiceUnavailable", status: 503, times: 1, attempts: 2, outcome: "ok" },
  { wire: "AccessDenied", status: 403, times: 1, attempts: 1, outcome: "STS_ACCESS_DENIED" },
  { wire: "ValidationError", status: 400, times: 1, attempts: 1, outcome: "STS_VALIDATION_ERROR" },
  { wire: "MalformedPolicyDocument", status: 400, times: 1, attempts: 1, outcome: "STS_POLICY_REJECTED" },
  { wire: "PackedPolicyTooLarge", status: 400, times: 1, attempts: 1, outcome: "STS_POLICY_REJECTED" },
  { wire: "RegionDisabledException", status: 403, times: 1, attempts: 1, outcome: "STS_REGION_DISABLED" },
] as const;

describe("fromGcpServiceAccount STS retry classification", () => {
  for (const row of table) {
    const retried = row.attempts > 1 ? "retried" : "not retried";
    it(`${row.wire} (HTTP ${row.status}) x${row.times} is ${retried}: ${row.attempts} attempt(s), ${row.outcome}`, async () => {
      env.sts.failNext({ code: row.wire, status: row.status, message: "message" in row ? row.message : `${row.wire} from the fake`, count: row.times, match: ASSUME });
      const result = await env.provider()().then(
        () => "ok",
        (error: unknown) => {
          expect(error).toBeInstanceOf(CrossCloudCredentialsError);
          if (row.status < 500) expect((error as CrossCloudCredentialsError).stsErrorCode).toBe(row.wire);
          expect((error as CrossCloudCredentialsError).requestId).toMatch(/\S/);
          return (error as CrossCloudCredentialsError).code;
        },
      );
      expect(result).toBe(row.outcome);
      expect(env.assumeCalls()).toBe(row.attempts);
      expect(env.tokenFetches()).toBe(1);
    });
  }

  it("retries a dropped connection and an unparseable answer", async () => {
    env.sts.failNext({ drop: true, match: ASSUME });
    env.sts.failNext({ status: 200, body: "<AssumeRoleWithWebIdentityResponse><oops", match: ASSUME });
    await expect(env.provider()()).resolves.toMatchObject({ accountId: "123456789012" });
    expect(env.assumeCalls()).toBe(3);
  });

  it("gives up on a network failure after 3 attempts with STS_UNAVAILABLE", async () => {
    env.sts.failNext({ drop: true, count: 3, match: ASSUME });
    await expect(env.provider()()).rejects.toMatchObject({ code: "STS_UNAVAILABLE", tryNextLink: false });
    expect(env.assumeCalls()).toBe(3);
  });

  it("fetches a fresh ID token exactly once when STS answers ExpiredTokenException", async () => {
    env.sts.failNext({ code: "ExpiredTokenException", status: 400, message: "Token expired: current date/time must be before the expiration date/time", match: ASSUME });
    await expect(env.provider()()).resolves.toMatchObject({ accountId: "123456789012" });
    expect(env.tokenFetches()).toBe(2);
    expect(env.assumeCalls()).toBe(2);
  });

  it("does not retry ExpiredTokenException a second time after the refetch", async () => {
    env.sts.failNext({ code: "ExpiredTokenException", status: 400, message: "Token expired", count: 2, match: ASSUME });
    await expect(env.provider()()).rejects.toMatchObject({ code: "STS_EXPIRED_TOKEN", stsErrorCode: "ExpiredTokenException" });
    expect(env.tokenFetches()).toBe(2);
    expect(env.assumeCalls()).toBe(2);
  });
});
