import type { RecordedRequest } from "./fakeHttpServer.js";
import { verifySigV4, type SigV4Rejection } from "./verifySigV4.js";

/** Why {@link verifyAwsServiceRequest} rejected a request: a SigV4 failure, or one of the checks an AWS service adds. */
export type AwsServiceRequestRejection = SigV4Rejection | "wrong service" | "unsigned session token" | "request time too skewed";

/** Result of {@link verifyAwsServiceRequest}: the signer, or why the request is refused. */
export type AwsServiceRequestVerification =
  | { ok: true; accessKeyId: string; region: string }
  | { ok: false; reason: AwsServiceRequestRejection; detail: string };

/** How far `x-amz-date` may be from `Date.now()`, as AWS services allow. */
const MAX_CLOCK_SKEW_MS = 15 * 60_000;

const amzDateMs = (value: string): number => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
};

/**
 * Check a request to an AWS service fake as the service would before acting on it: a SigV4 signature
 * ({@link verifySigV4}) by a key whose secret `awsSecrets` knows, scoped to `service`, with the session
 * token signed (required for `ASIA…` temporary keys), and `x-amz-date` within 15 minutes of
 * `Date.now()`. With `singleEncodedPath` (S3), the canonical URI is the path as sent, not encoded again.
 */
export function verifyAwsServiceRequest(
  request: RecordedRequest,
  service: string,
  awsSecrets: (accessKeyId: string) => string | undefined,
  { singleEncodedPath = false }: { singleEncodedPath?: boolean } = {},
): AwsServiceRequestVerification {
  // verifySigV4 encodes the path it is given once more, as every service but S3 signs it; S3 signs the path as sent.
  const path = singleEncodedPath ? safeDecode(request.url.pathname) : request.url.pathname;
  const signed = verifySigV4({ method: request.method, url: path + request.url.search, headers: request.headers, body: request.body }, awsSecrets);
  if (!signed.ok) return signed;
  if (signed.service !== service) {
    return { ok: false, reason: "wrong service", detail: `credential scoped to '${signed.service}', not '${service}'` };
  }
  const signedHeaders = /SignedHeaders=([^,\s]+)/.exec(String(request.headers.authorization))![1]!.split(";");
  const hasToken = request.headers["x-amz-security-token"] !== undefined;
  if ((hasToken && !signedHeaders.includes("x-amz-security-token")) || (!hasToken && signed.accessKeyId.startsWith("ASIA"))) {
    return { ok: false, reason: "unsigned session token", detail: "temporary credentials need a signed x-amz-security-token" };
  }
  const signedAt = amzDateMs(String(request.headers["x-amz-date"]));
  if (!(Math.abs(Date.now() - signedAt) <= MAX_CLOCK_SKEW_MS)) {
    return { ok: false, reason: "request time too skewed", detail: `x-amz-date ${String(request.headers["x-amz-date"])} is not within 15 minutes of now` };
  }
  return { ok: true, accessKeyId: signed.accessKeyId, region: signed.region };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
