import type { Logger } from "@smithy/types";
import { redact } from "./redact.js";

/** Keys whose values are credentials or tokens, wherever they appear in a logged object. */
const SECRET_KEYS = /^(SecretAccessKey|SessionToken|WebIdentityToken|secretAccessKey|sessionToken|access_token|id_token|token|subject_token|accessToken)$/;

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redact(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, SECRET_KEYS.test(key) ? "[redacted]" : scrub(item, depth + 1)]));
}

/**
 * Wraps a Logger so that nothing it receives carries a credential: the AWS SDK's own logger
 * middleware logs STS output with the session token in clear, so every logger we hand on goes
 * through this.
 */
export function redactingLogger(logger: Logger): Logger {
  const wrap =
    (method: keyof Logger) =>
    (...args: unknown[]) =>
      (logger[method] as ((...a: unknown[]) => void) | undefined)?.call(logger, ...args.map((arg) => scrub(arg)));
  return { debug: wrap("debug"), info: wrap("info"), warn: wrap("warn"), error: wrap("error"), trace: wrap("trace") };
}
