import { createHash, randomBytes, randomUUID } from "node:crypto";
import { startFakeHttpServer, type FakeHttpServer, type FakeResponse, type RecordedRequest } from "./fakeHttpServer.js";
import { xmlElement } from "./stsXml.js";
import { verifyAwsServiceRequest, type AwsServiceRequestRejection } from "./verifyAwsServiceRequest.js";

/** Options of {@link createFakeS3}. */
export interface FakeS3Options {
  /** Secret of an AWS access key ID, or `undefined` if unknown: verifies each request's SigV4 signature (e.g. `ec2.lookupSecret`). Required. */
  awsSecrets: (accessKeyId: string) => string | undefined;
  /**
   * The buckets and their objects: bucket name → object key → content (UTF-8). Keys are served as
   * sent, so use keys without `//` or `.`/`..` segments. A bucket not listed answers `NoSuchBucket`.
   * Default `{}`.
   */
  buckets?: Record<string, Record<string, string>>;
}

/** One S3 call whose signature verified. */
export interface FakeS3Call {
  /** `"ListObjectsV2"` or `"GetObject"`. */
  action: string;
  /** The bucket addressed. */
  bucket: string;
  /** The object key (`GetObject`), or the `prefix` parameter (`ListObjectsV2`, `""` when none). */
  key: string;
  /** AWS access key ID that signed the request. */
  accessKeyId: string;
  /** Region of the signature's credential scope. */
  region: string;
}

/**
 * A running fake Amazon S3 (path-style addressing: `/<bucket>` and `/<bucket>/<key>`).
 * `RecordedRequest.action` is `"ListObjectsV2"`, `"GetObject"`, or `undefined` for anything else.
 */
export interface FakeS3 extends FakeHttpServer {
  /** Every call whose SigV4 signature verified, in order (answered with data or with `NoSuchBucket`/`NoSuchKey`). */
  readonly verifiedCalls: FakeS3Call[];
}

const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
const LAST_MODIFIED = "2026-01-01T00:00:00.000Z";
const STATUS_BY_CODE: Record<string, number> = {
  AccessDenied: 403,
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  RequestTimeTooSkewed: 403,
  InvalidToken: 400,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  InternalError: 500,
  SlowDown: 503,
};
const REJECTIONS: Record<AwsServiceRequestRejection, [code: string, message: string]> = {
  "missing authorization": ["AccessDenied", "Access Denied"],
  "malformed authorization": ["AccessDenied", "The authorization header is malformed"],
  "unknown access key": ["InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."],
  "missing signed header": ["AccessDenied", "There were headers present in the request which were not signed"],
  "payload hash mismatch": ["XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."],
  "bad signature": ["SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."],
  "wrong service": ["SignatureDoesNotMatch", "Credential should be scoped to correct service: 's3'."],
  "unsigned session token": ["InvalidToken", "The provided token is malformed or otherwise invalid."],
  "request time too skewed": ["RequestTimeTooSkewed", "The difference between the request time and the current time is too large."],
};

const etag = (content: string) => `"${createHash("md5").update(content, "utf8").digest("hex")}"`;

