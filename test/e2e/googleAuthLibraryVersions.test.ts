import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeEc2Metadata, createFakeGoogleSts } from "../../src/testing/index.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

// The oldest and newest google-auth-library of the peer range "^9.9.0 || ^10.0.0" that run on Node 20.
const versions = [
  { name: "9.9.0 (oldest), shared with @google-cloud/storage 7", path: `${root}node_modules/google-auth-library-oldest`, version: "9.9.0", client: "@google-cloud/storage" },
  { name: "10.9.1 (newest), shared with @googleapis/storage 21", path: "", version: "10.9.1", client: "@googleapis/storage" },
];

describe("awsExternalAccountClient across the google-auth-library peer range (built package, child process)", () => {
  let ec2: Awaited<ReturnType<typeof createFakeEc2Metadata>>;
  let google: Awaited<ReturnType<typeof createFakeGoogleSts>>;
  beforeEach(async () => {
    ec2 = await createFakeEc2Metadata({ region: "eu-west-3" });
    google = await createFakeGoogleSts({ awsSecrets: (id) => ec2.lookupSecret(id), serviceAccounts: ["reader@my-project.iam.gserviceaccount.com"] });
  });
  afterEach(async () => {
    await Promise.all([ec2.close(), google.close()]);
  });

  it.each(versions)("google-auth-library $name: 100 concurrent callers share one exchange, and the storage client sends the impersonated token", async ({ path, version, client }) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_")));
    const { stdout } = await run(process.execPath, ["--require", fixture("useGoogleAuthLibrary.cjs"), fixture("listBucketsWithFederation.cjs")], {
      cwd: root,
      timeout: 30_000,
      env: {
        ...env,
        GOOGLE_AUTH_LIBRARY_PATH: path,
        STORAGE_CLIENT: client,
        GOOGLE_FAKE_URL: google.url,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: ec2.url,
        AWS_CONFIG_FILE: "/nonexistent/aws-config",
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
    });
    expect(JSON.parse(stdout)).toEqual({ bucket: "demo-bucket", googleAuthLibrary: version });
    const impersonated = google.issuedAccessTokens.filter((t) => t.startsWith("ya29.sa-"));
    expect(impersonated).toHaveLength(1);
    expect(google.apiCalls.map((c) => c.bearer)).toEqual([impersonated[0]]);
    expect(google.acceptedExchanges[0]).toMatchObject({ accessKeyId: ec2.issuedCredentials[0]!.accessKeyId, region: "eu-west-3" });
    // google-auth-library 9 shares no in-flight refresh: ours must (100 concurrent callers, 1 of each upstream call).
    expect([google.exchanges, google.impersonations, ec2.credentialGets().length]).toEqual([1, 1, 1]);
  });
});
