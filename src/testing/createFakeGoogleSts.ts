import { randomBytes } from "node:crypto";
import { startFakeHttpServer, type FakeHttpServer, type FakeResponse, type RecordedRequest } from "./fakeHttpServer.js";
import { googleApiError, oauthError, renderGoogleFailure } from "./googleErrors.js";
import { generateAccessToken, type GoogleTokenGrant } from "./generateAccessToken.js";
import { checkSeconds } from "./rotatingAwsCredentials.js";
import { verifyAwsSubjectToken, type AwsSubjectToken } from "./verifyAwsSubjectToken.js";

/** Options of {@link createFakeGoogleSts}. */
export interface FakeGoogleStsOptions {
  /** The workload identity provider's audience; when set, token exchanges for any other get 400 `invalid_target`. Default: any audience. */
  audience?: string;
  /** Secret of an AWS access key ID, or `undefined` if unknown: verifies subject tokens' SigV4 (e.g. `ec2.lookupSecret`). Required. */
  awsSecrets: (accessKeyId: string) => string | undefined;
  /** `expires_in` of federated tokens, in seconds (whole, 1–43200). Default `3600`. */
  accessTokenLifetimeSeconds?: number;
  /** Service account emails federated tokens may impersonate; others get 403 `PERMISSION_DENIED`. Default: any. */
  serviceAccounts?: string[];
  /**
   * Chooses each access token issued, federated or impersonated (e.g. recognisable markers for
   * secret-leak scans); it must return a new value at each call. Default `ya29.fed-…` / `ya29.sa-…`
   * with 32 random bytes.
   */
  accessTokens?: (kind: "federated" | "impersonated") => string;
}

/** One token exchange Google STS accepted. */
export interface AcceptedTokenExchange {
  /** AWS access key ID that signed the subject token. */
  accessKeyId: string;
  /** AWS region the subject token was signed for. */
  region: string;
  /** The `audience` form parameter. */
  audience: string;
  /** The `scope` form parameter, split on spaces. */
  scopes: string[];
  /** The decoded subject token. */
  subjectToken: AwsSubjectToken;
  /** The SigV4 `SignedHeaders` list of the subject token. */
  signedHeaders: string[];
  /** The federated access token issued. */
  accessToken: string;
}

/** One call to the fake Google API (`/storage/v1/…`). */
export interface FakeGoogleApiCall {
  /** Request path (without query). */
  path: string;
  /** Bearer token presented, or `undefined` when there was no `Authorization: Bearer` header. */
  bearer: string | undefined;
  /** Whether the token was one this fake issued and still valid (then the call got 200). */
  authorized: boolean;
}

/**
 * A running fake Google STS + IAM Credentials + Cloud Storage JSON API. `RecordedRequest.action` is
 * `"ExchangeToken"`, `"GenerateAccessToken"` or `"StorageApi"` (for `failNext({ match })`).
 */
export interface FakeGoogleSts extends FakeHttpServer {
  /** `url` + `/v1/token`: the `token_url` of a credential configuration. */
  readonly tokenUrl: string;
  /** The `service_account_impersonation_url` for `email`: `url` + `/v1/projects/-/serviceAccounts/<email>:generateAccessToken`. */
  serviceAccountImpersonationUrl(email: string): string;
  /** Number of token exchanges accepted. */
  readonly exchanges: number;
  /** Every token exchange accepted, in order. */
  readonly acceptedExchanges: AcceptedTokenExchange[];
  /** Number of `generateAccessToken` calls accepted. */
  readonly impersonations: number;
  /** Every access token issued, federated (`ya29.fed-…`) and impersonated (`ya29.sa-…`), in order. */
  readonly issuedAccessTokens: string[];
  /** Every call to the fake Google API, in order, rejected ones included. */
  readonly apiCalls: FakeGoogleApiCall[];
  /** What this fake knows of an access token it issued (kind, scopes, expiry), expired ones included; else `undefined`. */
  grantOf(accessToken: string): GoogleTokenGrant | undefined;
}

const TOKEN_PATH = "/v1/token";
const IMPERSONATE_PATH = /^\/v1\/projects\/[^/]+\/serviceAccounts\/[^/]+:generateAccessToken$/;
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
const AWS4_REQUEST = "urn:ietf:params:aws:token-type:aws4_request";
const INVALID_CREDENTIALS =
  "Request had invalid authentication credentials. " +
  "Expected OAuth 2 access token, login cookie or other valid authentication credential.";

const bearerOf = (request: RecordedRequest): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];

function actionOf(request: RecordedRequest): string | undefined {
  if (request.method === "POST" && request.path === TOKEN_PATH) return "ExchangeToken";
  if (request.method === "POST" && IMPERSONATE_PATH.test(request.path)) return "GenerateAccessToken";
  return request.path.startsWith("/storage/v1/") ? "StorageApi" : undefined;
}

/**
 * Start a fake of Google's side of AWS workload identity federation on 127.0.0.1: STS token exchange
 * (`POST /v1/token`, form-encoded, `subject_token_type` `urn:ietf:params:aws:token-type:aws4_request`;
 * the subject token is checked by {@link verifyAwsSubjectToken} against `awsSecrets`), IAM Credentials
 * `generateAccessToken` (bearer: an unexpired federated token of this fake with the `cloud-platform`
 * or `iam` scope), and a Cloud Storage stand-in answering any `/storage/v1/…` request with a bucket
 * list when the bearer is an unexpired token of this fake. STS errors use the OAuth shape
 * `{"error","error_description"}`, the APIs `{"error":{"code","message","status"}}`; scripted failures
 * too. Expiry follows `Date.now()`, so `vi.useFakeTimers` controls it.
 */
