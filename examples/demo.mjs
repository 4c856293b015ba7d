// npm run demo: both directions on this machine, against the built-in fakes (no cloud account, no network but
// 127.0.0.1). Every step is checked by a fake that verifies what it received, and the demo exits 0 only when
// every step verified:
//   1. a "GCP workload" takes a metadata-server ID token, gets AWS credentials through fromGcpServiceAccount, and
//      makes a real AWS SDK v3 call whose SigV4 signature the fake STS verifies;
//   2. the CLI as a credential_process: `cross-cloud-credentials aws-credentials` prints credential_process JSON,
//      which the AWS SDK (fromProcess) and, if installed, the AWS CLI use from an AWS config profile;
//   3. an "AWS workload" takes its IMDSv2 role credentials, gets a Google token through awsExternalAccountClient,
//      and lists buckets with a real @googleapis/storage client; the fake Google STS verifies the AWS signature.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromProcess } from "@aws-sdk/credential-providers";
import { storage } from "@googleapis/storage";
import { awsExternalAccountClient, awsTrustPolicy, fromGcpServiceAccount } from "cross-cloud-credentials";
import { createFakeAwsSts, createFakeEc2Metadata, createFakeGcpMetadataServer, createFakeGoogleSts } from "cross-cloud-credentials/testing";

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("../dist/cli.cjs", import.meta.url));
const ROLE_ARN = "arn:aws:iam::123456789012:role/gcp-reader";

// ---- Display: narration, a spinner with elapsed time on a terminal, plain lines otherwise. ---------------------

const tty = Boolean(process.stdout.isTTY);
const color = tty && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const out = (text = "") => process.stdout.write(`${text}\n`);
const seconds = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
/** A secret shown as its first characters and its length. */
const redact = (secret) => `${secret.slice(0, 6)}…(${secret.length} chars)`;

function section(title, ...explanation) {
  out(`\n${paint("1", title)}`);
  for (const line of explanation) out(paint("2", `  ${line}`));
}

/** Run one step: a spinner while it works (on a terminal), then ✔ and the lines `work` returns (what was verified), or ✘. */
async function step(label, work) {
  const started = performance.now();
  let timer;
  if (tty) {
    const frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
    let frame = 0;
    // One terminal row, so that \r and "erase line" can redraw it.
    const room = Math.max(10, (process.stdout.columns || 80) - 14);
    const short = label.length > room ? `${label.slice(0, room - 1)}…` : label;
    const draw = () => process.stdout.write(`\r\x1b[2K  ${paint("36", frames[frame++ % frames.length])} ${short} ${paint("2", seconds(performance.now() - started))}`);
    draw();
    timer = setInterval(draw, 80);
    timer.unref();
  }
  const finish = (mark, text) => {
    clearInterval(timer);
    if (tty) process.stdout.write("\r\x1b[2K");
    out(`  ${mark} ${text} ${paint("2", `(${seconds(performance.now() - started)})`)}`);
  };
  try {
    const lines = [await work()].flat().filter(Boolean);
    finish(paint("32", "✔"), label);
    for (const line of lines) out(`      ${line}`);
  } catch (error) {
    finish(paint("31", "✘"), label);
    throw error;
  }
}

/** A step that took no noticeable time: ✔ and its lines. */
function report(label, ...lines) {
  out(`  ${paint("32", "✔")} ${label}`);
  for (const line of lines) out(`      ${line}`);
}

/** Fail the step unless the fake saw what it should have. */
function verify(condition, failure) {
  if (!condition) throw new Error(failure);
}

const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));

// ---- The machine: this process pretends to be each workload in turn. -------------------------------------------

// Your own cloud configuration stays out of the demo, and nothing can reach a real cloud endpoint.
for (const name of Object.keys(process.env)) if (/^(AWS_|GCE_|GOOGLE_|CLOUDSDK_)/.test(name)) delete process.env[name];
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true"; // the SDK's Node 20 notice is not ours to show
process.env.AWS_CONFIG_FILE = process.env.AWS_SHARED_CREDENTIALS_FILE = join(tmpdir(), "nonexistent-aws-config");
process.env.AWS_EC2_METADATA_DISABLED = "true";

out(paint("1", "cross-cloud-credentials demo: keyless credentials both ways, against local fakes (no cloud account needed)"));

