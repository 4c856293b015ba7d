import { sleep } from "./sleep.js";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff before retry n is random in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))) (full jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry starts later than this many milliseconds after the first attempt. */
  budgetMs?: number;
  isRetryable(error: unknown): boolean;
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or the policy runs out.
 * `attempt` receives the milliseconds left of `budgetMs` (Infinity without one) to bound its own timeouts.
 */
export async function withRetry<T>(attempt: (remainingBudgetMs: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const startedAt = Date.now();
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(policy.budgetMs === undefined ? Infinity : Math.max(1, policy.budgetMs - (Date.now() - startedAt)));
    } catch (error) {
      if (attemptNumber >= policy.maxAttempts || !policy.isRetryable(error)) throw error;
      const delayMs = Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNumber - 1));
      if (policy.budgetMs !== undefined && Date.now() + delayMs - startedAt >= policy.budgetMs) throw error;
      await sleep(delayMs);
    }
  }
}
