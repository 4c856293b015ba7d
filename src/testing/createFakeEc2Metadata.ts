import { randomBytes } from "node:crypto";
import { STATUS_CODES } from "node:http";
import { startFakeHttpServer, type FakeHttpServer, type FakeResponse, type RecordedRequest } from "./fakeHttpServer.js";
import {
  checkSeconds,
  createRotatingAwsCredentials,
  formatRfc3339Seconds,
  type AwsCredentialsEndpoint,
  type AwsSecretsFactory,
} from "./rotatingAwsCredentials.js";

/** Options of {@link createFakeEc2Metadata}. */
export interface FakeEc2MetadataOptions {
  /** Name of the instance profile's role (`iam/security-credentials/`). Default `"ec2-role"`. */
  roleName?: string;
  /** Answer of `placement/region` and the identity document's `region`. Default `"us-east-1"`. */
  region?: string;
  /** Answer of `placement/availability-zone`. Default `"us-east-1a"`. */
  availabilityZone?: string;
  /** Lifetime of each set of role credentials, in seconds (whole, ≥ 60). Default `21600` (6 h), as EC2. */
  credentialsLifetimeSeconds?: number;
  /** 12-digit account in the instance identity document. Default `"123456789012"`. */
  accountId?: string;
  /** Chooses the secret key and session token of each credential set (e.g. planted markers for leak scans). Default: random. */
  secrets?: AwsSecretsFactory;
}

/**
 * A running fake EC2 instance metadata service, IMDSv2 only. `RecordedRequest.action` names each
 * request: `"PutToken"`, `"GetRoleName"`, `"GetCredentials"`, `"GetRegion"`, `"GetAvailabilityZone"`,
 * `"GetIdentityDocument"` (e.g. `failNext({ status: 500, match: (r) => r.action === "GetCredentials" })`).
 */
export interface FakeEc2Metadata extends FakeHttpServer, AwsCredentialsEndpoint {
  /** The role name served. */
  readonly roleName: string;
  /** The region served. */
  readonly region: string;
  /** The `PUT /latest/api/token` requests, failed ones included. */
  tokenPuts(): RecordedRequest[];
}

const TOKEN_PATH = "/latest/api/token";
const CREDENTIALS_DIR = "/latest/meta-data/iam/security-credentials/";
const MAX_TOKEN_TTL_SECONDS = 21_600;

const text = (status: number, body = STATUS_CODES[status] ?? "Error", headers: Record<string, string> = {}): FakeResponse => ({
  status,
  headers: { "content-type": "text/plain", ...headers },
  body,
});

function actionOf(request: RecordedRequest, roleName: string): string | undefined {
  const { method, path } = request;
  if (path === TOKEN_PATH) return method === "PUT" ? "PutToken" : undefined;
  if (method !== "GET") return undefined;
  if (path === CREDENTIALS_DIR || path === CREDENTIALS_DIR.slice(0, -1)) return "GetRoleName";
  if (path.startsWith(CREDENTIALS_DIR)) return path === CREDENTIALS_DIR + roleName ? "GetCredentials" : undefined;
  const named: Record<string, string> = {
    "/latest/meta-data/placement/region": "GetRegion",
    "/latest/meta-data/placement/availability-zone": "GetAvailabilityZone",
    "/latest/dynamic/instance-identity/document": "GetIdentityDocument",
  };
  return named[path];
}

/**
 * Start a fake EC2 instance metadata service (IMDSv2 only) on 127.0.0.1; point the AWS SDK at it
 * with `AWS_EC2_METADATA_SERVICE_ENDPOINT` = `url`. `PUT /latest/api/token` needs
 * `X-aws-ec2-metadata-token-ttl-seconds` from 1 to 21600 (else 400) and is refused with 403 when it
 * carries `X-Forwarded-For`; every `GET` needs a live `X-aws-ec2-metadata-token` (else 401: IMDSv1 is
 * off). Token and credential expiry follow `Date.now()`, so `vi.useFakeTimers` controls them. Serves
 * the role name, its credentials (IMDS JSON, rotated when less than 1/4 of their lifetime is left),
 * `placement/region`, `placement/availability-zone` and the instance identity document. Errors,
 * scripted ones too (default status 500), are plain-text bodies like IMDS's.
 */
