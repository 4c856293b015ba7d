import type { AuthClient, GoogleAuth } from "google-auth-library";
import { CrossCloudCredentialsError } from "../errors.js";
import { googleAuthError } from "../internal/googleAuthError.js";
import { isJwtShaped } from "../internal/jwtClaims.js";
import { loadGoogleAuthLibrary } from "../internal/loadGoogleAuthLibrary.js";
import type { TokenSource } from "./TokenSource.js";
import { describeValue } from "../internal/describeValue.js";

const EMAIL = /^[^\s/@]+@[^\s/@]+$/;

export interface ImpersonatedTokenSourceOptions {
  /** Service account whose ID token to mint (the caller needs `roles/iam.serviceAccountOpenIdTokenCreator` on it). Required. */
  targetServiceAccount: string;
  /** Delegation chain of service account emails, each granting the next the token-creator role. Default none. */
  delegates?: string[];
  /** The caller's credentials: a GoogleAuth or an AuthClient. Default: `new GoogleAuth()` (ADC). */
  auth?: GoogleAuth | AuthClient;
  /** IAM Credentials base URL, for private endpoints and tests. Default `https://iamcredentials.<universe domain>`. */
  endpoint?: string;
}

/**
 * ID tokens for another service account through IAM Credentials `generateIdToken`, called with the
 * caller's own Google credentials. Loads google-auth-library (a peer dependency) on first fetch.
 */
export function impersonatedTokenSource(options: ImpersonatedTokenSourceOptions): TokenSource {
  const { targetServiceAccount, delegates = [], endpoint } = options ?? {};
  if (typeof targetServiceAccount !== "string" || !EMAIL.test(targetServiceAccount)) {
    throw new TypeError("impersonatedTokenSource: targetServiceAccount must be a service account email, e.g. reader@my-project.iam.gserviceaccount.com");
  }
  if (!Array.isArray(delegates) || !delegates.every((d) => typeof d === "string" && EMAIL.test(d))) {
    throw new TypeError("impersonatedTokenSource: delegates must be an array of service account emails");
  }
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new TypeError(`impersonatedTokenSource: endpoint must be an absolute URL, got ${describeValue(endpoint)}`);
  }
  let client: AuthClient | undefined;
  return async ({ audience }) => {
    try {
      client ??= await resolveClient(options.auth);
      const base = endpoint ?? `https://iamcredentials.${client.universeDomain ?? "googleapis.com"}`;
      const res = await client.request<{ token?: unknown }>({
        url: `${base.replace(/\/$/, "")}/v1/projects/-/serviceAccounts/${encodeURIComponent(targetServiceAccount)}:generateIdToken`,
        method: "POST",
        data: { audience, includeEmail: true, delegates: delegates.map((d) => `projects/-/serviceAccounts/${d}`) },
      });
      if (!isJwtShaped(res.data.token)) {
        throw new CrossCloudCredentialsError("IAM Credentials generateIdToken answered without a JWT in `token`.", { code: "GOOGLE_AUTH_FAILED" });
      }
      return res.data.token;
    } catch (error) {
      throw googleAuthError(`IAM Credentials generateIdToken for ${targetServiceAccount}`, error);
    }
  };
}

async function resolveClient(auth: GoogleAuth | AuthClient | undefined): Promise<AuthClient> {
  const resolved = auth ?? new (await loadGoogleAuthLibrary("impersonatedTokenSource")).GoogleAuth();
  return "getClient" in resolved ? resolved.getClient() : resolved;
}
