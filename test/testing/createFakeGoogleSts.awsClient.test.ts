import { fromInstanceMetadata } from "@aws-sdk/credential-providers";
import { AwsClient, type AwsSecurityCredentials } from "google-auth-library";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createFakeEc2Metadata,
  createFakeGoogleSts,
  type FakeEc2Metadata,
  type FakeGoogleSts,
} from "../../src/testing/index.js";
import { AUDIENCE, CLOUD_PLATFORM, SERVICE_ACCOUNT } from "./googleStsFixtures.js";

// End to end with the real google-auth-library AwsClient (gaxios over loopback) and the AWS SDK's IMDS provider.
let ec2: FakeEc2Metadata;
let sts: FakeGoogleSts;
beforeEach(async () => {
  ec2 = await createFakeEc2Metadata({ region: "eu-west-1" });
  sts = await createFakeGoogleSts({ audience: AUDIENCE, awsSecrets: ec2.lookupSecret, serviceAccounts: [SERVICE_ACCOUNT] });
  vi.stubEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ec2.url);
});
afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await Promise.all([ec2.close(), sts.close()]);
});

/** An AwsClient whose supplier reads the EC2 fake through the AWS SDK, counting supplier calls. */
interface ClientSetup {
  impersonate?: boolean;
  scopes?: string[];
  wrongSecret?: boolean;
}

function awsClient({ impersonate = true, scopes, wrongSecret = false }: ClientSetup = {}) {
  const calls = { region: 0, credentials: 0 };
  const imds = fromInstanceMetadata({ timeout: 2000 });
  const client = new AwsClient({
    type: "external_account",
    audience: AUDIENCE,
    subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
    token_url: sts.tokenUrl,
    ...(impersonate ? { service_account_impersonation_url: sts.serviceAccountImpersonationUrl(SERVICE_ACCOUNT) } : {}),
    ...(scopes ? { scopes } : {}),
    aws_security_credentials_supplier: {
      getAwsRegion: async () => {
        calls.region += 1;
        return "eu-west-1";
      },
      getAwsSecurityCredentials: async (): Promise<AwsSecurityCredentials> => {
        calls.credentials += 1;
        const { accessKeyId, secretAccessKey, sessionToken } = await imds();
        return { accessKeyId, secretAccessKey: wrongSecret ? `${secretAccessKey}x` : secretAccessKey, token: sessionToken! };
      },
    },
  });
  return { client, calls };
}

const formOf = (action: string, index = 0) => new URLSearchParams(sts.requests.filter((r) => r.action === action)[index]!.body);

describe("createFakeGoogleSts with google-auth-library's AwsClient", () => {
  it("exchanges EC2 role credentials and impersonates the service account; the token reaches the API", async () => {
    const { client } = awsClient();
    const { token } = await client.getAccessToken();

    expect(token).toMatch(/^ya29\.sa-/);
    expect(sts.issuedAccessTokens).toEqual([expect.stringMatching(/^ya29\.fed-/), token]);
    expect([sts.exchanges, sts.impersonations]).toEqual([1, 1]);
    expect(sts.acceptedExchanges[0]).toMatchObject({ accessKeyId: ec2.issuedCredentials[0]!.accessKeyId, region: "eu-west-1" });
    expect(Object.fromEntries(formOf("ExchangeToken"))).toEqual({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      audience: AUDIENCE,
      scope: CLOUD_PLATFORM,
      requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
      subject_token: expect.stringMatching(/^%7B%22url%22/),
      subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
    });
    const iam = sts.requests.find((r) => r.action === "GenerateAccessToken")!;
    expect(JSON.parse(iam.body)).toEqual({ scope: [CLOUD_PLATFORM], lifetime: "3600s" });
    expect(iam.headers.authorization).toBe(`Bearer ${sts.issuedAccessTokens[0]}`);

    const res = await client.request<{ items: Array<{ name: string }> }>({ url: `${sts.url}/storage/v1/b?project=my-project` });
    expect(res.data.items.map((b) => b.name)).toEqual(["demo-bucket"]);
    expect(sts.apiCalls).toEqual([{ path: "/storage/v1/b", bearer: token, authorized: true }]);
  });

  it("signs host, x-amz-date and x-amz-security-token, adding x-goog-cloud-target-resource unsigned", async () => {
    await awsClient().client.getAccessToken();
    expect(sts.acceptedExchanges).toHaveLength(1);
    const { subjectToken, signedHeaders } = sts.acceptedExchanges[0]!;
    const issued = ec2.issuedCredentials[0]!;
    const scope = `${issued.accessKeyId}/\\d{8}/eu-west-1/sts/aws4_request`;
    const authorization = `^AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$`;
    expect(subjectToken).toEqual({
      url: "https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
      method: "POST",
      headers: [
        { key: "authorization", value: expect.stringMatching(new RegExp(authorization)) },
        { key: "host", value: "sts.eu-west-1.amazonaws.com" },
        { key: "x-amz-date", value: expect.stringMatching(/^\d{8}T\d{6}Z$/) },
        { key: "x-amz-security-token", value: issued.sessionToken },
        { key: "x-goog-cloud-target-resource", value: AUDIENCE },
      ],
    });
    expect(signedHeaders).toEqual(["host", "x-amz-date", "x-amz-security-token"]);
    expect(sts.requests[0]!.headers["x-goog-api-client"]).toMatch(
      /google-byoid-sdk source\/programmatic sa-impersonation\/true config-lifetime\/false/,
    );
  });

  it("asks the supplier for the region once per client and for credentials at every exchange", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
    const { client, calls } = awsClient();
    const first = (await client.getAccessToken()).token;
    expect((await client.getAccessToken()).token).toBe(first); // cached
    vi.setSystemTime(new Date("2030-01-01T00:56:00Z")); // inside the 5-minute eager refresh window
    const second = (await client.getAccessToken()).token;
    expect(second).not.toBe(first);
    expect(calls).toEqual({ region: 1, credentials: 2 });
    expect([sts.exchanges, sts.impersonations]).toEqual([2, 2]);
    expect(ec2.tokenPuts()).toHaveLength(2); // the SDK's provider does not cache: a new IMDS session each time
  });

  it("uses the federated token directly without impersonation, with the requested scopes", async () => {
    const readOnly = "https://www.googleapis.com/auth/devstorage.read_only";
    const { client } = awsClient({ impersonate: false, scopes: [readOnly] });
    const { token } = await client.getAccessToken();
    expect(token).toBe(sts.issuedAccessTokens[0]);
    expect(token).toMatch(/^ya29\.fed-/);
    expect(formOf("ExchangeToken").get("scope")).toBe(readOnly);
    expect(sts.impersonations).toBe(0);
    await client.request({ url: `${sts.url}/storage/v1/b` });
    expect(sts.apiCalls.map((c) => c.bearer)).toEqual([token]);
  });

  it("throws on a wrong secret: STS rejects the signature and accepts no exchange", async () => {
    const { client } = awsClient({ wrongSecret: true });
    await expect(client.getAccessToken()).rejects.toThrow(
      /invalid_grant: Received invalid AWS response of type SignatureDoesNotMatch with error message: The request signature/,
    );
    expect([sts.exchanges, sts.impersonations]).toEqual([0, 0]);
    expect(sts.requests.map((r) => r.action)).toEqual(["ExchangeToken"]); // a 400 is not retried
  });
});
