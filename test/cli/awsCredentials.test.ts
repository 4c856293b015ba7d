import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/runCli.js";
import { startCliFakes, type CliFakes } from "../helpers/cliFakes.js";

let fakes: CliFakes;
beforeEach(async () => {
  fakes = await startCliFakes();
});
afterEach(async () => {
  await fakes.close();
});

const assumeCalls = () => fakes.sts.count("AssumeRoleWithWebIdentity");
const secretsOf = () => [...fakes.metadata.issuedTokens, ...fakes.sts.issuedCredentials.flatMap((c) => [c.secretAccessKey, c.sessionToken])];
const cacheFile = async () => join(fakes.cacheDir, (await readdir(fakes.cacheDir)).find((f) => f.endsWith(".json"))!);

describe("cross-cloud-credentials aws-credentials", () => {
  it("prints only credential_process JSON: Version 1, RFC 3339 Expiration with Z, AccountId", async () => {
    const result = await runCli(fakes.credentialArgs(), fakes.env);
    expect(result.code).toBe(0);
    const issued = fakes.sts.issuedCredentials[0]!;
    expect(JSON.parse(result.stdout)).toEqual({
      Version: 1,
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: issued.expiration.toISOString(),
      AccountId: "123456789012",
    });
    expect(JSON.parse(result.stdout).Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
    for (const secret of secretsOf()) expect(result.stderr).not.toContain(secret);
  });

  it("serves the second invocation from a 0600 file in a 0700 directory", async () => {
    const first = await runCli(fakes.credentialArgs(), fakes.env);
    const second = await runCli(fakes.credentialArgs(), fakes.env);
    expect(second.stdout).toBe(first.stdout);
    expect(assumeCalls()).toBe(1);
    expect((await stat(fakes.cacheDir)).mode & 0o777).toBe(0o700);
    expect((await stat(await cacheFile())).mode & 0o777).toBe(0o600);
    expect((await readdir(fakes.cacheDir)).filter((f) => f.endsWith(".lock") || f.endsWith(".tmp"))).toEqual([]);
  });

  it("keys the cache by every option and environment variable that changes the result", async () => {
    const variants: Array<[string[], Record<string, string>]> = [
      [[], {}],
      [["--duration-seconds", "900"], {}],
      [["--role-session-name", "other"], {}],
      [["--audience", "other-audience"], {}],
      [["--region", "eu-west-1"], {}],
      [[], { AWS_REGION: "eu-west-2" }],
      [[], { AWS_DEFAULT_REGION: "eu-west-3" }],
      [[], { AWS_ENDPOINT_URL: "http://127.0.0.1:9" }],
      [[], { GOOGLE_APPLICATION_CREDENTIALS: "/somewhere/else.json" }],
      [[], { CLOUDSDK_CONFIG: "/another/gcloud" }],
    ];
    const printed = new Set<string>();
    for (const [args, env] of variants) {
      const result = await runCli(fakes.credentialArgs(...args), { ...fakes.env, ...env });
      expect(result.code, `${args.join(" ")} ${JSON.stringify(env)}`).toBe(0);
      printed.add(JSON.parse(result.stdout).AccessKeyId);
    }
    expect(printed.size).toBe(variants.length); // each variant fetched its own credentials
    expect(assumeCalls()).toBe(variants.length);
    const again = await runCli(fakes.credentialArgs("--region", "eu-west-1"), fakes.env);
    expect(printed.has(JSON.parse(again.stdout).AccessKeyId)).toBe(true); // and each is cached under its own key
    expect(assumeCalls()).toBe(variants.length);
  });

  it("replaces a corrupt cache file", async () => {
    await runCli(fakes.credentialArgs(), fakes.env);
    const file = await cacheFile();
    await writeFile(file, "{ half a json", { mode: 0o600 });
    const result = await runCli(fakes.credentialArgs(), fakes.env);
    expect(result.code).toBe(0);
    expect(assumeCalls()).toBe(2);
    expect(JSON.parse(await readFile(file, "utf8")).credentials.AccessKeyId).toBe(fakes.sts.issuedCredentials[1]!.accessKeyId);
  });

  it("ignores a cache file readable by others and replaces it", async () => {
    await runCli(fakes.credentialArgs(), fakes.env);
    await chmod(await cacheFile(), 0o644);
    await runCli(fakes.credentialArgs(), fakes.env);
    expect(assumeCalls()).toBe(2);
    expect((await stat(await cacheFile())).mode & 0o777).toBe(0o600);
  });

  it("refreshes cached credentials with 20 minutes or less left, and serves those with more", async () => {
    await runCli(fakes.credentialArgs(), fakes.env);
    const file = await cacheFile();
    const entry = JSON.parse(await readFile(file, "utf8"));
    const rewrite = (remainingMinutes: number) =>
      writeFile(file, JSON.stringify({ ...entry, obtainedAt: new Date(Date.now() - 40 * 60_000).toISOString(), credentials: { ...entry.credentials, Expiration: new Date(Date.now() + remainingMinutes * 60_000).toISOString() } }), { mode: 0o600 });
    await rewrite(21);
    await runCli(fakes.credentialArgs(), fakes.env);
    expect(assumeCalls()).toBe(1);
    await rewrite(20);
    await runCli(fakes.credentialArgs(), fakes.env);
    expect(assumeCalls()).toBe(2);
  });

  it("refuses a cache directory that is a symlink or writable by group or others", async () => {
    const real = join(fakes.dir, "real");
    await mkdir(real, { mode: 0o700 });
    const link = join(fakes.dir, "link");
    await symlink(real, link);
    const viaLink = await runCli(fakes.credentialArgs("--cache-dir", link), fakes.env);
    expect(viaLink.code).toBe(1);
    expect(viaLink.stderr).toContain(`The cache directory ${link} is a symbolic link`);
    const open = join(fakes.dir, "open");
    await mkdir(open);
    await chmod(open, 0o777);
    const worldWritable = await runCli(fakes.credentialArgs("--cache-dir", open), fakes.env);
    expect(worldWritable.code).toBe(1);
    expect(worldWritable.stderr).toContain("is writable by group or others (mode 777)");
    expect(assumeCalls()).toBe(0);
  });

  it("makes exactly 1 STS call for 20 concurrent cold invocations, which all print the same JSON", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => runCli(fakes.credentialArgs(), fakes.env)));
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0));
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(JSON.parse(results[0]!.stdout).AccessKeyId).toMatch(/^ASIA/);
    expect(assumeCalls()).toBe(1);
  });

  it("loads no AWS or Google SDK module on a cache hit (and does on a miss)", async () => {
    const miss = join(fakes.dir, "miss-modules.txt");
    const hit = join(fakes.dir, "hit-modules.txt");
    await runCli(fakes.credentialArgs(), fakes.env, { recordModulesTo: miss });
    const result = await runCli(fakes.credentialArgs(), fakes.env, { recordModulesTo: hit });
    expect(result.code).toBe(0);
    expect(await readFile(miss, "utf8")).toContain("@aws-sdk/client-sts");
    const loaded = await readFile(hit, "utf8");
    expect(loaded).toContain("dist/cli.cjs");
    expect(loaded).not.toMatch(/@aws-sdk|@smithy|google-auth-library|gaxios/);
    expect(loaded).not.toMatch(/dist\/main-/); // the rest of the CLI is not even read
  });

  it("bypasses the cache with --no-cache, with the same output format", async () => {
    const first = await runCli(fakes.credentialArgs("--no-cache"), fakes.env);
    await runCli(fakes.credentialArgs("--no-cache"), fakes.env);
    expect(assumeCalls()).toBe(2);
    expect(JSON.parse(first.stdout)).toMatchObject({ Version: 1, AccessKeyId: fakes.sts.issuedCredentials[0]!.accessKeyId, AccountId: "123456789012" });
  });

  it("exits 1 with the STS explanation and no secret when the trust policy refuses", async () => {
    await runCli(fakes.credentialArgs(), fakes.env); // plants credentials in the fake's memory
    fakes.sts.failNext({ code: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity", match: (r) => r.action === "AssumeRoleWithWebIdentity" });
    const result = await runCli(fakes.credentialArgs("--no-cache"), fakes.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("[STS_ACCESS_DENIED]");
    expect(result.stderr).toContain("accounts.google.com:oaud");
    for (const secret of secretsOf()) expect(result.stderr).not.toContain(secret);
  });

  it("reads the token from --token-file", async () => {
    const file = join(fakes.dir, "token");
    const token = await (await fetch(`${fakes.metadata.url}/computeMetadata/v1/instance/service-accounts/default/identity?audience=sts.amazonaws.com`, { headers: { "Metadata-Flavor": "Google" } })).text();
    await writeFile(file, token);
    const result = await runCli(fakes.credentialArgs("--token-source", "file", "--token-file", file, "--no-cache"), {});
    expect(result.code).toBe(0);
    expect(assumeCalls()).toBe(1);
  });
});
