import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    target: "node20",
    platform: "node",
    clean: true,
    splitting: true,
    shims: true,
    sourcemap: false,
  },
  {
    // CommonJS on purpose: Node starts a CommonJS entry faster than an ES module, and a cached
    // `aws-credentials` (run by the AWS CLI before every command) is little more than a start.
    entry: { cli: "src/cli/bin.ts" },
    format: ["cjs"],
    target: "node20",
    platform: "node",
    splitting: true, // the rest of the CLI is a chunk that a cache hit never reads
    shims: true,
    banner: { js: "#!/usr/bin/env node" },
  },
]);
