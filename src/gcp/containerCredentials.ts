import { readFile } from "node:fs/promises";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { HttpNetworkError, httpRequest } from "../internal/httpRequest.js";
import { withRetry } from "../internal/withRetry.js";

export const ENV_CONTAINER_RELATIVE_URI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
export const ENV_CONTAINER_FULL_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const ENV_AUTHORIZATION_TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
const ENV_AUTHORIZATION_TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
const ECS_HOST = "http://169.254.170.2";
/** Plain-HTTP full URIs are allowed only to the container agents and loopback, as in the AWS SDKs. */
const HTTP_HOSTS = new Set(["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "localhost"]);
export const CONTAINER_TIMEOUT_MS = 2_000;

class ContainerEndpointError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "ContainerEndpointError";
  }
}

/**
 * Task-role credentials from the ECS container endpoint or the EKS Pod Identity agent
 * (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)`).
 * Ours rather than the SDK's so the authorization token never reaches a debug log (the SDK passes
 * it in request options, which NODE_DEBUG=http prints). 5xx and network errors are retried.
 */
export function containerCredentials(): AwsCredentialIdentityProvider {
  return async () => {
    const url = containerUrl();
    const headers: Record<string, string> = {};
    const tokenFile = process.env[ENV_AUTHORIZATION_TOKEN_FILE];
    const token = tokenFile ? (await readFile(tokenFile, "utf8")).trim() : process.env[ENV_AUTHORIZATION_TOKEN];
    if (token) headers.Authorization = token;
    const res = await withRetry(
      async () => {
        const answer = await httpRequest(url, { headers, connectTimeoutMs: CONTAINER_TIMEOUT_MS, readTimeoutMs: CONTAINER_TIMEOUT_MS, maxBodyBytes: 64 * 1024 });
        if (answer.status >= 500) throw new ContainerEndpointError(`the container credentials endpoint answered HTTP ${answer.status}`, true);
        if (answer.status !== 200) throw new ContainerEndpointError(`the container credentials endpoint answered HTTP ${answer.status}${answer.status === 401 || answer.status === 403 ? " (check AWS_CONTAINER_AUTHORIZATION_TOKEN)" : ""}`, false);
        return answer;
      },
      { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, isRetryable: (e) => (e instanceof ContainerEndpointError && e.retryable) || (e instanceof HttpNetworkError && e.reason !== "aborted") },
    );
    return parseContainerCredentials(res.body);
  };
}

function containerUrl(): string {
  const relative = process.env[ENV_CONTAINER_RELATIVE_URI];
  if (relative) return `${ECS_HOST}${relative.startsWith("/") ? "" : "/"}${relative}`;
  const full = process.env[ENV_CONTAINER_FULL_URI] ?? "";
  let parsed: URL;
  try {
    parsed = new URL(full);
  } catch {
    throw new ContainerEndpointError(`${ENV_CONTAINER_FULL_URI} is not a URL`, false);
  }
  const loopback = /^127\.|^\[::1\]$/.test(parsed.hostname);
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && (loopback || HTTP_HOSTS.has(parsed.hostname)))) {
    throw new ContainerEndpointError(`${ENV_CONTAINER_FULL_URI} must be https, or http to loopback or the ECS / EKS agent addresses`, false);
  }
  return full;
}

function parseContainerCredentials(body: string): AwsCredentialIdentity {
  let doc: { AccessKeyId?: unknown; SecretAccessKey?: unknown; Token?: unknown; Expiration?: unknown; AccountId?: unknown };
  try {
    doc = JSON.parse(body) as typeof doc;
  } catch {
    throw new ContainerEndpointError("the container credentials endpoint answered with a body that is not JSON", false);
  }
  const expiration = typeof doc.Expiration === "string" ? new Date(doc.Expiration) : undefined;
  if (typeof doc.AccessKeyId !== "string" || typeof doc.SecretAccessKey !== "string" || typeof doc.Token !== "string" || !expiration || Number.isNaN(expiration.getTime())) {
    throw new ContainerEndpointError("the container credentials endpoint answered without a complete credential set", false);
  }
  return {
    accessKeyId: doc.AccessKeyId,
    secretAccessKey: doc.SecretAccessKey,
    sessionToken: doc.Token,
    expiration,
    ...(typeof doc.AccountId === "string" ? { accountId: doc.AccountId } : {}),
  };
}
