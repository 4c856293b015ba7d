import type { GoogleAuth } from "google-auth-library";
import { isJwtShaped } from "../internal/jwtClaims.js";
import { googleAuthError } from "../internal/googleAuthError.js";
import { loadGoogleAuthLibrary } from "../internal/loadGoogleAuthLibrary.js";
import type { TokenSource } from "./TokenSource.js";
import { CrossCloudCredentialsError } from "../errors.js";

export interface GoogleAuthTokenSourceOptions {
  /** The GoogleAuth to use. Default: `new GoogleAuth()` (Application Default Credentials). */
  auth?: GoogleAuth;
}

/**
 * ID tokens through google-auth-library's Application Default Credentials: a service-account key
 * file, or `gcloud auth application-default login --impersonate-service-account`. Loads
 * google-auth-library (a peer dependency) on first fetch.
 */
export function googleAuthTokenSource(options: GoogleAuthTokenSourceOptions = {}): TokenSource {
  if (options.auth !== undefined && typeof options.auth?.getIdTokenClient !== "function") {
    throw new TypeError("googleAuthTokenSource: auth must be a google-auth-library GoogleAuth instance");
  }
  let auth: GoogleAuth | undefined = options.auth;
  return async ({ audience }) => {
    auth ??= new (await loadGoogleAuthLibrary("googleAuthTokenSource")).GoogleAuth();
    let token: string;
    try {
      const client = await auth.getIdTokenClient(audience);
      token = await client.idTokenProvider.fetchIdToken(audience);
    } catch (error) {
      throw googleAuthError("Fetching a Google ID token through Application Default Credentials", error);
    }
    if (!isJwtShaped(token)) {
      throw new CrossCloudCredentialsError("Application Default Credentials returned an ID token that is not a JWT.", { code: "GOOGLE_AUTH_FAILED" });
    }
    return token;
  };
}
