import { vi } from "vitest";
import { fromGcpServiceAccount, type FromGcpServiceAccountInit } from "../../src/index.js";
import { createFakeAwsSts, createFakeGcpMetadataServer } from "../../src/testing/index.js";

export const ROLE_ARN = "arn:aws:iam::123456789012:role/gcp-reader";
export const ASSUME = (req: { action?: string }) => req.action === "AssumeRoleWithWebIdentity";

/**
 * A fake GCP metadata server and a fake STS that trusts its tokens, with GCE_METADATA_HOST pointing
 * at the metadata server, and a factory for providers aimed at the fake STS.
 */
export async function startGcpToAws(
  stsOptions: Parameters<typeof createFakeAwsSts>[0] = {},
  metadataOptions: Parameters<typeof createFakeGcpMetadataServer>[0] = {},
) {
  const metadata = await createFakeGcpMetadataServer(metadataOptions);
  const sts = await createFakeAwsSts({ identityProviders: [metadata], ...stsOptions });
  vi.stubEnv("GCE_METADATA_HOST", metadata.host);
  return {
    metadata,
    sts,
    provider: (init: Partial<FromGcpServiceAccountInit> = {}) =>
      fromGcpServiceAccount({ roleArn: ROLE_ARN, ...init, clientConfig: { region: "us-east-1", endpoint: sts.url, ...init.clientConfig } }),
    assumeCalls: () => sts.count("AssumeRoleWithWebIdentity"),
    tokenFetches: () => metadata.identityRequests().length,
    close: async () => {
      vi.unstubAllEnvs();
      await Promise.all([metadata.close(), sts.close()]);
    },
  };
}

export type GcpToAws = Awaited<ReturnType<typeof startGcpToAws>>;
