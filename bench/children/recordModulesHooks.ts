// Module resolve hook (runs on Node's loader thread): records every resolved ESM URL. See recordModules.ts.
import { appendFileSync } from "node:fs";

type NextResolve = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<{ url: string }> {
  const result = await nextResolve(specifier, context);
  appendFileSync(process.env.BENCH_RECORD_MODULES!, `esm ${result.url}\n`);
  return result;
}
