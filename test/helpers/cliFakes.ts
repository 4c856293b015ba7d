import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFakeAwsSts, createFakeGcpMetadataServer } from "../../src/testing/index.js";

export const ROLE_ARN = "arn:aws:iam::123456789012:role/gcp-reader";

/** A GCP workload's fakes for CLI tests: metadata server, STS, a scratch directory, and the flags/env that point the CLI at them. */
export async function startCliFakes(
  stsOptions: Parameters<typeof createFakeAwsSts>[0] = {},
  metadataOptions: Parameters<typeof createFakeGcpMetadataServer>[0] = {},
) {
  const metadata = await createFakeGcpMetadataServer(metadataOptions);
  const sts = await createFakeAwsSts({ identityProviders: [metadata], ...stsOptions });
  const dir = await mkdtemp(join(tmpdir(), "ccc-cli-"));
  const cacheDir = join(dir, "cache");
  return {
    metadata,
    sts,
    dir,
    cacheDir,
    env: { GCE_METADATA_HOST: metadata.host },
    /** `aws-credentials` arguments aimed at the fakes. */
    credentialArgs: (...extra: string[]) => ["aws-credentials", "--role-arn", ROLE_ARN, "--sts-endpoint", sts.url, "--region", "us-east-1", "--cache-dir", cacheDir, ...extra],
    close: async () => {
      await Promise.all([metadata.close(), sts.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type CliFakes = Awaited<ReturnType<typeof startCliFakes>>;
