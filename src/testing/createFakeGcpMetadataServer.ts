import { createJwtIssuer, type Jwks } from "./createJwtIssuer.js";
import {
  startFakeHttpServer,
  type FailureScript,
  type FakeHttpServer,
  type FakeResponse,
  type RecordedRequest,
} from "./fakeHttpServer.js";

/** Options of {@link createFakeGcpMetadataServer}. */
export interface FakeGcpMetadataServerOptions {
  /** Email of the instance's default service account. Default `"workload@my-project.iam.gserviceaccount.com"`. */
  serviceAccountEmail?: string;
  /** Numeric unique ID of that account, used as `sub` and `azp`. Default `"108123456789012345678"` (21 digits). */
  uniqueId?: string;
  /** Answer of `/computeMetadata/v1/project/project-id`. Default `"my-project"`. */
  projectId?: string;
  /** Lifetime of issued ID tokens (`exp - iat`), in seconds. Default `3600`. */
  tokenLifetimeSeconds?: number;
  /** Answer 400 to `format=full`, like the GKE metadata server. Default `false`. */
  rejectFullFormat?: boolean;
  /** Leave `Metadata-Flavor: Google` off every answer, to simulate some other server on that address. Default `false`. */
  omitMetadataFlavor?: boolean;
  /**
   * Extra claims written into every ID token issued, after the standard ones (so they may override
   * them), e.g. a recognisable marker for secret-leak scans. Default none.
   */
  claims?: Record<string, unknown>;
}

/** A failure script for the metadata server: failures are plain-text bodies (status default 500). */
export interface MetadataFailureScript extends FailureScript {
  /** Leave `Metadata-Flavor: Google` off this answer (normal or scripted). */
  omitMetadataFlavor?: boolean;
}

/** A running fake GCE/GKE metadata server. */
export interface FakeGcpMetadataServer extends FakeHttpServer<MetadataFailureScript> {
  /** Public keys verifying the ID tokens it issues (also served at `GET /oauth2/v3/certs`). */
  readonly jwks: Jwks;
  /** The default service account's email. */
  readonly email: string;
  /** The default service account's numeric unique ID (`sub`, `azp`). */
  readonly uniqueId: string;
  /** Every ID token issued, in order. */
  readonly issuedTokens: string[];
  /** The requests to the identity endpoint, in order (failed ones included). */
  identityRequests(): RecordedRequest[];
}

const SERVICE_ACCOUNTS = "/computeMetadata/v1/instance/service-accounts/";
const IDENTITY_PATH = /^\/computeMetadata\/v1\/instance\/service-accounts\/([^/]+)\/identity$/;
const EMAIL_PATH = /^\/computeMetadata\/v1\/instance\/service-accounts\/([^/]+)\/email$/;
const text = (status: number, body: string): FakeResponse => ({
  status,
  headers: { "content-type": "text/plain; charset=utf-8" },
  body,
});

/**
 * Start a fake GCE metadata server on 127.0.0.1 (point `GCE_METADATA_HOST` at its `host`). It serves
 * the identity endpoint with RS256 ID tokens shaped like Google's (`iss` `https://accounts.google.com`,
 * `aud` = audience, `azp` = `sub` = unique ID, `iat`/`exp` from `Date.now()`, and `email`,
 * `email_verified` with `format=full`), the default account's email, the project ID and `GET /`.
 * Requests without `Metadata-Flavor: Google` get 403; answers carry that header. `GET /oauth2/v3/certs`
 * serves the JWKS and, being Google's public endpoint rather than metadata, needs no header.
 */
export async function createFakeGcpMetadataServer(
  opts: FakeGcpMetadataServerOptions = {},
): Promise<FakeGcpMetadataServer> {
  const email = opts.serviceAccountEmail ?? "workload@my-project.iam.gserviceaccount.com";
  const uniqueId = opts.uniqueId ?? "108123456789012345678";
  const projectId = opts.projectId ?? "my-project";
  const lifetimeSeconds = opts.tokenLifetimeSeconds ?? 3600;
  const issuer = createJwtIssuer();
  const issuedTokens: string[] = [];
  const isKnownAccount = (segment: string) => {
    const account = segment.replaceAll("%40", "@");
    return account === "default" || account === email;
  };

  const identity = (url: URL): FakeResponse => {
    const audience = url.searchParams.get("audience");
    if (!audience) return text(400, "non-empty audience parameter required");
    const full = url.searchParams.get("format") === "full";
    if (full && opts.rejectFullFormat) return text(400, "format=full is not supported by this metadata server");
    const iat = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      aud: audience,
      azp: uniqueId,
      exp: iat + lifetimeSeconds,
      iat,
      iss: "https://accounts.google.com",
      sub: uniqueId,
      ...(full ? { email, email_verified: true } : {}),
      ...opts.claims,
    };
    const token = issuer.sign(claims);
    issuedTokens.push(token);
    return text(200, token);
  };

  const handle = (request: RecordedRequest): FakeResponse => {
    const { path, url } = request;
    if (request.method !== "GET") return text(405, "Method Not Allowed");
    if (path === "/oauth2/v3/certs") {
      return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(issuer.jwks) };
    }
    if (request.headers["metadata-flavor"] !== "Google") {
      return text(403, "Missing required header: Metadata-Flavor: Google");
    }
    if (path === "/") return text(200, "computeMetadata/\n");
    if (path === "/computeMetadata/v1/project/project-id") return text(200, projectId);
    const identityMatch = IDENTITY_PATH.exec(path);
    if (identityMatch) return isKnownAccount(identityMatch[1]!) ? identity(url) : text(404, "Not Found");
    const emailMatch = EMAIL_PATH.exec(path);
    if (emailMatch) return isKnownAccount(emailMatch[1]!) ? text(200, email) : text(404, "Not Found");
    return text(404, "Not Found");
  };

  const base = await startFakeHttpServer<MetadataFailureScript>({
    handle,
    renderFailure: (script) => text(script.status ?? 500, script.message ?? script.code ?? "Internal Server Error"),
    finalize(response, _request, script) {
      if (opts.omitMetadataFlavor || script?.omitMetadataFlavor) return response;
      return { ...response, headers: { ...response.headers, "metadata-flavor": "Google" } };
    },
  });

  return Object.assign(base, {
    jwks: issuer.jwks,
    email,
    uniqueId,
    issuedTokens,
    identityRequests: () =>
      base.requests.filter((r) => r.path.startsWith(SERVICE_ACCOUNTS) && r.path.endsWith("/identity")),
  });
}
