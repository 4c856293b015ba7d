import { execFileSync } from "node:child_process";
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeAwsSts, createFakeGcpMetadataServer, type FakeAwsSts, type FakeGcpMetadataServer } from "../../src/testing/index.js";
import { CLI, runCommand } from "../helpers/runCli.js";
import { examplePath, exampleEnv } from "./runExample.js";

// examples/aws-config.ini and examples/terraform/main.tf are used verbatim. The only substitutions are the
// machine's: `cross-cloud-credentials` on PATH is a shim running the built CLI (what `npm install --global`
// provides), the fakes come in through GCE_METADATA_HOST and AWS_ENDPOINT_URL_STS, and the cache lives in a
// scratch XDG_CACHE_HOME.

/** The AWS CLIs on this machine, one per major version: the image's v1 (pyenv) and Debian's v2 at /usr/bin/aws. */
function awsClis(): Array<{ name: string; path: string }> {
  const onPath = execFileSync("sh", ["-c", "command -v aws || true"], { encoding: "utf8" }).trim();
  const candidates = [onPath, join(homedir(), ".pyenv/shims/aws"), "/usr/local/bin/aws", "/usr/bin/aws"].filter((p) => p && existsSync(p));
  const byMajor = new Map<string, { name: string; path: string }>();
  for (const path of candidates) {
    const name = execFileSync(path, ["--version"], { encoding: "utf8", env: exampleEnv({}) }).trim().split(" ")[0]!;
    const major = name.split("/")[1]?.[0] ?? "?";
    if (!byMajor.has(major)) byMajor.set(major, { name, path });
  }
  return [...byMajor.values()];
}

const TERRAFORM_MIRROR = "/opt/tf-plugins"; // the machine image's provider mirror: terraform init needs no network
const terraform = execFileSync("sh", ["-c", "command -v terraform || true"], { encoding: "utf8" }).trim();
const hasTerraform = terraform !== "" && existsSync(join(TERRAFORM_MIRROR, "registry.terraform.io/hashicorp/aws"));

let metadata: FakeGcpMetadataServer;
let sts: FakeAwsSts;
let dir: string;
let env: Record<string, string>;

beforeEach(async () => {
  metadata = await createFakeGcpMetadataServer();
  sts = await createFakeAwsSts({ identityProviders: [metadata], maxSessionDurationSeconds: 43_200 });
  dir = await mkdtemp(join(tmpdir(), "ccc-aws-config-"));
  await mkdir(join(dir, "bin"));
  const shim = join(dir, "bin", "cross-cloud-credentials");
  await writeFile(shim, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  await chmod(shim, 0o755);
  env = exampleEnv({
    PATH: `${join(dir, "bin")}:${process.env.PATH ?? ""}`,
    HOME: dir,
    XDG_CACHE_HOME: join(dir, "cache"),
    AWS_CONFIG_FILE: examplePath("aws-config.ini"),
    GCE_METADATA_HOST: metadata.host,
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
  });
});

afterEach(async () => {
  await Promise.all([metadata.close(), sts.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe("examples/aws-config.ini", () => {
  const clis = awsClis();

  it("finds the AWS CLI v1 of the machine image (and in CI Debian's v2 too)", () => {
    expect(clis.map((c) => c.name.split("/")[1]?.[0])).toContain("1");
    if (process.env.CI) expect(clis.map((c) => c.name.split("/")[1]?.[0])).toContain("2");
  });

  // AWS CLI v2 before 2.13 ignores AWS_ENDPOINT_URL_STS, hence --endpoint-url for the CLI's own call.
  it.each(clis)("$name: profile gcp signs sts get-caller-identity; the second command is served from the cache", async ({ path }) => {
    for (let i = 0; i < 2; i++) {
      const result = await runCommand(path, ["sts", "get-caller-identity", "--profile", "gcp", "--endpoint-url", sts.url, "--output", "json"], env, 60_000);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).Arn).toBe("arn:aws:sts::123456789012:assumed-role/gcp-reader/gcp-workload");
    }
    expect(sts.verifiedCallerIdentityCalls).toBe(2);
    expect(sts.count("AssumeRoleWithWebIdentity")).toBe(1);
    expect(sts.issuedCredentials[0]).toMatchObject({ roleArn: "arn:aws:iam::123456789012:role/gcp-reader", durationSeconds: 3600 });
  });

  it.each(clis)("$name: profile gcp-deployer passes its duration and session name", async ({ path }) => {
    const result = await runCommand(path, ["sts", "get-caller-identity", "--profile", "gcp-deployer", "--endpoint-url", sts.url, "--output", "json"], env, 60_000);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout).Arn).toBe("arn:aws:sts::123456789012:assumed-role/gcp-deployer/terraform-ci");
    expect(sts.issuedCredentials[0]).toMatchObject({ durationSeconds: 7200, roleSessionName: "terraform-ci" });
  });
});

describe("examples/terraform/main.tf", () => {
  it("has Terraform and the AWS provider mirror of the machine image", () => {
    if (process.env.CI) expect(hasTerraform, `terraform on PATH and ${TERRAFORM_MIRROR}`).toBe(true);
  });

  it.skipIf(!hasTerraform)("terraform apply reads aws_caller_identity through profile gcp's credential_process", { timeout: 120_000 }, async () => {
    const work = join(dir, "tf");
    await mkdir(work);
    await cp(examplePath("terraform/main.tf"), join(work, "main.tf"));
    // Providers only from the local mirror, and no version check: Terraform reaches nothing but the fakes.
    const rc = join(dir, "terraformrc");
    await writeFile(rc, `disable_checkpoint = true\nprovider_installation {\n  filesystem_mirror {\n    path = "${TERRAFORM_MIRROR}"\n  }\n}\n`);
    const tfEnv = { ...env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    const run = (args: string[]) => runCommand(terraform, args, tfEnv, 100_000);

    const fmt = await runCommand(terraform, [`-chdir=${work}`, "fmt", "-check", "-diff"], tfEnv);
    expect(fmt.stdout + fmt.stderr).toBe("");
    const init = await run([`-chdir=${work}`, "init", "-input=false", "-no-color"]);
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    const apply = await run([`-chdir=${work}`, "apply", "-auto-approve", "-input=false", "-no-color"]);
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    const output = await run([`-chdir=${work}`, "output", "-raw", "aws_identity"]);
    expect(output.stdout).toBe("arn:aws:sts::123456789012:assumed-role/gcp-reader/gcp-workload");
    expect(sts.verifiedCallerIdentityCalls).toBeGreaterThanOrEqual(1);
    expect(sts.count("AssumeRoleWithWebIdentity")).toBe(1); // the provider ran the process more than once: cache hits
  });
});
