/**
 * Resolves after `ms` milliseconds. Used only between retries of a failing request (at most a few
 * seconds), and kept ref'd on purpose: an unref'd timer would let Node exit under a caller that is
 * awaiting credentials, dropping the call silently. No timer exists between calls.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
