import { randomUUID } from "node:crypto";
import { assumeRoleWithWebIdentity, type IssuedAwsCredentials } from "./assumeRoleWithWebIdentity.js";
import type { Jwks } from "./createJwtIssuer.js";
import { startFakeHttpServer, type FakeHttpServer, type FakeResponse, type RecordedRequest } from "./fakeHttpServer.js";
import { stsError, stsResult, stsStatusFor, xmlElement } from "./stsXml.js";
import type { AwsSecretsFactory } from "./rotatingAwsCredentials.js";
import { verifySigV4 } from "./verifySigV4.js";

/** Options of {@link createFakeAwsSts}. */
export interface FakeAwsStsOptions {
  /**
   * Trusted signers of web identity tokens, e.g. a fake metadata server or a `mockTokenSource()`;
   * a token verifies if any key of any of them matches. Their `jwks` is read at each request.
   * Default: none, so every token is rejected with `InvalidIdentityToken`.
   */
  identityProviders?: Array<{ readonly jwks: Jwks }>;
  /**
   * The role's IAM trust policy document (e.g. `awsTrustPolicy(...)`). When given, a token is
   * accepted only if an `Allow` statement for `accounts.google.com` and `sts:AssumeRoleWithWebIdentity`
   * has all its `StringEquals` conditions met (`accounts.google.com:aud` ↔ `azp` ?? `aud`,
   * `:oaud` ↔ `aud`, `:sub`, `:email`); else `AccessDenied`. Default: every verified token is trusted.
   */
  trustPolicy?: object;
  /** The role's MaxSessionDuration, in seconds; a larger `DurationSeconds` gets `ValidationError`. Default `3600`. */
  maxSessionDurationSeconds?: number;
  /** Chooses the secret key and session token of each set of credentials issued (e.g. planted markers for leak scans). Default: random. */
  secrets?: AwsSecretsFactory;
}

/** A running fake AWS STS (Query protocol: form-encoded POST, XML answers). */
export interface FakeAwsSts extends FakeHttpServer {
  /** Every set of credentials issued by `AssumeRoleWithWebIdentity`, in order. */
  readonly issuedCredentials: IssuedAwsCredentials[];
  /** Number of requests whose `Action` was `action`, failed ones included. */
  count(action: string): number;
  /** Number of `GetCallerIdentity` calls whose SigV4 signature, session token and expiry checked out. */
  readonly verifiedCallerIdentityCalls: number;
}

const STS_VERSION = "2011-06-15";

/** Query parameters and form body together (the body wins). */
function paramsOf(request: RecordedRequest): URLSearchParams {
  const params = new URLSearchParams(request.url.search);
  for (const [name, value] of new URLSearchParams(request.body)) params.set(name, value);
  return params;
}

/**
 * Start a fake AWS STS on 127.0.0.1; use its `url` as the STS client's `endpoint`. Serves
 * `AssumeRoleWithWebIdentity` (unsigned; validates the JWT, trust policy and durations like AWS and
 * answers AWS's XML) and `GetCallerIdentity` (must be SigV4-signed with credentials this fake issued,
 * with their session token, before they expire). Errors use the STS `<ErrorResponse>` XML shape with
 * an `x-amzn-RequestId` header; scripted failures too (`failNext({ code: "Throttling" })`, default
 * status 400, or 403/5xx as AWS uses for the code).
 */
export async function createFakeAwsSts(opts: FakeAwsStsOptions = {}): Promise<FakeAwsSts> {
  const issuedCredentials: IssuedAwsCredentials[] = [];
  const byAccessKey = new Map<string, IssuedAwsCredentials>();
  let verifiedCallerIdentityCalls = 0;
  const settings = {
    trustedJwks: () => (opts.identityProviders ?? []).map((provider) => provider.jwks),
    ...(opts.trustPolicy ? { trustPolicy: opts.trustPolicy } : {}),
    maxSessionDurationSeconds: opts.maxSessionDurationSeconds ?? 3600,
    ...(opts.secrets ? { secrets: opts.secrets } : {}),
  };

  const getCallerIdentity = (request: RecordedRequest, requestId: string): FakeResponse => {
    const fail = (code: string, message: string) => stsError(code, message, requestId);
    const signed = verifySigV4(
      { method: request.method, url: request.url.pathname + request.url.search, headers: request.headers, body: request.body },
      (accessKeyId) => byAccessKey.get(accessKeyId)?.secretAccessKey,
    );
    if (!signed.ok) {
      switch (signed.reason) {
        case "missing authorization":
          return fail("MissingAuthenticationToken", "Request is missing Authentication Token");
        case "malformed authorization":
          return fail("IncompleteSignature", `The request signature does not conform to AWS standards: ${signed.detail}`);
        case "unknown access key":
          return fail("InvalidClientTokenId", "The security token included in the request is invalid.");
        default:
          return fail(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. " +
              `Check your AWS Secret Access Key and signing method. (${signed.detail})`,
          );
      }
    }
    const issued = byAccessKey.get(signed.accessKeyId)!;
    if (signed.service !== "sts") {
      return fail("SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'.");
    }
    if (request.headers["x-amz-security-token"] !== issued.sessionToken) {
      return fail("InvalidClientTokenId", "The security token included in the request is invalid.");
    }
    if (issued.expiration.getTime() <= Date.now()) {
      return fail("ExpiredToken", "The security token included in the request is expired");
    }
    verifiedCallerIdentityCalls += 1;
    const result =
      xmlElement("Arn", issued.assumedRoleArn) +
      xmlElement("UserId", issued.assumedRoleId) +
      xmlElement("Account", issued.accountId);
    return stsResult("GetCallerIdentity", result, requestId);
  };

  const base = await startFakeHttpServer({
    actionOf: (request) => paramsOf(request).get("Action") ?? undefined,
    handle(request) {
      const requestId = randomUUID();
      const params = paramsOf(request);
      const action = params.get("Action");
      if (action === "AssumeRoleWithWebIdentity" && params.get("Version") === STS_VERSION) {
        const { response, issued } = assumeRoleWithWebIdentity(params, settings, requestId);
        if (issued) {
          issuedCredentials.push(issued);
          byAccessKey.set(issued.accessKeyId, issued);
        }
        return response;
      }
      if (action === "GetCallerIdentity" && params.get("Version") === STS_VERSION) {
        return getCallerIdentity(request, requestId);
      }
      const version = params.get("Version") ?? "(none)";
      return stsError("InvalidAction", `Could not find operation ${action ?? "(none)"} for version ${version}`, requestId);
    },
    renderFailure(script) {
      const status = script.status ?? stsStatusFor(script.code ?? "");
      const code = script.code ?? (status >= 500 ? "InternalFailure" : "InvalidRequest");
      return stsError(code, script.message ?? code, randomUUID(), status);
    },
  });

  return Object.defineProperties(base, {
    issuedCredentials: { value: issuedCredentials, enumerable: true },
    count: { value: (action: string) => base.requests.filter((r) => r.action === action).length, enumerable: true },
    verifiedCallerIdentityCalls: { get: () => verifiedCallerIdentityCalls, enumerable: true },
  }) as FakeAwsSts;
}
