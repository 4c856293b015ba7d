import { vi } from "vitest";
import type { FailureScript, FakeHttpServer, RecordedRequest } from "../../src/testing/index.js";
import { observeQuiescence } from "./quiescence.js";
import { seededRandom } from "./seededRandom.js";

export const MINUTE = 60_000;
/** Credentials handed to a caller must stay valid at least this long (SPEC §2). */
export const MIN_REMAINING_MS = 60_000;

/** One way an upstream can misbehave, aimed at the requests `target` accepts. */
export interface FaultKind {
  /** Label in the report, e.g. `"STS Throttling"`. */
  name: string;
  server: FakeHttpServer;
  target(request: RecordedRequest): boolean;
  /** What the fake does instead of answering normally. */
  script: Omit<FailureScript, "count" | "match">;
  /** Relative probability among the kinds of its list. */
  weight: number;
  /** At most this many outages of this kind in a run (real-time cost control: retries sleep for real). Default no limit. */
  maxOutages?: number;
  /** Whether an outage of this kind may outlast the cached credentials (cost control, as above). Default true. */
  mayOutlast?: boolean;
}

/** What a caller got: something that identifies the credentials, and when they expire. */
export interface Handout {
  id: string;
  expiresAtMs: number;
}

export interface SoakPlan {
  seed: number;
  start: Date;
  days: number;
  /** Concurrent callers at every simulated minute. */
  callers: number;
  /** One caller's call; a rejection is a caller-visible error. */
  call(): Promise<Handout>;
  /** Every fake in play (quiescence and overlap checks). */
  servers: FakeHttpServer[];
  outages: {
    kinds: FaultKind[];
    /** Outages in the run, spread over randomly chosen credential sets. */
    count: number;
    /** How many of them outlast the cached credentials (by 1 to `overhangMinutes` minutes). */
    uncovered: number;
    overhangMinutes: number;
    /** Minutes before expiry at which the client under test first refreshes a set (its refresh window). */
    refreshMinutesBeforeExpiry: number;
    /** About how many credential sets the run sees (outages go to sets drawn from the first ones of these). */
    setsInRun: number;
  };
  transients: {
    kinds: FaultKind[];
    /** Chance, at each simulated minute, that 1 or 2 single-request faults are queued on one upstream. */
    chancePerMinute: number;
  };
}

export interface LoggedRequest {
  server: FakeHttpServer;
  request: RecordedRequest;
  /** Simulated time of the minute in which it arrived (the clock stands still within a minute). */
  atMs: number;
  /** The fault that answered it, if any. */
  fault?: string;
}

export interface OutageRecord {
  kind: string;
  startMs: number;
  endMs: number;
  /** Expiry of the credentials callers held when the outage began. */
  cachedExpiryAtStartMs: number;
  /** Shorter than the remaining lifetime of the cached credentials (minus the 60 s callers need). */
  covered: boolean;
  /** Simulated minutes of the outage while the cached credentials had at least 60 s left. */
  validMinutes: number;
  /** Of those, minutes in which the failing upstream was called (and failed). */
  attemptMinutesWhileValid: number;
  /** Requests the outage failed. */
  failedRequests: number;
  /** Minutes in which at least one caller got an error. */
  errorMinutes: number;
  /** Most requests to the failing upstream within one minute. */
  maxRequestsPerMinute: number;
}

export interface CallerError {
  atMs: number;
  /** Remaining lifetime of the credentials callers held before this minute (negative: expired). */
  cachedRemainingMs: number;
  outage?: string;
  message: string;
  code?: string;
}

export interface SoakReport {
  minutes: number;
  calls: number;
  errors: CallerError[];
  /** Handouts that were expired or expired within 60 s when the caller got them. */
  staleHandouts: Array<{ atMs: number; remainingMs: number; id: string }>;
  outages: OutageRecord[];
  transientFaults: number;
  requests: LoggedRequest[];
  /** Every distinct handout, in the order callers first got it, with that time. */
  handouts: Array<Handout & { firstAtMs: number }>;
  /** Most requests of one `action` that were in flight at once at `server`, by real-time overlap. */
  maxConcurrency(server: FakeHttpServer, action: string | undefined): number;
}

interface ActiveOutage {
  kind: FaultKind;
  record: OutageRecord;
}

