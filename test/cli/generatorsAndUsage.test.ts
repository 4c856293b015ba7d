import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExternalAccountClient } from "google-auth-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsTrustPolicy, gcpCredentialConfig } from "../../src/index.js";
import { createFakeEc2Metadata, createFakeGoogleSts } from "../../src/testing/index.js";
import { runCli } from "../helpers/runCli.js";

const SA = "reader@my-project.iam.gserviceaccount.com";
const PROVIDER_FLAGS = ["--project-number", "123456789012", "--pool-id", "aws-pool", "--provider-id", "aws-provider"];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ccc-cli-gen-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("generators", () => {
  it("aws-trust-policy prints awsTrustPolicy()'s output", async () => {
    const result = await runCli(["aws-trust-policy", "--service-account-id", "108123456789012345678", "--service-account", SA, "--audience", "my-aud"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(awsTrustPolicy({ serviceAccountUniqueId: "108123456789012345678", serviceAccountEmail: SA, audience: "my-aud" }));
  });

  it("gcp-credential-config prints gcpCredentialConfig()'s output, which google-auth-library loads", async () => {
    const result = await runCli(["gcp-credential-config", ...PROVIDER_FLAGS, "--service-account", SA, "--service-account-token-lifetime-seconds", "7200"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${JSON.stringify(gcpCredentialConfig({ projectNumber: "123456789012", poolId: "aws-pool", providerId: "aws-provider", serviceAccountEmail: SA, serviceAccountTokenLifetimeSeconds: 7200 }), null, 2)}\n`);
    expect(ExternalAccountClient.fromJSON(JSON.parse(result.stdout))?.constructor.name).toBe("AwsClient");
  });

  it("--no-imdsv2 leaves out the session token URL; --output-file writes with mode 0644", async () => {
    const file = join(dir, "config.json");
    await writeFile(file, "old", { mode: 0o600 });
    const result = await runCli(["gcp-credential-config", ...PROVIDER_FLAGS, "--no-imdsv2", "--output-file", file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(JSON.parse(await readFile(file, "utf8")).credential_source.imdsv2_session_token_url).toBeUndefined();
  });
});

describe("gcp-access-token", () => {
  it("prints the token the fake Google side issued, from the machine's (fake) EC2 identity", async () => {
    const ec2 = await createFakeEc2Metadata({ region: "eu-west-3" });
    const google = await createFakeGoogleSts({ awsSecrets: (id) => ec2.lookupSecret(id) });
    try {
      const config = join(dir, "federation.json");
      const generated = gcpCredentialConfig({ projectNumber: "123456789012", poolId: "aws-pool", providerId: "aws-provider", serviceAccountEmail: SA, tokenUrl: google.tokenUrl, serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl(SA) });
      await writeFile(config, JSON.stringify(generated));
      const result = await runCli(["gcp-access-token", "--credential-config", config], { AWS_EC2_METADATA_SERVICE_ENDPOINT: ec2.url });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${google.issuedAccessTokens.find((t) => t.startsWith("ya29.sa-"))}\n`);
    } finally {
      await Promise.all([ec2.close(), google.close()]);
    }
  });
});

describe("usage errors", () => {
  const bad: Array<[string, string[], RegExp]> = [
    ["an unknown command", ["frobnicate"], /unknown command "frobnicate"/],
    ["no command", [], /missing command/],
    ["an unknown flag", ["aws-credentials", "--role-arn", "arn:aws:iam::123456789012:role/r", "--frob"], /Unknown option '--frob'/],
    ["a missing required flag", ["aws-credentials"], /missing required option --role-arn ARN/],
    ["a malformed role ARN", ["aws-credentials", "--role-arn", "arn:aws:iam::1:role/r"], /--role-arn must look like/],
    ["a non-numeric duration", ["aws-credentials", "--role-arn", "arn:aws:iam::123456789012:role/r", "--duration-seconds", "1h"], /--duration-seconds must be a whole number/],
    ["an out-of-range duration", ["aws-credentials", "--role-arn", "arn:aws:iam::123456789012:role/r", "--duration-seconds", "100"], /--duration-seconds must be between 900 and 43200/],
    ["an unknown token source", ["aws-credentials", "--role-arn", "arn:aws:iam::123456789012:role/r", "--token-source", "vault"], /--token-source must be one of metadata, adc, file/],
    ["a file token source without a file", ["aws-credentials", "--role-arn", "arn:aws:iam::123456789012:role/r", "--token-source", "file"], /needs --token-file/],
    ["a trust policy without its ID", ["aws-trust-policy"], /missing required option --service-account-id/],
    ["an e-mail as unique ID", ["aws-trust-policy", "--service-account-id", SA], /--service-account-id must be the service account's numeric unique ID/],
    ["a config without its provider", ["gcp-credential-config", "--project-number", "1"], /missing required option --pool-id/],
    ["both a config file and flags", ["gcp-access-token", "--credential-config", "/x.json", "--pool-id", "aws-pool"], /either --credential-config or the provider options/],
    ["a positional argument", ["aws-trust-policy", "extra"], /Unexpected argument 'extra'|unexpected/i],
  ];
  it.each(bad)("exits 2 with the usage text and no stack trace for %s", async (_, args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("Usage: cross-cloud-credentials");
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it("prints --help for every command from its option definitions, and --version", async () => {
    for (const command of ["aws-credentials", "aws-trust-policy", "gcp-credential-config", "gcp-access-token", "doctor"]) {
      const result = await runCli([command, "--help"]);
      expect(result.code, command).toBe(0);
      expect(result.stdout).toContain(`Usage: cross-cloud-credentials ${command} [options]`);
      expect(result.stdout).toContain("--help");
    }
    const version = await runCli(["--version"]);
    expect(version.stdout.trim()).toBe(JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")).version);
  });
});
