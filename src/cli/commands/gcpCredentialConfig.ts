import { gcpCredentialConfig } from "../../gcp/gcpCredentialConfig.js";
import type { CommandSpec } from "../commandSpec.js";
import { ExitCode } from "../exitCode.js";
import { WORKLOAD_IDENTITY_OPTIONS, workloadIdentityFromFlags } from "../workloadIdentityOptions.js";
import { OUTPUT_FILE_OPTION, writeOutput } from "../writeOutput.js";

export const gcpCredentialConfigCommand: CommandSpec = {
  name: "gcp-credential-config",
  summary: "Print the credential configuration for AWS workloads that gcloud iam workload-identity-pools create-cred-config --aws --enable-imdsv2 writes.",
  options: [
    ...WORKLOAD_IDENTITY_OPTIONS.map((o) => (o.name === "project-number" || o.name === "pool-id" || o.name === "provider-id" ? { ...o, required: true } : o)),
    { name: "no-imdsv2", type: "flag", description: "leave out the IMDSv2 session token URL" },
    OUTPUT_FILE_OPTION,
  ],
  flagNames: { serviceAccountEmail: "service-account" },
  async run(values, io) {
    await writeOutput(gcpCredentialConfig({ ...workloadIdentityFromFlags(values), imdsv2: !values["no-imdsv2"] }), values, io);
    return ExitCode.Ok;
  },
};
