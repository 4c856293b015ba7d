import { afterEach, describe, expect, it, vi } from "vitest";
import { createFakeGoogleSts, type FakeGoogleSts, type FakeGoogleStsOptions } from "../../src/testing/index.js";
import {
  AUDIENCE,
  CLOUD_PLATFORM,
  LONG_TERM,
  TEMPORARY,
  awsSecrets,
  exchange,
  setHeader,
  signedSubjectToken,
  tamper,
} from "./googleStsFixtures.js";

let fake: FakeGoogleSts | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await fake?.close();
  fake = undefined;
});

async function start(opts: Partial<FakeGoogleStsOptions> = {}): Promise<FakeGoogleSts> {
  fake = await createFakeGoogleSts({ awsSecrets, ...opts });
  return fake;
}

/** The OAuth error of a rejected exchange, asserting nothing was accepted. */
async function oauthError(sts: FakeGoogleSts, res: Response): Promise<{ error: string; error_description: string }> {
  expect(res.status).toBe(400);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(sts.exchanges).toBe(0);
  expect(sts.issuedAccessTokens).toEqual([]);
  return (await res.json()) as { error: string; error_description: string };
}

describe("createFakeGoogleSts: token exchange", () => {
  it("exchanges a SigV4-signed GetCallerIdentity for a federated token and records the signer", async () => {
    const sts = await start({ audience: AUDIENCE, accessTokenLifetimeSeconds: 1800 });
    const res = await exchange(sts, await signedSubjectToken(TEMPORARY, { region: "eu-west-1" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.stringMatching(/^ya29\.fed-[\w-]{40,}$/),
      issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
      token_type: "Bearer",
      expires_in: 1800,
    });
    expect(sts.exchanges).toBe(1);
    expect(sts.issuedAccessTokens).toEqual([body.access_token]);
    expect(sts.acceptedExchanges[0]).toMatchObject({
      accessKeyId: TEMPORARY.accessKeyId,
      region: "eu-west-1",
      audience: AUDIENCE,
      scopes: [CLOUD_PLATFORM],
      accessToken: body.access_token,
      signedHeaders: ["host", "x-amz-date", "x-amz-security-token"],
    });
    expect(sts.acceptedExchanges[0]!.subjectToken.url).toBe(
      "https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
    );
    expect(sts.requests.map((r) => r.action)).toEqual(["ExchangeToken"]);
  });

  it("accepts a long-term key without a session token", async () => {
    const sts = await start();
    expect((await exchange(sts, await signedSubjectToken(LONG_TERM))).status).toBe(200);
    expect(sts.acceptedExchanges.map((e) => e.accessKeyId)).toEqual([LONG_TERM.accessKeyId]);
  });

  it("rejects another audience with invalid_target", async () => {
    const sts = await start({ audience: AUDIENCE });
    const other = AUDIENCE.replace("providers/x", "providers/y");
    const res = await exchange(sts, await signedSubjectToken(TEMPORARY, { audience: other }), { audience: other });
    expect(await oauthError(sts, res)).toMatchObject({ error: "invalid_target" });
  });

  it("rejects a subject token whose x-goog-cloud-target-resource is not the audience", async () => {
    const sts = await start();
    const subject = tamper(await signedSubjectToken(TEMPORARY), (t) => setHeader(t, "x-goog-cloud-target-resource", "//elsewhere"));
    const { error, error_description } = await oauthError(sts, await exchange(sts, subject));
    expect(error).toBe("invalid_grant");
    expect(error_description).toMatch(/x-goog-cloud-target-resource header "\/\/elsewhere" does not match the audience/);
  });

  it("rejects a signature made with the wrong secret with invalid_grant", async () => {
    const sts = await start();
    const res = await exchange(sts, await signedSubjectToken({ ...TEMPORARY, secretAccessKey: "not-the-secret" }));
    const { error, error_description } = await oauthError(sts, res);
    expect(error).toBe("invalid_grant");
    expect(error_description).toContain(
      "SignatureDoesNotMatch with error message: The request signature we calculated does not match the signature you provided.",
    );
  });

  it("rejects an unknown access key, an unsigned session token and a temporary key without one", async () => {
    const sts = await start();
    const unknown = await signedSubjectToken({ ...TEMPORARY, accessKeyId: "ASIAUNKNOWNKEY000000" });
    const unsignedToken = tamper(await signedSubjectToken(LONG_TERM), (t) => setHeader(t, "x-amz-security-token", "injected"));
    const noToken = await signedSubjectToken({ accessKeyId: TEMPORARY.accessKeyId, secretAccessKey: TEMPORARY.secretAccessKey });
    for (const subject of [unknown, unsignedToken, noToken]) {
      const { error, error_description } = await oauthError(sts, await exchange(sts, subject));
      expect([error, error_description]).toEqual([
        "invalid_grant",
        expect.stringContaining("InvalidClientTokenId with error message: The security token included in the request is invalid."),
      ]);
    }
  });

  it("rejects a subject token signed more than 15 minutes before the exchange", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
    const sts = await start();
    const subject = await signedSubjectToken(TEMPORARY);
    vi.setSystemTime(new Date("2030-01-01T00:15:01Z"));
    const { error, error_description } = await oauthError(sts, await exchange(sts, subject));
    expect([error, error_description]).toEqual(["invalid_grant", expect.stringContaining("Signature expired: 20300101T000000Z")]);
    vi.setSystemTime(new Date("2030-01-01T00:15:00Z"));
    expect((await exchange(sts, subject)).status).toBe(200);
  });

  it("rejects malformed subject tokens with invalid_request", async () => {
    const sts = await start();
    const good = await signedSubjectToken(TEMPORARY);
    const cases: Array<[string, string]> = [
      ["not json", "invalid_request"],
      [encodeURIComponent(JSON.stringify({ url: "https://sts.amazonaws.com", method: "POST" })), "invalid_request"],
      [tamper(good, (t) => (t.url = "https://evil.example.com?Action=GetCallerIdentity&Version=2011-06-15")), "invalid_request"],
      [tamper(good, (t) => (t.url = "https://sts.us-east-1.amazonaws.com?Action=AssumeRole&Version=2011-06-15")), "invalid_request"],
      [tamper(good, (t) => (t.method = "GET")), "invalid_request"],
      [tamper(good, (t) => (t.headers = t.headers.filter((h) => h.key !== "x-goog-cloud-target-resource"))), "invalid_request"],
      // AWS itself would refuse an unsigned request (IncompleteSignature), which Google relays as invalid_grant.
      [tamper(good, (t) => (t.headers = t.headers.filter((h) => h.key !== "authorization"))), "invalid_grant"],
    ];
    for (const [subject, expected] of cases) {
      expect((await oauthError(sts, await exchange(sts, subject))).error, decodeURIComponent(subject).slice(0, 80)).toBe(expected);
    }
  });

  it("checks the grant type and token types of the form", async () => {
    const sts = await start();
    const subject = await signedSubjectToken(TEMPORARY);
    const grant = await oauthError(sts, await exchange(sts, subject, { grant_type: "client_credentials" }));
    expect(grant.error).toBe("unsupported_grant_type");
    const type = await oauthError(sts, await exchange(sts, subject, { subject_token_type: "urn:ietf:params:oauth:token-type:jwt" }));
    expect(type.error).toBe("invalid_request");
    const requested = await oauthError(sts, await exchange(sts, subject, { requested_token_type: "urn:x" }));
    expect(requested.error).toBe("invalid_request");
  });

  it("renders scripted failures in the OAuth error shape", async () => {
    const sts = await start();
    sts.failNext({ code: "invalid_grant", message: "scripted" });
    sts.failNext({ status: 503 });
    const subject = await signedSubjectToken(TEMPORARY);
    const first = await exchange(sts, subject);
    expect([first.status, await first.json()]).toEqual([400, { error: "invalid_grant", error_description: "scripted" }]);
    const second = await exchange(sts, subject);
    expect([second.status, await second.json()]).toEqual([503, { error: "server_error", error_description: "server_error" }]);
    expect((await exchange(sts, subject)).status).toBe(200);
    expect(() => createFakeGoogleSts({} as FakeGoogleStsOptions)).toThrow(/awsSecrets must be a function/);
  });
});
