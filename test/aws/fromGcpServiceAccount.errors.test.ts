import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CrossCloudCredentialsError, fromGcpServiceAccount } from "../../src/index.js";
import { createFakeAwsSts, mockTokenSource } from "../../src/testing/index.js";
import { ROLE_ARN } from "../helpers/gcpToAws.js";
import { captureLogger, causeChainText } from "../helpers/leaks.js";

describe("fromGcpServiceAccount errors", () => {
  let sts: Awaited<ReturnType<typeof createFakeAwsSts>>;
  const tokens = mockTokenSource({ sub: "111111111111111111111", azp: "111111111111111111111", email: "planted@my-project.iam.gserviceaccount.com" });
  beforeEach(async () => {
    sts = await createFakeAwsSts({
      identityProviders: [tokens],
      trustPolicy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Federated: "accounts.google.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "accounts.google.com:oaud": "pinned-audience" } } }],
      },
    });
  });
  afterEach(() => sts.close());

  it("explains AccessDenied with the claims AWS compared and the role ARN, and leaks no token or secret", async () => {
    const logger = captureLogger();
    const provider = fromGcpServiceAccount({
      roleArn: ROLE_ARN,
      audience: "pinned-audience",
      tokenSource: tokens,
      logger,
      clientConfig: { region: "eu-west-1", endpoint: sts.url, logger },
    });
    const good = await provider(); // plants a session secret and session token in memory
    const error = (await fromGcpServiceAccount({ roleArn: ROLE_ARN, audience: "wrong-audience", tokenSource: tokens, logger, clientConfig: { region: "eu-west-1", endpoint: sts.url, logger } })().catch(
      (e: unknown) => e,
    )) as CrossCloudCredentialsError;
    await provider({ forceRefresh: true }).catch(() => undefined);

    expect(error).toBeInstanceOf(CrossCloudCredentialsError);
    expect(error.code).toBe("STS_ACCESS_DENIED");
    expect(error.message).toContain(ROLE_ARN);
    expect(error.message).toContain('aud="wrong-audience"');
    expect(error.message).toContain('azp="111111111111111111111"');
    expect(error.message).toContain('sub="111111111111111111111"');
    expect(error.message).toContain("accounts.google.com:oaud");
    expect(error.requestId).toMatch(/\S/);

    const secrets = [...tokens.issuedTokens, good.secretAccessKey, good.sessionToken, ...sts.issuedCredentials.flatMap((c) => [c.secretAccessKey, c.sessionToken])];
    expect(secrets.length).toBeGreaterThan(3);
    const outputs = [error.message, causeChainText(error), JSON.stringify(error), String(error.stack), logger.text()];
    for (const output of outputs) for (const secret of secrets) expect(output).not.toContain(secret);
    expect(logger.lines.length).toBeGreaterThan(0);
  });

  it("wraps a throwing token source as TOKEN_SOURCE_FAILED without its secret-bearing message", async () => {
    const planted = tokens.issuedTokens[0] ?? (await tokens({ audience: "x" }));
    const provider = fromGcpServiceAccount({
      roleArn: ROLE_ARN,
      tokenSource: async () => {
        throw new Error(`upstream echoed ${planted}`);
      },
      clientConfig: { endpoint: sts.url },
    });
    const error = (await provider().catch((e: unknown) => e)) as CrossCloudCredentialsError;
    expect(error.code).toBe("TOKEN_SOURCE_FAILED");
    expect(error.message).toContain("token source failed");
    expect(error.message + causeChainText(error) + JSON.stringify(error)).not.toContain(planted);
  });

  it("rejects a token source answer that is not a JWT", async () => {
    const provider = fromGcpServiceAccount({ roleArn: ROLE_ARN, tokenSource: async () => "not a jwt", clientConfig: { endpoint: sts.url } });
    await expect(provider()).rejects.toMatchObject({ code: "TOKEN_SOURCE_FAILED", message: expect.stringContaining("not a JWT") });
    expect(sts.requests).toHaveLength(0);
  });

  it("never sends a token within a minute of its exp: it fetches another and sends that", async () => {
    let calls = 0;
    const fresh = mockTokenSource();
    const nearlyExpired = mockTokenSource({ exp: Math.floor(Date.now() / 1000) + 30 });
    const source = async (request: { audience: string }) => (++calls === 1 ? nearlyExpired(request) : fresh(request));
    const trusting = await createFakeAwsSts({ identityProviders: [fresh, nearlyExpired] });
    try {
      await fromGcpServiceAccount({ roleArn: ROLE_ARN, tokenSource: source, clientConfig: { endpoint: trusting.url } })();
      expect(calls).toBe(2);
      expect(new URLSearchParams(trusting.requests[0]!.body).get("WebIdentityToken")).toBe(fresh.issuedTokens[0]);
    } finally {
      await trusting.close();
    }
  });

  it("keeps the token and secrets that STS echoes out of the error, and keeps no SDK response in cause", async () => {
    const token = await tokens({ audience: "pinned-audience" });
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    const provider = fromGcpServiceAccount({ roleArn: ROLE_ARN, audience: "pinned-audience", tokenSource: async () => token, clientConfig: { region: "us-east-1", endpoint: sts.url } });
    sts.failNext({ code: "InvalidIdentityToken", status: 400, message: `The token ${token} is not valid`, match: (r) => r.action === "AssumeRoleWithWebIdentity" });
    const echoed = (await provider().catch((e: unknown) => e)) as CrossCloudCredentialsError;
    sts.failNext({ status: 200, body: `<AssumeRoleWithWebIdentityResponse><Credentials><SecretAccessKey>${secret}</SecretAccessKey>`, count: 3, match: (r) => r.action === "AssumeRoleWithWebIdentity" });
    const malformed = (await provider().catch((e: unknown) => e)) as CrossCloudCredentialsError;
    expect(echoed.code).toBe("STS_INVALID_IDENTITY_TOKEN");
    expect(malformed.code).toBe("STS_UNAVAILABLE");
    for (const error of [echoed, malformed]) {
      const text = error.message + causeChainText(error) + JSON.stringify(error);
      expect(text).not.toContain(token);
      expect(text).not.toContain(secret);
      expect(Object.keys(error.cause as object)).not.toContain("$response");
      expect(Object.keys(error.cause as object)).not.toContain("$metadata");
    }
  });

  it("does not retry a local error such as a malformed endpoint, and says it is not a network problem", async () => {
    const provider = fromGcpServiceAccount({ roleArn: ROLE_ARN, audience: "pinned-audience", tokenSource: tokens, clientConfig: { region: "us-east-1", endpoint: "not a url" } });
    const started = Date.now();
    await expect(provider()).rejects.toMatchObject({ code: "STS_ERROR" });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("fetches a second token when the first is within a minute of exp, and fails typed when it is expired", async () => {
    const expired = mockTokenSource({ exp: Math.floor(Date.now() / 1000) - 10 });
    const provider = fromGcpServiceAccount({ roleArn: ROLE_ARN, tokenSource: expired, clientConfig: { endpoint: sts.url } });
    await expect(provider()).rejects.toMatchObject({ code: "ID_TOKEN_EXPIRED" });
    expect(expired.calls).toBe(2);
    expect(sts.requests).toHaveLength(0);
  });
});
