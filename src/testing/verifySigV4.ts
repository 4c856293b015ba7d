import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** A request to check, as received on the wire. */
export interface SigV4Request {
  /** HTTP method (`"POST"`). */
  method: string;
  /** Path and query as sent, percent-encoded (`"/"`, `"/?Action=GetCallerIdentity&Version=2011-06-15"`). */
  url: string;
  /** Headers; names in any case, values as strings or arrays (joined with `,`). */
  headers: Record<string, string | string[] | undefined>;
  /** Body as sent (UTF-8); `""` when none. */
  body: string;
}

/** Why {@link verifySigV4} rejected a request. */
export type SigV4Rejection =
  | "missing authorization"
  | "malformed authorization"
  | "unknown access key"
  | "missing signed header"
  | "payload hash mismatch"
  | "bad signature";

/** Result of {@link verifySigV4}. `detail` says what exactly was wrong, for error messages. */
export type SigV4Verification =
  | { ok: true; accessKeyId: string; region: string; service: string }
  | { ok: false; reason: SigV4Rejection; detail: string };

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_-]+),\s*Signature=([0-9a-f]{64})$/;

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Z a-z 0-9 - _ . ~` percent-encoded. */
const escapeUri = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const decodeQueryPart = (value: string): string => {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
};

const sha256Hex = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: Buffer | string, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

/** Canonical URI: dot segments and empty segments removed, then encoded once more (non-S3 services). */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith("/") ? "/" : "";
  return escapeUri(`/${segments.join("/")}${trailing}`).replace(/%2F/g, "/");
}

/** Canonical query: every pair decoded, re-encoded, sorted by name then value, `X-Amz-Signature` left out. */
function canonicalQuery(query: string): string {
  if (query === "") return "";
  return query
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? "" : pair.slice(eq + 1);
      return [escapeUri(decodeQueryPart(name)), escapeUri(decodeQueryPart(value))] as const;
    })
    .filter(([name]) => name.toLowerCase() !== "x-amz-signature")
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

/**
 * Verify an AWS Signature Version 4 `Authorization` header (`AWS4-HMAC-SHA256`), independently of
 * the AWS SDK: rebuilds the canonical request (method, canonical URI, canonical query, the signed
 * headers lower-cased and trimmed, the body's SHA-256 or `x-amz-content-sha256`), the string to sign
 * (with `x-amz-date` and the credential scope) and the HMAC key chain from the secret returned by
 * `lookupSecret`. Does not check clock skew, session tokens or expiry: callers do that.
 */
export function verifySigV4(
  request: SigV4Request,
  lookupSecret: (accessKeyId: string) => string | undefined,
): SigV4Verification {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(",") : value);
  }
  const authorization = headers.get("authorization");
  if (!authorization) return { ok: false, reason: "missing authorization", detail: "no Authorization header" };
  const match = AUTHORIZATION.exec(authorization.trim());
  if (!match) return { ok: false, reason: "malformed authorization", detail: "not an AWS4-HMAC-SHA256 header" };
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = match as unknown as string[] as [
    string, string, string, string, string, string, string,
  ];
  const secret = lookupSecret(accessKeyId);
  if (secret === undefined) return { ok: false, reason: "unknown access key", detail: `access key ${accessKeyId}` };

  const amzDate = headers.get("x-amz-date");
  if (!amzDate || !amzDate.startsWith(date)) {
    return { ok: false, reason: "malformed authorization", detail: "x-amz-date missing or not on the credential date" };
  }
  const signedHeaders = signedHeaderList.split(";");
  if (!signedHeaders.includes("host")) {
    return { ok: false, reason: "missing signed header", detail: "host is not signed" };
  }
  const canonicalHeaders: string[] = [];
  for (const name of signedHeaders) {
    const value = headers.get(name);
    if (value === undefined) return { ok: false, reason: "missing signed header", detail: `signed header ${name} not sent` };
    canonicalHeaders.push(`${name}:${value.trim().replace(/\s+/g, " ")}\n`);
  }

  const bodyHash = sha256Hex(request.body);
  const declaredHash = headers.get("x-amz-content-sha256");
  if (declaredHash !== undefined && declaredHash !== "UNSIGNED-PAYLOAD" && declaredHash !== bodyHash) {
    return { ok: false, reason: "payload hash mismatch", detail: "x-amz-content-sha256 differs from the body" };
  }
  const queryStart = request.url.indexOf("?");
  const path = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
  const query = queryStart < 0 ? "" : request.url.slice(queryStart + 1);
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(path || "/"),
    canonicalQuery(query),
    canonicalHeaders.join(""),
    signedHeaderList,
    declaredHash ?? bodyHash,
  ].join("\n");

  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
  const expected = createHmac("sha256", signingKey).update(stringToSign, "utf8").digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) {
    return { ok: false, reason: "bad signature", detail: "signature does not match the canonical request" };
  }
  return { ok: true, accessKeyId, region, service };
}
