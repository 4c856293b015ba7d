import { awsEnvironmentKind } from "../../gcp/defaultAwsCredentials.js";
import { createImdsSession } from "../../gcp/createImdsSession.js";
import { ENV_GCE_METADATA_HOST, regionFromEnv } from "../../internal/env.js";
import { httpRequest } from "../../internal/httpRequest.js";
import { DEFAULT_METADATA_HOST } from "../../tokenSources/gceMetadataTokenSource.js";
import type { DoctorCheck } from "./DoctorCheck.js";

/** Is there a GCP metadata server, and which service account does it serve? One short attempt; `skip` when there is none. */
export async function detectGcp(): Promise<DoctorCheck> {
  const host = process.env[ENV_GCE_METADATA_HOST] || DEFAULT_METADATA_HOST;
  try {
    const res = await httpRequest(`http://${host}/computeMetadata/v1/instance/service-accounts/default/email`, {
      headers: { "Metadata-Flavor": "Google" },
      connectTimeoutMs: 1_000,
      readTimeoutMs: 1_000,
      maxBodyBytes: 4096,
    });
    if (res.headers["metadata-flavor"] !== "Google") {
      return { check: "gcp-metadata", status: "fail", detail: `${host} answered without Metadata-Flavor: Google: not a GCP metadata server`, fix: `Check ${ENV_GCE_METADATA_HOST}.` };
    }
    if (res.status !== 200) {
      return { check: "gcp-metadata", status: "fail", detail: `metadata server at ${host} has no default service account (HTTP ${res.status})`, fix: "Attach a service account to the instance or service; on GKE enable Workload Identity for the pod's Kubernetes service account." };
    }
    return { check: "gcp-metadata", status: "ok", detail: `metadata server at ${host}, service account ${res.body.trim()}` };
  } catch (error) {
    return { check: "gcp-metadata", status: "skip", detail: `no GCP metadata server at ${host} (${(error as Error).message}): not on Google Cloud` };
  }
}

const SOURCE_BY_KIND = {
  container: "container endpoint (ECS task role or EKS Pod Identity)",
  "web-identity": "web identity token file (EKS IRSA)",
  instance: "EC2 instance metadata (IMDSv2)",
} as const;

/** Which AWS credential source the environment announces, and the region. Probes IMDS only for the instance case; `skip` when there is none. */
export async function detectAws(): Promise<DoctorCheck> {
  const env = process.env;
  const kind = awsEnvironmentKind();
  const source = env.AWS_ACCESS_KEY_ID ? "environment variables (AWS_ACCESS_KEY_ID)" : env.AWS_PROFILE ? `profile ${env.AWS_PROFILE}` : SOURCE_BY_KIND[kind];
  let region = regionFromEnv();
  if (source === SOURCE_BY_KIND.instance) {
    // Probe IMDS even when AWS_REGION is set: a region alone is no AWS identity.
    try {
      const imds = createImdsSession();
      const role = (await imds.get("/latest/meta-data/iam/security-credentials/")).split("\n")[0]?.trim();
      if (!role) throw new Error("IMDS lists no instance profile role");
      region ??= (await imds.get("/latest/meta-data/placement/region")).trim();
    } catch (error) {
      return { check: "aws-identity", status: "skip", detail: `no AWS credentials in the environment and no EC2 instance metadata (${(error as Error).message})` };
    }
  }
  return {
    check: "aws-identity",
    status: region ? "ok" : "warn",
    detail: `AWS credential source: ${source}; region: ${region ?? "unknown"}`,
    ...(region ? {} : { fix: "Set AWS_REGION (or pass --region)." }),
  };
}
