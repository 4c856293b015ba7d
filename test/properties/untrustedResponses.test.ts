import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CrossCloudCredentialsError, awsExternalAccountClient } from "../../src/index.js";
import { createFakeEc2Metadata, createFakeGoogleSts, type FakeGoogleSts } from "../../src/testing/index.js";
import { AUDIENCE, SERVICE_ACCOUNT, isolateAwsEnvironment } from "../helpers/awsToGcp.js";
import { ASSUME, startGcpToAws, type GcpToAws } from "../helpers/gcpToAws.js";
import { withoutNockInterceptor } from "../helpers/withoutNockInterceptor.js";

withoutNockInterceptor();

/** Longest a call may take on a bad answer: retries sleep a few hundred ms; google-auth-library's 5xx retries 2.1 s. */
const HANG_MS = 10_000;

/** Settles `promise`, or reports a hang after HANG_MS. */
async function outcomeOf<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown } | { hung: true }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<{ hung: true }>((resolve) => {
    timer = setTimeout(() => resolve({ hung: true }), HANG_MS);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value }), (error: unknown) => ({ error })), hang]);
  } finally {
    clearTimeout(timer);
  }
}

function expectTypedFailure(outcome: { value: unknown } | { error: unknown } | { hung: true }, what: string): void {
  expect("hung" in outcome, `${what}: the call hung`).toBe(false);
  if ("error" in outcome) {
    const error = outcome.error as Error;
    expect(error, `${what}: ${error?.name}: ${error?.message}`).toBeInstanceOf(CrossCloudCredentialsError);
    expect(typeof (error as CrossCloudCredentialsError).code).toBe("string");
  }
}

/** Bytes a broken or hostile server might send: raw bytes (not valid UTF-8), text, JWT-shaped junk, nothing. */
const junkBody = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 2048 }), weight: 3 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 500 }), weight: 2 },
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{1,80}\.[A-Za-z0-9_-]{0,40}$/), weight: 1 },
  { arbitrary: fc.constantFrom("", " ", "null", "{}", "[]", "<", "\u0000", "{\"access_token\":null}", "{\"access_token\":5}"), weight: 1 },
);

/** HTTP statuses, weighted to the interesting ones; 5xx answers are retried and so cost real time. */
const status = fc.oneof(
  { arbitrary: fc.constant(200), weight: 5 },
  { arbitrary: fc.integer({ min: 201, max: 499 }), weight: 3 },
  { arbitrary: fc.integer({ min: 500, max: 599 }), weight: 1 },
);

