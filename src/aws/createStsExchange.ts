import { createRequire } from "node:module";
import type { AssumeRoleWithWebIdentityCommandOutput, STSClient, STSClientConfig } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import type { FromGcpServiceAccountSettings } from "./resolveFromGcpServiceAccountInit.js";

/** Connection and response timeouts of the STS client; a `clientConfig.requestHandler` options object is merged over them. */
export const STS_CONNECTION_TIMEOUT_MS = 3_000;
export const STS_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_HANDLER_OPTIONS = {
  connectionTimeout: STS_CONNECTION_TIMEOUT_MS,
  requestTimeout: STS_REQUEST_TIMEOUT_MS,
  // Without this the SDK only logs a warning when requestTimeout passes, and waits for ever.
  throwOnRequestTimeout: true,
};

export type StsExchange = (token: string, roleSessionName: string) => Promise<AwsCredentialIdentity & { expiration: Date }>;

/**
 * One AssumeRoleWithWebIdentity call per invocation, on an STS client created on first use (the
 * AWS SDK STS module is loaded only then) and reused afterwards. SDK retries are off: the caller
 * applies its own retry policy.
 */
export function createStsExchange(settings: FromGcpServiceAccountSettings): StsExchange {
  let loaded: { sts: typeof import("@aws-sdk/client-sts"); client: STSClient } | undefined;
  const getClient = () => {
    if (!loaded) {
      // require, not import(): Node 20 would run the SDK's CommonJS files through its ESM translator (~35 ms per cold start).
      const sts = createRequire(import.meta.url)("@aws-sdk/client-sts") as typeof import("@aws-sdk/client-sts");
      loaded = {
        sts,
        client: new sts.STSClient({ ...settings.clientConfig, requestHandler: requestHandlerFor(settings.clientConfig.requestHandler), maxAttempts: 1 }),
      };
    }
    return loaded;
  };

  return async (token, roleSessionName) => {
    const { sts, client } = getClient();
    const output: AssumeRoleWithWebIdentityCommandOutput = await client.send(
      new sts.AssumeRoleWithWebIdentityCommand({
        RoleArn: settings.roleArn,
        RoleSessionName: roleSessionName,
        WebIdentityToken: token,
        DurationSeconds: settings.durationSeconds,
        Policy: settings.policy,
        PolicyArns: settings.policyArns,
      }),
    );
    const c = output.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !(c.Expiration instanceof Date) || Number.isNaN(c.Expiration.getTime())) {
      throw Object.assign(new Error("STS answered AssumeRoleWithWebIdentity without complete credentials"), { name: "IncompleteCredentials" });
    }
    if (c.Expiration.getTime() <= Date.now()) {
      // AWS tolerates 5 minutes of clock skew when signing, so such credentials can never be used.
      throw Object.assign(new Error(`STS issued credentials that expired at ${c.Expiration.toISOString()}: check this machine's clock`), { name: "ExpiredCredentials" });
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
      accountId: settings.accountId,
    };
  };
}

/** A handler instance is kept as given; an options object (or none) gets our timeouts underneath. */
function requestHandlerFor(configured: unknown): STSClientConfig["requestHandler"] {
  const isInstance = typeof (configured as { handle?: unknown } | undefined)?.handle === "function";
  return (isInstance ? configured : { ...DEFAULT_HANDLER_OPTIONS, ...(configured as object | undefined) }) as STSClientConfig["requestHandler"];
}
