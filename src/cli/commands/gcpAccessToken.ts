import { awsExternalAccountClient } from "../../gcp/awsExternalAccountClient.js";
import type { CommandSpec } from "../commandSpec.js";
import { ExitCode } from "../exitCode.js";
import { CREDENTIAL_CONFIG_OPTION, WORKLOAD_IDENTITY_OPTIONS, workloadIdentityFrom } from "../workloadIdentityOptions.js";

export const gcpAccessTokenCommand: CommandSpec = {
  name: "gcp-access-token",
  summary: "Print a Google access token obtained from this machine's AWS identity (like gcloud auth print-access-token).",
  options: [CREDENTIAL_CONFIG_OPTION, ...WORKLOAD_IDENTITY_OPTIONS, { name: "region", placeholder: "REGION", description: "AWS region; default AWS_REGION, else IMDSv2 placement/region" }],
  flagNames: { serviceAccountEmail: "service-account", awsRegion: "region" },
  async run(values, io) {
    const auth = awsExternalAccountClient({ ...(await workloadIdentityFrom(values)), awsRegion: values.region as string | undefined });
    const { token } = await auth.getAccessToken();
    io.stdout(`${token}\n`);
    return ExitCode.Ok;
  },
};
