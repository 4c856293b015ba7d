import { promisify } from "node:util";
import type { FakeHttpServer } from "../../src/testing/index.js";

/** Timers longer than this are not waited for (e.g. a 10 s request timeout that is cleared on the answer). */
const MAX_TRACKED_TIMER_MS = 5_000;
/** Consecutive idle event-loop turns that count as quiet. */
const QUIET_TURNS = 4;
/** Pending libuv work that means something is still going on: a TCP connect, a file operation, a DNS lookup. */
const BUSY_RESOURCES = new Set(["ConnectWrap", "TCPConnectWrap", "FSReqCallback", "FSReqPromise", "GetAddrInfoReqWrap"]);

export interface Quiescence {
  /**
   * Resolves once nothing started by the code under test is still going on: no request in flight at
   * any fake, no pending timer of up to 5 s (retry backoffs, connect timeouts), no TCP connect or
   * file operation, for 4 event-loop turns in a row. Throws if that takes longer than `maxMs`.
   */
  settle(maxMs?: number): Promise<void>;
  /** Restores the global `setTimeout` / `clearTimeout`. */
  dispose(): void;
}

/**
 * Observes a process in which only `Date` is faked: background refreshes, HTTP and retry backoffs run
 * on real time, so a simulation must wait for them before it moves the fake clock on, or simulated
 * time would race ahead of a refresh still in flight. Wraps the global `setTimeout` (the code under
 * test looks it up at call time; vitest and the fakes hold their own references) to see pending
 * backoffs and connect timeouts, and asks the fakes for requests in flight.
 */
export function observeQuiescence(servers: readonly FakeHttpServer[]): Quiescence {
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  const pending = new Set<NodeJS.Timeout>();

  const trackedSetTimeout = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer: NodeJS.Timeout = realSetTimeout(
      (...callArgs: unknown[]) => {
        pending.delete(timer);
        callback(...callArgs);
      },
      ms,
      ...args,
    );
    if ((ms ?? 0) <= MAX_TRACKED_TIMER_MS) pending.add(timer);
    return timer;
  };
  const trackedClearTimeout = (timer: NodeJS.Timeout | string | number | undefined) => {
    if (typeof timer === "object") pending.delete(timer);
    else if (timer !== undefined) for (const t of pending) if (Number(t) === Number(timer)) pending.delete(t);
    realClearTimeout(timer as NodeJS.Timeout);
  };
  Object.defineProperty(trackedSetTimeout, promisify.custom, { value: (realSetTimeout as unknown as Record<symbol, unknown>)[promisify.custom] });
  globalThis.setTimeout = trackedSetTimeout as unknown as typeof setTimeout;
  globalThis.clearTimeout = trackedClearTimeout as typeof clearTimeout;

  /** Why the process is not quiet; `io` when I/O is under way (worth another turn), else only timers wait. */
  const busy = (): { reasons: string[]; io: boolean } => {
    const reasons: string[] = [];
    const inFlight = servers.reduce((sum, server) => sum + server.activeRequests, 0);
    if (inFlight > 0) reasons.push(`${inFlight} request(s) in flight at the fakes`);
    const resources = process.getActiveResourcesInfo().filter((name) => BUSY_RESOURCES.has(name));
    if (resources.length > 0) reasons.push(resources.join(", "));
    const io = reasons.length > 0;
    if (pending.size > 0) reasons.push(`${pending.size} pending timer(s)`);
    return { reasons, io };
  };
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const pause = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));

  return {
    async settle(maxMs = 15_000) {
      const deadline = performance.now() + maxMs;
      for (let quiet = 0; quiet < QUIET_TURNS; ) {
        const { reasons, io } = busy();
        if (reasons.length === 0) {
          quiet += 1;
          await turn();
          continue;
        }
        quiet = 0;
        if (performance.now() > deadline) throw new Error(`not quiescent after ${maxMs} ms: ${reasons.join("; ")}`);
        // I/O under way completes within a few turns; a pending timer (a backoff) is slept on, not spun on.
        await (io ? turn() : pause(1));
      }
    },
    dispose() {
      globalThis.setTimeout = realSetTimeout;
      globalThis.clearTimeout = realClearTimeout;
    },
  };
}
