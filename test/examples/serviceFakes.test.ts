import { createHash, createHmac } from "node:crypto";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { ListTopicsCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterEach, describe, expect, it } from "vitest";
import { createFakeS3, createFakeSns, verifyAwsServiceRequest, type FakeS3, type FakeSns } from "../../src/testing/index.js";

// The AWS service fakes the examples need (S3 for s3-from-gcp.mjs, SNS for sns-with-fallback.mjs), driven by the
// real AWS SDK clients, plus hand-signed requests for what the SDK will not send.

const KEY = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const TEMPORARY = { accessKeyId: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", sessionToken: "FwoGZXIvYXdzEXAMPLE" };
const secrets = (id: string) => [KEY, TEMPORARY].find((k) => k.accessKeyId === id)?.secretAccessKey;

let fake: FakeS3 | FakeSns | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const s3Client = (s3: FakeS3, credentials: object = KEY, extra: object = {}) =>
  new S3Client({ region: "eu-west-1", endpoint: s3.url, credentials: credentials as typeof KEY, maxAttempts: 1, ...extra });
const snsClient = (sns: FakeSns, credentials: object = KEY) =>
  new SNSClient({ region: "eu-west-1", endpoint: sns.url, credentials: credentials as typeof KEY, maxAttempts: 1 });
const failure = (promise: Promise<unknown>) => promise.then(() => ({ name: "no error" }), (error: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => ({ name: error.name, message: error.message, status: error.$metadata?.httpStatusCode }));

const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

/** A SigV4-signed GET of `path` (no query) as an S3-style request, with the service, time and session token chosen. */
function signedGet(url: string, path: string, opts: { service?: string; at?: Date; sessionToken?: string; signToken?: boolean } = {}) {
  const { host } = new URL(url);
  const amzDate = (opts.at ?? new Date()).toISOString().replace(/[-:]|\.\d{3}/g, "");
  const date = amzDate.slice(0, 8);
  const service = opts.service ?? "s3";
  const headers: Record<string, string> = { host, "x-amz-content-sha256": sha256(""), "x-amz-date": amzDate };
  if (opts.sessionToken && opts.signToken !== false) headers["x-amz-security-token"] = opts.sessionToken;
  const names = Object.keys(headers).sort();
  const canonical = ["GET", path, "", names.map((n) => `${n}:${headers[n]}\n`).join(""), names.join(";"), sha256("")].join("\n");
  const scope = `${date}/eu-west-1/${service}/aws4_request`;
  const key = opts.sessionToken ? TEMPORARY : KEY;
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, date), "eu-west-1"), service), "aws4_request");
  const signature = createHmac("sha256", signingKey).update(["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n")).digest("hex");
  const sent: Record<string, string> = { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}` };
  if (opts.sessionToken && opts.signToken === false) sent["x-amz-security-token"] = opts.sessionToken;
  delete sent.host;
  return fetch(`${url}${path}`, { headers: sent });
}

describe("createFakeS3", () => {
  const buckets = { "my-bucket": { "reports/a b+c.csv": "a,b\n", "reports/ünï/ä.txt": "ä", "top.txt": "top" } };

  it("serves ListObjectsV2 and GetObject to the AWS SDK, and records the verified signer", async () => {
    const s3 = (fake = await createFakeS3({ awsSecrets: secrets, buckets }));
    const client = s3Client(s3);
    const listing = await client.send(new ListObjectsV2Command({ Bucket: "my-bucket", Prefix: "reports/" }));
    expect(listing.Contents?.map((o) => [o.Key, o.Size])).toEqual([["reports/a b+c.csv", 4], ["reports/ünï/ä.txt", 2]]);
    expect(listing.KeyCount).toBe(2);
    const unicode = await client.send(new GetObjectCommand({ Bucket: "my-bucket", Key: "reports/ünï/ä.txt" }));
    expect(await unicode.Body?.transformToString()).toBe("ä");
    const object = await client.send(new GetObjectCommand({ Bucket: "my-bucket", Key: "reports/a b+c.csv" }));
    expect(await object.Body?.transformToString()).toBe("a,b\n");
    expect(object.ETag).toBe(`"${createHash("md5").update("a,b\n").digest("hex")}"`);
    expect(s3.verifiedCalls).toEqual([
      { action: "ListObjectsV2", bucket: "my-bucket", key: "reports/", accessKeyId: KEY.accessKeyId, region: "eu-west-1" },
      { action: "GetObject", bucket: "my-bucket", key: "reports/ünï/ä.txt", accessKeyId: KEY.accessKeyId, region: "eu-west-1" },
      { action: "GetObject", bucket: "my-bucket", key: "reports/a b+c.csv", accessKeyId: KEY.accessKeyId, region: "eu-west-1" },
    ]);
    // Temporary credentials work when their session token is signed, as the SDK does.
    await expect(s3Client(s3, TEMPORARY).send(new GetObjectCommand({ Bucket: "my-bucket", Key: "top.txt" }))).resolves.toBeDefined();
  });

  it("answers S3's errors for missing buckets and keys, and NotImplemented for other operations", async () => {
    const s3 = (fake = await createFakeS3({ awsSecrets: secrets, buckets }));
    expect(await failure(s3Client(s3).send(new ListObjectsV2Command({ Bucket: "nope" })))).toMatchObject({ name: "NoSuchBucket", status: 404 });
    expect(await failure(s3Client(s3).send(new GetObjectCommand({ Bucket: "my-bucket", Key: "missing" })))).toMatchObject({ name: "NoSuchKey", status: 404 });
    const put = await fetch(`${s3.url}/my-bucket/new.txt`, { method: "PUT", body: "x" });
    expect(put.status).toBe(501);
    expect(await put.text()).toContain("<Code>NotImplemented</Code>");
    expect(s3.requests.map((r) => r.action)).toEqual(["ListObjectsV2", "GetObject", undefined]);
  });

  it("refuses requests that are unsigned, signed by an unknown key or with the wrong secret", async () => {
    const s3 = (fake = await createFakeS3({ awsSecrets: secrets, buckets }));
    const unsigned = await fetch(`${s3.url}/my-bucket?list-type=2`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code>.*<RequestId>[0-9A-F]{16}<\/RequestId><HostId>/);
    const list = new ListObjectsV2Command({ Bucket: "my-bucket" });
    expect(await failure(s3Client(s3, { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" }).send(list))).toMatchObject({ name: "InvalidAccessKeyId", status: 403 });
    expect(await failure(s3Client(s3, { ...KEY, secretAccessKey: "wrong" }).send(list))).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
    expect(await failure(s3Client(s3, KEY, { systemClockOffset: -20 * 60_000 }).send(list))).toMatchObject({ name: "RequestTimeTooSkewed", status: 403 });
    expect(s3.verifiedCalls).toEqual([]);
  });

  it("checks the credential scope's service, the session token and the request time of hand-signed requests", async () => {
    const s3 = (fake = await createFakeS3({ awsSecrets: secrets, buckets }));
    expect((await signedGet(s3.url, "/my-bucket/top.txt")).status).toBe(200);
    expect(await (await signedGet(s3.url, "/my-bucket/top.txt", { service: "sns" })).text()).toContain("<Code>SignatureDoesNotMatch</Code><Message>Credential should be scoped to correct service: &apos;s3&apos;.</Message>");
    expect(await (await signedGet(s3.url, "/my-bucket/top.txt", { sessionToken: TEMPORARY.sessionToken })).text()).toBe("top");
    expect(await (await signedGet(s3.url, "/my-bucket/top.txt", { sessionToken: TEMPORARY.sessionToken, signToken: false })).text()).toContain("<Code>InvalidToken</Code>");
    const old = await signedGet(s3.url, "/my-bucket/top.txt", { at: new Date(Date.now() - 16 * 60_000) });
    expect(old.status).toBe(403);
    expect(await old.text()).toContain("<Code>RequestTimeTooSkewed</Code>");
    expect(s3.verifiedCalls).toHaveLength(2);
  });

  it("renders scripted failures as S3 error XML, with the status of the code", async () => {
    const s3 = (fake = await createFakeS3({ awsSecrets: secrets, buckets }));
    s3.failNext({ code: "SlowDown", message: "Please reduce your request rate." });
    s3.failNext({ status: 500 });
    s3.failNext({ code: "AccessDenied", match: (r) => r.action === "GetObject" });
    const list = new ListObjectsV2Command({ Bucket: "my-bucket" });
    expect(await failure(s3Client(s3).send(list))).toMatchObject({ name: "SlowDown", message: "Please reduce your request rate.", status: 503 });
    expect(await failure(s3Client(s3).send(list))).toMatchObject({ name: "InternalError", status: 500 });
    expect(await failure(s3Client(s3).send(new GetObjectCommand({ Bucket: "my-bucket", Key: "top.txt" })))).toMatchObject({ name: "AccessDenied", status: 403 });
    await expect(s3Client(s3).send(list)).resolves.toMatchObject({ KeyCount: 3 });
  });

  it("needs awsSecrets", () => {
    expect(() => createFakeS3({} as never)).toThrow(TypeError);
  });
});

describe("createFakeSns", () => {
  const TOPIC = "arn:aws:sns:eu-west-1:123456789012:orders";

  it("accepts Publish from the AWS SDK and records the message and its verified signer", async () => {
    const sns = (fake = await createFakeSns({ awsSecrets: secrets }));
    const { MessageId } = await snsClient(sns).send(new PublishCommand({ TopicArn: TOPIC, Message: "hello & <welcome>", Subject: "greeting" }));
    const { MessageId: second } = await snsClient(sns, TEMPORARY).send(new PublishCommand({ TopicArn: TOPIC, Message: "again" }));
    expect(sns.published).toEqual([
      { messageId: MessageId, topicArn: TOPIC, message: "hello & <welcome>", subject: "greeting", accessKeyId: KEY.accessKeyId, region: "eu-west-1" },
      { messageId: second, topicArn: TOPIC, message: "again", accessKeyId: TEMPORARY.accessKeyId, region: "eu-west-1" },
    ]);
    expect(sns.requests.map((r) => r.action)).toEqual(["Publish", "Publish"]);
  });

  it("answers SNS's errors: unknown topic, malformed ARN, other actions, bad signatures", async () => {
    const sns = (fake = await createFakeSns({ awsSecrets: secrets, topicArns: [TOPIC] }));
    const publish = (topicArn: string) => new PublishCommand({ TopicArn: topicArn, Message: "m" });
    expect(await failure(snsClient(sns).send(publish("arn:aws:sns:eu-west-1:123456789012:other")))).toMatchObject({ name: "NotFoundException", status: 404 });
    expect(await failure(snsClient(sns).send(publish("not-an-arn")))).toMatchObject({ name: "InvalidParameterException", status: 400 });
    expect(await failure(snsClient(sns).send(new ListTopicsCommand({})))).toMatchObject({ name: "InvalidAction" });
    expect(await failure(snsClient(sns, { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" }).send(publish(TOPIC)))).toMatchObject({ name: "InvalidClientTokenId", status: 403 });
    expect(await failure(snsClient(sns, { ...KEY, secretAccessKey: "wrong" }).send(publish(TOPIC)))).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
    const unsigned = await fetch(sns.url, { method: "POST", body: new URLSearchParams({ Action: "Publish", Version: "2010-03-31", TopicArn: TOPIC, Message: "m" }) });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain("<Code>MissingAuthenticationToken</Code>");
    expect(sns.published).toEqual([]);
  });

  it("renders scripted failures as SNS error XML", async () => {
    const sns = (fake = await createFakeSns({ awsSecrets: secrets }));
    sns.failNext({ code: "Throttled", message: "Rate exceeded" });
    sns.failNext({ status: 500 });
    const publish = new PublishCommand({ TopicArn: TOPIC, Message: "m" });
    expect(await failure(snsClient(sns).send(publish))).toMatchObject({ name: "ThrottledException", message: "Rate exceeded", status: 429 });
    expect(await failure(snsClient(sns).send(publish))).toMatchObject({ name: "InternalErrorException", status: 500 });
    const { MessageId } = await snsClient(sns).send(publish);
    expect(sns.published.map((m) => m.messageId)).toEqual([MessageId]);
  });

  it("needs awsSecrets", () => {
    expect(() => createFakeSns({} as never)).toThrow(TypeError);
  });
});

describe("verifyAwsServiceRequest", () => {
  it("returns the signer, or the reason a service would refuse the request", async () => {
    // Recorded requests from the S3 fake, checked again for another service.
    const s3 = (fake = await createFakeS3({ awsSecrets: secrets, buckets: { b: {} } }));
    await signedGet(s3.url, "/b/k");
    const [request] = s3.requests;
    expect(verifyAwsServiceRequest(request!, "s3", secrets, { singleEncodedPath: true })).toEqual({ ok: true, accessKeyId: KEY.accessKeyId, region: "eu-west-1" });
    expect(verifyAwsServiceRequest(request!, "sqs", secrets, { singleEncodedPath: true })).toMatchObject({ ok: false, reason: "wrong service" });
    expect(verifyAwsServiceRequest(request!, "s3", () => undefined)).toMatchObject({ ok: false, reason: "unknown access key" });
  });
});
