import { describeValue } from "./describeValue.js";

/** The claims of a Google ID token that AWS compares, all optional because tokens are untrusted. */
export interface JwtClaims {
  iss?: string;
  aud?: string;
  azp?: string;
  sub?: string;
  email?: string;
  exp?: number;
  [claim: string]: unknown;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** True when `value` has the three base64url segments of a compact JWS. */
export function isJwtShaped(value: unknown): value is string {
  return typeof value === "string" && JWT_SHAPE.test(value);
}

/**
 * Decodes a JWT's payload without verifying it (AWS verifies; we only read what it will compare).
 * Returns undefined when the payload is not a JSON object.
 */
export function decodeJwtClaims(token: string): JwtClaims | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return claims !== null && typeof claims === "object" && !Array.isArray(claims) ? (claims as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** The claims AWS compares, one per line-friendly fragment, for error messages. Never the token itself. */
export function describeClaims(claims: JwtClaims | undefined): string {
  if (!claims) return "the token's claims could not be decoded";
  const exp = claims.exp === undefined ? "none" : formatEpochSeconds(claims.exp);
  return [
    `aud=${describeValue(claims.aud)} (compared with accounts.google.com:oaud)`,
    `azp=${describeValue(claims.azp)} (compared with accounts.google.com:aud)`,
    `sub=${describeValue(claims.sub)} (compared with accounts.google.com:sub)`,
    `iss=${describeValue(claims.iss)}`,
    `exp=${exp}`,
  ].join(", ");
}

/** An `exp`-style epoch-seconds value as an ISO time, or as it is when it is not a representable time. */
export function formatEpochSeconds(value: unknown): string {
  const date = typeof value === "number" ? new Date(value * 1000) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : describeValue(value);
}
