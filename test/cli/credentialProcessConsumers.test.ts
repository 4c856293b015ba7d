import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI, cleanEnv, runCommand } from "../helpers/runCli.js";
import { startCliFakes, type CliFakes } from "../helpers/cliFakes.js";

/** The AWS CLIs on this machine: the image's v1 (pyenv), and Debian's v2 at /usr/bin/aws (.ci/run installs it). */
function awsClis(): Array<{ name: string; path: string }> {
  const onPath = execFileSync("sh", ["-c", "command -v aws || true"], { encoding: "utf8" }).trim();
  const candidates = [onPath, join(homedir(), ".pyenv/shims/aws"), "/usr/local/bin/aws", "/usr/bin/aws"].filter((p) => p && existsSync(p));
  const byVersion = new Map<string, string>();
  for (const path of candidates) {
    const version = execFileSync(path, ["--version"], { encoding: "utf8", env: cleanEnv() }).trim().split(" ")[0]!;
    if (!byVersion.has(version)) byVersion.set(version, path);
  }
  return [...byVersion].map(([name, path]) => ({ name, path }));
}

const clis = awsClis();

describe("credential_process consumers", () => {
  let fakes: CliFakes;
  let configFile: string;
  beforeEach(async () => {
    fakes = await startCliFakes();
    configFile = join(fakes.dir, "aws-config");
    const command = [process.execPath, CLI, ...fakes.credentialArgs()].join(" ");
    await writeFile(configFile, `[profile gcp]\ncredential_process = ${command}\nregion = us-east-1\n`);
  });
  afterEach(async () => {
    await fakes.close();
  });

  it("has the AWS CLI v1 of the machine image, and in CI also Debian's v2", () => {
    expect(clis.map((c) => c.name.split("/")[1]?.[0])).toContain("1");
    if (process.env.CI) expect(clis.map((c) => c.name.split("/")[1]?.[0])).toContain("2");
  });

  it.each(clis)("$name runs sts get-caller-identity signed with our credentials", async ({ path }) => {
    const env = cleanEnv({ ...fakes.env, AWS_CONFIG_FILE: configFile, AWS_PAGER: "" });
    for (let i = 0; i < 2; i++) {
      const result = await runCommand(path, ["sts", "get-caller-identity", "--profile", "gcp", "--endpoint-url", fakes.sts.url, "--output", "json"], env, 60_000);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).Arn).toBe("arn:aws:sts::123456789012:assumed-role/gcp-reader/gcp-workload");
    }
    expect(fakes.sts.verifiedCallerIdentityCalls).toBe(2);
    expect(fakes.sts.count("AssumeRoleWithWebIdentity")).toBe(1); // the second command was served from our cache
  });

  it("boto3.Session(profile_name=...) gets working credentials", async () => {
    const script = [
      "import boto3, json, sys",
      "session = boto3.Session(profile_name='gcp')",
      "identity = session.client('sts', endpoint_url=sys.argv[1]).get_caller_identity()",
      "print(json.dumps({'arn': identity['Arn'], 'key': session.get_credentials().get_frozen_credentials().access_key}))",
    ].join("\n");
    const result = await runCommand("python3", ["-c", script, fakes.sts.url], cleanEnv({ ...fakes.env, AWS_CONFIG_FILE: configFile }), 60_000);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ arn: "arn:aws:sts::123456789012:assumed-role/gcp-reader/gcp-workload", key: fakes.sts.issuedCredentials[0]!.accessKeyId });
    expect(fakes.sts.verifiedCallerIdentityCalls).toBe(1);
  });
});
