import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import { AwsClient } from "google-auth-library";
import { describe, expect, it, type TaskMeta } from "vitest";
import { AUDIENCE, SERVICE_ACCOUNT } from "../helpers/awsToGcp.js";
import { ROLE_ARN } from "../helpers/gcpToAws.js";
import { ROOT, runCli } from "../helpers/runCli.js";
import { startPlantedAwsToGcp, type AwsToGcpFaultEnv } from "./awsToGcpHarness.js";
import { captureProcessOutput, DEBUG_ENV } from "./faultMatrix.js";
import { startPlantedGcpToAws, type GcpToAwsFaultEnv } from "./gcpToAwsHarness.js";
import { findLeaks, leakKinds, MARKER } from "./plantedSecrets.js";
import { withoutNockInterceptor } from "../helpers/withoutNockInterceptor.js";

withoutNockInterceptor();

/** Environment variables that switch on google-auth-library / gcp-metadata (google-logging-utils) or Node debug output. */
const LOGGING_SWITCHES = ["GOOGLE_SDK_NODE_LOGGING", "DEBUG", "NODE_DEBUG"];
/** Source text that would switch such logging on from inside our code: assigning one of the switches, or a logging backend. */
const SWITCHING_ON = /\benv(\.|\[\s*["'])(GOOGLE_SDK_NODE_LOGGING|NODE_DEBUG|DEBUG)\b["'\]\s]*(\?\?|\|\|)?=(?!=)|setBackend\s*\(|from\s+["']google-logging-utils["']|require\(\s*["']google-logging-utils["']\s*\)/;

let order = 0;
/** Records a check for RELIABILITY.md, then asserts it. */
function check(task: { meta: TaskMeta }, name: string, expected: string, actual: string): void {
  task.meta.hygiene = { order: order++, check: name, expected, actual, asExpected: actual === expected };
  expect(actual).toBe(expected);
}

const gcpToAwsCli = (env: GcpToAwsFaultEnv, extraEnv: Record<string, string> = {}) =>
  runCli(["aws-credentials", "--role-arn", ROLE_ARN, "--sts-endpoint", env.sts.url, "--region", "us-east-1", "--no-cache"], { GCE_METADATA_HOST: env.metadataHost, ...extraEnv });
const awsToGcpCli = (env: AwsToGcpFaultEnv, extraEnv: Record<string, string> = {}) =>
  runCli(["gcp-access-token", "--credential-config", env.credentialConfigFile], { ...env.awsEnv, ...extraEnv });

const gcpToAwsSecrets = (env: GcpToAwsFaultEnv) => [...env.planted.values(), ...env.metadata.issuedTokens];
const awsToGcpSecrets = (env: AwsToGcpFaultEnv) => [...env.planted.values(), ...env.google.issuedAccessTokens];

/** "none", or the kinds of secret in `text`. */
const secretsIn = (text: string, secrets: string[]) => leakKinds(text, secrets).join(", ") || "none";

async function withBoth<T>(fn: (gcp: GcpToAwsFaultEnv, aws: AwsToGcpFaultEnv) => Promise<T>): Promise<T> {
  const gcp = await startPlantedGcpToAws();
  const aws = await startPlantedAwsToGcp();
  try {
    return await fn(gcp, aws);
  } finally {
    await Promise.all([gcp.close(), aws.close()]);
  }
}

async function sourceFiles(dir: string, pattern: RegExp): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && pattern.test(e.name)).map((e) => join(e.parentPath, e.name));
}

