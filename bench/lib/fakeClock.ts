/**
 * A frozen wall clock for simulating hours in milliseconds, for the benchmarks only.
 *
 * It replaces `globalThis.Date` with a constructor whose `Date.now()` and argument-less `new Date()`
 * return an instant that moves only when told (`set`, `advance`); `Date` with arguments, `Date.parse`,
 * `Date.UTC` and `instanceof Date` behave as usual. Everything else stays real: `performance.now()`
 * (so the latencies measured are real time), `setTimeout` (so timeouts and retry backoff still
 * work) and the event loop. The fakes run in the same process and read the same clock, so ID token
 * `exp`, STS `Expiration`, IMDS session-token TTLs and the SigV4 `x-amz-date` skew check all agree
 * with the code under test.
 *
 * Frozen rather than offset from real time: boundary comparisons ("refresh when 5 minutes remain")
 * then come out the same in every run, so upstream call counts are exact, not "about".
 *
 * Why not vitest's fake timers: `vi` needs vitest's runner, and timed comparisons stay out of the
 * test suite. Why not @sinonjs/fake-timers: it is not a dependency of this project, and faking
 * only `Date` is all that is needed (code under test uses no timer to decide a refresh).
 */
export interface FakeClock {
  now(): number;
  set(epochMs: number): void;
  advance(ms: number): void;
  /** Put the real `Date` back. */
  uninstall(): void;
}

export function installFakeClock(startEpochMs: number): FakeClock {
  const RealDate = globalThis.Date;
  let current = startEpochMs;

  function FakeDate(this: unknown, ...args: unknown[]): unknown {
    if (!new.target) return new RealDate(current).toString(); // `Date()` called as a function
    if (args.length === 0) return new RealDate(current);
    return Reflect.construct(RealDate, args);
  }
  Object.setPrototypeOf(FakeDate, RealDate); // Date.parse, Date.UTC
  FakeDate.prototype = RealDate.prototype; // instanceof Date
  Object.defineProperty(FakeDate, "now", { value: () => current, writable: true, configurable: true });
  globalThis.Date = FakeDate as unknown as DateConstructor;

  return {
    now: () => current,
    set(epochMs) {
      current = epochMs;
    },
    advance(ms) {
      current += ms;
    },
    uninstall() {
      globalThis.Date = RealDate;
    },
  };
}
