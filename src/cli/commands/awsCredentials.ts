import { fromGcpServiceAccount } from "../../aws/fromGcpServiceAccount.js";
import type { FromGcpServiceAccountInit } from "../../aws/resolveFromGcpServiceAccountInit.js";
import { ExitCode } from "../exitCode.js";
import { AWS_CREDENTIALS_OPTIONS, awsCredentialsCacheKey } from "../awsCredentialsOptions.js";
import { tokenSourceFrom } from "../tokenSourceFrom.js";
import { defaultCacheDir, type CachedCredentials } from "../credentialCacheEntry.js";
import { openCredentialCache } from "../openCredentialCache.js";
import type { CliIo, CommandSpec, OptionValues } from "../commandSpec.js";

export const awsCredentialsCommand: CommandSpec = {
  name: "aws-credentials",
  summary:
    "Print AWS credentials for this Google Cloud workload as credential_process JSON (stdout only), cached on disk\nwhile more than 20 minutes remain. In ~/.aws/config: credential_process = cross-cloud-credentials aws-credentials --role-arn ARN",
  options: AWS_CREDENTIALS_OPTIONS,
  async run(values, io) {
    const provider = fromGcpServiceAccount(providerInit(values)); // validates before any I/O
    const fetchCredentials = async () => toCredentialProcess(await provider());
    const credentials = values["no-cache"] ? await fetchCredentials() : await fromCache(values, fetchCredentials, io);
    io.stdout(`${JSON.stringify({ Version: 1, ...credentials })}\n`);
    return ExitCode.Ok;
  },
};

/** Cached credentials while fresh; otherwise one process fetches under the lock while the others wait for its result. */
async function fromCache(values: OptionValues, fetchCredentials: () => Promise<CachedCredentials>, io: CliIo): Promise<CachedCredentials> {
  const cache = await openCredentialCache((values["cache-dir"] as string | undefined) ?? defaultCacheDir());
  const key = awsCredentialsCacheKey(values);
  return (
    (await cache.read(key)) ??
    (await cache.withLock(
      key,
      async () => {
        const cached = await cache.read(key);
        if (cached) return cached;
        const fresh = await fetchCredentials();
        // Credentials in hand are printed even when they cannot be cached (e.g. a directory sits where the entry goes).
        await cache.write(key, fresh, new Date()).catch((error: unknown) => io.stderr(`cross-cloud-credentials: not cached: ${(error as NodeJS.ErrnoException).code ?? "write failed"}\n`));
        return fresh;
      },
      () => cache.read(key),
    ))
  );
}

function providerInit(values: OptionValues): FromGcpServiceAccountInit {
  const clientConfig = {
    ...(values.region ? { region: values.region as string } : {}),
    ...(values["sts-endpoint"] ? { endpoint: values["sts-endpoint"] as string } : {}),
  };
  return {
    roleArn: values["role-arn"] as string,
    audience: values.audience as string | undefined,
    roleSessionName: values["role-session-name"] as string | undefined,
    durationSeconds: values["duration-seconds"] as number | undefined,
    tokenSource: tokenSourceFrom(values),
    clientConfig,
  };
}

function toCredentialProcess(c: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration: Date; accountId: string }): CachedCredentials {
  return { AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken ?? "", Expiration: c.expiration.toISOString(), AccountId: c.accountId };
}
