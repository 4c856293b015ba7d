import { CrossCloudCredentialsError } from "../errors.js";
import { ENV_GCE_METADATA_HOST } from "../internal/env.js";
import { HttpNetworkError, httpRequest, type HttpResponse } from "../internal/httpRequest.js";
import { isJwtShaped } from "../internal/jwtClaims.js";
import { withRetry } from "../internal/withRetry.js";
import type { TokenSource } from "./TokenSource.js";
import { describeValue } from "../internal/describeValue.js";

export const DEFAULT_METADATA_HOST = "169.254.169.254";
export const METADATA_CONNECT_TIMEOUT_MS = 1_000;
export const METADATA_READ_TIMEOUT_MS = 1_000;
/** No retry of an unreachable metadata server starts after this, so off GCP the source fails fast. */
export const METADATA_UNREACHABLE_BUDGET_MS = 2_000;

export interface GceMetadataTokenSourceOptions {
  /** Service account whose ID token to fetch: an email, or `"default"` (the attached account). */
  serviceAccount?: string;
  /**
   * `"full"` adds `email` to the token (the default session name uses it); on HTTP 400 the source
   * retries once with `"standard"`, as the GKE metadata server needs. Default `"full"`.
   */
  format?: "full" | "standard";
}

/**
 * ID tokens from the GCP metadata server: GCE, GKE Workload Identity, Cloud Run, Cloud Functions.
 * Honours `GCE_METADATA_HOST` (host[:port], read at every fetch). Never goes through a proxy.
 */
export function gceMetadataTokenSource(options: GceMetadataTokenSourceOptions = {}): TokenSource {
  const serviceAccount = options.serviceAccount ?? "default";
  if (typeof serviceAccount !== "string" || !/^(default|[^\s/@]+@[^\s/@]+)$/.test(serviceAccount)) {
    throw new TypeError(`gceMetadataTokenSource: serviceAccount must be "default" or a service account email, got ${describeValue(serviceAccount)}`);
  }
  const format = options.format ?? "full";
  if (format !== "full" && format !== "standard") {
    throw new TypeError(`gceMetadataTokenSource: format must be "full" or "standard", got ${describeValue(format)}`);
  }

  return async ({ audience, signal }) => {
    const host = process.env[ENV_GCE_METADATA_HOST] || DEFAULT_METADATA_HOST;
    const fetchIdentity = (fmt: string) => {
      const query = new URLSearchParams({ audience, format: fmt });
      const url = `http://${host}/computeMetadata/v1/instance/service-accounts/${encodeURIComponent(serviceAccount)}/identity?${query}`;
      return getFromMetadata(url, host, signal);
    };
    let res = await fetchIdentity(format);
    if (res.status === 400 && format === "full") res = await fetchIdentity("standard");
    return tokenFromResponse(res, host, serviceAccount);
  };
}

async function getFromMetadata(url: string, host: string, signal: AbortSignal | undefined): Promise<HttpResponse> {
  try {
    return await withRetry(
      async (remainingMs) => {
        const res = await httpRequest(url, {
          headers: { "Metadata-Flavor": "Google" },
          connectTimeoutMs: Math.min(METADATA_CONNECT_TIMEOUT_MS, remainingMs),
          readTimeoutMs: Math.min(METADATA_READ_TIMEOUT_MS, remainingMs),
          maxBodyBytes: 64 * 1024,
          signal,
        });
        if (res.status >= 500) throw new MetadataServerError(res);
        return res;
      },
      {
        maxAttempts: 3,
        baseDelayMs: 100,
        maxDelayMs: 1_000,
        budgetMs: METADATA_UNREACHABLE_BUDGET_MS,
        isRetryable: (error) => error instanceof MetadataServerError || (error instanceof HttpNetworkError && error.reason !== "aborted"),
      },
    );
  } catch (error) {
    if (error instanceof MetadataServerError) {
      throw new CrossCloudCredentialsError(
        `GCP metadata server at ${host} answered HTTP ${error.response.status} to the ID token request, after retries. Check the instance's health or try again later.`,
        { code: "METADATA_ERROR" },
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new CrossCloudCredentialsError(
      `No GCP metadata server answered at ${host} (${reason}). This is not a GCE, GKE, Cloud Run or Cloud Functions workload, ` +
        `or ${ENV_GCE_METADATA_HOST} points at the wrong place. Off Google Cloud, pass another tokenSource (fileTokenSource, googleAuthTokenSource).`,
      { code: "METADATA_UNAVAILABLE", tryNextLink: true, cause: error },
    );
  }
}

class MetadataServerError extends Error {
  constructor(readonly response: HttpResponse) {
    super(`metadata server answered HTTP ${response.status}`);
  }
}

function tokenFromResponse(res: HttpResponse, host: string, serviceAccount: string): string {
  if (res.headers["metadata-flavor"] !== "Google") {
    throw new CrossCloudCredentialsError(
      `The server at ${host} answered without "Metadata-Flavor: Google", so it is not a GCP metadata server. Check ${ENV_GCE_METADATA_HOST}.`,
      { code: "METADATA_UNAVAILABLE", tryNextLink: true },
    );
  }
  if (res.status === 404) {
    throw new CrossCloudCredentialsError(
      `The GCP metadata server has no service account "${serviceAccount}" (HTTP 404). Attach a service account to the instance or Cloud Run service; ` +
        `on GKE enable Workload Identity and annotate the Kubernetes service account with iam.gke.io/gcp-service-account.`,
      { code: "METADATA_UNAVAILABLE", tryNextLink: true },
    );
  }
  if (res.status !== 200) {
    throw new CrossCloudCredentialsError(
      `The GCP metadata server answered HTTP ${res.status} to the ID token request for service account "${serviceAccount}". ` +
        `Check that the service account exists and the audience is a plain string.`,
      { code: "METADATA_ERROR" },
    );
  }
  const token = res.body.trim();
  if (!isJwtShaped(token)) {
    throw new CrossCloudCredentialsError(
      `The GCP metadata server answered the ID token request with a body that is not a JWT (${res.body.length} characters).`,
      { code: "METADATA_ERROR" },
    );
  }
  return token;
}
