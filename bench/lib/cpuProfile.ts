import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./env.js";
import { runOk } from "./processes.js";

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  runs: number;
  /** Sampled ms per run. */
  totalMs: number;
  /** Self time per run by where the code lives (package, Node internal module, or V8 activity), most first. */
  byModule: Array<[string, number]>;
  /** Self time per run by function, most first. */
  byFunction: Array<[string, number]>;
}

/** Where a profile node's code lives: a package name, a file of this repository, a Node module, or a V8 activity. */
function moduleOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : `(native ${functionName || "code"})`;
  const path = url.replace(/^file:\/\//, "");
  const at = path.lastIndexOf("node_modules/");
  if (at >= 0) {
    const [scopeOrName, name] = path.slice(at + "node_modules/".length).split("/");
    return scopeOrName!.startsWith("@") ? `${scopeOrName}/${name}` : scopeOrName!;
  }
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

/** Run `node <args>` `runs` times with the V8 CPU profiler (100 µs sampling) and sum self time per module and function. */
export async function profileNode(args: readonly string[], env: Record<string, string>, runs: number): Promise<ProfileSummary> {
  const dir = await mkdtemp(join(tmpdir(), "ccc-bench-prof-"));
  try {
    for (let i = 0; i < runs; i++) {
      await runOk(process.execPath, ["--cpu-prof", "--cpu-prof-interval", "100", "--cpu-prof-dir", dir, ...args], { env, cwd: ROOT });
    }
    const byModule = new Map<string, number>();
    const byFunction = new Map<string, number>();
    let total = 0;
    for (const file of await readdir(dir)) {
      const profile = JSON.parse(await readFile(join(dir, file), "utf8")) as CpuProfile;
      const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
      profile.samples.forEach((id, i) => {
        const micros = profile.timeDeltas[i] ?? 0;
        const frame = nodes.get(id)!.callFrame;
        const where = moduleOf(frame.url, frame.functionName);
        const fn = frame.url ? `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}` : where;
        byModule.set(where, (byModule.get(where) ?? 0) + micros);
        byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
        total += micros;
      });
    }
    const perRunMs = (entries: Map<string, number>) => [...entries].map(([k, v]): [string, number] => [k, v / runs / 1000]).sort((a, b) => b[1] - a[1]);
    return { runs, totalMs: total / runs / 1000, byModule: perRunMs(byModule), byFunction: perRunMs(byFunction) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
