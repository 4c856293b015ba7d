const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.?[A-Za-z0-9_-]*/g;
const LONG_SECRET_LIKE = /[A-Za-z0-9+/=_-]{40,}/g;

/** Secrets are random: upper case, lower case and digits together. Paths and hex cache keys are not. */
const looksRandom = (run: string) => /[A-Z]/.test(run) && /[a-z]/.test(run) && /\d/.test(run);

/** Removes anything shaped like a JWT or a long random credential string from free text. */
export function redact(text: string): string {
  return text.replace(JWT_LIKE, "[redacted token]").replace(LONG_SECRET_LIKE, (run) => (looksRandom(run) ? "[redacted]" : run));
}

/**
 * A copy of an upstream error that is safe to keep as `cause`: its name, code and redacted message,
 * and none of the request, response or config objects SDKs attach (they can hold tokens and keys).
 */
export function safeCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(redact(String(error)));
  const copy = new Error(redact(error.message));
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") Object.assign(copy, { code });
  return copy;
}
