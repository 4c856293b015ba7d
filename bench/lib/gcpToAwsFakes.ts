import { createFakeAwsSts, createFakeGcpMetadataServer } from "cross-cloud-credentials/testing";

export const ROLE_ARN = "arn:aws:iam::123456789012:role/gcp-reader";
/** The session name our provider derives from the fake metadata server's default account; the baselines use it too. */
export const ROLE_SESSION_NAME = "gcp-workload";
export const AUDIENCE = "sts.amazonaws.com";

/** A GCP workload's view of the world: the fake metadata server and a fake STS that trusts its tokens. */
export async function startGcpToAwsFakes() {
  const metadata = await createFakeGcpMetadataServer();
  const sts = await createFakeAwsSts({ identityProviders: [metadata] });
  return {
    metadata,
    sts,
    /** Environment pointing a process (ours and the baselines alike) at the fakes. */
    env: { GCE_METADATA_HOST: metadata.host, AWS_ENDPOINT_URL_STS: sts.url, AWS_REGION: "us-east-1" },
    tokenFetches: () => metadata.identityRequests().length,
    stsCalls: () => sts.count("AssumeRoleWithWebIdentity"),
    close: async () => {
      await Promise.all([metadata.close(), sts.close()]);
    },
  };
}

export type GcpToAwsFakes = Awaited<ReturnType<typeof startGcpToAwsFakes>>;

/** What a baseline script does to get the ID token: one `fetch` to the metadata server. */
export async function fetchIdToken(metadataHost: string, audience = AUDIENCE): Promise<string> {
  const url = `http://${metadataHost}/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(audience)}&format=full`;
  const response = await fetch(url, { headers: { "Metadata-Flavor": "Google" } });
  if (!response.ok) throw new Error(`metadata server answered ${response.status}`);
  return response.text();
}
