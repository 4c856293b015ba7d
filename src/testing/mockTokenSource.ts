import { createJwtIssuer, type Jwks } from "./createJwtIssuer.js";

/** What a token source is asked for: the `aud` of the ID token, and an optional abort signal. */
export interface MockTokenRequest {
  /** Audience the token is requested for; becomes the `aud` claim unless overridden. */
  audience: string;
  /** Aborting it makes the call reject with the signal's reason. */
  signal?: AbortSignal;
}

/** A token source (`(request) => Promise<string>`) that signs its own Google-shaped ID tokens and counts calls. */
export interface MockTokenSource {
  (request: MockTokenRequest): Promise<string>;
  /** Number of calls so far (aborted ones included). */
  readonly calls: number;
  /** Public keys verifying its tokens: pass the source to `createFakeAwsSts({ identityProviders })`. */
  readonly jwks: Jwks;
  /** Every token returned, in order. */
  readonly issuedTokens: string[];
  /** The audience of every call, in order. */
  readonly audiences: string[];
}

/**
 * Create a token source returning a fresh RS256 JWT at each call, with Google's metadata-server
 * claims: `iss` `https://accounts.google.com`, `aud` = the requested audience, `azp` = `sub` =
 * `"108123456789012345678"`, `email` `"workload@my-project.iam.gserviceaccount.com"`, `iat` = now and
 * `exp` = now + 3600 (from `Date.now()`, so fake timers apply). `claims` override these; a claim set
 * to `undefined` is left out of the token.
 */
export function mockTokenSource(claims: Record<string, unknown> = {}): MockTokenSource {
  const issuer = createJwtIssuer();
  const issuedTokens: string[] = [];
  const audiences: string[] = [];
  let calls = 0;
  const source = async (request: MockTokenRequest): Promise<string> => {
    calls += 1;
    audiences.push(request.audience);
    request.signal?.throwIfAborted();
    const iat = Math.floor(Date.now() / 1000);
    const token = issuer.sign({
      iss: "https://accounts.google.com",
      aud: request.audience,
      azp: "108123456789012345678",
      sub: "108123456789012345678",
      email: "workload@my-project.iam.gserviceaccount.com",
      email_verified: true,
      iat,
      exp: iat + 3600,
      ...claims,
    });
    issuedTokens.push(token);
    return token;
  };
  return Object.defineProperties(source, {
    calls: { get: () => calls, enumerable: true },
    jwks: { value: issuer.jwks, enumerable: true },
    issuedTokens: { value: issuedTokens, enumerable: true },
    audiences: { value: audiences, enumerable: true },
  }) as MockTokenSource;
}
