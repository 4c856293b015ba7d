import { randomUUID } from "node:crypto";
import { startFakeHttpServer, type FakeHttpServer, type FakeResponse } from "./fakeHttpServer.js";
import {
  checkSeconds,
  createRotatingAwsCredentials,
  formatRfc3339Seconds,
  type AwsCredentialsEndpoint,
  type AwsSecretsFactory,
} from "./rotatingAwsCredentials.js";

/** Options of {@link createFakeEcsCredentialsEndpoint}. */
export interface FakeEcsCredentialsEndpointOptions {
  /**
   * When set, every request must carry exactly this `Authorization` header (what the SDK sends from
   * `AWS_CONTAINER_AUTHORIZATION_TOKEN` / `…_TOKEN_FILE`, as on EKS Pod Identity), else 401.
   * Default: no header required (ECS task role).
   */
  authorizationToken?: string;
  /** Lifetime of each set of role credentials, in seconds (whole, ≥ 60). Default `21600` (6 h). */
  credentialsLifetimeSeconds?: number;
  /** `RoleArn` in the answers. Default `"arn:aws:iam::123456789012:role/ecs-task-role"`. */
  roleArn?: string;
  /** Chooses the secret key and session token of each credential set (e.g. planted markers for leak scans). Default: random. */
  secrets?: AwsSecretsFactory;
}

/** A running fake ECS / EKS Pod Identity container credentials endpoint. */
export interface FakeEcsCredentialsEndpoint extends FakeHttpServer, AwsCredentialsEndpoint {
  /** A credentials path like ECS's, `/v2/credentials/<uuid>` (any GET path is served, though). */
  readonly relativeUri: string;
  /** `url` + `relativeUri`: the value for `AWS_CONTAINER_CREDENTIALS_FULL_URI`. */
  readonly fullUri: string;
}

const json = (status: number, body: object): FakeResponse => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/**
 * Start a fake container credentials endpoint (ECS task role, EKS Pod Identity agent) on 127.0.0.1.
 * Every `GET`, at any path (`fullUri` is a typical one), answers
 * `{"AccessKeyId","SecretAccessKey","Token","Expiration","RoleArn"}`; other methods get 405. With
 * `authorizationToken`, a request whose `Authorization` header differs gets 401. Errors, scripted
 * ones too (default status 500), are JSON `{"Code","Message"}`, the shape the AWS SDK's `fromHttp`
 * reads. Expiry and rotation follow `Date.now()`, so `vi.useFakeTimers` controls them.
 */
export function createFakeEcsCredentialsEndpoint(
  opts: FakeEcsCredentialsEndpointOptions = {},
): Promise<FakeEcsCredentialsEndpoint> {
  const lifetimeSeconds = opts.credentialsLifetimeSeconds ?? 21_600;
  checkSeconds("credentialsLifetimeSeconds", lifetimeSeconds, 60, 43_200);
  if (opts.authorizationToken !== undefined && !/^[\x21-\x7e][\x20-\x7e]*$/.test(opts.authorizationToken)) {
    throw new TypeError("authorizationToken must be non-empty printable ASCII (it is sent as an HTTP header)");
  }
  return start(opts.authorizationToken, lifetimeSeconds, opts.roleArn ?? "arn:aws:iam::123456789012:role/ecs-task-role", opts.secrets);
}

async function start(
  authorizationToken: string | undefined,
  lifetimeSeconds: number,
  roleArn: string,
  secrets: AwsSecretsFactory | undefined,
): Promise<FakeEcsCredentialsEndpoint> {
  const credentials = createRotatingAwsCredentials(lifetimeSeconds, secrets);
  const relativeUri = `/v2/credentials/${randomUUID()}`;

  const base = await startFakeHttpServer({
    actionOf: (request) => (request.method === "GET" ? "GetCredentials" : undefined),
    handle(request) {
      if (request.method !== "GET") return json(405, { Code: "MethodNotAllowed", Message: "Only GET is supported" });
      if (authorizationToken !== undefined && request.headers.authorization !== authorizationToken) {
        const problem = request.headers.authorization === undefined ? "missing" : "invalid";
        return json(401, { Code: "AccessDeniedException", Message: `Authorization token is ${problem}` });
      }
      const current = credentials.current();
      return json(200, {
        AccessKeyId: current.accessKeyId,
        SecretAccessKey: current.secretAccessKey,
        Token: current.sessionToken,
        Expiration: formatRfc3339Seconds(current.expiration),
        RoleArn: roleArn,
      });
    },
    renderFailure(script) {
      const status = script.status ?? 500;
      const code = script.code ?? (status >= 500 ? "InternalServerError" : "BadRequest");
      return json(status, { Code: code, Message: script.message ?? code });
    },
  });

  return Object.assign(base, {
    relativeUri,
    fullUri: base.url + relativeUri,
    issuedCredentials: credentials.issued,
    lookupSecret: credentials.lookupSecret,
    credentialGets: () => base.requests.filter((r) => r.action === "GetCredentials"),
  });
}