/**
 * Runs `plan.callers` concurrent calls at every simulated minute (at a random second of it) from
 * `plan.start` for `plan.days` days, under a fake `Date` the test has installed, while injecting faults drawn from a seeded
 * sequence into the fakes, and records what callers and upstreams saw.
 *
 * Time: only `Date` is faked. HTTP, retry backoffs and background refreshes run on real time, so
 * after each minute's calls the run waits until the process is quiet (no request in flight, no
 * pending backoff) before it moves the clock: a refresh never spans simulated minutes, and each
 * minute costs real time only when something happens in it. Every minute gets its callers; no
 * minute is skipped, because cached calls are cheap (about 1 µs each) and real time goes to the
 * refreshes and retries, which no clock stepping would save.
 *
 * Faults: each fault kind has two standing scripts at its fake (`count: Infinity`), one for the
 * outage of that kind (while its window is open on the simulated clock) and one for transient
 * single-request faults, queued at random minutes. Outages are aimed where they matter, at
 * refreshes: the seeded sequence picks which credential sets get one, of which kind, starting 0-5
 * minutes before the set's refresh window and lasting into it, mostly ending before the set has
 * less than a minute left (callers must not notice), a few outlasting the set (callers may notice
 * only once it has less than 60 s left, and must recover at the first minute after). Outages
 * dropped at random times would mostly fall between refreshes and test nothing.
 */
