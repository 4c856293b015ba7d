import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, type Stats } from "node:fs";
import { mkdir, open, rename, stat, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { sleep } from "../internal/sleep.js";

/** A lock file older than this is taken to be left by a crashed process and removed. */
export const STALE_LOCK_MS = 30_000;
export const LOCK_POLL_MS = 50;
/** Cached credentials are handed out only while more than this remains... */
export const MIN_REMAINING_MS = 20 * 60_000;
/** ...or, for lifetimes under 40 minutes, while more than half the lifetime remains. */
const SHORT_LIFETIME_MS = 40 * 60_000;

export interface CachedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  /** RFC 3339 with `Z`. */
  Expiration: string;
  AccountId: string;
}

interface CacheEntry {
  version: 1;
  obtainedAt: string;
  credentials: CachedCredentials;
}

/** The cache directory: `$XDG_CACHE_HOME/cross-cloud-credentials`, else `~/.cache/cross-cloud-credentials`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "cross-cloud-credentials");
}

/** A refused cache location: the message says which path and why. */
export class CacheDirectoryError extends Error {
  override name = "CacheDirectoryError";
}

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
    for (;;) {
      try {
        const handle = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
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
      await unlink(lock).catch(() => undefined);
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

const entryPath = (dir: string, key: string) => join(dir, `aws-${key}.json`);

/** Throws CacheDirectoryError unless `dir` is a real directory of ours that nobody else may write. */
function checkCacheDirectory(dir: string): void {
  const info = lstatSync(dir);
  if (info.isSymbolicLink()) throw new CacheDirectoryError(`The cache directory ${dir} is a symbolic link; refusing to use it. Remove it or pass --cache-dir.`);
  if (!info.isDirectory()) throw new CacheDirectoryError(`The cache path ${dir} is not a directory. Remove it or pass --cache-dir.`);
  if (!ours(info)) throw new CacheDirectoryError(`The cache directory ${dir} belongs to another user; refusing to use it. Pass --cache-dir.`);
  if (info.mode & 0o022) {
    throw new CacheDirectoryError(`The cache directory ${dir} is writable by group or others (mode ${(info.mode & 0o777).toString(8)}); refusing to use it. chmod 700 it or pass --cache-dir.`);
  }
}

const ours = (info: Stats) => !process.getuid || info.uid === process.getuid();

/**
 * The fresh credentials of an entry, or undefined. Synchronous and free of SDK modules: it is the
 * whole work of a cache hit. An entry that is not a regular file of ours, is readable by others,
 * is corrupt or is not fresh enough counts as absent.
 */
function readEntry(path: string, now = Date.now()): CachedCredentials | undefined {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted in place of the entry must not hang the read (it is then ignored as not a file).
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.mode & 0o077 || !ours(info)) return undefined;
    const entry = JSON.parse(readFileSync(fd, "utf8")) as CacheEntry;
    return isFresh(entry, now) ? entry.credentials : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** A cache hit without creating anything: the cached path of `aws-credentials`. */
export function readCachedCredentials(dir: string, key: string): CachedCredentials | undefined {
  try {
    checkCacheDirectory(dir);
  } catch {
    return undefined; // the full path reports it
  }
  return readEntry(entryPath(dir, key));
}

function isFresh(entry: CacheEntry, now: number): boolean {
  const c = entry?.credentials;
  if (entry?.version !== 1 || !c || ![c.AccessKeyId, c.SecretAccessKey, c.SessionToken, c.Expiration].every((v) => typeof v === "string" && v !== "")) return false;
  const expiresAt = Date.parse(c.Expiration);
  const obtainedAt = Date.parse(entry.obtainedAt);
  if (Number.isNaN(expiresAt) || Number.isNaN(obtainedAt)) return false;
  const remaining = expiresAt - now;
  const lifetime = expiresAt - obtainedAt;
  return lifetime < SHORT_LIFETIME_MS ? remaining > lifetime / 2 : remaining > MIN_REMAINING_MS;
}

export type CredentialCache = Awaited<ReturnType<typeof openCredentialCache>>;
