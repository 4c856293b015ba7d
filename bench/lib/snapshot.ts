import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILD, ROOT } from "./env.js";

/**
 * Copy the built package (dist/ and a package.json with the same name and `exports`) into
 * bench/.build/, so that every benchmark process imports one fixed build even if dist/ is rebuilt
 * meanwhile (the test suite's pretest rebuilds it). The compiled benchmarks live under bench/.build/,
 * so Node resolves `cross-cloud-credentials` to this copy (a package's self-reference goes to the
 * nearest package.json of that name); all other packages still come from the repository's node_modules.
 */
export function snapshotPackage(): void {
  const source = join(ROOT, "dist");
  const target = join(BUILD, "dist");
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string; exports: unknown };
  for (let attempt = 1; ; attempt++) {
    const before = fingerprint(source);
    rmSync(target, { recursive: true, force: true });
    if (isComplete(source)) {
      cpSync(source, target, { recursive: true });
      if (fingerprint(source) === before && isComplete(target)) break;
    }
    if (attempt === 30) throw new Error("dist/ stayed incomplete or kept changing (another build running?): run `npm run build` and try again");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_000); // a build is in progress: wait for it
  }
  writeFileSync(
    join(BUILD, "package.json"),
    `${JSON.stringify({ name: manifest.name, version: manifest.version, private: true, type: "module", exports: manifest.exports }, null, 2)}\n`,
  );
}

/** The entry points and the chunk the CLI imports are all there. */
function isComplete(dist: string): boolean {
  const required = ["index.js", "index.cjs", "testing/index.js", "testing/index.cjs", "cli.cjs"];
  if (!required.every((file) => existsSync(join(dist, file)))) return false;
  const chunks = [...readFileSync(join(dist, "cli.cjs"), "utf8").matchAll(/import\("\.\/([^"]+)"\)/g)].map((m) => m[1]!);
  return chunks.every((chunk) => existsSync(join(dist, chunk)));
}

function fingerprint(dir: string): string {
  if (!existsSync(dir)) return "";
  const entries: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else entries.push(`${path}:${statSync(path).size}:${statSync(path).mtimeMs}`);
    }
  };
  walk(dir);
  return entries.sort().join("\n");
}
