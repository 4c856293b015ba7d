// SNS from anywhere with one code path: on Google Cloud, publish as the workload's Google service account
// (fromGcpServiceAccount); everywhere else (a laptop with an AWS profile or SSO, CI with keys, ECS, EC2, Lambda)
// fall back to the AWS SDK's usual credential chain. createCredentialChain moves on to the next provider only when
// a provider says "no such identity here" (tryNextLink): off Google Cloud there is no metadata server, so the
// fallback is used; on Google Cloud, a real failure (say, a trust policy that refuses the token) is reported,
// not papered over with some other identity.
//
// Where it runs: Cloud Run, GCE, GKE, Cloud Functions (Google identity), and any machine with AWS credentials.
// Off Google Cloud the metadata check costs up to about 2 s at the first call.
//
// Cloud setup: on Google Cloud, the AWS role and trust policy of s3-from-gcp.mjs, allowed sns:Publish on the topic;
// elsewhere, whatever identity the AWS SDK finds needs sns:Publish.
//
// Configuration (environment variables):
//   AWS_ROLE_ARN  the role to assume on Google Cloud, e.g. arn:aws:iam::123456789012:role/gcp-publisher  (required)
//   TOPIC_ARN     the topic, e.g. arn:aws:sns:eu-west-1:123456789012:orders                            (required)
//   AWS_REGION    the topic's region                                                                 (required)
//   MESSAGE       what to publish                                                (default: a greeting)
//
// Install and run:
//   npm install cross-cloud-credentials @aws-sdk/client-sns @aws-sdk/credential-providers
//   AWS_ROLE_ARN=… TOPIC_ARN=… AWS_REGION=eu-west-1 node sns-with-fallback.mjs
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { createCredentialChain, fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { CrossCloudCredentialsError, fromGcpServiceAccount } from "cross-cloud-credentials";

const topicArn = process.env.TOPIC_ARN;
if (!topicArn) throw new Error("Set TOPIC_ARN to the SNS topic to publish to.");

const credentials = createCredentialChain(
  fromGcpServiceAccount({ roleArn: process.env.AWS_ROLE_ARN }), // Google Cloud: the service account's identity
  fromNodeProviderChain(), // elsewhere: env keys, SSO and profiles, web identity, ECS/EKS container role, EC2 instance role
);
const sns = new SNSClient({ credentials });

try {
  const message = process.env.MESSAGE ?? `Hello from ${process.env.K_SERVICE ?? "a workload"} at ${new Date().toISOString()}`;
  const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }));
  console.log(`Published message ${MessageId} to ${topicArn}`);
} catch (error) {
  console.error(error instanceof CrossCloudCredentialsError ? `${error.code}: ${error.message}` : String(error));
  process.exitCode = 1;
}
