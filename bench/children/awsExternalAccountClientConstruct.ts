// Fresh process, item 3 (module list): import the root and construct an awsExternalAccountClient
// (google-auth-library is loaded synchronously then; the AWS SDK only at the first token request).
const { awsExternalAccountClient } = await import("cross-cloud-credentials");
awsExternalAccountClient({ projectNumber: "123456789012", poolId: "aws-pool", providerId: "aws-provider", awsRegion: "us-east-1" });
process.stdout.write("{}\n");
export {};
