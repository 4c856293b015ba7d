import { HttpNetworkError, httpRequest, type HttpResponse } from "../internal/httpRequest.js";
import { withRetry } from "../internal/withRetry.js";

export const ENV_IMDS_ENDPOINT = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
export const ENV_IMDS_DISABLED = "AWS_EC2_METADATA_DISABLED";
export const DEFAULT_IMDS_ENDPOINT = "http://169.254.169.254";
/** Lifetime asked for each IMDSv2 session token (the maximum). */
export const IMDS_TOKEN_TTL_SECONDS = 21_600;
/** A session token is replaced this long before its TTL runs out. */
export const IMDS_TOKEN_RENEW_BEFORE_MS = 60_000;
export const IMDS_CONNECT_TIMEOUT_MS = 1_000;
export const IMDS_READ_TIMEOUT_MS = 1_000;
export const IMDS_UNREACHABLE_BUDGET_MS = 2_000;

export const HOP_LIMIT_HINT =
  "If this runs in a container on EC2, the instance's http-put-response-hop-limit is probably 1, which drops the PUT answer: " +
  "raise it to 2 (aws ec2 modify-instance-metadata-options --instance-id <id> --http-put-response-hop-limit 2 --http-tokens required).";

/** Why IMDS could not answer; the message never holds a session token. */
export class ImdsError extends Error {
  override name = "ImdsError";
}

export interface ImdsSession {
  /** GET a metadata path (e.g. `/latest/meta-data/placement/region`) with the shared session token. */
  get(path: string): Promise<string>;
}

/**
 * An IMDSv2 client that keeps one session token until shortly before its TTL, re-PUTs it once when
 * IMDS answers 401, and uses short timeouts (a PUT with no answer points at the hop limit). Reads
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT` at each request; never goes through a proxy.
 */
export function createImdsSession(): ImdsSession {
  let token: { value: string; renewAt: number } | undefined;
  let pendingToken: Promise<string> | undefined;

  const endpoint = () => (process.env[ENV_IMDS_ENDPOINT] || DEFAULT_IMDS_ENDPOINT).replace(/\/$/, "");

  const putToken = (): Promise<string> =>
    (pendingToken ??= request("PUT", "/latest/api/token", { "X-aws-ec2-metadata-token-ttl-seconds": String(IMDS_TOKEN_TTL_SECONDS) })
      .then(
        (res) => {
          if (res.status !== 200 || res.body === "") throw new ImdsError(`IMDSv2 token PUT to ${endpoint()} answered HTTP ${res.status}.${res.status === 403 || res.status === 405 ? " IMDSv2 may be disabled on this instance." : ""}`);
          token = { value: res.body, renewAt: Date.now() + IMDS_TOKEN_TTL_SECONDS * 1000 - IMDS_TOKEN_RENEW_BEFORE_MS };
          return res.body;
        },
        (error: unknown) => {
          if (!(error instanceof HttpNetworkError)) throw error;
          throw error.reason === "connection"
            ? new ImdsError(`IMDS at ${endpoint()} is unreachable (${error.message}): this is not an EC2 instance, or set ${ENV_IMDS_ENDPOINT}.`)
            : new ImdsError(`IMDSv2 token PUT to ${endpoint()} got no answer (${error.message}). ${HOP_LIMIT_HINT}`);
        },
      )
      .finally(() => {
        pendingToken = undefined;
      }));

  const currentToken = () => (token && Date.now() < token.renewAt ? Promise.resolve(token.value) : putToken());

  async function request(method: string, path: string, headers: Record<string, string>): Promise<HttpResponse> {
    return withRetry(
      async (remainingMs) => {
        const res = await httpRequest(`${endpoint()}${path}`, {
          method,
          headers,
          connectTimeoutMs: Math.min(IMDS_CONNECT_TIMEOUT_MS, remainingMs),
          readTimeoutMs: Math.min(IMDS_READ_TIMEOUT_MS, remainingMs),
          maxBodyBytes: 64 * 1024,
        });
        if (res.status >= 500) throw new ImdsError(`IMDS ${method} ${path} answered HTTP ${res.status}`);
        return res;
      },
      { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, budgetMs: IMDS_UNREACHABLE_BUDGET_MS, isRetryable: (e) => e instanceof ImdsError || (e instanceof HttpNetworkError && e.reason !== "aborted") },
    );
  }

  return {
    async get(path) {
      let res = await request("GET", path, { "X-aws-ec2-metadata-token": await currentToken() });
      if (res.status === 401) {
        token = undefined; // the session token went stale: one fresh PUT, one more try
        res = await request("GET", path, { "X-aws-ec2-metadata-token": await currentToken() });
      }
      if (res.status !== 200) throw new ImdsError(`IMDS GET ${path} answered HTTP ${res.status}${res.status === 404 ? " (not found: is an instance profile attached?)" : ""}.`);
      return res.body;
    },
  };
}