/** An S3 REST error: `<Error><Code/><Message/><RequestId/><HostId/></Error>` with `x-amz-request-id`. */
function s3Error(code: string, message: string, status = STATUS_BY_CODE[code] ?? 400, extra = ""): FakeResponse {
  const requestId = randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase();
  return {
    status,
    headers: { "content-type": "application/xml", "x-amz-request-id": requestId },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${xmlElement("Code", code)}${xmlElement("Message", message)}${extra}` +
      `${xmlElement("RequestId", requestId)}${xmlElement("HostId", randomBytes(24).toString("base64"))}</Error>`,
  };
}

/** Bucket and key of a path-style request (`/bucket`, `/bucket/`, `/bucket/a/b.txt`), percent-decoded. */
function addressOf(request: RecordedRequest): { bucket: string; key: string } {
  const path = request.url.pathname.slice(1);
  const slash = path.indexOf("/");
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return slash < 0 ? { bucket: decode(path), key: "" } : { bucket: decode(path.slice(0, slash)), key: decode(path.slice(slash + 1)) };
}

function actionOf(request: RecordedRequest): string | undefined {
  if (request.method !== "GET") return undefined;
  const { bucket, key } = addressOf(request);
  if (bucket === "") return undefined;
  if (key === "") return request.url.searchParams.get("list-type") === "2" ? "ListObjectsV2" : undefined;
  return "GetObject";
}

/**
 * Start a fake Amazon S3 on 127.0.0.1 for `ListObjectsV2` and `GetObject`, path-style (the AWS SDK
 * uses path-style for an IP endpoint such as `AWS_ENDPOINT_URL_S3` = `url`). Every request must be
 * SigV4-signed for service `s3` with a key `awsSecrets` knows, its session token signed, within 15
 * minutes of `Date.now()` (see {@link verifyAwsServiceRequest}); else the S3 error XML
 * (`AccessDenied`, `InvalidAccessKeyId`, `SignatureDoesNotMatch`…). Other operations get
 * `NotImplemented` (501). Scripted failures use the same XML (default status by code, else 400/500).
 */
export function createFakeS3(opts: FakeS3Options): Promise<FakeS3> {
  if (typeof opts?.awsSecrets !== "function") {
    throw new TypeError("createFakeS3: awsSecrets must be a function (accessKeyId) => secret, e.g. ec2.lookupSecret");
  }
  return start(opts.awsSecrets, opts.buckets ?? {});
}

async function start(awsSecrets: FakeS3Options["awsSecrets"], buckets: Record<string, Record<string, string>>): Promise<FakeS3> {
  const verifiedCalls: FakeS3Call[] = [];

  const listObjectsV2 = (bucket: string, objects: Record<string, string>, prefix: string): FakeResponse => {
    const keys = Object.keys(objects).filter((key) => key.startsWith(prefix)).sort();
    const contents = keys
      .map((key) =>
        `<Contents>${xmlElement("Key", key)}${xmlElement("LastModified", LAST_MODIFIED)}${xmlElement("ETag", etag(objects[key]!))}` +
        `${xmlElement("Size", String(Buffer.byteLength(objects[key]!)))}${xmlElement("StorageClass", "STANDARD")}</Contents>`,
      )
      .join("");
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${S3_NAMESPACE}">${xmlElement("Name", bucket)}` +
      `${xmlElement("Prefix", prefix)}${xmlElement("KeyCount", String(keys.length))}${xmlElement("MaxKeys", "1000")}` +
      `${xmlElement("IsTruncated", "false")}${contents}</ListBucketResult>`;
    return { status: 200, headers: { "content-type": "application/xml" }, body };
  };

  const base = await startFakeHttpServer({
    actionOf,
    handle(request) {
      if (request.action === undefined) return s3Error("NotImplemented", "A header or query you provided implies functionality that is not implemented.", 501);
      const signed = verifyAwsServiceRequest(request, "s3", awsSecrets, { singleEncodedPath: true });
      if (!signed.ok) {
        const [code, message] = REJECTIONS[signed.reason];
        return s3Error(code, message);
      }
      const { bucket, key } = addressOf(request);
      const prefix = request.url.searchParams.get("prefix") ?? "";
      verifiedCalls.push({ action: request.action, bucket, key: request.action === "GetObject" ? key : prefix, accessKeyId: signed.accessKeyId, region: signed.region });
      const objects = buckets[bucket];
      if (!objects) return s3Error("NoSuchBucket", "The specified bucket does not exist", 404, xmlElement("BucketName", bucket));
      if (request.action === "ListObjectsV2") return listObjectsV2(bucket, objects, prefix);
      const content = objects[key];
      if (content === undefined) return s3Error("NoSuchKey", "The specified key does not exist.", 404, xmlElement("Key", key));
      return {
        status: 200,
        headers: { "content-type": "application/octet-stream", etag: etag(content), "last-modified": new Date(LAST_MODIFIED).toUTCString() },
        body: content,
      };
    },
    renderFailure(script) {
      const status = script.status ?? STATUS_BY_CODE[script.code ?? ""] ?? 500;
      const code = script.code ?? (status >= 500 ? "InternalError" : "InvalidRequest");
      return s3Error(code, script.message ?? code, status);
    },
  });

  return Object.defineProperties(base, {
    verifiedCalls: { value: verifiedCalls, enumerable: true },
  }) as FakeS3;
}