describe("secret hygiene", () => {
  it("nothing in src/ or dist/ switches on google-auth-library, gcp-metadata or Node debug logging", async ({ task }) => {
    expect(SWITCHING_ON.test('process.env.GOOGLE_SDK_NODE_LOGGING = "*"')).toBe(true); // the pattern does catch an assignment
    expect(SWITCHING_ON.test('process.env["NODE_DEBUG"] ??= "http"')).toBe(true);
    expect(SWITCHING_ON.test("delete process.env.GOOGLE_SDK_NODE_LOGGING; // NODE_DEBUG=http prints headers")).toBe(false);
    const files = [...(await sourceFiles(join(ROOT, "src"), /\.ts$/)), ...(await sourceFiles(join(ROOT, "dist"), /\.(c?js)$/))];
    const offending: string[] = [];
    for (const file of files) if (SWITCHING_ON.test(await readFile(file, "utf8"))) offending.push(file.slice(ROOT.length));
    expect(files.length).toBeGreaterThan(10);
    check(task, "source or built files that set a logging switch or a google-logging-utils backend", "none", offending.join(", ") || "none");
  });

  it("a successful call in each direction leaves the logging switches off and prints nothing", async ({ task }) => {
    const before = LOGGING_SWITCHES.map((name) => `${name}=${process.env[name] ?? "(unset)"}`).join(" ");
    const { value: secrets, output } = await withBoth(async (gcp, aws) =>
      captureProcessOutput(async () => {
        const credentials = await gcp.provider()();
        const { token } = await aws.client().getAccessToken();
        expect(JSON.stringify(credentials) + token).toContain(MARKER);
        return [...gcpToAwsSecrets(gcp), ...awsToGcpSecrets(aws)];
      }),
    );
    const after = LOGGING_SWITCHES.map((name) => `${name}=${process.env[name] ?? "(unset)"}`).join(" ");
    check(task, "logging switches after fromGcpServiceAccount() and awsExternalAccountClient().getAccessToken()", before, after);
    expect(findLeaks({ output }, secrets)).toEqual([]);
    expect(output).toBe("");
  });

  it("the CLI writes nothing to stderr on success: no library logging is on", async ({ task }) => {
    const stderr = await withBoth(async (gcp, aws) => {
      const [a, b] = await Promise.all([gcpToAwsCli(gcp), awsToGcpCli(aws)]);
      expect([a.code, b.code]).toEqual([0, 0]);
      return `aws-credentials: ${JSON.stringify(a.stderr)}, gcp-access-token: ${JSON.stringify(b.stderr)}`;
    });
    check(task, "CLI stderr on success (aws-credentials, gcp-access-token)", 'aws-credentials: "", gcp-access-token: ""', stderr);
  });

  it("with DEBUG=* and NODE_DEBUG=*, the CLI's stderr holds no planted secret on success", async ({ task }) => {
    const found = await withBoth(async (gcp, aws) => {
      const [a, b] = await Promise.all([gcpToAwsCli(gcp, DEBUG_ENV), awsToGcpCli(aws, DEBUG_ENV)]);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(a.stdout + b.stdout).toContain(MARKER);
      return `aws-credentials: ${secretsIn(a.stderr, gcpToAwsSecrets(gcp))}; gcp-access-token: ${secretsIn(b.stderr, awsToGcpSecrets(aws))}`;
    });
    check(task, "secrets on CLI stderr with DEBUG=* NODE_DEBUG=*", "aws-credentials: none; gcp-access-token: none", found);
  });

  it("with GOOGLE_SDK_NODE_LOGGING=* set by the user, the CLI's stderr holds no planted secret", async ({ task }) => {
    const found = await withBoth(async (gcp, aws) => {
      const loggingOn = { GOOGLE_SDK_NODE_LOGGING: "*" };
      const [a, b] = await Promise.all([gcpToAwsCli(gcp, loggingOn), awsToGcpCli(aws, loggingOn)]);
      expect([a.code, b.code]).toEqual([0, 0]);
      return `aws-credentials: ${secretsIn(a.stderr, gcpToAwsSecrets(gcp))}; gcp-access-token: ${secretsIn(b.stderr, awsToGcpSecrets(aws))}`;
    });
    check(task, "secrets on CLI stderr with GOOGLE_SDK_NODE_LOGGING=* (google-auth-library logs request and response bodies)", "aws-credentials: none; gcp-access-token: none", found);
  });

  it("with NODE_DEBUG=http, the CLI's stderr does not show the IMDSv2 session token our IMDS client sends", async ({ task }) => {
    const aws = await startPlantedAwsToGcp();
    try {
      const result = await awsToGcpCli(aws, { NODE_DEBUG: "http" });
      expect(result.code).toBe(0);
      const sessionTokens = aws.ec2.requests.map((r) => r.headers["x-aws-ec2-metadata-token"]).filter((t): t is string => typeof t === "string");
      expect(sessionTokens.length).toBeGreaterThan(0);
      const shown = sessionTokens.filter((token) => result.stderr.includes(token)).length;
      check(task, "IMDSv2 session tokens (X-aws-ec2-metadata-token) on CLI stderr with NODE_DEBUG=http", "0 shown", `${shown} shown`);
    } finally {
      await aws.close();
    }
  });

  it("the scan is not blind: it finds the session token in google-auth-library's own error, and none in ours", async ({ task }) => {
    const aws = await startPlantedAwsToGcp();
    try {
      aws.google.failNext({ status: 400, code: "invalid_grant", message: "rejected", count: Infinity, match: (r) => r.action === "ExchangeToken" });
      const ours = await aws.client().getAccessToken().catch((e: unknown) => e);
      // The same exchange through google-auth-library alone, fed the same credentials.
      const raw = await new AwsClient({
        type: "external_account",
        audience: AUDIENCE,
        subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
        token_url: aws.google.tokenUrl,
        service_account_impersonation_url: aws.google.serviceAccountImpersonationUrl(SERVICE_ACCOUNT),
        aws_security_credentials_supplier: {
          getAwsRegion: async () => "eu-west-3",
          getAwsSecurityCredentials: async () => {
            const c = aws.ec2.issuedCredentials[0]!;
            return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, token: c.sessionToken };
          },
        },
      })
        .getAccessToken()
        .catch((e: unknown) => e);
      const secrets = awsToGcpSecrets(aws);
      const found = `raw google-auth-library error: ${secretsIn(inspect(raw, { depth: 10 }), secrets)}; ours: ${secretsIn(inspect(ours, { depth: 10, showHidden: true }), secrets)}`;
      check(task, "util.inspect of a failed exchange's error", "raw google-auth-library error: AWS session token; ours: none", found);
    } finally {
      await aws.close();
    }
  });
});
