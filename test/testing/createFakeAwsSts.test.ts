import {
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
  type AssumeRoleWithWebIdentityCommandInput,
  type Credentials,
} from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createFakeAwsSts,
  createFakeGcpMetadataServer,
  mockTokenSource,
  type FakeAwsSts,
  type FakeAwsStsOptions,
} from "../../src/testing/index.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/service/gcp-reader";
const UNIQUE_ID = "108123456789012345678";
let sts: FakeAwsSts | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await sts?.close();
  sts = undefined;
});

async function start(opts: FakeAwsStsOptions): Promise<FakeAwsSts> {
  sts = await createFakeAwsSts(opts);
  return sts;
}

const client = (fake: FakeAwsSts, credentials?: Credentials) =>
  new STSClient({
    endpoint: fake.url,
    region: "us-east-1",
    maxAttempts: 1,
    ...(credentials && {
      credentials: {
        accessKeyId: credentials.AccessKeyId!,
        secretAccessKey: credentials.SecretAccessKey!,
        sessionToken: credentials.SessionToken!,
      },
    }),
  });

const assume = (fake: FakeAwsSts, token: string, extra: Partial<AssumeRoleWithWebIdentityCommandInput> = {}) =>
  client(fake).send(
    new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE_ARN, RoleSessionName: "gcp-workload", WebIdentityToken: token, ...extra }),
  );

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable("expected the STS call to fail"),
    (error: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => error,
  );

const trustPolicy = (conditions: Record<string, unknown>) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: "accounts.google.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: conditions },
    },
  ],
});

