import { isJwtShaped } from "../internal/jwtClaims.js";
import type { TokenSource } from "./TokenSource.js";

/** Always returns the same ID token. It is not refreshed: once it expires, STS rejects it. */
export function staticTokenSource(token: string): TokenSource {
  if (!isJwtShaped(token)) {
    throw new TypeError("staticTokenSource: token must be a compact JWT string (header.payload.signature)");
  }
  return async () => token;
}
