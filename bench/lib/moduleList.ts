import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BUILD, ROOT } from "./env.js";
import { runOk } from "./processes.js";

export interface LoadedModules {
  /** Files loaded (ESM and CommonJS), relative to the repository root, sorted; the harness's own files left out. */
  files: string[];
  /** Public Node built-in modules loaded (internal/* left out), sorted. */
  builtins: string[];
}

/** Run `node <args>` with the recording preload (children/recordModules.ts) and return what it loaded. */
export async function recordLoadedModules(args: readonly string[], env: Record<string, string>): Promise<LoadedModules> {
  const dir = await mkdtemp(join(tmpdir(), "ccc-bench-modules-"));
  const out = join(dir, "modules.txt");
  try {
    await runOk(process.execPath, ["--import", pathToFileURL(`${BUILD}children/recordModules.js`).href, ...args], {
      env: { ...env, BENCH_RECORD_MODULES: out },
      cwd: ROOT,
    });
    return parse(await readFile(out, "utf8"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parse(text: string): LoadedModules {
  const files = new Set<string>();
  const builtins = new Set<string>();
  for (const line of text.split("\n")) {
    const space = line.indexOf(" ");
    const kind = line.slice(0, space);
    const value = line.slice(space + 1);
    if (kind === "builtin") {
      if (!value.startsWith("internal/")) builtins.add(value);
    } else if (kind === "esm" && value.startsWith("node:")) {
      builtins.add(value.slice("node:".length));
    } else if (kind === "esm" && value.startsWith("file:")) {
      files.add(fileURLToPath(value));
    } else if (kind === "cjs" && value.startsWith("/")) {
      files.add(value);
    }
  }
  // The benchmark's own scripts are left out; the snapshot of the package (bench/.build/dist/) is shown as dist/.
  const harness = ["lib/", "children/", "sections/", "run.js"].map((dir) => join(BUILD, dir));
  return {
    files: [...files]
      .filter((path) => !harness.some((dir) => path.startsWith(dir)))
      .map((path) => (path.startsWith(join(BUILD, "dist/")) ? join("dist", path.slice(join(BUILD, "dist/").length)) : relative(ROOT, path)))
      .sort(),
    builtins: [...builtins].sort(),
  };
}

/** The package a loaded file belongs to: the name after the last node_modules/, or "cross-cloud-credentials" for dist/. */
export function packageOf(file: string): string {
  const at = file.lastIndexOf("node_modules/");
  if (at < 0) return file.startsWith("dist/") ? "cross-cloud-credentials" : file;
  const [scopeOrName, name] = file.slice(at + "node_modules/".length).split("/");
  return scopeOrName!.startsWith("@") ? `${scopeOrName}/${name}` : scopeOrName!;
}

/** Files per package, most files first. */
export function byPackage(modules: LoadedModules): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const file of modules.files) counts.set(packageOf(file), (counts.get(packageOf(file)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Whether any loaded file belongs to the AWS SDK or to Google's libraries. */
export function sdkPackages(modules: LoadedModules): string[] {
  return byPackage(modules)
    .map(([name]) => name)
    .filter((name) => /^@aws-sdk\/|^@smithy\/|^google-auth-library$|^gaxios$|^gcp-metadata$|^@google-cloud\/|^googleapis/.test(name));
}
