import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ExternalAccountClient, GoogleAuth } from "google-auth-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gcpCredentialConfig, type GcpCredentialConfigOptions } from "../../src/index.js";
import { createFakeEc2Metadata, createFakeGoogleSts } from "../../src/testing/index.js";
import { isolateAwsEnvironment } from "../helpers/awsToGcp.js";

const run = promisify(execFile);
const PROVIDER = "projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/aws-provider";
const parts = { projectNumber: "123456789012", poolId: "aws-pool", providerId: "aws-provider" };
const SA = "reader@my-project.iam.gserviceaccount.com";

// Each row: our options, and the gcloud flags that must write the same bytes.
const cases: Array<[string, GcpCredentialConfigOptions, string[]]> = [
  ["impersonation with a lifetime", { ...parts, serviceAccountEmail: SA, serviceAccountTokenLifetimeSeconds: 7200 }, ["--enable-imdsv2", `--service-account=${SA}`, "--service-account-token-lifetime-seconds=7200"]],
  ["impersonation, default lifetime", { ...parts, serviceAccountEmail: SA }, ["--enable-imdsv2", `--service-account=${SA}`]],
  ["no impersonation", { ...parts }, ["--enable-imdsv2"]],
  ["IMDSv1 (imdsv2: false)", { ...parts, imdsv2: false }, []],
];

describe("gcpCredentialConfig", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ccc-gcloud-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(cases)("writes byte for byte what gcloud create-cred-config --aws writes: %s", async (name, options, flags) => {
    const file = join(dir, `${name.replace(/\W+/g, "-")}.json`);
    await run("gcloud", ["iam", "workload-identity-pools", "create-cred-config", PROVIDER, "--aws", ...flags, `--output-file=${file}`], {
      env: { ...process.env, CLOUDSDK_CONFIG: join(dir, "gcloud-config"), CLOUDSDK_CORE_DISABLE_PROMPTS: "1" },
      timeout: 60_000,
    });
    expect(JSON.stringify(gcpCredentialConfig(options), null, 2)).toBe(await readFile(file, "utf8"));
  });

  it("gives the same config from audience as from its three parts, and loads through google-auth-library", () => {
    const config = gcpCredentialConfig({ audience: `//iam.googleapis.com/${PROVIDER}`, serviceAccountEmail: SA });
    expect(config).toEqual(gcpCredentialConfig({ ...parts, serviceAccountEmail: SA }));
    const client = ExternalAccountClient.fromJSON(config);
    expect(client?.constructor.name).toBe("AwsClient");
    expect(new GoogleAuth({ credentials: config, projectId: "p" })).toBeInstanceOf(GoogleAuth);
  });

  it("works with google-auth-library's own AWS source once its URLs point at the fakes", async () => {
    await isolateAwsEnvironment();
    const ec2 = await createFakeEc2Metadata({ region: "eu-west-3", availabilityZone: "eu-west-3a" });
    const google = await createFakeGoogleSts({ awsSecrets: (id) => ec2.lookupSecret(id) });
    try {
      const config = gcpCredentialConfig({ ...parts, serviceAccountEmail: SA, tokenUrl: google.tokenUrl, serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl(SA) });
      const local = JSON.parse(JSON.stringify(config).replaceAll("http://169.254.169.254", ec2.url));
      const { token } = await ExternalAccountClient.fromJSON(local)!.getAccessToken();
      expect(token).toMatch(/^ya29\.sa-/);
      expect(ec2.tokenPuts().length).toBeGreaterThan(0); // IMDSv2 sessions were used
    } finally {
      await Promise.all([ec2.close(), google.close()]);
    }
  });

  it("names the option and its form for bad input", () => {
    expect(() => gcpCredentialConfig({})).toThrow(/audience, or projectNumber \+ poolId \+ providerId, is required/);
    expect(() => gcpCredentialConfig({ ...parts, audience: `//iam.googleapis.com/${PROVIDER}` })).toThrow(/either audience or projectNumber/);
    expect(() => gcpCredentialConfig({ ...parts, projectNumber: "my-project" })).toThrow(/projectNumber must be the project's number/);
    expect(() => gcpCredentialConfig({ ...parts, poolId: "AB" })).toThrow(/poolId must be 4-32 lowercase/);
    expect(() => gcpCredentialConfig({ audience: "projects/1/pools/x" })).toThrow(/audience must look like/);
    expect(() => gcpCredentialConfig({ ...parts, serviceAccountEmail: SA, serviceAccountTokenLifetimeSeconds: 100 })).toThrow(RangeError);
    expect(() => gcpCredentialConfig({ ...parts, serviceAccountTokenLifetimeSeconds: 3600 })).toThrow(/needs serviceAccountEmail/);
    expect(() => gcpCredentialConfig({ ...parts, imdsv2: "yes" as unknown as boolean })).toThrow(/imdsv2 must be a boolean/);
  });
});
