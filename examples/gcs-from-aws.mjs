// Cloud Storage from EC2, ECS/Fargate or AWS Lambda: list a Google Cloud project's buckets as a Google
// service account, with the workload's own AWS role. No service-account key anywhere: the AWS role signs a
// GetCallerIdentity request that Google STS verifies with AWS (workload identity federation).
//
// Where it runs, unchanged: EC2 (instance profile, IMDSv2), ECS and Fargate (task role), EKS (IRSA or Pod
// Identity), Lambda (function role), or anywhere else the AWS SDK finds credentials. As a program
// (`node gcs-from-aws.mjs`) or as a Lambda function (handler: gcs-from-aws.handler).
//
// Cloud setup (README, "AWS → GCP: Cloud-side setup"):
//   1. A workload identity pool with an AWS provider for your AWS account, and roles/iam.workloadIdentityUser
//      on the service account for the AWS role's principal set (principalSet://…/attribute.aws_role/…).
//   2. The service account may list buckets (roles/storage.objectViewer or a custom role with storage.buckets.list).
//   3. Write the credential configuration (it holds no secret) and ship it with the app:
//        npx cross-cloud-credentials gcp-credential-config --project-number 123456789012 --pool-id aws-pool \
//          --provider-id aws-provider --service-account reader@my-project.iam.gserviceaccount.com --output-file wif.json
//      (gcloud iam workload-identity-pools create-cred-config … --aws --enable-imdsv2 writes the same file).
//
// Configuration (environment variables):
//   GOOGLE_APPLICATION_CREDENTIALS  path of wif.json (required). Only its Google side is read (the pool provider,
//                                   the STS and impersonation URLs); the AWS identity always comes from the AWS SDK
//                                   chain, so this also works on ECS, EKS and Lambda, where gcloud's own AWS support
//                                   does not.
//   GOOGLE_CLOUD_PROJECT            the project whose buckets to list (required)
//   STORAGE_EMULATOR_HOST           a Cloud Storage endpoint other than https://storage.googleapis.com, e.g. a
//                                   Private Service Connect endpoint or an emulator; the variable @google-cloud/storage
//                                   reads (optional)
//   AWS_REGION                      set by ECS and Lambda for you; on EC2 it comes from instance metadata
//
// Install and run:
//   npm install cross-cloud-credentials google-auth-library @googleapis/storage
//   GOOGLE_APPLICATION_CREDENTIALS=wif.json GOOGLE_CLOUD_PROJECT=my-project node gcs-from-aws.mjs
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { storage } from "@googleapis/storage";
import { awsExternalAccountClient, CrossCloudCredentialsError } from "cross-cloud-credentials";

const configFile = process.env.GOOGLE_APPLICATION_CREDENTIALS;
if (!configFile) throw new Error("Set GOOGLE_APPLICATION_CREDENTIALS to the credential configuration file (wif.json).");
const config = JSON.parse(await readFile(configFile, "utf8"));

// Created once per process (once per Lambda container): the client caches the Google token and our supplier
// caches the AWS credentials, so warm invocations make no token requests.
const auth = awsExternalAccountClient({
  audience: config.audience,
  tokenUrl: config.token_url,
  serviceAccountImpersonationUrl: config.service_account_impersonation_url,
  serviceAccountTokenLifetimeSeconds: config.service_account_impersonation?.token_lifetime_seconds,
  universeDomain: config.universe_domain,
});
const endpoint = process.env.STORAGE_EMULATOR_HOST;
const gcs = storage({ version: "v1", auth, ...(endpoint ? { rootUrl: `${endpoint.replace(/\/+$/, "")}/` } : {}) });

/** The names of the project's buckets. Also the Lambda handler. */
export async function handler() {
  const project = process.env.GOOGLE_CLOUD_PROJECT;
  if (!project) throw new Error("Set GOOGLE_CLOUD_PROJECT to the project whose buckets to list.");
  const { data } = await gcs.buckets.list({ project });
  return (data.items ?? []).map((bucket) => bucket.name);
}

// Run as a program (EC2, ECS, a shell): print the bucket names.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const names = await handler();
    console.log(`${names.length} bucket(s) in ${process.env.GOOGLE_CLOUD_PROJECT}:`);
    for (const name of names) console.log(`gs://${name}`);
  } catch (error) {
    // A CrossCloudCredentialsError names the failed step (AWS credentials, region, Google STS, impersonation)
    // with Google's own error text; it never contains a token or an AWS secret.
    console.error(error instanceof CrossCloudCredentialsError ? `${error.code}: ${error.message}` : String(error));
    process.exitCode = 1;
  }
}
