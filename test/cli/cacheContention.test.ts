import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chown, lstat, mkdir, open, readdir, readFile, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STALE_LOCK_MS } from "../../src/cli/openCredentialCache.js";
import { startCliFakes, type CliFakes } from "../helpers/cliFakes.js";
import { CLI, cleanEnv, runCli, runCommand, type CliResult } from "../helpers/runCli.js";

const PROCESSES = 50;
const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65_534;

let fakes: CliFakes;
/** The cache entry's file name (`aws-<key>.json`), learnt from a run with another cache directory. */
let entryName: string;
/** STS calls made before the test proper (learning the entry name). */
let baseline: number;

beforeEach(async () => {
  fakes = await startCliFakes();
  const elsewhere = join(fakes.dir, "learn-the-key");
  const learnt = await runCli(fakes.credentialArgs("--cache-dir", elsewhere), fakes.env);
  expect(learnt.code, learnt.stderr).toBe(0);
  entryName = (await readdir(elsewhere)).find((name) => /^aws-[0-9a-f]+\.json$/.test(name))!;
  baseline = fakes.sts.count("AssumeRoleWithWebIdentity");
  await mkdir(fakes.cacheDir, { mode: 0o700 });
});
afterEach(async () => {
  await fakes.close();
});

const assumeCalls = () => fakes.sts.count("AssumeRoleWithWebIdentity") - baseline;
const entryPath = () => join(fakes.cacheDir, entryName);
const lockPath = () => entryPath().replace(/\.json$/, ".lock");
const awsCredentials = () => runCli(fakes.credentialArgs(), fakes.env);

/** The credential_process output, checked to be one line of complete JSON holding a set STS issued. */
function printedCredentials(result: CliResult): { AccessKeyId: string } {
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout.endsWith("\n") && result.stdout.trim().split("\n").length === 1, result.stdout).toBe(true);
  const printed = JSON.parse(result.stdout) as Record<string, unknown>;
  const issued = fakes.sts.issuedCredentials.find((c) => c.accessKeyId === printed.AccessKeyId);
  expect(issued, `printed credentials STS never issued: ${result.stdout}`).toBeDefined();
  expect(printed).toEqual({
    Version: 1,
    AccessKeyId: issued!.accessKeyId,
    SecretAccessKey: issued!.secretAccessKey,
    SessionToken: issued!.sessionToken,
    Expiration: issued!.expiration.toISOString(),
    AccountId: "123456789012",
  });
  return printed as { AccessKeyId: string };
}

/** Whether `content` is a complete cache entry holding a set STS issued (what aws-credentials writes). */
function isCompleteEntry(content: Buffer): boolean {
  try {
    const entry = JSON.parse(content.toString("utf8")) as { version?: unknown; credentials?: { AccessKeyId?: string; SessionToken?: string } };
    const issued = fakes.sts.issuedCredentials.find((c) => c.accessKeyId === entry.credentials?.AccessKeyId);
    return entry.version === 1 && issued !== undefined && entry.credentials?.SessionToken === issued.sessionToken;
  } catch {
    return false;
  }
}

/** What a crashed writer, a full disk or another program leaves in a cache file. */
function garbage(round: number): Buffer {
  const now = Date.now();
  const credentials = (overrides: object) => ({ AccessKeyId: "ASIACORRUPTED0000000", SecretAccessKey: "corrupt", SessionToken: "corrupt", Expiration: new Date(now + 3600_000).toISOString(), AccountId: "123456789012", ...overrides });
  const variants = [
    () => randomBytes(1 + (round % 300)),
    () => Buffer.from(JSON.stringify({ version: 1, obtainedAt: new Date(now).toISOString(), credentials: credentials({}) }).slice(0, 40 + (round % 60))),
    () => Buffer.from(JSON.stringify({ version: 1, obtainedAt: new Date(now - 7200_000).toISOString(), credentials: credentials({ Expiration: new Date(now - 3600_000).toISOString() }) })),
    () => Buffer.from(JSON.stringify({ version: 2, obtainedAt: new Date(now).toISOString(), credentials: credentials({}) })),
    () => Buffer.from(JSON.stringify({ version: 1, obtainedAt: new Date(now).toISOString(), credentials: credentials({ SessionToken: undefined }) })),
    () => Buffer.from(JSON.stringify({ version: 1, obtainedAt: "yesterday", credentials: credentials({ Expiration: 5 }) })),
    () => Buffer.from(["null", "[]", "{}", "", "\u0000\u0000", "{\"version\":1}"][round % 6]!),
  ];
  return variants[round % variants.length]!();
}

