import type { Logger } from "@smithy/types";

/** Advisory window: the last min(15 min, lifetime / 4); one caller starts a background refresh. */
export const ADVISORY_WINDOW_MAX_MS = 15 * 60_000;
/** Mandatory window: the last min(5 min, lifetime / 6); callers wait for the refresh. */
export const MANDATORY_WINDOW_MAX_MS = 5 * 60_000;
/** A failed refresh falls back to cached credentials only while they stay valid this long. */
export const MIN_REMAINING_VALIDITY_MS = 60_000;
/** Values that arrive with less than MIN_REMAINING_VALIDITY_MS left (clock skew) are reloaded at most this often. */
export const SHORT_LIVED_RELOAD_INTERVAL_MS = 10_000;
/** Backoff after the first failed refresh while valid credentials are cached; doubles per failure. */
export const FAILED_REFRESH_BACKOFF_BASE_MS = 30_000;
export const FAILED_REFRESH_BACKOFF_MAX_MS = 5 * 60_000;

export interface RefreshOptions {
  /** Skip the cache (concurrent callers still share one in-flight refresh). */
  forceRefresh?: boolean;
}

interface Entry<T> {
  value: T;
  obtainedAt: number;
  /** Epoch ms; Infinity for values without an expiration. */
  expiresAt: number;
}

/**
 * Wraps `load` in a cache that refreshes ahead of expiry (see the window constants), shares one
 * in-flight load between concurrent callers, and never caches a failure. Uses no timers: all work
 * happens in calls, so nothing keeps the process alive.
 */
export function createRefreshingCache<T extends { expiration?: Date }>(
  load: () => Promise<T>,
  options: { logger?: Logger; what: string },
): (refresh?: RefreshOptions) => Promise<T> {
  const { logger, what } = options;
  let entry: Entry<T> | undefined;
  let inFlight: Promise<T> | undefined;
  let failedRefreshes = 0;
  let nextRefreshAt = 0;
  // The hot path: until the advisory window, every call gets the same resolved promise.
  let quietUntil = 0;
  let quietValue: Promise<T> | undefined;

  const refresh = (): Promise<T> => {
    inFlight ??= load()
      .then(
        (value) => {
          const now = Date.now();
          entry = { value, obtainedAt: now, expiresAt: value.expiration?.getTime() ?? Infinity };
          quietUntil = entry.expiresAt - Math.max(MIN_REMAINING_VALIDITY_MS, Math.min(ADVISORY_WINDOW_MAX_MS, (entry.expiresAt - now) / 4));
          quietValue = Promise.resolve(value);
          failedRefreshes = 0;
          nextRefreshAt = 0;
          logger?.debug?.(`cross-cloud-credentials: ${what} refreshed`);
          if (entry.expiresAt - now < MIN_REMAINING_VALIDITY_MS) {
            logger?.warn?.(`cross-cloud-credentials: ${what} arrived with less than a minute left: check this machine's clock`);
          }
          return value;
        },
        (error: unknown) => {
          failedRefreshes++;
          nextRefreshAt = Date.now() + failedRefreshBackoffMs(failedRefreshes);
          throw error;
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const get = async (refreshOptions?: RefreshOptions): Promise<T> => {
    if (refreshOptions?.forceRefresh) return refresh();
    const now = Date.now();
    const cached = entry;
    if (!cached || cached.expiresAt - now < MIN_REMAINING_VALIDITY_MS) {
      const justLoaded = cached && cached.expiresAt > now && now - cached.obtainedAt < SHORT_LIVED_RELOAD_INTERVAL_MS;
      return justLoaded ? cached.value : refresh();
    }
    if (cached.expiresAt === Infinity) return cached.value;

    const remainingMs = cached.expiresAt - now;
    const lifetimeMs = cached.expiresAt - cached.obtainedAt;
    if (remainingMs > Math.min(ADVISORY_WINDOW_MAX_MS, lifetimeMs / 4)) return cached.value;
    if (now < nextRefreshAt) return cached.value;

    if (remainingMs > Math.min(MANDATORY_WINDOW_MAX_MS, lifetimeMs / 6)) {
      if (!inFlight) {
        logger?.debug?.(`cross-cloud-credentials: ${what} in advisory window, refreshing in the background`);
        refresh().catch((error: unknown) => {
          logger?.debug?.(`cross-cloud-credentials: background refresh of ${what} failed (${codeOf(error)}), keeping cached`);
        });
      }
      return cached.value;
    }

    logger?.debug?.(`cross-cloud-credentials: ${what} in mandatory window, refreshing`);
    try {
      return await refresh();
    } catch (error) {
      if (cached.expiresAt - Date.now() >= MIN_REMAINING_VALIDITY_MS) {
        logger?.debug?.(`cross-cloud-credentials: refresh of ${what} failed (${codeOf(error)}), serving cached`);
        return cached.value;
      }
      throw error;
    }
  };
  return (refreshOptions) => (quietValue && !refreshOptions?.forceRefresh && Date.now() < quietUntil ? quietValue : get(refreshOptions));
}

/** How long to wait after the n-th consecutive failed refresh: 30 s doubling to 5 min, jittered to 50–100 %. */
export function failedRefreshBackoffMs(failures: number): number {
  return Math.min(FAILED_REFRESH_BACKOFF_MAX_MS, FAILED_REFRESH_BACKOFF_BASE_MS * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : "error";
}
