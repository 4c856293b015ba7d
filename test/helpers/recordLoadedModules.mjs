// Module hooks for a child process: appends every resolved module URL to $RECORD_LOADED_MODULES.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(process.env.RECORD_LOADED_MODULES, `${result.url}\n`);
  return result;
}
