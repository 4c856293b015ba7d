import { afterEach, describe, expect, it } from "vitest";
import { awsTrustPolicy } from "../../src/index.js";
import { createFakeEc2Metadata, createFakeGoogleSts } from "../../src/testing/index.js";
import { ROLE_ARN, startCliFakes, type CliFakes } from "../helpers/cliFakes.js";
import { runCli } from "../helpers/runCli.js";

let fakes: CliFakes | undefined;
afterEach(async () => {
  await fakes?.close();
  fakes = undefined;
});

const doctorArgs = (f: CliFakes, ...extra: string[]) => ["doctor", "--role-arn", ROLE_ARN, "--sts-endpoint", f.sts.url, "--region", "us-east-1", ...extra];

describe("cross-cloud-credentials doctor", () => {
  it("off both clouds finishes in under 3 s and exits 1 with an explanation", async () => {
    const started = Date.now();
    const result = await runCli(["doctor"]);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("no GCP metadata server");
    expect(result.stdout).toContain("this machine is on neither cloud");
  });

  it("off both clouds exits 1 even when AWS_REGION is set (a region is no AWS identity)", async () => {
    const result = await runCli(["doctor"], { AWS_REGION: "eu-west-1" });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/- aws-identity\s+no AWS credentials/);
    expect(result.stdout).toContain("this machine is on neither cloud");
  });

  it("reports bad options as usage errors before probing anything", async () => {
    const badProject = await runCli(["doctor", "--project-number", "abc", "--pool-id", "aws-pool", "--provider-id", "aws-provider"]);
    expect(badProject.code).toBe(2);
    expect(badProject.stderr).toContain("--project-number must be the project's number");
    const badRole = await runCli(["doctor", "--role-arn", "arn:aws:iam::1:role/x"]);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain("--role-arn must look like");
  });

  it("names the mismatching condition key and the value to set when the trust policy pins another audience", async () => {
    fakes = await startCliFakes({ trustPolicy: awsTrustPolicy({ serviceAccountUniqueId: "108123456789012345678" }) });
    const result = await runCli(doctorArgs(fakes, "--audience", "my-audience"), fakes.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('accounts.google.com:oaud <- aud "my-audience"');
    expect(result.stdout).toContain('accounts.google.com:aud <- azp "108123456789012345678"');
    expect(result.stdout).toMatch(/fix: The trust policy pins accounts\.google\.com:oaud to "sts\.amazonaws\.com", not "my-audience": set "accounts\.google\.com:oaud": "my-audience"/);
    for (const token of fakes.metadata.issuedTokens) expect(result.stdout + result.stderr).not.toContain(token);
  });

  it("warns when the trust policy does not pin accounts.google.com:oaud", async () => {
    const unpinned = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: "accounts.google.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "accounts.google.com:sub": "108123456789012345678" } } }] };
    fakes = await startCliFakes({ trustPolicy: unpinned });
    const result = await runCli(doctorArgs(fakes, "--json"), fakes.env);
    const report = JSON.parse(result.stdout);
    expect(report.checks.find((c: { check: string }) => c.check === "assume-role").status).toBe("ok");
    expect(report.checks.find((c: { check: string }) => c.check === "audience-pinning")).toMatchObject({ status: "warn", fix: expect.stringContaining('"accounts.google.com:oaud": "sts.amazonaws.com"') });
    expect(result.code).toBe(0);
  });

  it("reports a pinned audience and a working exchange as ok", async () => {
    fakes = await startCliFakes({ trustPolicy: awsTrustPolicy({ serviceAccountUniqueId: "108123456789012345678" }) });
    const result = await runCli(doctorArgs(fakes, "--json"), fakes.env);
    expect(result.code).toBe(0);
    const statuses = Object.fromEntries(JSON.parse(result.stdout).checks.map((c: { check: string; status: string }) => [c.check, c.status]));
    expect(statuses).toMatchObject({ "gcp-metadata": "ok", "id-token": "ok", "assume-role": "ok", "audience-pinning": "ok" });
  });

  it("explains a duration above the role's MaxSessionDuration", async () => {
    fakes = await startCliFakes({ maxSessionDurationSeconds: 3600 });
    const result = await runCli(doctorArgs(fakes, "--duration-seconds", "7200"), fakes.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("The role's MaxSessionDuration is below --duration-seconds 7200");
    expect(result.stdout).toContain("--max-session-duration 7200");
  });

  it("on AWS, names the missing roles/iam.workloadIdentityUser binding when impersonation is refused", async () => {
    const ec2 = await createFakeEc2Metadata({ region: "eu-west-3" });
    const google = await createFakeGoogleSts({ awsSecrets: (id) => ec2.lookupSecret(id), serviceAccounts: ["someone-else@my-project.iam.gserviceaccount.com"] });
    try {
      const config = await import("node:fs/promises").then(async ({ mkdtemp, writeFile }) => {
        const dir = await mkdtemp("/tmp/ccc-doctor-");
        const { gcpCredentialConfig } = await import("../../src/index.js");
        const file = `${dir}/config.json`;
        const sa = "reader@my-project.iam.gserviceaccount.com";
        await writeFile(file, JSON.stringify(gcpCredentialConfig({ projectNumber: "123456789012", poolId: "aws-pool", providerId: "aws-provider", serviceAccountEmail: sa, tokenUrl: google.tokenUrl, serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl(sa) })));
        return file;
      });
      const result = await runCli(["doctor", "--credential-config", config], { AWS_EC2_METADATA_SERVICE_ENDPOINT: ec2.url });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/✔ aws-identity\s+AWS credential source: EC2 instance metadata \(IMDSv2\); region: eu-west-3/);
      expect(result.stdout).toContain("GOOGLE_IMPERSONATION_FAILED (PERMISSION_DENIED");
      expect(result.stdout).toContain("lacks roles/iam.workloadIdentityUser");
      for (const c of ec2.issuedCredentials) expect(result.stdout + result.stderr).not.toContain(c.secretAccessKey);
    } finally {
      await Promise.all([ec2.close(), google.close()]);
    }
  });
});
