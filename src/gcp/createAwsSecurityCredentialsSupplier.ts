import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { CrossCloudCredentialsError } from "../errors.js";
import { createRefreshingCache } from "../internal/createRefreshingCache.js";
import { regionFromEnv } from "../internal/env.js";
import { redact, safeCause } from "../internal/redact.js";
import { createImdsSession } from "./createImdsSession.js";
import { awsEnvironmentKind, defaultAwsCredentials } from "./defaultAwsCredentials.js";
import { describeValue } from "../internal/describeValue.js";

/** google-auth-library's `AwsSecurityCredentials`. */
export interface AwsSecurityCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  token?: string;
}

/** google-auth-library's `AwsSecurityCredentialsSupplier` contract. */
export interface AwsSecurityCredentialsSupplier {
  getAwsRegion(context: unknown): Promise<string>;
  getAwsSecurityCredentials(context: unknown): Promise<AwsSecurityCredentials>;
}

export interface AwsSecurityCredentialsSupplierOptions {
  awsCredentials?: AwsCredentialIdentityProvider;
  awsRegion?: string | (() => Promise<string>);
}

const WHERE_TO_LOOK =
  "On ECS give the task a task role; on EKS configure IRSA or Pod Identity; on Lambda the function role is used; on EC2 attach an instance profile; or pass awsCredentials.";

/**
 * The supplier behind `awsExternalAccountClient`: AWS credentials from any AWS SDK provider (by
 * default the SDK chain with a shared IMDSv2 session), cached and refreshed ahead of expiry with one
 * in-flight resolution (google-auth-library asks at every token exchange and caches nothing), and
 * the region from the option, the environment, or IMDSv2 `placement/region`.
 */
export function createAwsSecurityCredentialsSupplier(options: AwsSecurityCredentialsSupplierOptions = {}): AwsSecurityCredentialsSupplier {
  const imds = createImdsSession();
  const provider = options.awsCredentials ?? defaultAwsCredentials(imds);
  const credentials = createRefreshingCache(
    async () => {
      try {
        return await provider();
      } catch (error) {
        if (error instanceof CrossCloudCredentialsError) throw error;
        const source = options.awsCredentials ? "the awsCredentials provider" : `the AWS SDK default chain (${awsEnvironmentKind()} environment)`;
        throw new CrossCloudCredentialsError(`Could not get AWS credentials from ${source}: ${redact(safeCause(error).message)} ${options.awsCredentials ? "" : WHERE_TO_LOOK}`.trim(), {
          code: "AWS_CREDENTIALS_FAILED",
          cause: safeCause(error),
        });
      }
    },
    { what: "AWS credentials" },
  );

  let region: Promise<string> | undefined;
  const resolveRegion = async (): Promise<string> => {
    const configured = options.awsRegion;
    try {
      const value = typeof configured === "function" ? await configured() : (configured ?? regionFromEnv() ?? (await imds.get("/latest/meta-data/placement/region")).trim());
      if (typeof value !== "string" || value === "") throw new Error(`got ${describeValue(value)}`);
      return value;
    } catch (error) {
      throw new CrossCloudCredentialsError(
        `Could not determine the AWS region: ${redact(safeCause(error).message)} Set awsRegion or AWS_REGION (IMDSv2 placement/region is used only on EC2).`,
        { code: "AWS_REGION_FAILED", cause: safeCause(error) },
      );
    }
  };

  return {
    getAwsRegion: () =>
      (region ??= resolveRegion().catch((error: unknown) => {
        region = undefined; // a failure is not cached
        throw error;
      })),
    async getAwsSecurityCredentials() {
      const { accessKeyId, secretAccessKey, sessionToken } = await credentials();
      return { accessKeyId, secretAccessKey, ...(sessionToken ? { token: sessionToken } : {}) };
    },
  };
}