describe("createFakeAwsSts with the AWS SDK STSClient", () => {
  it("exchanges a metadata-server ID token, then verifies GetCallerIdentity signed with the result", async () => {
    const metadata = await createFakeGcpMetadataServer();
    try {
      const fake = await start({ identityProviders: [metadata] });
      const token = await (
        await fetch(`${metadata.url}/computeMetadata/v1/instance/service-accounts/default/identity?audience=sts.amazonaws.com&format=full`, {
          headers: { "Metadata-Flavor": "Google" },
        })
      ).text();
      const before = Date.now();
      const out = await assume(fake, token, { DurationSeconds: 900 });

      const [issued] = fake.issuedCredentials;
      expect(fake.issuedCredentials).toHaveLength(1);
      expect(out.Credentials).toEqual({
        AccessKeyId: issued!.accessKeyId,
        SecretAccessKey: issued!.secretAccessKey,
        SessionToken: issued!.sessionToken,
        Expiration: issued!.expiration,
      });
      expect(issued!.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
      expect(issued!.sessionToken.length).toBeGreaterThan(300);
      expect(issued!.expiration.getTime() - before).toBeGreaterThan(898_000);
      expect(issued!.expiration.getTime() - before).toBeLessThanOrEqual(900_000);
      expect(issued).toMatchObject({ roleArn: ROLE_ARN, roleSessionName: "gcp-workload", durationSeconds: 900 });
      expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::123456789012:assumed-role/gcp-reader/gcp-workload");
      expect(out.SubjectFromWebIdentityToken).toBe(UNIQUE_ID);
      expect(out.Provider).toBe("accounts.google.com");
      expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);

      const identity = await client(fake, out.Credentials).send(new GetCallerIdentityCommand({}));
      expect(identity).toMatchObject({
        Account: "123456789012",
        Arn: "arn:aws:sts::123456789012:assumed-role/gcp-reader/gcp-workload",
        UserId: expect.stringMatching(/^AROA[A-Z2-7]{17}:gcp-workload$/),
      });
      expect(fake.verifiedCallerIdentityCalls).toBe(1);
      expect(fake.count("AssumeRoleWithWebIdentity")).toBe(1);
      expect(fake.count("GetCallerIdentity")).toBe(1);
      expect(fake.requests[1]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIA/);
    } finally {
      await metadata.close();
    }
  });

  it("rejects GetCallerIdentity signed with a wrong secret, an unknown key or after expiry", async () => {
    const source = mockTokenSource();
    const fake = await start({ identityProviders: [source] });
    const { Credentials } = await assume(fake, await source({ audience: "sts.amazonaws.com" }));

    const wrongSecret = await rejection(client(fake, { ...Credentials!, SecretAccessKey: "x".repeat(40) }).send(new GetCallerIdentityCommand({})));
    expect([wrongSecret.name, wrongSecret.$metadata?.httpStatusCode]).toEqual(["SignatureDoesNotMatch", 403]);
    const unknownKey = await rejection(client(fake, { ...Credentials!, AccessKeyId: "ASIAUNKNOWNUNKNOWN00" }).send(new GetCallerIdentityCommand({})));
    expect([unknownKey.name, unknownKey.$metadata?.httpStatusCode]).toEqual(["InvalidClientTokenId", 403]);
    const wrongToken = await rejection(client(fake, { ...Credentials!, SessionToken: "other" }).send(new GetCallerIdentityCommand({})));
    expect(wrongToken.name).toBe("InvalidClientTokenId");

    vi.useFakeTimers({ toFake: ["Date"], now: Credentials!.Expiration!.getTime() + 1000 });
    const expired = await rejection(client(fake, Credentials).send(new GetCallerIdentityCommand({})));
    expect([expired.name, expired.$metadata?.httpStatusCode]).toEqual(["ExpiredToken", 400]);
    expect(fake.verifiedCallerIdentityCalls).toBe(0);
    expect(fake.count("GetCallerIdentity")).toBe(4);
  });

  it("maps accounts.google.com:aud to the token's azp, and :oaud to its aud", async () => {
    const source = mockTokenSource();
    const token = await source({ audience: "sts.amazonaws.com" });
    const conditions = { "accounts.google.com:aud": UNIQUE_ID, "accounts.google.com:oaud": "sts.amazonaws.com", "accounts.google.com:sub": UNIQUE_ID };
    const fake = await start({ identityProviders: [source], trustPolicy: trustPolicy(conditions) });
    await expect(assume(fake, token)).resolves.toMatchObject({ Credentials: { AccessKeyId: expect.any(String) } });

    for (const denied of [
      { ...conditions, "accounts.google.com:oaud": "other-audience" },
      { ...conditions, "accounts.google.com:aud": "sts.amazonaws.com" },
    ]) {
      const other = await createFakeAwsSts({ identityProviders: [source], trustPolicy: trustPolicy(denied) });
      try {
        const error = await rejection(assume(other, token));
        expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual([
          "AccessDenied",
          "Not authorized to perform sts:AssumeRoleWithWebIdentity",
          403,
        ]);
        expect(other.issuedCredentials).toEqual([]);
      } finally {
        await other.close();
      }
    }
  });

  it("answers ExpiredTokenException for an ID token past its exp", async () => {
    const now = Math.floor(Date.now() / 1000);
    const source = mockTokenSource({ iat: now - 3600, exp: now - 1 });
    const fake = await start({ identityProviders: [source] });
    const error = await rejection(assume(fake, await source({ audience: "sts.amazonaws.com" })));
    expect(error.name).toBe("ExpiredTokenException");
    expect(error.message).toMatch(/^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/);
  });

  it("answers InvalidIdentityToken for an untrusted signer, a tampered token or a foreign issuer", async () => {
    const trusted = mockTokenSource();
    const fake = await start({ identityProviders: [mockTokenSource(), trusted] });
    expect((await assume(fake, await trusted({ audience: "a" }))).Credentials).toBeDefined();
    const untrusted = await rejection(assume(fake, await mockTokenSource()({ audience: "a" })));
    expect(untrusted.name).toBe("InvalidIdentityTokenException");
    const [h, , s] = (await trusted({ audience: "a" })).split(".");
    const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: "x", exp: 2e9, iss: "https://accounts.google.com" })).toString("base64url")}.${s}`;
    expect((await rejection(assume(fake, tampered))).name).toBe("InvalidIdentityTokenException");
    expect((await rejection(assume(fake, "not-a-jwt"))).message).toMatch(/not a valid JWT/);
    const foreign = mockTokenSource({ iss: "https://token.actions.githubusercontent.com" });
    const other = await createFakeAwsSts({ identityProviders: [foreign] });
    try {
      expect((await rejection(assume(other, await foreign({ audience: "a" })))).name).toBe("InvalidIdentityTokenException");
    } finally {
      await other.close();
    }
  });

  it("validates DurationSeconds against the range and the role's MaxSessionDuration", async () => {
    const source = mockTokenSource();
    const fake = await start({ identityProviders: [source], maxSessionDurationSeconds: 3600 });
    const token = await source({ audience: "a" });
    const tooLong = await rejection(assume(fake, token, { DurationSeconds: 7200 }));
    expect([tooLong.name, tooLong.message]).toEqual([
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    ]);
    expect((await rejection(assume(fake, token, { DurationSeconds: 899 }))).message).toMatch(/greater than or equal to 900/);
    expect((await rejection(assume(fake, token, { RoleSessionName: "bad name" }))).name).toBe("ValidationError");
    expect((await rejection(assume(fake, token, { RoleArn: "arn:aws:iam::123:role/x" }))).name).toBe("ValidationError");
    expect(fake.issuedCredentials).toEqual([]);
  });

  it("records session policies", async () => {
    const source = mockTokenSource();
    const fake = await start({ identityProviders: [source] });
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [] });
    const arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/extra"];
    await assume(fake, await source({ audience: "a" }), { Policy: policy, PolicyArns: arns.map((arn) => ({ arn })) });
    expect(fake.issuedCredentials[0]).toMatchObject({ policy, policyArns: arns });
    const malformed = await rejection(assume(fake, await source({ audience: "a" }), { Policy: "{" }));
    expect(malformed.name).toBe("MalformedPolicyDocumentException"); // wire code MalformedPolicyDocument
  });

  it("renders a scripted Throttling for one action in AWS's XML, which the SDK parses", async () => {
    const source = mockTokenSource();
    const fake = await start({ identityProviders: [source] });
    fake.failNext({ code: "Throttling", message: "Rate exceeded", match: (r) => r.action === "AssumeRoleWithWebIdentity" });
    const bogus = { AccessKeyId: "ASIABOGUSBOGUSBOGUS0", SecretAccessKey: "s", SessionToken: "t", Expiration: undefined };
    const other = await rejection(client(fake, bogus).send(new GetCallerIdentityCommand({})));
    expect([other.name, fake.count("GetCallerIdentity")]).toEqual(["InvalidClientTokenId", 1]);
    const error = await rejection(assume(fake, await source({ audience: "a" })));
    expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual(["Throttling", "Rate exceeded", 400]);
    expect(error.$metadata).toMatchObject({ requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect((await assume(fake, await source({ audience: "a" }))).Credentials).toBeDefined();
    expect(fake.count("AssumeRoleWithWebIdentity")).toBe(2);
  });

  it("answers the raw STS XML error shape with x-amzn-RequestId", async () => {
    const fake = await start({});
    fake.failNext({ status: 503 });
    const res = await fetch(fake.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=AssumeRoleWithWebIdentity&Version=2011-06-15",
    });
    const requestId = res.headers.get("x-amzn-requestid");
    expect([res.status, res.headers.get("content-type")]).toEqual([503, "text/xml"]);
    expect(await res.text()).toBe(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Receiver</Type>' +
        `<Code>InternalFailure</Code><Message>InternalFailure</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>\n`,
    );
    const invalid = await fetch(fake.url, { method: "POST", body: "Action=Nope&Version=2011-06-15" });
    expect([invalid.status, await invalid.text()]).toEqual([400, expect.stringContaining("<Code>InvalidAction</Code>")]);
  });
});
