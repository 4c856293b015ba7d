import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type JsonWebKey } from "node:crypto";

/** A JSON Web Key Set, as served at an OIDC `jwks_uri` (e.g. `https://www.googleapis.com/oauth2/v3/certs`). */
export interface Jwks {
  /** Public keys; each has `kid`, `alg: "RS256"` and `use: "sig"`. */
  keys: JsonWebKey[];
}

/** An RS256 signer with its own RSA 2048 key pair, used by the fakes to mint Google-shaped ID tokens. */
export interface JwtIssuer {
  /** Key ID written in every token header and in the JWKS. */
  readonly kid: string;
  /** The public key set that verifies this issuer's tokens. */
  readonly jwks: Jwks;
  /** Sign `claims` as a compact RS256 JWT (`{ alg: "RS256", kid, typ: "JWT" }` header). Claims set to `undefined` are omitted. */
  sign(claims: Record<string, unknown>): string;
}

/** Why {@link verifyJwt} rejected a token. */
export type JwtRejection = "malformed" | "bad signature" | "unknown kid";

/** Result of {@link verifyJwt}: the decoded header and claims, or the reason for rejection. */
export type JwtVerification =
  | { ok: true; header: Record<string, unknown>; claims: Record<string, unknown> }
  | { ok: false; reason: JwtRejection };

const encodeJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Create an issuer with a fresh RSA 2048 key pair and a random `kid`. Synchronous (key generation takes ~0.1 s). */
export function createJwtIssuer(): JwtIssuer {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomBytes(20).toString("hex");
  const jwk: JsonWebKey = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  return {
    kid,
    jwks: { keys: [jwk] },
    sign(claims) {
      const signingInput = `${encodeJson({ alg: "RS256", kid, typ: "JWT" })}.${encodeJson(claims)}`;
      const signature = sign("sha256", Buffer.from(signingInput), privateKey);
      return `${signingInput}.${signature.toString("base64url")}`;
    },
  };
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verify an RS256 JWT against every key of every set in `jwksList`; the key is chosen by the
 * header's `kid`. Checks the signature only — no claim (`exp`, `iss`, `aud`) is checked here.
 * A token that is not three base64url JSON segments, or whose `alg` is not RS256, is `"malformed"`.
 */
export function verifyJwt(token: string, jwksList: ReadonlyArray<Jwks>): JwtVerification {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed" };
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
  const header = decodeSegment(headerPart);
  const claims = decodeSegment(claimsPart);
  if (!header || !claims || header.alg !== "RS256" || !/^[A-Za-z0-9_-]+$/.test(signaturePart)) {
    return { ok: false, reason: "malformed" };
  }
  const jwk = jwksList.flatMap((set) => set.keys).find((key) => key.kid !== undefined && key.kid === header.kid);
  if (!jwk) return { ok: false, reason: "unknown kid" };
  const valid = verify(
    "sha256",
    Buffer.from(`${headerPart}.${claimsPart}`),
    createPublicKey({ key: jwk, format: "jwk" }),
    Buffer.from(signaturePart, "base64url"),
  );
  return valid ? { ok: true, header, claims } : { ok: false, reason: "bad signature" };
}
