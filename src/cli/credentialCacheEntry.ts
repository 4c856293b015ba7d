/** One credential cache entry on disk: where it lives, and whether it may be handed out. Synchronous and small: it is all a cache hit loads. */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, type Stats } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Cached credentials are handed out only while more than this remains... */
const MIN_REMAINING_MS = 20 * 60_000;
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

export interface CacheEntry {
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

export const entryPath = (dir: string, key: string) => join(dir, `aws-${key}.json`);

/** Throws CacheDirectoryError unless `dir` is a real directory of ours that nobody else may write. */
export function checkCacheDirectory(dir: string): void {
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
export function readEntry(path: string, now = Date.now()): CachedCredentials | undefined {
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