/** Writes `content` in place the way a non-atomic writer does: truncate, half, a pause, the rest. */
async function tornWrite(path: string, content: Buffer): Promise<void> {
  const handle = await open(path, "w", 0o600);
  try {
    await handle.write(content.subarray(0, content.length >> 1));
    await sleep(1);
    await handle.write(content.subarray(content.length >> 1));
  } finally {
    await handle.close();
  }
}

describe("aws-credentials cache under contention", () => {
  it(`${PROCESSES} concurrent processes while the cache file keeps being corrupted: all print valid JSON, none reads a partial file, STS sees at most 2 calls`, async () => {
    const written: Buffer[] = []; // everything the corrupter put in the file (a reader may catch any prefix of it)
    let stopped = false;
    let garbageWrites = 0;
    let tears = 0;

    // The corrupter: garbage, written non-atomically, over and over until STS has been called (a
    // process is fetching under the lock), then — once a complete entry has landed — one more tear of
    // that entry. Each corruption of a real entry may cost one more STS call: at most 2 in all. Left
    // to corrupt for ever, it would make every process refetch, which no cache can prevent.
    const corrupter = (async () => {
      for (let round = 0; !stopped; round++) {
        if (assumeCalls() === 0) {
          const content = garbage(round);
          written.push(content);
          await tornWrite(entryPath(), content);
          garbageWrites++;
          continue;
        }
        const current = await readFile(entryPath()).catch(() => Buffer.alloc(0));
        if (tears === 0 && assumeCalls() === 1 && isCompleteEntry(current)) {
          const torn = current.subarray(0, current.length >> 1);
          written.push(torn);
          await tornWrite(entryPath(), torn);
          tears++;
        }
        await sleep(2);
      }
    })();

    // The watcher: reads the file all along; anything not written by the corrupter must be a
    // complete entry (the processes write a temporary file and rename it into place).
    const partial: string[] = [];
    let reads = 0;
    const watcher = (async () => {
      while (!stopped) {
        const content = await readFile(entryPath()).catch(() => Buffer.alloc(0));
        reads++;
        const byCorrupter = written.some((w) => w.length >= content.length && w.subarray(0, content.length).equals(content));
        if (!byCorrupter && !isCompleteEntry(content)) partial.push(content.toString("utf8").slice(0, 120));
        await sleep(1);
      }
    })();

    await sleep(20); // the file is garbage before the first process starts
    const results = await Promise.all(Array.from({ length: PROCESSES }, () => awsCredentials()));
    stopped = true;
    await Promise.all([corrupter, watcher]);

    const keys = results.map(printedCredentials).map((c) => c.AccessKeyId);
    expect(assumeCalls()).toBeGreaterThanOrEqual(1);
    expect(assumeCalls(), `STS calls (garbage writes: ${garbageWrites}, tears of a complete entry: ${tears})`).toBeLessThanOrEqual(2);
    expect(new Set(keys).size).toBe(assumeCalls());
    expect(garbageWrites, "the cache file was corrupted while processes were reading it").toBeGreaterThanOrEqual(10);
    expect(reads, "the watcher kept reading").toBeGreaterThan(20);
    expect(partial, "partly written entries seen in the cache file").toEqual([]);
    expect(isCompleteEntry(await readFile(entryPath()))).toBe(true);
    expect((await stat(entryPath())).mode & 0o777).toBe(0o600);
    expect((await readdir(fakes.cacheDir)).filter((f) => f.endsWith(".tmp") || f.endsWith(".lock"))).toEqual([]);
  }, 120_000);

  it(`${PROCESSES} concurrent processes facing a stale lock break it once and make one STS call`, async () => {
    await writeFile(lockPath(), "");
    const longAgo = new Date(Date.now() - 2 * STALE_LOCK_MS);
    await utimes(lockPath(), longAgo, longAgo);
    const results = await Promise.all(Array.from({ length: PROCESSES }, () => awsCredentials()));
    const keys = results.map(printedCredentials).map((c) => c.AccessKeyId);
    expect(assumeCalls()).toBe(1);
    expect(new Set(keys).size).toBe(1);
    expect((await readdir(fakes.cacheDir)).filter((f) => f.endsWith(".lock"))).toEqual([]);
  }, 120_000);

  it("breaks the lock of a killed process once it is older than the stale-lock timeout, not before", async () => {
    // A process that takes the lock, then waits on an STS that never answers (its request timeout is
    // 10 s) until it is killed (SIGTERM after 4 s: no finally block runs, the lock stays).
    fakes.sts.failNext({ hang: true, match: (r) => r.action === "AssumeRoleWithWebIdentity" });
    const killed = await runCommand(process.execPath, [CLI, ...fakes.credentialArgs()], cleanEnv(fakes.env), 4_000);
    expect(killed.code, "the lock holder was killed").toBe(-1);
    const left = await stat(lockPath());
    expect(left.isFile(), "the killed process left its lock").toBe(true);

    // Pretend it died STALE_LOCK_MS - 3 s ago: the next process must wait about 3 s, then break the lock.
    const waitMs = 3_000;
    const diedAt = new Date(Date.now() - (STALE_LOCK_MS - waitMs));
    await utimes(lockPath(), diedAt, diedAt);
    const started = performance.now();
    const result = await awsCredentials();
    const elapsedMs = performance.now() - started;
    printedCredentials(result);
    expect(elapsedMs, "broke the lock before it was stale").toBeGreaterThanOrEqual(waitMs - 500);
    expect(elapsedMs, "broke the lock within its timeout").toBeLessThan(waitMs + 4_000);
    expect(assumeCalls()).toBe(2); // the killed process's unanswered one, and this one
    await expect(stat(lockPath())).rejects.toMatchObject({ code: "ENOENT" });
  }, 60_000);
});

