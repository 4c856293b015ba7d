import type { Logger } from "@smithy/types";

/** A Logger that keeps every line it is given, for scanning. */
export function captureLogger(): Logger & { lines: string[]; text(): string } {
  const lines: string[] = [];
  const keep = (...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  };
  return { lines, debug: keep, info: keep, warn: keep, error: keep, text: () => lines.join("\n") };
}

/** The messages, names and own properties of an error and every `cause` under it. */
export function causeChainText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(String((e as Error).message), String((e as Error).stack));
    for (const key of Object.getOwnPropertyNames(e)) {
      try {
        parts.push(`${key}=${JSON.stringify((e as Record<string, unknown>)[key])}`);
      } catch {
        parts.push(`${key}=<unserialisable>`);
      }
    }
  }
  return parts.join("\n");
}
