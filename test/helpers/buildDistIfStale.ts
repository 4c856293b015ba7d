import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

function newestMtime(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    }),
  );
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Vitest global setup: the e2e and CLI tests run the built package, so rebuild dist/ when any
 * source file is newer than it (`npm test` builds first; this covers `npx vitest run <file>`).
 */
export default function buildDistIfStale(): void {
  const built = Math.min(mtime(join(root, "dist/index.js")), mtime(join(root, "dist/cli.cjs")), mtime(join(root, "dist/testing/index.js")));
  if (built < Math.max(newestMtime(join(root, "src")), mtime(join(root, "tsup.config.ts")), mtime(join(root, "package.json")))) {
    execFileSync(process.execPath, [join(root, "node_modules/tsup/dist/cli-default.js")], { cwd: root, stdio: "ignore" });
  }
}
