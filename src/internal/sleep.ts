/** Resolves after `ms` milliseconds. The timer keeps the process alive only while someone awaits it. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