export async function runSoak(plan: SoakPlan): Promise<SoakReport> {
  const rng = seededRandom(plan.seed);
  const quiet = observeQuiescence(plan.servers);
  const requests: LoggedRequest[] = [];
  const seenRequests = new Map<FakeHttpServer, number>(plan.servers.map((s) => [s, 0]));
  const faultOf = new Map<RecordedRequest, string>();
  const errors: CallerError[] = [];
  const staleHandouts: SoakReport["staleHandouts"] = [];
  const outages: OutageRecord[] = [];
  const handouts = new Map<string, Handout & { firstAtMs: number }>();
  const transientLeft = new Map<FaultKind, number>();
  const outagesOfKind = new Map<FaultKind, number>();
  let transientFaults = 0;
  let active: ActiveOutage | undefined;
  let planned: { kind: FaultKind; startMs: number; endMs: number } | undefined;
  let cachedExpiryMs: number | undefined;
  let consideredExpiryMs: number | undefined;
  let setsSeen = 0;
  // Which sets get an outage (by their order of arrival), and whether it outlasts them.
  const outageSets = new Map<number, boolean>();
  while (outageSets.size < plan.outages.count) {
    const set = rng.int(2, Math.max(2, plan.outages.setsInRun - 2));
    if (!outageSets.has(set)) outageSets.set(set, outageSets.size < plan.outages.uncovered);
  }
  let calls = 0;

  for (const kind of new Set([...plan.outages.kinds, ...plan.transients.kinds])) {
    kind.server.failNext({
      ...kind.script,
      count: Infinity,
      match: (request) => {
        if (active?.kind !== kind || !kind.target(request)) return false;
        faultOf.set(request, `outage: ${kind.name}`);
        return true;
      },
    });
    kind.server.failNext({
      ...kind.script,
      count: Infinity,
      match: (request) => {
        const left = transientLeft.get(kind) ?? 0;
        if (left <= 0 || !kind.target(request)) return false;
        transientLeft.set(kind, left - 1);
        faultOf.set(request, `transient: ${kind.name}`);
        return true;
      },
    });
  }

  const totalMinutes = plan.days * 24 * 60;
  let minutes = 0;
  try {
    for (; minutes < totalMinutes; minutes++) {
      // The callers come at a random second of each minute, so remaining lifetimes are not all whole minutes.
      const now = plan.start.getTime() + minutes * MINUTE + rng.int(0, 59) * 1000;
      vi.setSystemTime(now);

      // Outages: when callers first get one of the chosen sets, plan one aimed at its refresh.
      if (!planned && !active && cachedExpiryMs !== undefined && cachedExpiryMs !== consideredExpiryMs) {
        consideredExpiryMs = cachedExpiryMs;
        setsSeen++;
        const outlasting = outageSets.get(setsSeen);
        const kinds = plan.outages.kinds.filter((k) => (outagesOfKind.get(k) ?? 0) < (k.maxOutages ?? Infinity) && (!outlasting || k.mayOutlast !== false));
        if (outlasting !== undefined && kinds.length > 0) {
          const kind = rng.weighted(kinds);
          const beforeRefresh = rng.int(0, 5); // minutes the outage starts ahead of the refresh window
          const startMs = Math.max(now + MINUTE, cachedExpiryMs - (plan.outages.refreshMinutesBeforeExpiry + beforeRefresh) * MINUTE - 30_000);
          const remainingMinutes = Math.floor((cachedExpiryMs - startMs) / MINUTE);
          // Long enough to cover at least one minute's callers inside the refresh window (callers of two
          // consecutive minutes can be up to 119 s apart).
          const reachRefresh = Math.max(1, remainingMinutes - plan.outages.refreshMinutesBeforeExpiry + 3);
          const durationMinutes =
            outlasting || remainingMinutes - 2 < reachRefresh
              ? remainingMinutes + rng.int(1, plan.outages.overhangMinutes)
              : rng.int(reachRefresh, remainingMinutes - 2);
          planned = { kind, startMs, endMs: startMs + durationMinutes * MINUTE };
        }
      }
      if (active && now >= active.record.endMs) {
        outages.push(active.record);
        active = undefined;
      }
      if (planned && now >= planned.startMs) {
        const expiry = cachedExpiryMs ?? now;
        active = {
          kind: planned.kind,
          record: {
            kind: planned.kind.name,
            startMs: planned.startMs,
            endMs: planned.endMs,
            cachedExpiryAtStartMs: expiry,
            covered: planned.endMs <= expiry - MIN_REMAINING_MS,
            validMinutes: 0,
            attemptMinutesWhileValid: 0,
            failedRequests: 0,
            errorMinutes: 0,
            maxRequestsPerMinute: 0,
          },
        };
        outagesOfKind.set(planned.kind, (outagesOfKind.get(planned.kind) ?? 0) + 1);
        planned = undefined;
      }

      // Transient faults: one or two failed requests, which retries should absorb.
      if (plan.transients.kinds.length > 0 && rng.chance(plan.transients.chancePerMinute)) {
        const kind = rng.weighted(plan.transients.kinds);
        if ((transientLeft.get(kind) ?? 0) === 0) {
          const count = rng.int(1, 2);
          transientLeft.set(kind, count);
          transientFaults += count;
        }
      }

      const cachedRemainingMs = cachedExpiryMs === undefined ? -Infinity : cachedExpiryMs - now;
      const results = await Promise.allSettled(Array.from({ length: plan.callers }, () => plan.call()));
      calls += plan.callers;
      await quiet.settle();

      let errorThisMinute = false;
      for (const result of results) {
        if (result.status === "rejected") {
          errorThisMinute = true;
          const error = result.reason as { message?: unknown; code?: unknown };
          errors.push({
            atMs: now,
            cachedRemainingMs,
            ...(active ? { outage: active.kind.name } : {}),
            message: String(error?.message ?? error),
            ...(typeof error?.code === "string" ? { code: error.code } : {}),
          });
          continue;
        }
        const { id, expiresAtMs } = result.value;
        if (expiresAtMs - now < MIN_REMAINING_MS) staleHandouts.push({ atMs: now, remainingMs: expiresAtMs - now, id });
        if (!handouts.has(id)) handouts.set(id, { id, expiresAtMs, firstAtMs: now });
        cachedExpiryMs = Math.max(cachedExpiryMs ?? -Infinity, expiresAtMs);
      }

      let failedThisMinute = 0;
      for (const server of plan.servers) {
        const all = server.requests;
        for (let i = seenRequests.get(server)!; i < all.length; i++) {
          const request = all[i]!;
          const fault = faultOf.get(request);
          requests.push({ server, request, atMs: now, ...(fault ? { fault } : {}) });
          if (active && fault === `outage: ${active.kind.name}`) failedThisMinute++;
        }
        seenRequests.set(server, all.length);
      }
      if (active) {
        const record = active.record;
        record.failedRequests += failedThisMinute;
        record.maxRequestsPerMinute = Math.max(record.maxRequestsPerMinute, failedThisMinute);
        if (errorThisMinute) record.errorMinutes++;
        if (cachedRemainingMs >= MIN_REMAINING_MS) {
          record.validMinutes++;
          if (failedThisMinute > 0) record.attemptMinutesWhileValid++;
        }
      }
    }
  } finally {
    quiet.dispose();
  }
  if (active) outages.push(active.record);

  return {
    minutes,
    calls,
    errors,
    staleHandouts,
    outages,
    transientFaults,
    requests,
    handouts: [...handouts.values()],
    maxConcurrency(server, action) {
      const spans = server.requests
        .filter((r) => r.action === action)
        .map((r) => [r.receivedAt ?? 0, r.finishedAt ?? Infinity] as const)
        .sort((a, b) => a[0] - b[0]);
      let max = 0;
      const ends: number[] = [];
      for (const [start, end] of spans) {
        for (let i = ends.length - 1; i >= 0; i--) if (ends[i]! <= start) ends.splice(i, 1);
        ends.push(end);
        max = Math.max(max, ends.length);
      }
      return max;
    },
  };
}

/** Requests of `report` to `server` with this `action` (`undefined`: fakes without actions) that arrived in the simulated interval (fromMs, toMs]. */
export function requestsBetween(report: SoakReport, server: FakeHttpServer, action: string | undefined, fromMs: number, toMs: number): LoggedRequest[] {
  return report.requests.filter((r) => r.server === server && r.request.action === action && r.atMs > fromMs && r.atMs <= toMs);
}
