// S3 from Cloud Run or GCE: list the objects of an S3 bucket as the workload's Google service account.
// No AWS access key anywhere: the service account's ID token, from the metadata server, is exchanged for
// short-lived AWS credentials at AWS STS (AssumeRoleWithWebIdentity).
//
// Where it runs: Cloud Run (services and jobs), GCE, GKE with Workload Identity, Cloud Functions: wherever
// the Google metadata server answers. Off Google Cloud it fails fast with METADATA_UNAVAILABLE.
//
// Cloud setup (README, "GCP → AWS: Cloud-side setup"):
//   1. Run the service or VM as a service account, e.g. aws-reader@my-project.iam.gserviceaccount.com
//      (gcloud run deploy … --service-account aws-reader@my-project.iam.gserviceaccount.com).
//   2. Create an AWS IAM role that trusts exactly that account, allowed s3:ListBucket on the bucket:
//        npx cross-cloud-credentials aws-trust-policy --service-account-id <its uniqueId> > trust.json
//        aws iam create-role --role-name gcp-reader --assume-role-policy-document file://trust.json
//        aws iam attach-role-policy --role-name gcp-reader --policy-arn arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
//
// Configuration (environment variables):
//   AWS_ROLE_ARN  the role to assume, e.g. arn:aws:iam::123456789012:role/gcp-reader   (required)
//   BUCKET        the bucket to list                                                    (required)
//   PREFIX        only keys starting with this                                          (optional)
//   AWS_REGION    the bucket's region, e.g. eu-west-1                                   (required by the S3 client)
//
// Install and run:
//   npm install cross-cloud-credentials @aws-sdk/client-s3
//   AWS_ROLE_ARN=arn:aws:iam::123456789012:role/gcp-reader BUCKET=my-bucket AWS_REGION=eu-west-1 node s3-from-gcp.mjs
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { CrossCloudCredentialsError, fromGcpServiceAccount } from "cross-cloud-credentials";

const { BUCKET: bucket, PREFIX: prefix = "" } = process.env;
if (!bucket) throw new Error("Set BUCKET to the name of the S3 bucket to list.");

// One provider for the whole process: it caches the credentials and refreshes them before they expire,
// however many clients share it.
const credentials = fromGcpServiceAccount({ roleArn: process.env.AWS_ROLE_ARN });
const s3 = new S3Client({ credentials });

try {
  const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  console.log(`s3://${bucket}/${prefix}: ${listing.KeyCount ?? 0} object(s)`);
  for (const object of listing.Contents ?? []) {
    console.log(`${object.LastModified?.toISOString()}  ${String(object.Size).padStart(10)}  ${object.Key}`);
  }
} catch (error) {
  // A CrossCloudCredentialsError names the step that failed and what to do; it never contains a token.
  console.error(error instanceof CrossCloudCredentialsError ? `${error.code}: ${error.message}` : String(error));
  process.exitCode = 1;
}
