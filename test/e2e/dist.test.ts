import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeAwsSts, createFakeGcpMetadataServer } from "../../src/testing/index.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const hooks = fileURLToPath(new URL("../helpers/recordLoadedModules.mjs", import.meta.url));
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

// Runs a script in a fresh Node process inside the package, so `cross-cloud-credentials` resolves to dist/ as for users.
async function node(args: string[], extraEnv: Record<string, string> = {}) {
  return run(process.execPath, args, { cwd: root, env: { ...env, ...extraEnv }, timeout: 30_000 });
}

describe("the built package", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ccc-dist-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("loads with import and with require, with the same named exports", async () => {
    const esm = await node(["--input-type=module", "-e", "const m = await import('cross-cloud-credentials'); console.log(Object.keys(m).sort().join(','))"]);
    const cjs = await node(["-e", "console.log(Object.keys(require('cross-cloud-credentials')).sort().join(','))"]);
    expect(esm.stdout).toBe(cjs.stdout);
    for (const name of ["fromGcpServiceAccount", "awsTrustPolicy", "CrossCloudCredentialsError", "gceMetadataTokenSource", "fileTokenSource", "staticTokenSource", "googleAuthTokenSource", "impersonatedTokenSource"]) {
      expect(esm.stdout).toContain(name);
    }
    const testing = await node(["-e", "console.log(Object.keys(require('cross-cloud-credentials/testing')).join(','))"]);
    expect(testing.stdout).toContain("createFakeAwsSts");
  });

  it("loads neither google-auth-library nor @aws-sdk/client-sts when the root is imported", async () => {
    const record = join(dir, "esm-modules.txt");
    await node(["--import", `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(new URL(`file://${hooks}`).href)});`, "--input-type=module", "-e", "await import('cross-cloud-credentials')"], {
      RECORD_LOADED_MODULES: record,
    });
    const esmModules = await readFile(record, "utf8");
    expect(esmModules).toContain("/dist/index.js");
    expect(esmModules).not.toMatch(/google-auth-library|client-sts|@aws-sdk|gaxios/);

    const cjs = await node(["-e", "require('cross-cloud-credentials'); console.log(Object.keys(require.cache).join('\\n'))"]);
    expect(cjs.stdout).toContain("/dist/index.cjs");
    expect(cjs.stdout).not.toMatch(/google-auth-library|client-sts|@aws-sdk|gaxios/);
  });

  it("gets credentials end to end through the built ESM and CJS entry points", async () => {
    const metadata = await createFakeGcpMetadataServer();
    const sts = await createFakeAwsSts({ identityProviders: [metadata] });
    try {
      const body = `const { fromGcpServiceAccount } = M;
        const c = await fromGcpServiceAccount({ roleArn: "arn:aws:iam::123456789012:role/r", clientConfig: { region: "us-east-1" } })();
        console.log(JSON.stringify({ accountId: c.accountId, expires: c.expiration instanceof Date }));`;
      const fakes = { GCE_METADATA_HOST: metadata.host, AWS_ENDPOINT_URL_STS: sts.url };
      const esm = await node(["--input-type=module", "-e", `import * as M from 'cross-cloud-credentials'; ${body}`], fakes);
      const cjs = await node(["-e", `const M = require('cross-cloud-credentials'); (async () => { ${body} })()`], fakes);
      for (const out of [esm.stdout, cjs.stdout]) expect(JSON.parse(out)).toEqual({ accountId: "123456789012", expires: true });
      expect(sts.count("AssumeRoleWithWebIdentity")).toBe(2);
    } finally {
      await Promise.all([metadata.close(), sts.close()]);
    }
  });
});