export function createFakeGoogleSts(opts: FakeGoogleStsOptions): Promise<FakeGoogleSts> {
  if (typeof opts?.awsSecrets !== "function") {
    throw new TypeError("createFakeGoogleSts: awsSecrets must be a function (accessKeyId) => secret, e.g. ec2.lookupSecret");
  }
  const lifetimeSeconds = opts.accessTokenLifetimeSeconds ?? 3600;
  checkSeconds("accessTokenLifetimeSeconds", lifetimeSeconds, 1, 43_200);
  return start(opts, lifetimeSeconds);
}

async function start(opts: FakeGoogleStsOptions, lifetimeSeconds: number): Promise<FakeGoogleSts> {
  const grants = new Map<string, GoogleTokenGrant>();
  const issuedAccessTokens: string[] = [];
  const acceptedExchanges: AcceptedTokenExchange[] = [];
  const apiCalls: FakeGoogleApiCall[] = [];
  let impersonations = 0;
  const liveGrant = (token: string | undefined) => {
    const grant = token === undefined ? undefined : grants.get(token);
    return grant && Date.now() < grant.expiresAtMs ? grant : undefined;
  };
  const issue = (grant: GoogleTokenGrant) => {
    grants.set(grant.accessToken, grant);
    issuedAccessTokens.push(grant.accessToken);
  };

  const exchangeToken = (request: RecordedRequest): FakeResponse => {
    const form = new URLSearchParams(request.body);
    if (form.get("grant_type") !== TOKEN_EXCHANGE) {
      return oauthError("unsupported_grant_type", `Invalid value for "grant_type"; expected ${TOKEN_EXCHANGE}.`);
    }
    if (form.get("requested_token_type") !== ACCESS_TOKEN) {
      return oauthError("invalid_request", `Invalid value for "requested_token_type"; expected ${ACCESS_TOKEN}.`);
    }
    if (form.get("subject_token_type") !== AWS4_REQUEST) {
      return oauthError("invalid_request", `Invalid value for "subject_token_type"; this fake accepts ${AWS4_REQUEST}.`);
    }
    const audience = form.get("audience");
    if (!audience) return oauthError("invalid_request", 'The "audience" parameter is required.');
    if (opts.audience !== undefined && audience !== opts.audience) {
      return oauthError(
        "invalid_target",
        'The target service indicated by the "audience" parameters is invalid. This might either be because ' +
          "the pool or provider is disabled or deleted or because it doesn't exist.",
      );
    }
    const subjectToken = form.get("subject_token");
    if (!subjectToken) return oauthError("invalid_request", 'The "subject_token" parameter is required.');
    const verified = verifyAwsSubjectToken(subjectToken, audience, opts.awsSecrets);
    if (!verified.ok) return oauthError(verified.error, verified.description);

    const scopes = (form.get("scope") ?? "").split(" ").filter((s) => s !== "");
    const accessToken = opts.accessTokens?.("federated") ?? `ya29.fed-${randomBytes(32).toString("base64url")}`;
    issue({ accessToken, kind: "federated", scopes, expiresAtMs: Date.now() + lifetimeSeconds * 1000 });
    const { accessKeyId, region, subjectToken: decoded, signedHeaders } = verified;
    acceptedExchanges.push({ accessKeyId, region, audience, scopes, subjectToken: decoded, signedHeaders, accessToken });
    const body = { access_token: accessToken, issued_token_type: ACCESS_TOKEN, token_type: "Bearer", expires_in: lifetimeSeconds };
    return { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) };
  };

  const storageApi = (request: RecordedRequest): FakeResponse => {
    const bearer = bearerOf(request);
    const authorized = liveGrant(bearer) !== undefined;
    apiCalls.push({ path: request.path, bearer, authorized });
    if (!authorized) return googleApiError(401, "Invalid Credentials");
    const body = { kind: "storage#buckets", items: [{ kind: "storage#bucket", id: "demo-bucket", name: "demo-bucket" }] };
    return { status: 200, headers: { "content-type": "application/json; charset=UTF-8" }, body: JSON.stringify(body) };
  };

  const base = await startFakeHttpServer({
    actionOf,
    handle(request) {
      switch (request.action) {
        case "ExchangeToken":
          return exchangeToken(request);
        case "StorageApi":
          return storageApi(request);
        case "GenerateAccessToken": {
          const federated = liveGrant(bearerOf(request));
          if (!federated || federated.kind !== "federated") return googleApiError(401, INVALID_CREDENTIALS);
          const result = generateAccessToken(request, federated, opts.serviceAccounts, opts.accessTokens && (() => opts.accessTokens!("impersonated")));
          if (result.grant) {
            issue(result.grant);
            impersonations += 1;
          }
          return result.response;
        }
        default:
          return googleApiError(404, `Method not found: ${request.method} ${request.path}`);
      }
    },
    renderFailure: (script, request) => renderGoogleFailure(script, request, TOKEN_PATH),
  });

  return Object.defineProperties(base, {
    tokenUrl: { value: base.url + TOKEN_PATH, enumerable: true },
    serviceAccountImpersonationUrl: {
      value: (email: string) => `${base.url}/v1/projects/-/serviceAccounts/${email}:generateAccessToken`,
      enumerable: true,
    },
    exchanges: { get: () => acceptedExchanges.length, enumerable: true },
    acceptedExchanges: { value: acceptedExchanges, enumerable: true },
    impersonations: { get: () => impersonations, enumerable: true },
    issuedAccessTokens: { value: issuedAccessTokens, enumerable: true },
    apiCalls: { value: apiCalls, enumerable: true },
    grantOf: { value: (accessToken: string) => grants.get(accessToken), enumerable: true },
  }) as FakeGoogleSts;
}
