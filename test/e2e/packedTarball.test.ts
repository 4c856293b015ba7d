import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const tsc = join(root, "node_modules/typescript/bin/tsc");

// A user's program, once as an ES module and once as CommonJS: it type-checks against the published
// types of both entry points and gets credentials from the testing kit's fakes.
const program = (importLine: string) => `${importLine}

async function main(): Promise<void> {
  const tokens = mockTokenSource();
  const sts = await createFakeAwsSts({ identityProviders: [tokens] });
  try {
    const credentials: CrossCloudCredentialsProvider = fromGcpServiceAccount({
      roleArn: "arn:aws:iam::123456789012:role/consumer",
      tokenSource: tokens,
      clientConfig: { endpoint: sts.url, region: "us-east-1" },
    });
    const identity = await credentials();
    const policy = awsTrustPolicy({ serviceAccountUniqueId: "108123456789012345678" });
    console.log(JSON.stringify({ accountId: identity.accountId, expires: identity.expiration instanceof Date, federated: policy.Statement[0]!.Principal.Federated }));
  } finally {
    await sts.close();
  }
}
void main();
`;
const names = "fromGcpServiceAccount, awsTrustPolicy, type GcpServiceAccountCredentialProvider as CrossCloudCredentialsProvider";

describe("the packed tarball in a consumer project outside the repo", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ccc-consumer-"));
    await run("npm", ["pack", "--pack-destination", dir], { cwd: root, timeout: 60_000 });
    const tarball = (await readdir(dir)).find((f) => f.endsWith(".tgz"))!;
    await writeFile(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    // Offline: everything the tarball needs is in npm's cache after `npm ci` of this repo.
    await run("npm", ["install", "--offline", "--no-audit", "--no-fund", `./${tarball}`, "google-auth-library@10.9.1", "@types/node@20.19.43"], { cwd: dir, timeout: 120_000 });
    await mkdir(join(dir, "src"));
    await writeFile(join(dir, "src/esm.mts"), program(`import { ${names} } from "cross-cloud-credentials";\nimport { createFakeAwsSts, mockTokenSource } from "cross-cloud-credentials/testing";`));
    await writeFile(join(dir, "src/cjs.cts"), program(`import { ${names} } from "cross-cloud-credentials";\nimport { createFakeAwsSts, mockTokenSource } from "cross-cloud-credentials/testing";`));
    await writeFile(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, outDir: "out", skipLibCheck: false, types: ["node"] }, include: ["src"] }),
    );
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("compiles against both entry points with full library checks, and runs as ESM and as CommonJS", async () => {
    await run(process.execPath, [tsc, "-p", dir], { cwd: dir, timeout: 120_000 });
    const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    for (const file of ["out/esm.mjs", "out/cjs.cjs"]) {
      const { stdout } = await run(process.execPath, [file], { cwd: dir, env, timeout: 30_000 });
      expect(JSON.parse(stdout), file).toEqual({ accountId: "123456789012", expires: true, federated: "accounts.google.com" });
    }
  });
});
