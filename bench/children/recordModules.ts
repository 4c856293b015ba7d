// Preloaded with `--import` to list what a process loads (item 3). Appends to $BENCH_RECORD_MODULES:
// `esm <url>` for every ESM resolution (through the resolve hook), and at exit `cjs <path>` for every
// CommonJS module in the require cache (Node 20's hooks do not see `require`) and `builtin <name>`
// for every Node built-in module loaded (process.moduleLoadList).
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const out = process.env.BENCH_RECORD_MODULES;
if (!out) throw new Error("BENCH_RECORD_MODULES is not set");
register(new URL("./recordModulesHooks.js", import.meta.url));
process.once("exit", () => {
  const cjs = Object.keys(createRequire(import.meta.url).cache).map((path) => `cjs ${path}`);
  const loadList = (process as unknown as { moduleLoadList: string[] }).moduleLoadList;
  const builtins = loadList.filter((entry) => entry.startsWith("NativeModule ")).map((entry) => `builtin ${entry.slice("NativeModule ".length)}`);
  appendFileSync(out, [...cjs, ...builtins, ""].join("\n"));
});
