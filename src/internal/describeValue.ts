/** A short printable form of any value, for "got …" in error messages. Never throws (BigInt, cycles, symbols). */
export function describeValue(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol" || typeof value === "function") return String(typeof value);
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    // circular or otherwise unserialisable
  }
  return Object.prototype.toString.call(value);
}