describe("aws-credentials cache entries that are not its own", () => {
  it("ignores a cache file that is a symlink, leaves its target alone, and puts a regular file in its place", async () => {
    const target = join(fakes.dir, "forged.json");
    const forged = JSON.stringify({
      version: 1,
      obtainedAt: new Date().toISOString(),
      credentials: { AccessKeyId: "ASIAFORGEDFORGED0000", SecretAccessKey: "forged", SessionToken: "forged", Expiration: new Date(Date.now() + 3600_000).toISOString(), AccountId: "123456789012" },
    });
    await writeFile(target, forged, { mode: 0o600 });
    await symlink(target, entryPath());
    printedCredentials(await awsCredentials());
    expect(assumeCalls()).toBe(1);
    expect(await readFile(target, "utf8")).toBe(forged);
    const replaced = await lstat(entryPath());
    expect(replaced.isSymbolicLink()).toBe(false);
    expect(replaced.isFile()).toBe(true);
    expect(replaced.mode & 0o777).toBe(0o600);
  });

  it("ignores a FIFO in place of the cache file rather than waiting on it, and replaces it", async () => {
    execFileSync("mkfifo", ["-m", "600", entryPath()]);
    const result = await runCommand(process.execPath, [CLI, ...fakes.credentialArgs()], cleanEnv(fakes.env), 6_000);
    expect(result.code, `exit code (-1: still waiting after 6 s) ${result.stderr}`).toBe(0);
    printedCredentials(result);
    expect((await lstat(entryPath())).isFile()).toBe(true);
  }, 20_000);

  it("ignores a directory in place of the cache file and still prints the credentials", async () => {
    await mkdir(entryPath(), { mode: 0o700 });
    printedCredentials(await awsCredentials());
    expect(assumeCalls()).toBe(1);
  });

  // Giving a file or directory to another user needs root (CI runs as root).
  it.skipIf(!IS_ROOT)("ignores and replaces a cache file owned by another user", async () => {
    const first = printedCredentials(await awsCredentials());
    await chown(entryPath(), NOBODY, NOBODY);
    const second = printedCredentials(await awsCredentials());
    expect(assumeCalls()).toBe(2);
    expect(second.AccessKeyId).not.toBe(first.AccessKeyId);
    const replaced = await stat(entryPath());
    expect([replaced.uid, replaced.mode & 0o777]).toEqual([process.getuid!(), 0o600]);
  });

  it.skipIf(!IS_ROOT)("refuses a cache directory owned by another user", async () => {
    const foreign = join(fakes.dir, "foreign");
    await mkdir(foreign, { mode: 0o700 });
    await chown(foreign, NOBODY, NOBODY);
    const result = await runCli(fakes.credentialArgs("--cache-dir", foreign), fakes.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`The cache directory ${foreign} belongs to another user`);
    expect(assumeCalls()).toBe(0);
    await rm(foreign, { recursive: true, force: true });
  });
});