const scratch = await mkdtemp(join(tmpdir(), "ccc-demo-"));
const fakes = [];
/** Start a fake and remember it for closing. */
const start = async (starting) => {
  const fake = await starting;
  fakes.push(fake);
  return fake;
};
let failed = false;
try {
  section("Setting up the fakes", "Real HTTP servers on 127.0.0.1 that speak the clouds' wire formats and verify signatures.");
  const metadata = await start(createFakeGcpMetadataServer());
  report("fake GCP metadata server", `${metadata.url}, service account ${metadata.email} (unique ID ${metadata.uniqueId})`);
  const trustPolicy = awsTrustPolicy({ serviceAccountUniqueId: metadata.uniqueId, serviceAccountEmail: metadata.email });
  const sts = await start(createFakeAwsSts({ identityProviders: [metadata], trustPolicy }));
  report("fake AWS STS", `${sts.url}; role ${ROLE_ARN} has this trust policy, from awsTrustPolicy():`, ...JSON.stringify(trustPolicy, null, 2).split("\n").map((l) => `  ${l}`));
  const ec2 = await start(createFakeEc2Metadata({ region: "eu-west-3" }));
  const google = await start(createFakeGoogleSts({ awsSecrets: (id) => ec2.lookupSecret(id) }));
  report("fake EC2 instance metadata (IMDSv2) and fake Google STS + IAM Credentials + Cloud Storage API", `${ec2.url} and ${google.url}`);

  // ---- 1. GCP → AWS ----------------------------------------------------------------------------------------------
  section(
    "1. A GCP workload calls AWS: fromGcpServiceAccount()",
    "On Cloud Run, GCE or GKE the service account's ID token comes from the metadata server (169.254.169.254) and",
    "AWS STS trades it for temporary credentials of the role (AssumeRoleWithWebIdentity). Here both are fakes.",
  );
  process.env.GCE_METADATA_HOST = metadata.host;
  process.env.AWS_ENDPOINT_URL_STS = sts.url;
  const credentials = fromGcpServiceAccount({ roleArn: ROLE_ARN });
  await step("fromGcpServiceAccount(): metadata ID token → STS AssumeRoleWithWebIdentity", async () => {
    const issued = await credentials();
    verify(sts.issuedCredentials.some((c) => c.accessKeyId === issued.accessKeyId), "the credentials were not issued by the fake STS");
    const claims = claimsOf(metadata.issuedTokens[0]);
    return [
      `AWS credentials ${issued.accessKeyId}, secret ${redact(issued.secretAccessKey)}, expire ${issued.expiration.toISOString()}`,
      `ID token sent to STS: ${redact(metadata.issuedTokens[0])}`,
      `claims AWS compared with the trust policy: aud "${claims.aud}" (oaud), azp "${claims.azp}" (aud), sub "${claims.sub}" (sub)`,
    ];
  });
  await step("real AWS SDK v3 call: STSClient GetCallerIdentity signed with those credentials", async () => {
    const identity = await new STSClient({ region: "us-east-1", credentials }).send(new GetCallerIdentityCommand({}));
    verify(sts.verifiedCallerIdentityCalls === 1, "the fake STS did not verify the SigV4 signature");
    return [
      `fake STS verified the signature: ${identity.Arn}`,
      `upstream calls: ${metadata.identityRequests().length} token fetch, ${sts.count("AssumeRoleWithWebIdentity")} STS exchange (cached for the next calls)`,
    ];
  });

  // ---- 2. The CLI as a credential_process ----------------------------------------------------------------------
  section(
    "2. The CLI as a credential_process, for the AWS CLI, Terraform, boto3 and every AWS SDK",
    "~/.aws/config:  [profile gcp]  credential_process = cross-cloud-credentials aws-credentials --role-arn …",
  );
  const cacheDir = join(scratch, "cache");
  const commandLine = [process.execPath, CLI, "aws-credentials", "--role-arn", ROLE_ARN, "--cache-dir", cacheDir];
  const exchangesBefore = sts.count("AssumeRoleWithWebIdentity");
  await step(`cross-cloud-credentials aws-credentials --role-arn ${ROLE_ARN} (dist/cli.cjs)`, async () => {
    const { stdout } = await run(commandLine[0], commandLine.slice(1), { env: process.env, timeout: 30_000 });
    const json = JSON.parse(stdout);
    verify(json.Version === 1 && typeof json.Expiration === "string" && json.Expiration.endsWith("Z"), "the output is not credential_process JSON");
    verify(sts.issuedCredentials.some((c) => c.accessKeyId === json.AccessKeyId && c.secretAccessKey === json.SecretAccessKey), "the CLI's credentials were not issued by the fake STS");
    const shown = { ...json, SecretAccessKey: redact(json.SecretAccessKey), SessionToken: redact(json.SessionToken) };
    return ["printed the credential_process JSON (secrets redacted here):", JSON.stringify(shown)];
  });
  const configFile = join(scratch, "aws-config");
  const quoted = commandLine.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg}"`)).join(" ");
  await writeFile(configFile, `[profile gcp]\ncredential_process = ${quoted}\nregion = us-east-1\n`);
  await step("AWS SDK fromProcess({ profile: \"gcp\" }) runs it, then GetCallerIdentity", async () => {
    const viaProcess = fromProcess({ profile: "gcp", configFilepath: configFile, filepath: join(scratch, "no-credentials") });
    const identity = await new STSClient({ region: "us-east-1", credentials: viaProcess }).send(new GetCallerIdentityCommand({}));
    verify(sts.verifiedCallerIdentityCalls === 2, "the fake STS did not verify the signature made with the CLI's credentials");
    verify(sts.count("AssumeRoleWithWebIdentity") === exchangesBefore + 1, "the second run of the CLI did not use its on-disk cache");
    return [`fake STS verified the signature: ${identity.Arn}`, "the CLI answered from its on-disk cache: no new STS exchange"];
  });
  const aws = await findOnPath("aws");
  if (aws) {
    await step("AWS CLI: aws sts get-caller-identity --profile gcp", async () => {
      const env = { ...process.env, AWS_CONFIG_FILE: configFile, AWS_PAGER: "" };
      const { stdout } = await run(aws, ["sts", "get-caller-identity", "--profile", "gcp", "--endpoint-url", sts.url, "--output", "json"], { env, timeout: 60_000 });
      verify(sts.verifiedCallerIdentityCalls === 3, "the fake STS did not verify the AWS CLI's signature");
      return `fake STS verified the signature: ${JSON.parse(stdout).Arn}`;
    });
  } else {
    out(`  ${paint("2", "- AWS CLI: not installed, skipped (optional)")}`);
  }

  // ---- 3. AWS → GCP ----------------------------------------------------------------------------------------------
  section(
    "3. An AWS workload calls Google: awsExternalAccountClient()",
    "On EC2 the instance role's credentials come from IMDSv2; they sign a GetCallerIdentity request that Google STS",
    "verifies with AWS (workload identity federation), then IAM Credentials impersonates the service account.",
  );
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = ec2.url; // for real: http://169.254.169.254
  delete process.env.AWS_EC2_METADATA_DISABLED;
  const sa = "reader@my-project.iam.gserviceaccount.com";
  const auth = awsExternalAccountClient({
    projectNumber: "123456789012",
    poolId: "aws-pool",
    providerId: "aws-provider",
    serviceAccountEmail: sa,
    tokenUrl: google.tokenUrl,
    serviceAccountImpersonationUrl: google.serviceAccountImpersonationUrl(sa),
  });
  let token;
  await step(`awsExternalAccountClient(): IMDSv2 role credentials → Google STS → impersonate ${sa}`, async () => {
    ({ token } = await auth.getAccessToken());
    const [exchange] = google.acceptedExchanges;
    verify(exchange && exchange.accessKeyId === ec2.issuedCredentials[0]?.accessKeyId, "Google STS did not verify the EC2 role's signature");
    return [
      `fake Google STS verified the SigV4 signature of ${exchange.accessKeyId} for region ${exchange.region}`,
      `impersonated Google access token ${redact(token)}`,
    ];
  });
  await step("real @googleapis/storage buckets.list with that client", async () => {
    const res = await storage({ version: "v1", auth, rootUrl: `${google.url}/` }).buckets.list({ project: "my-project" });
    const call = google.apiCalls.at(-1);
    verify(call?.authorized && call.bearer === token, "the Storage API did not receive the impersonated token");
    return [
      `Storage API accepted the bearer token: buckets ${(res.data.items ?? []).map((b) => b.name).join(", ")}`,
      `upstream calls: ${ec2.tokenPuts().length} IMDSv2 token, ${ec2.credentialGets().length} credentials fetch, ${google.exchanges} exchange, ${google.impersonations} impersonation`,
    ];
  });
} catch (error) {
  failed = true;
  process.stderr.write(`\n✘ demo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
} finally {
  await Promise.all(fakes.map((fake) => fake.close()));
  await rm(scratch, { recursive: true, force: true });
}
out(failed ? `\n${paint("31", "Demo FAILED")}` : `\n${paint("32", "Demo passed: every step verified.")}`);
process.exitCode = failed ? 1 : 0;

/** The absolute path of `name` on PATH, or undefined. */
async function findOnPath(name) {
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    try {
      await run(join(dir, name), ["--version"], { timeout: 20_000 });
      return join(dir, name);
    } catch {
      // not there, or not runnable: try the next directory
    }
  }
  return undefined;
}
