import { fromGcpServiceAccount } from "../../aws/fromGcpServiceAccount.js";
import { resolveAwsSourceOptions, resolveWorkloadIdentityProvider } from "../../gcp/resolveAwsExternalAccountOptions.js";
import type { CommandSpec, OptionValues } from "../commandSpec.js";
import { checkAwsToGcp } from "../doctor/checkAwsToGcp.js";
import { checkGcpToAws } from "../doctor/checkGcpToAws.js";
import { detectAws, detectGcp } from "../doctor/detectEnvironment.js";
import type { DoctorCheck } from "../doctor/DoctorCheck.js";
import { ExitCode } from "../exitCode.js";
import { tokenSourceFrom } from "../tokenSourceFrom.js";
import { AWS_CREDENTIALS_OPTIONS } from "../awsCredentialsOptions.js";
import { CREDENTIAL_CONFIG_OPTION, WORKLOAD_IDENTITY_OPTIONS, workloadIdentityFrom } from "../workloadIdentityOptions.js";

const GCP_TO_AWS_OPTIONS = new Set(["role-arn", "audience", "duration-seconds", "region", "sts-endpoint", "token-source", "token-file"]);
const MARK = { ok: "✔", warn: "!", fail: "✘", skip: "-" } as const;

export const doctorCommand: CommandSpec = {
  name: "doctor",
  summary:
    "Find out where this runs (GCP metadata server? AWS identity?), decode what AWS will compare in the trust policy,\ntry each exchange whose options are given, and print one line per check with a fix for each failure.",
  options: [
    // aws-credentials' own definitions, optional here: with --role-arn, doctor tries that exchange.
    ...AWS_CREDENTIALS_OPTIONS.filter((o) => GCP_TO_AWS_OPTIONS.has(o.name)).map((o) => ({
      ...o,
      required: false,
      description: o.name === "region" ? "AWS region: the STS region for GCP → AWS, the signing region for AWS → GCP" : `GCP → AWS: ${o.description}`,
    })),
    ...WORKLOAD_IDENTITY_OPTIONS.map((o) => ({ ...o, description: `AWS → GCP: ${o.description}` })),
    CREDENTIAL_CONFIG_OPTION,
    { name: "json", type: "flag", description: "print the checks as JSON" },
  ],
  flagNames: { serviceAccountEmail: "service-account", awsRegion: "region", roleArn: "role-arn" },
  async run(values, io) {
    const tokenSource = values["role-arn"] ? tokenSourceFrom(values) : undefined;
    const workloadIdentity = await workloadIdentityFrom(values);
    const wantsAwsToGcp = Object.values(workloadIdentity).some((v) => v !== undefined);
    // Bad options are usage errors (exit 2), found before any probe.
    if (tokenSource) fromGcpServiceAccount(gcpToAwsInit(values, tokenSource));
    if (wantsAwsToGcp) {
      resolveWorkloadIdentityProvider("doctor", workloadIdentity);
      resolveAwsSourceOptions("doctor", { awsRegion: values.region as string | undefined });
    }

    const [gcp, aws] = await Promise.all([detectGcp(), detectAws()]);
    const checks: DoctorCheck[] = [gcp, aws];
    if (tokenSource) {
      const fromMetadata = (values["token-source"] ?? (values["token-file"] ? "file" : "metadata")) === "metadata";
      if (fromMetadata && gcp.status !== "ok") checks.push({ check: "assume-role", status: "fail", detail: "no GCP metadata server to take an ID token from", fix: "Run on Google Cloud, or pass --token-source adc|file." });
      else checks.push(...(await checkGcpToAws({ init: gcpToAwsInit(values, tokenSource), mintsAnyAudience: values["token-source"] !== "file" && !values["token-file"] })));
    }
    if (wantsAwsToGcp) {
      if (aws.status === "skip") checks.push({ check: "aws-to-gcp", status: "fail", detail: "no AWS identity to exchange", fix: "Run on AWS (EC2, ECS, EKS, Lambda) or set AWS credentials in the environment." });
      else checks.push(await checkAwsToGcp({ ...workloadIdentity, awsRegion: values.region as string | undefined }));
    }
    if (!tokenSource && !wantsAwsToGcp && gcp.status !== "ok" && aws.status !== "ok") {
      checks.push({
        check: "environment",
        status: "fail",
        detail: "neither a GCP metadata server nor an AWS identity was found: this machine is on neither cloud",
        fix: "Run doctor on the workload itself (GCE/GKE/Cloud Run/Cloud Functions, or EC2/ECS/EKS/Lambda), or point GCE_METADATA_HOST / AWS_* at where the identity is.",
      });
    }

    io.stdout(values.json ? `${JSON.stringify({ ok: !checks.some((c) => c.status === "fail"), checks }, null, 2)}\n` : format(checks));
    return checks.some((c) => c.status === "fail") ? ExitCode.Failure : ExitCode.Ok;
  },
};

function gcpToAwsInit(values: OptionValues, tokenSource: ReturnType<typeof tokenSourceFrom>) {
  return {
    roleArn: values["role-arn"] as string,
    audience: values.audience as string | undefined,
    durationSeconds: values["duration-seconds"] as number | undefined,
    tokenSource,
    clientConfig: {
      ...(values.region ? { region: values.region as string } : {}),
      ...(values["sts-endpoint"] ? { endpoint: values["sts-endpoint"] as string } : {}),
    },
  };
}

function format(checks: DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.check.length)) + 2;
  return checks.map((c) => `${MARK[c.status]} ${c.check.padEnd(width)}${c.detail}${c.fix ? `\n  ${" ".repeat(width)}fix: ${c.fix}` : ""}\n`).join("");
}
