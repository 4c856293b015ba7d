import { awsTrustPolicy } from "../../aws/awsTrustPolicy.js";
import type { CommandSpec } from "../commandSpec.js";
import { ExitCode } from "../exitCode.js";
import { OUTPUT_FILE_OPTION, writeOutput } from "../writeOutput.js";

export const awsTrustPolicyCommand: CommandSpec = {
  name: "aws-trust-policy",
  summary: "Print the IAM role trust policy that lets one Google service account assume the role (aws iam create-role --assume-role-policy-document).",
  options: [
    { name: "service-account-id", placeholder: "ID", required: true, description: "the service account's numeric unique ID (gcloud iam service-accounts describe EMAIL --format='value(uniqueId)')" },
    { name: "service-account", placeholder: "EMAIL", description: "the service account's email, also admitted as accounts.google.com:aud" },
    { name: "audience", placeholder: "AUD", description: "the audience the workload requests; default sts.amazonaws.com" },
    OUTPUT_FILE_OPTION,
  ],
  flagNames: { serviceAccountUniqueId: "service-account-id", serviceAccountEmail: "service-account" },
  async run(values, io) {
    const policy = awsTrustPolicy({
      serviceAccountUniqueId: values["service-account-id"] as string,
      serviceAccountEmail: values["service-account"] as string | undefined,
      audience: values.audience as string | undefined,
    });
    await writeOutput(policy, values, io);
    return ExitCode.Ok;
  },
};