const xmlText = fc.oneof(fc.constant(""), fc.string({ maxLength: 30 }), fc.constantFrom("2030-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "not a date", "99999-01-01T00:00:00Z", "2030-02-30T25:61:00Z"));
/** An AssumeRoleWithWebIdentity answer with each part kept, dropped or garbled. */
const nearlyValidStsAnswer = fc
  .record({
    accessKeyId: fc.option(xmlText),
    secretAccessKey: fc.option(xmlText),
    sessionToken: fc.option(xmlText),
    expiration: fc.option(xmlText),
    truncateAt: fc.option(fc.nat(600)),
  })
  .map(({ accessKeyId, secretAccessKey, sessionToken, expiration, truncateAt }) => {
    const element = (name: string, value: string | null) => (value === null ? "" : `<${name}>${value.replace(/[<&]/g, "")}</${name}>`);
    const xml =
      `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials>` +
      element("AccessKeyId", accessKeyId) +
      element("SecretAccessKey", secretAccessKey) +
      element("SessionToken", sessionToken) +
      element("Expiration", expiration) +
      `</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`;
    return truncateAt === null ? xml : xml.slice(0, truncateAt);
  });

/** A complete answer whose credentials expired long ago. */
const EXPIRED_CREDENTIALS_ANSWER =
  `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials>` +
  `<AccessKeyId>ASIAEXPIRED000000000</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken>` +
  `<Expiration>1970-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`;

let run = 0;

describe("GCP → AWS: answers of arbitrary bytes from the metadata server and STS (property-based)", () => {
  let env: GcpToAws;
  beforeAll(async () => {
    env = await startGcpToAws();
  });
  afterAll(async () => {
    await env.close();
  });

  it("a metadata server answering any status and bytes makes the provider fail with a typed error, never hang", async () => {
    await fc.assert(
      fc.asyncProperty(status, junkBody, fc.boolean(), async (code, body, omitMetadataFlavor) => {
        const audience = `run-${++run}`;
        env.metadata.failNext({ status: code, body, omitMetadataFlavor, count: Infinity, match: (r) => r.url.searchParams.get("audience") === audience });
        const outcome = await outcomeOf(env.provider({ audience })());
        expectTypedFailure(outcome, `metadata HTTP ${code}`);
        expect("value" in outcome, "credentials from a junk ID token").toBe(false);
      }),
      { numRuns: 30, endOnFailure: true },
    );
  }, 60_000);

  it("STS answering any status and bytes makes the provider fail with a typed error (or return complete, unexpired credentials), never hang", async () => {
    await fc.assert(
      fc.asyncProperty(status, fc.oneof({ arbitrary: junkBody, weight: 2 }, { arbitrary: nearlyValidStsAnswer, weight: 2 }), async (code, body) => {
        const roleSessionName = `run-${++run}`;
        env.sts.failNext({ status: code, body, count: Infinity, match: (r) => ASSUME(r) && new URLSearchParams(r.body).get("RoleSessionName") === roleSessionName });
        const outcome = await outcomeOf(env.provider({ roleSessionName })());
        expectTypedFailure(outcome, `STS HTTP ${code}`);
        if ("value" in outcome) {
          const credentials = outcome.value;
          expect(credentials.accessKeyId && credentials.secretAccessKey && credentials.sessionToken).toBeTruthy();
          expect(Number.isNaN(credentials.expiration.getTime())).toBe(false);
          // Already expired by this machine's clock: useless, whoever is right (SigV4 tolerates 5 min of skew, not an hour).
          expect(credentials.expiration.getTime(), `credentials that expired at ${credentials.expiration.toISOString()}`).toBeGreaterThan(Date.now());
        }
      }),
      { numRuns: 25, endOnFailure: true, examples: [[200, EXPIRED_CREDENTIALS_ANSWER]] },
    );
  }, 60_000);

  it("a token source returning JWT-shaped tokens with any claims makes the provider fail with a typed error", async () => {
    const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const claim = fc.oneof(fc.jsonValue(), fc.double(), fc.constantFrom(1e20, -1e20, 8.64e12 + 1));
    await fc.assert(
      fc.asyncProperty(fc.record({ exp: claim, aud: claim, azp: claim, sub: claim, email: claim }, { requiredKeys: [] }), async (claims) => {
        const token = `eyJhbGciOiJSUzI1NiJ9.${base64url(claims)}.c2lnbmF0dXJl`;
        const outcome = await outcomeOf(env.provider({ tokenSource: async () => token })());
        expectTypedFailure(outcome, `claims ${JSON.stringify(claims)}`);
        expect("value" in outcome, "credentials for an unsigned token").toBe(false);
      }),
      { numRuns: 60, endOnFailure: true, examples: [[{ exp: 1e20 }], [{ exp: -1e20 }]] },
    );
  }, 60_000);
});

describe("AWS → GCP: answers of arbitrary bytes from IMDS and Google STS (property-based)", () => {
  let google: FakeGoogleSts;
  beforeAll(async () => {
    await isolateAwsEnvironment();
    vi.stubEnv("AWS_REGION", "eu-west-3");
    google = await createFakeGoogleSts({ audience: AUDIENCE, awsSecrets: () => undefined });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await google.close();
  });

  it("IMDS answering the credentials request with any status and bytes makes the client fail with a typed error, never hang", async () => {
    await fc.assert(
      fc.asyncProperty(status, fc.oneof(junkBody, fc.jsonValue().map((v) => JSON.stringify(v))), async (code, body) => {
        const ec2 = await createFakeEc2Metadata();
        try {
          ec2.failNext({ status: code, body, count: Infinity, match: (r) => r.action === "GetCredentials" });
          vi.stubEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ec2.url);
          const auth = awsExternalAccountClient({ audience: AUDIENCE, tokenUrl: google.tokenUrl });
          const outcome = await outcomeOf(auth.getRequestHeaders());
          expectTypedFailure(outcome, `IMDS HTTP ${code}`);
          expect("value" in outcome, "a Google token from junk AWS credentials").toBe(false);
        } finally {
          await ec2.close();
        }
      }),
      { numRuns: 20, endOnFailure: true },
    );
  }, 60_000);

  it("Google STS answering the token exchange with any status and bytes makes the client fail with a typed error, never hang or authorize with junk", async () => {
    const ec2 = await createFakeEc2Metadata();
    vi.stubEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ec2.url);
    // google-auth-library retries Google's 5xx answers for 2.1 s: mostly other statuses.
    const googleStatus = fc.oneof({ arbitrary: fc.constant(200), weight: 6 }, { arbitrary: fc.integer({ min: 201, max: 499 }), weight: 3 }, { arbitrary: fc.constant(503), weight: 1 });
    try {
      await fc.assert(
        fc.asyncProperty(googleStatus, junkBody, fc.boolean(), async (code, body, impersonate) => {
          const audience = `${AUDIENCE}-run-${++run}`;
          google.failNext({ status: code, body, count: Infinity, match: (r) => r.action === "ExchangeToken" && new URLSearchParams(r.body).get("audience") === audience });
          const auth = awsExternalAccountClient({
            audience,
            tokenUrl: google.tokenUrl,
            ...(impersonate ? { serviceAccountEmail: SERVICE_ACCOUNT, serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl(SERVICE_ACCOUNT) } : {}),
          });
          const outcome = await outcomeOf(auth.getRequestHeaders());
          expectTypedFailure(outcome, `Google STS HTTP ${code}${impersonate ? " (impersonating)" : ""}`);
          if ("value" in outcome) {
            expect.fail(`authorized with ${outcome.value.get("authorization")} from a junk token exchange answer (HTTP ${code})`);
          }
        }),
        { numRuns: 25, endOnFailure: true, examples: [[200, "not json", false], [200, "{}", false]] },
      );
    } finally {
      await ec2.close();
    }
  }, 60_000);
});