export function createFakeEc2Metadata(opts: FakeEc2MetadataOptions = {}): Promise<FakeEc2Metadata> {
  const roleName = opts.roleName ?? "ec2-role";
  const region = opts.region ?? "us-east-1";
  const availabilityZone = opts.availabilityZone ?? "us-east-1a";
  const accountId = opts.accountId ?? "123456789012";
  const lifetimeSeconds = opts.credentialsLifetimeSeconds ?? 21_600;
  checkSeconds("credentialsLifetimeSeconds", lifetimeSeconds, 60, 43_200);
  if (!/^\d{12}$/.test(accountId)) throw new RangeError(`accountId must be 12 digits; got "${accountId}"`);
  return start(roleName, region, availabilityZone, accountId, lifetimeSeconds, opts.secrets);
}

async function start(
  roleName: string,
  region: string,
  availabilityZone: string,
  accountId: string,
  lifetimeSeconds: number,
  secrets: AwsSecretsFactory | undefined,
): Promise<FakeEc2Metadata> {
  const credentials = createRotatingAwsCredentials(lifetimeSeconds, secrets);
  const tokens = new Map<string, number>(); // token → expiry, ms since the epoch
  const bootTime = formatRfc3339Seconds(new Date(Date.now()));

  const putToken = (request: RecordedRequest): FakeResponse => {
    if (request.headers["x-forwarded-for"] !== undefined) return text(403, "Forbidden");
    const ttl = request.headers["x-aws-ec2-metadata-token-ttl-seconds"];
    const seconds = typeof ttl === "string" && /^\d+$/.test(ttl) ? Number(ttl) : NaN;
    if (!(seconds >= 1 && seconds <= MAX_TOKEN_TTL_SECONDS)) return text(400, "Bad Request");
    const token = randomBytes(42).toString("base64");
    tokens.set(token, Date.now() + seconds * 1000);
    return text(200, token, { "x-aws-ec2-metadata-token-ttl-seconds": String(seconds) });
  };

  const hasLiveToken = (request: RecordedRequest): boolean => {
    const token = request.headers["x-aws-ec2-metadata-token"];
    const expiresAt = typeof token === "string" ? tokens.get(token) : undefined;
    return expiresAt !== undefined && Date.now() < expiresAt;
  };

  const roleCredentials = (): FakeResponse => {
    const current = credentials.current();
    const body = {
      Code: "Success",
      LastUpdated: formatRfc3339Seconds(current.issuedAt),
      Type: "AWS-HMAC",
      AccessKeyId: current.accessKeyId,
      SecretAccessKey: current.secretAccessKey,
      Token: current.sessionToken,
      Expiration: formatRfc3339Seconds(current.expiration),
    };
    return text(200, JSON.stringify(body, null, 2));
  };

  const identityDocument = (): FakeResponse => {
    const document = {
      accountId,
      architecture: "x86_64",
      availabilityZone,
      imageId: "ami-0123456789abcdef0",
      instanceId: "i-0123456789abcdef0",
      instanceType: "t3.micro",
      pendingTime: bootTime,
      privateIp: "10.0.0.10",
      region,
      version: "2017-09-30",
    };
    return text(200, JSON.stringify(document, null, 2));
  };

  const base = await startFakeHttpServer({
    actionOf: (request) => actionOf(request, roleName),
    handle(request) {
      if (request.path === TOKEN_PATH) return request.method === "PUT" ? putToken(request) : text(405);
      if (request.method !== "GET") return text(405);
      if (!hasLiveToken(request)) return text(401);
      switch (request.action) {
        case "GetRoleName":
          return text(200, roleName);
        case "GetCredentials":
          return roleCredentials();
        case "GetRegion":
          return text(200, region);
        case "GetAvailabilityZone":
          return text(200, availabilityZone);
        case "GetIdentityDocument":
          return identityDocument();
        default:
          return text(404);
      }
    },
    renderFailure: (script) => text(script.status ?? 500, script.message ?? script.code ?? STATUS_CODES[script.status ?? 500]),
  });

  return Object.assign(base, {
    roleName,
    region,
    issuedCredentials: credentials.issued,
    lookupSecret: credentials.lookupSecret,
    tokenPuts: () => base.requests.filter((r) => r.action === "PutToken"),
    credentialGets: () => base.requests.filter((r) => r.action === "GetCredentials"),
  });
}
