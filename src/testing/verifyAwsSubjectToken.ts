import { verifySigV4 } from "./verifySigV4.js";

/** The signed AWS request that google-auth-library's `AwsClient` serialises as an `aws4_request` subject token. */
export interface AwsSubjectToken {
  /** `https://sts.<region>.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15`. */
  url: string;
  /** `"POST"`. */
  method: string;
  /** Every header of the request, in the order sent (lower-case names from google-auth-library). */
  headers: Array<{ key: string; value: string }>;
  /** Request body, when one is serialised (google-auth-library sends none: the empty body is signed). */
  body?: string;
}

/** Result of {@link verifyAwsSubjectToken}: the signer, or the OAuth error Google STS would answer. */
export type AwsSubjectTokenVerification =
  | { ok: true; accessKeyId: string; region: string; subjectToken: AwsSubjectToken; signedHeaders: string[] }
  | { ok: false; error: "invalid_request" | "invalid_grant"; description: string };

const STS_HOST = /^sts(?:\.([a-z0-9-]+))?\.amazonaws\.com$/;
const MAX_CLOCK_SKEW_MS = 15 * 60_000;
const fromAws = (code: string, message: string) =>
  ({
    ok: false,
    error: "invalid_grant",
    description: `Received invalid AWS response of type ${code} with error message: ${message}`,
  }) as const;
const malformed = (description: string) => ({ ok: false, error: "invalid_request", description }) as const;

function parse(raw: string): AwsSubjectToken | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw.trimStart().startsWith("{") ? raw : decodeURIComponent(raw));
  } catch {
    return undefined;
  }
  const token = json as Partial<AwsSubjectToken> | null;
  const isHeader = (h: unknown) => {
    const header = h as { key?: unknown; value?: unknown } | null;
    return typeof header === "object" && header !== null && typeof header.key === "string" && typeof header.value === "string";
  };
  if (typeof token !== "object" || token === null || typeof token.url !== "string" || typeof token.method !== "string") return undefined;
  if (!Array.isArray(token.headers) || !token.headers.every(isHeader)) return undefined;
  if (token.body !== undefined && typeof token.body !== "string") return undefined;
  return token as AwsSubjectToken;
}

const amzDateMs = (value: string): number => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
};

/**
 * Check an `aws4_request` subject token as Google STS does before trusting it: URL-encoded JSON
 * `{url, method, headers:[{key,value}]}` of a `GetCallerIdentity` POST to `sts[.<region>].amazonaws.com`,
 * whose `x-goog-cloud-target-resource` header equals `audience` (google-auth-library adds it after
 * signing, so it need not be signed), SigV4-signed for service `sts` and the host's region with a
 * secret from `lookupSecret` (via {@link verifySigV4}, body `""`), `x-amz-date` within 15 minutes of
 * `Date.now()`, and `x-amz-security-token` signed when sent (required for `ASIA…` temporary keys).
 * AWS-side rejections are worded as Google relays AWS's errors.
 */
export function verifyAwsSubjectToken(
  raw: string,
  audience: string,
  lookupSecret: (accessKeyId: string) => string | undefined,
): AwsSubjectTokenVerification {
  const subjectToken = parse(raw);
  if (!subjectToken) return malformed("The subject token is not a valid URL-encoded JSON serialisation of an AWS request.");
  const headers: Record<string, string> = {};
  for (const { key, value } of subjectToken.headers) headers[key.toLowerCase()] = value;

  const target = headers["x-goog-cloud-target-resource"];
  if (target === undefined) return malformed("The AWS request is missing the x-goog-cloud-target-resource header.");
  if (target !== audience) {
    const description = `The x-goog-cloud-target-resource header "${target}" does not match the audience "${audience}".`;
    return { ok: false, error: "invalid_grant", description };
  }
  let url: URL;
  try {
    url = new URL(subjectToken.url);
  } catch {
    return malformed(`The AWS request URL "${subjectToken.url}" is not a valid URL.`);
  }
  const host = STS_HOST.exec(url.host);
  const isGetCallerIdentity =
    url.searchParams.get("Action") === "GetCallerIdentity" && url.searchParams.get("Version") === "2011-06-15";
  if (url.protocol !== "https:" || !host || subjectToken.method !== "POST" || !isGetCallerIdentity) {
    return malformed("The AWS request must be a POST of GetCallerIdentity (Version 2011-06-15) to https://sts.<region>.amazonaws.com.");
  }
  if (headers.host !== url.host) return malformed(`The AWS request's host header must be "${url.host}".`);

  const signed = verifySigV4(
    { method: subjectToken.method, url: url.pathname + url.search, headers, body: subjectToken.body ?? "" },
    lookupSecret,
  );
  if (!signed.ok) {
    if (signed.reason === "missing authorization" || signed.reason === "malformed authorization") {
      return fromAws("IncompleteSignature", `The request signature does not conform to AWS standards (${signed.detail}).`);
    }
    if (signed.reason === "unknown access key") {
      return fromAws("InvalidClientTokenId", "The security token included in the request is invalid.");
    }
    return fromAws(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. " +
        "Check your AWS Secret Access Key and signing method.",
    );
  }
  const region = host[1] ?? "us-east-1";
  if (signed.service !== "sts" || signed.region !== region) {
    return fromAws("SignatureDoesNotMatch", `Credential should be scoped to service 'sts' in region '${region}'.`);
  }
  const signedHeaders = /SignedHeaders=([^,\s]+)/.exec(headers.authorization!)![1]!.split(";");
  const hasToken = headers["x-amz-security-token"] !== undefined;
  if ((hasToken && !signedHeaders.includes("x-amz-security-token")) || (!hasToken && signed.accessKeyId.startsWith("ASIA"))) {
    return fromAws("InvalidClientTokenId", "The security token included in the request is invalid.");
  }
  const signedAt = amzDateMs(headers["x-amz-date"]!);
  if (!(Math.abs(Date.now() - signedAt) <= MAX_CLOCK_SKEW_MS)) {
    return fromAws("SignatureDoesNotMatch", `Signature expired: ${headers["x-amz-date"]} is not within 15 minutes of the current time.`);
  }
  return { ok: true, accessKeyId: signed.accessKeyId, region, subjectToken, signedHeaders };
}
