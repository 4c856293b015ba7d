import { generateKeyPairSync } from "node:crypto";
import { GoogleAuth, OAuth2Client } from "google-auth-library";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { googleAuthTokenSource, impersonatedTokenSource } from "../../src/index.js";
import { mockTokenSource } from "../../src/testing/index.js";
import { causeChainText } from "../helpers/leaks.js";

function serviceAccountAuth() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return new GoogleAuth({
    projectId: "my-project",
    credentials: { client_email: "ci@my-project.iam.gserviceaccount.com", private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() },
  });
}

function callerClient() {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: "ya29.caller-access-token-planted", expiry_date: Date.now() + 3_600_000 });
  return client;
}

describe("googleAuthTokenSource", () => {
  it("gets an ID token for the audience through ADC service-account credentials", async () => {
    const idToken = await mockTokenSource()({ audience: "sts.amazonaws.com" });
    const scope = nock("https://oauth2.googleapis.com")
      .post("/token", (body: Record<string, string>) => typeof body.assertion === "string" && JSON.parse(Buffer.from(body.assertion.split(".")[1]!, "base64url").toString()).target_audience === "sts.amazonaws.com")
      .reply(200, { id_token: idToken });
    expect(await googleAuthTokenSource({ auth: serviceAccountAuth() })({ audience: "sts.amazonaws.com" })).toBe(idToken);
    scope.done();
  });

  it("turns Google's error into GOOGLE_AUTH_FAILED with Google's text", async () => {
    const scope = nock("https://oauth2.googleapis.com").post("/token").reply(400, { error: "invalid_grant", error_description: "Invalid JWT Signature." });
    await expect(googleAuthTokenSource({ auth: serviceAccountAuth() })({ audience: "a" })).rejects.toMatchObject({
      code: "GOOGLE_AUTH_FAILED",
      message: expect.stringContaining("invalid_grant: Invalid JWT Signature."),
    });
    scope.done();
  });

  it("rejects an auth option that is not a GoogleAuth", () => {
    expect(() => googleAuthTokenSource({ auth: {} as GoogleAuth })).toThrow(/auth must be a google-auth-library GoogleAuth/);
  });
});

describe("impersonatedTokenSource", () => {
  const target = "reader@my-project.iam.gserviceaccount.com";

  it("calls IAM Credentials generateIdToken with the audience and delegates, as the caller", async () => {
    const idToken = await mockTokenSource()({ audience: "sts.amazonaws.com" });
    const scope = nock("https://iamcredentials.googleapis.com", { reqheaders: { authorization: "Bearer ya29.caller-access-token-planted" } })
      .post(`/v1/projects/-/serviceAccounts/${encodeURIComponent(target)}:generateIdToken`, {
        audience: "sts.amazonaws.com",
        includeEmail: true,
        delegates: ["projects/-/serviceAccounts/hop@my-project.iam.gserviceaccount.com"],
      })
      .reply(200, { token: idToken });
    const source = impersonatedTokenSource({ targetServiceAccount: target, delegates: ["hop@my-project.iam.gserviceaccount.com"], auth: callerClient() });
    expect(await source({ audience: "sts.amazonaws.com" })).toBe(idToken);
    scope.done();
  });

  it("uses a private endpoint and reports a permission error without the caller's token", async () => {
    const scope = nock("https://iamcredentials.private.example")
      .post(/generateIdToken$/)
      .reply(403, { error: { code: 403, status: "PERMISSION_DENIED", message: "Permission 'iam.serviceAccounts.getOpenIdToken' denied" } });
    const source = impersonatedTokenSource({ targetServiceAccount: target, auth: callerClient(), endpoint: "https://iamcredentials.private.example" });
    const error = await source({ audience: "a" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "GOOGLE_AUTH_FAILED", message: expect.stringContaining("PERMISSION_DENIED: Permission 'iam.serviceAccounts.getOpenIdToken' denied") });
    expect(causeChainText(error) + JSON.stringify(error)).not.toContain("caller-access-token-planted");
    scope.done();
  });

  it("validates its options", () => {
    expect(() => impersonatedTokenSource({ targetServiceAccount: "nope" })).toThrow(/targetServiceAccount must be a service account email/);
    expect(() => impersonatedTokenSource({ targetServiceAccount: target, delegates: ["x"] })).toThrow(/delegates/);
  });
});
