import { CrossCloudCredentialsError } from "../../errors.js";
import { awsExternalAccountClient } from "../../gcp/awsExternalAccountClient.js";
import type { AwsExternalAccountOptions } from "../../gcp/resolveAwsExternalAccountOptions.js";
import type { DoctorCheck } from "./DoctorCheck.js";

/** AWS → GCP: exchanges this machine's AWS identity for a Google token, and names the fix for each failing step. */
export async function checkAwsToGcp(options: AwsExternalAccountOptions): Promise<DoctorCheck> {
  try {
    await awsExternalAccountClient(options).getAccessToken();
    return { check: "aws-to-gcp", status: "ok", detail: `exchanged the AWS identity for a Google token${options.serviceAccountEmail ? ` and impersonated ${options.serviceAccountEmail}` : ""}` };
  } catch (error) {
    const e = error instanceof CrossCloudCredentialsError ? error : new CrossCloudCredentialsError(String(error), { code: "GOOGLE_STS_FAILED" });
    const detail = `${e.code}${e.googleError ? ` (${e.googleError}${e.googleErrorDescription ? `: ${e.googleErrorDescription}` : ""})` : ""}`;
    const pool = options.projectNumber ? `projects/${options.projectNumber}/locations/global/workloadIdentityPools/${options.poolId}` : "projects/<number>/locations/global/workloadIdentityPools/<pool>";
    if (e.code === "GOOGLE_IMPERSONATION_FAILED") {
      return {
        check: "aws-to-gcp",
        status: "fail",
        detail,
        fix: `The AWS principal lacks roles/iam.workloadIdentityUser on the service account: gcloud iam service-accounts add-iam-policy-binding ${options.serviceAccountEmail ?? "<email>"} --role=roles/iam.workloadIdentityUser --member="principalSet://iam.googleapis.com/${pool}/attribute.aws_role/arn:aws:sts::<account>:assumed-role/<role>"`,
      };
    }
    if (e.code === "GOOGLE_STS_FAILED" && e.googleError === "invalid_target") {
      return { check: "aws-to-gcp", status: "fail", detail, fix: "The workload identity pool or provider does not exist or is disabled: check --project-number (the number, not the ID), --pool-id and --provider-id." };
    }
    return { check: "aws-to-gcp", status: "fail", detail, fix: e.message };
  }
}
