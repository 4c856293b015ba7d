import { AwsClient, type AwsSecurityCredentials } from "google-auth-library";
import type { AwsSubjectToken, FakeGoogleSts } from "../../src/testing/index.js";

/** Workload identity provider audience used across the Google STS tests. */
export const AUDIENCE = "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p/providers/x";
export const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";
export const SERVICE_ACCOUNT = "sa@p.iam.gserviceaccount.com";

/** A temporary (ASIA) key and a long-term (AKIA) key, and the lookup a fake STS verifies them with. */
export const TEMPORARY = { accessKeyId: "ASIAFAKETEMPORARY000", secretAccessKey: "temporary/secret+key", token: "session-token" };
export const LONG_TERM = { accessKeyId: "AKIAFAKELONGTERM0000", secretAccessKey: "long-term/secret+key" };
export const awsSecrets = (accessKeyId: string): string | undefined =>
  ({ [TEMPORARY.accessKeyId]: TEMPORARY.secretAccessKey, [LONG_TERM.accessKeyId]: LONG_TERM.secretAccessKey })[accessKeyId];

/** A subject token signed by google-auth-library's own AwsClient (its public `retrieveSubjectToken()`). */
export function signedSubjectToken(
  credentials: AwsSecurityCredentials,
  { audience = AUDIENCE, region = "us-east-1" }: { audience?: string; region?: string } = {},
): Promise<string> {
  const client = new AwsClient({
    type: "external_account",
    audience,
    subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
    token_url: "http://127.0.0.1:9/never-called",
    aws_security_credentials_supplier: {
      getAwsRegion: async () => region,
      getAwsSecurityCredentials: async () => credentials,
    },
  });
  return client.retrieveSubjectToken();
}

/** Decode a subject token, let `mutate` change it, encode it again as google-auth-library does. */
export function tamper(raw: string, mutate: (token: AwsSubjectToken) => void): string {
  const token = JSON.parse(decodeURIComponent(raw)) as AwsSubjectToken;
  mutate(token);
  return encodeURIComponent(JSON.stringify(token));
}

/** Set (or add) a header of a decoded subject token. */
export function setHeader(token: AwsSubjectToken, key: string, value: string): void {
  const header = token.headers.find((h) => h.key === key);
  if (header) header.value = value;
  else token.headers.push({ key, value });
}

/** POST the STS token-exchange form, with the fields google-auth-library sends unless overridden. */
export function exchange(sts: FakeGoogleSts, subjectToken: string, overrides: Record<string, string> = {}): Promise<Response> {
  const form = new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    audience: AUDIENCE,
    scope: CLOUD_PLATFORM,
    requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
    subject_token: subjectToken,
    subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
    ...overrides,
  });
  return fetch(sts.tokenUrl, { method: "POST", body: form });
}

/** A federated access token from the fake, for the IAM and API tests. */
export async function federatedToken(sts: FakeGoogleSts, scope = CLOUD_PLATFORM): Promise<string> {
  const res = await exchange(sts, await signedSubjectToken(TEMPORARY), { scope });
  if (res.status !== 200) throw new Error(`exchange failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Call `generateAccessToken` for `email` with `bearer` and a JSON body. */
export function impersonate(sts: FakeGoogleSts, bearer: string | undefined, body: object, email = SERVICE_ACCOUNT): Promise<Response> {
  return fetch(sts.serviceAccountImpersonationUrl(email), {
    method: "POST",
    headers: { "content-type": "application/json", ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }) },
    body: JSON.stringify(body),
  });
}
