import { createHash } from "node:crypto";
import { fromGcpServiceAccount } from "../../aws/fromGcpServiceAccount.js";
import type { FromGcpServiceAccountInit } from "../../aws/resolveFromGcpServiceAccountInit.js";
import { ExitCode } from "../exitCode.js";
import { TOKEN_SOURCE_OPTIONS, tokenSourceFrom } from "../tokenSourceOptions.js";
import { defaultCacheDir, openCredentialCache, type CachedCredentials } from "../openCredentialCache.js";
import type { CliIo, CommandSpec, OptionValues } from "../commandSpec.js";

/** The options whose values change the credentials, and so the cache key. */
const KEYED_OPTIONS = ["role-arn", "audience", "role-session-name", "duration-seconds", "region", "sts-endpoint", "token-source", "token-file"];

export const awsCredentialsCommand: CommandSpec = {
  name: "aws-credentials",
  summary:
    "Print AWS credentials for this Google Cloud workload as credential_process JSON (stdout only), cached on disk\nwhile more than 20 minutes remain. In ~/.aws/config: credential_process = cross-cloud-credentials aws-credentials --role-arn ARN",
  options: [
    { name: "role-arn", placeholder: "ARN", required: true, description: "role to assume, arn:aws:iam::<account>:role/<name>" },
    { name: "audience", placeholder: "AUD", description: "audience of the Google ID token; default sts.amazonaws.com" },
    { name: "role-session-name", placeholder: "NAME", description: "session name; default gcp-<service account>" },
    { name: "duration-seconds", type: "integer", placeholder: "S", description: "session length, 900-43200; default 3600" },
    { name: "region", placeholder: "REGION", description: "STS region; default AWS_REGION, AWS_DEFAULT_REGION, else us-east-1" },
    { name: "sts-endpoint", placeholder: "URL", description: "STS endpoint; default the regional endpoint (or AWS_ENDPOINT_URL_STS)" },
    ...TOKEN_SOURCE_OPTIONS,
    { name: "cache-dir", placeholder: "DIR", description: "cache directory; default $XDG_CACHE_HOME/cross-cloud-credentials" },
    { name: "no-cache", type: "flag", description: "neither read nor write the cache" },
  ],
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
  const key = cacheKey(values);
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

function cacheKey(values: OptionValues): string {
  const keyed: unknown[] = KEYED_OPTIONS.map((name) => [name, values[name] ?? null]);
  keyed.push(["env", [process.env.AWS_REGION, process.env.AWS_DEFAULT_REGION, process.env.AWS_ENDPOINT_URL_STS, process.env.GCE_METADATA_HOST].map((v) => v ?? null)]);
  return createHash("sha256").update(JSON.stringify(keyed)).digest("hex").slice(0, 32);
}

function toCredentialProcess(c: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration: Date; accountId: string }): CachedCredentials {
  return { AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken ?? "", Expiration: c.expiration.toISOString(), AccountId: c.accountId };
}
