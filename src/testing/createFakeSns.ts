import { randomUUID } from "node:crypto";
import { startFakeHttpServer, type FakeHttpServer, type FakeResponse, type RecordedRequest } from "./fakeHttpServer.js";
import { xmlElement } from "./stsXml.js";
import { verifyAwsServiceRequest, type AwsServiceRequestRejection } from "./verifyAwsServiceRequest.js";

/** Options of {@link createFakeSns}. */
export interface FakeSnsOptions {
  /** Secret of an AWS access key ID, or `undefined` if unknown: verifies each request's SigV4 signature (e.g. `ec2.lookupSecret`). Required. */
  awsSecrets: (accessKeyId: string) => string | undefined;
  /** Topic ARNs that exist; `Publish` to any other gets `NotFound` (404). Default: every well-formed topic ARN exists. */
  topicArns?: string[];
}

/** One message the fake accepted. */
export interface FakeSnsMessage {
  /** The `MessageId` answered. */
  messageId: string;
  /** The `TopicArn` published to. */
  topicArn: string;
  /** The `Message` parameter. */
  message: string;
  /** The `Subject` parameter, if sent. */
  subject?: string;
  /** AWS access key ID that signed the request. */
  accessKeyId: string;
  /** Region of the signature's credential scope. */
  region: string;
}

/** A running fake Amazon SNS (Query protocol). `RecordedRequest.action` is the `Action` parameter. */
export interface FakeSns extends FakeHttpServer {
  /** Every message published with a verified signature, in order. */
  readonly published: FakeSnsMessage[];
}

const SNS_VERSION = "2010-03-31";
const SNS_NAMESPACE = `http://sns.amazonaws.com/doc/${SNS_VERSION}/`;
const TOPIC_ARN = /^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/;
const STATUS_BY_CODE: Record<string, number> = {
  AuthorizationError: 403,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  MissingAuthenticationToken: 403,
  NotFound: 404,
  Throttled: 429,
  InternalError: 500,
};
const REJECTIONS: Record<AwsServiceRequestRejection, [code: string, message: string]> = {
  "missing authorization": ["MissingAuthenticationToken", "Request is missing Authentication Token"],
  "malformed authorization": ["IncompleteSignature", "The request signature does not conform to AWS standards."],
  "unknown access key": ["InvalidClientTokenId", "The security token included in the request is invalid."],
  "missing signed header": ["IncompleteSignature", "The request signature does not conform to AWS standards."],
  "payload hash mismatch": ["SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."],
  "bad signature": ["SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."],
  "wrong service": ["SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sns'."],
  "unsigned session token": ["InvalidClientTokenId", "The security token included in the request is invalid."],
  "request time too skewed": ["SignatureDoesNotMatch", "Signature expired: the request time is not within 15 minutes of the current time."],
};

const xmlHeaders = (requestId: string) => ({ "content-type": "text/xml", "x-amzn-requestid": requestId });

/** An SNS Query error: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
function snsError(code: string, message: string, status = STATUS_BY_CODE[code] ?? 400): FakeResponse {
  const requestId = randomUUID();
  const type = status >= 500 ? "Receiver" : "Sender";
  return {
    status,
    headers: xmlHeaders(requestId),
    body:
      `<ErrorResponse xmlns="${SNS_NAMESPACE}"><Error>${xmlElement("Type", type)}${xmlElement("Code", code)}` +
      `${xmlElement("Message", message)}</Error>${xmlElement("RequestId", requestId)}</ErrorResponse>\n`,
  };
}

const paramsOf = (request: RecordedRequest): URLSearchParams => {
  const params = new URLSearchParams(request.url.search);
  for (const [name, value] of new URLSearchParams(request.body)) params.set(name, value);
  return params;
};

/**
 * Start a fake Amazon SNS on 127.0.0.1 serving `Publish` (point `AWS_ENDPOINT_URL_SNS` or the
 * client's `endpoint` at its `url`). Every request must be SigV4-signed for service `sns` with a key
 * `awsSecrets` knows, its session token signed, within 15 minutes of `Date.now()` (see
 * {@link verifyAwsServiceRequest}); else SNS's Query error XML (`InvalidClientTokenId`,
 * `SignatureDoesNotMatch`…). Other actions get `InvalidAction`. Scripted failures use the same XML
 * (e.g. `failNext({ code: "Throttled" })`; default status by code, else 400/500).
 */
export function createFakeSns(opts: FakeSnsOptions): Promise<FakeSns> {
  if (typeof opts?.awsSecrets !== "function") {
    throw new TypeError("createFakeSns: awsSecrets must be a function (accessKeyId) => secret, e.g. ec2.lookupSecret");
  }
  return start(opts);
}

async function start(opts: FakeSnsOptions): Promise<FakeSns> {
  const published: FakeSnsMessage[] = [];
  const base = await startFakeHttpServer({
    actionOf: (request) => paramsOf(request).get("Action") ?? undefined,
    handle(request) {
      const params = paramsOf(request);
      if (request.action !== "Publish" || params.get("Version") !== SNS_VERSION) {
        return snsError("InvalidAction", `Could not find operation ${request.action ?? "(none)"} for version ${params.get("Version") ?? "(none)"}`);
      }
      const signed = verifyAwsServiceRequest(request, "sns", opts.awsSecrets);
      if (!signed.ok) return snsError(...REJECTIONS[signed.reason]);
      const topicArn = params.get("TopicArn");
      const message = params.get("Message");
      if (message === null) return snsError("ValidationError", "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null");
      if (topicArn === null || !TOPIC_ARN.test(topicArn)) return snsError("InvalidParameter", "Invalid parameter: TopicArn");
      if (opts.topicArns && !opts.topicArns.includes(topicArn)) return snsError("NotFound", "Topic does not exist");
      const messageId = randomUUID();
      const subject = params.get("Subject");
      published.push({ messageId, topicArn, message, ...(subject !== null ? { subject } : {}), accessKeyId: signed.accessKeyId, region: signed.region });
      const requestId = randomUUID();
      return {
        status: 200,
        headers: xmlHeaders(requestId),
        body:
          `<PublishResponse xmlns="${SNS_NAMESPACE}">\n  <PublishResult>${xmlElement("MessageId", messageId)}</PublishResult>\n` +
          `  <ResponseMetadata>${xmlElement("RequestId", requestId)}</ResponseMetadata>\n</PublishResponse>\n`,
      };
    },
    renderFailure(script) {
      const status = script.status ?? STATUS_BY_CODE[script.code ?? ""] ?? 500;
      const code = script.code ?? (status >= 500 ? "InternalError" : "InvalidParameter");
      return snsError(code, script.message ?? code, status);
    },
  });

  return Object.defineProperties(base, {
    published: { value: published, enumerable: true },
  }) as FakeSns;
}
