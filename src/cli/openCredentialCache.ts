import { constants } from "node:fs";
import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { sleep } from "../internal/sleep.js";
import { checkCacheDirectory, entryPath, readEntry, type CacheEntry, type CachedCredentials } from "./credentialCacheEntry.js";

/** A lock file older than this is taken to be left by a crashed process and removed. */
export const STALE_LOCK_MS = 30_000;
export const LOCK_POLL_MS = 50;
/**
 * The on-disk credential cache shared by every process of the user: a 0700 directory of 0600
 * files, replaced atomically (write a temporary file, rename it over), with a lock per key so that
 * concurrent cold invocations fetch once. Entries that are corrupt, not regular files, not ours or
 * readable by others are ignored (and replaced by the next write).
 */
export async function openCredentialCache(dir: string) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  checkCacheDirectory(dir);

  const file = (key: string) => entryPath(dir, key);
  const read = async (key: string): Promise<CachedCredentials | undefined> => readEntry(file(key));

  const write = async (key: string, credentials: CachedCredentials, obtainedAt: Date): Promise<void> => {
    const temporary = join(dir, `.aws-${key}.${process.pid}.${Date.now()}.tmp`);
    const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      const entry: CacheEntry = { version: 1, obtainedAt: obtainedAt.toISOString(), credentials };
      await handle.writeFile(JSON.stringify(entry));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file(key)).catch(async (error: unknown) => {
      await unlink(temporary).catch(() => undefined);
      throw error;
    });
  };

  /** Runs `fn` holding the key's lock; waits for a live holder, breaks a stale one. */
  const withLock = async <T>(key: string, fn: () => Promise<T>, whileWaiting: () => Promise<T | undefined>): Promise<T> => {
    const lock = join(dir, `aws-${key}.lock`);
    const nonce = `${process.pid}.${randomUUID()}`;
    for (;;) {
      try {
        const handle = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
        await handle.writeFile(nonce);
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const settled = await whileWaiting();
      if (settled !== undefined) return settled;
      if ((await ageMs(lock)) > STALE_LOCK_MS) await breakStaleLock(lock);
      else await sleep(LOCK_POLL_MS);
    }
    try {
      return await fn();
    } finally {
      // Only our own lock: if ours was broken as stale meanwhile, the file there is someone else's.
      if ((await readFile(lock, "utf8").catch(() => "")) === nonce) await unlink(lock).catch(() => undefined);
    }
  };

  return { read, write, withLock, file };
}

const ageMs = (path: string) => stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);

/**
 * Removes a lock left by a crashed process. It is first renamed to a name of our own, so that a
 * fresh lock another process created meanwhile is never deleted by mistake: if what we renamed
 * turns out to be fresh, it is put back.
 */
async function breakStaleLock(lock: string): Promise<void> {
  const claimed = `${lock}.${process.pid}.${Date.now()}.stale`;
  if (!(await rename(lock, claimed).then(() => true, () => false))) return;
  if ((await ageMs(claimed)) > STALE_LOCK_MS) await unlink(claimed).catch(() => undefined);
  else await rename(claimed, lock).catch(() => unlink(claimed).catch(() => undefined));
}

export type CredentialCache = Awaited<ReturnType<typeof openCredentialCache>>;
