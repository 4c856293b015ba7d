import { afterEach, describe, expect, it } from "vitest";
import { awsTrustPolicy, fromGcpServiceAccount } from "../../src/index.js";
import { createFakeAwsSts, mockTokenSource } from "../../src/testing/index.js";
import { ROLE_ARN } from "../helpers/gcpToAws.js";

const UNIQUE_ID = "108123456789012345678";
const EMAIL = "workload@my-project.iam.gserviceaccount.com";

describe("awsTrustPolicy", () => {
  let sts: Awaited<ReturnType<typeof createFakeAwsSts>> | undefined;
  afterEach(async () => {
    await sts?.close();
  });

  it("builds the Google web-identity trust policy with sub, oaud and aud (azp) pinned", () => {
    expect(awsTrustPolicy({ serviceAccountUniqueId: UNIQUE_ID, serviceAccountEmail: EMAIL })).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: "accounts.google.com" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { "accounts.google.com:aud": [UNIQUE_ID, EMAIL], "accounts.google.com:oaud": "sts.amazonaws.com", "accounts.google.com:sub": UNIQUE_ID } },
        },
      ],
    });
  });

  // The fake STS applies StringEquals with AWS's aud→azp mapping; each row is a token fromGcpServiceAccount could send.
  const cases = [
    { what: "the service account's token for the pinned audience", claims: {}, audience: "my-audience", admitted: true },
    { what: "a token for another audience", claims: {}, audience: "sts.amazonaws.com", admitted: false },
    { what: "another service account's token", claims: { sub: "999999999999999999999", azp: "999999999999999999999" }, audience: "my-audience", admitted: false },
    { what: "a token whose azp is another client", claims: { azp: "999999999999999999999" }, audience: "my-audience", admitted: false },
  ];
  for (const c of cases) {
    it(`${c.admitted ? "admits" : "rejects"} ${c.what}`, async () => {
      const tokens = mockTokenSource({ sub: UNIQUE_ID, azp: UNIQUE_ID, ...c.claims });
      sts = await createFakeAwsSts({ identityProviders: [tokens], trustPolicy: awsTrustPolicy({ serviceAccountUniqueId: UNIQUE_ID, audience: "my-audience" }) });
      const provider = fromGcpServiceAccount({ roleArn: ROLE_ARN, audience: c.audience, tokenSource: tokens, clientConfig: { endpoint: sts.url, region: "us-east-1" } });
      const outcome = await provider().then(
        () => "admitted",
        (e: { code: string }) => e.code,
      );
      expect(outcome).toBe(c.admitted ? "admitted" : "STS_ACCESS_DENIED");
    });
  }

  it("defaults the audience to the one fromGcpServiceAccount sends by default", async () => {
    const tokens = mockTokenSource({ sub: UNIQUE_ID, azp: UNIQUE_ID });
    sts = await createFakeAwsSts({ identityProviders: [tokens], trustPolicy: awsTrustPolicy({ serviceAccountUniqueId: UNIQUE_ID }) });
    await expect(fromGcpServiceAccount({ roleArn: ROLE_ARN, tokenSource: tokens, clientConfig: { endpoint: sts.url } })()).resolves.toMatchObject({ accountId: "123456789012" });
  });

  it("names the option and its form for bad input", () => {
    expect(() => awsTrustPolicy({ serviceAccountUniqueId: EMAIL })).toThrow(/serviceAccountUniqueId must be the service account's numeric unique ID/);
    expect(() => awsTrustPolicy({ serviceAccountUniqueId: UNIQUE_ID, serviceAccountEmail: "x" })).toThrow(/serviceAccountEmail must be an email/);
    expect(() => awsTrustPolicy({ serviceAccountUniqueId: UNIQUE_ID, audience: "" })).toThrow(/audience must be a non-empty string/);
  });
});
