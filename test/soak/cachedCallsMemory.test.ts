import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cleanEnv, runCommand } from "../helpers/runCli.js";

const SCRIPT = fileURLToPath(new URL("./fixtures/cachedCalls.mjs", import.meta.url));
const CALLS = 1_000_000;
const MAX_HEAP_GROWTH_BYTES = 1024 * 1024;

interface Phase {
  calls: number;
  heapGrowthBytes: number;
  elapsedMs: number;
  timers: number;
}

describe("1,000,000 cached calls in real time (built package, node --expose-gc)", () => {
  it("grow the heap by less than 1 MB, leave no timer behind, and let the process exit on its own", async () => {
    // A child process, so the heap holds nothing of vitest's, and exiting without process.exit() proves
    // that no timer or socket of the providers keeps the event loop alive.
    const result = await runCommand(process.execPath, ["--expose-gc", SCRIPT], cleanEnv({ PROVIDER_CALLS: String(CALLS), CLIENT_CALLS: String(CALLS), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }), 60_000);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      gcpToAws: Phase & { stsCalls: number; tokenFetches: number };
      awsToGcp: Phase & { exchanges: number };
      resourcesAfterClose: string[];
    };

    expect(report.gcpToAws).toMatchObject({ calls: CALLS, timers: 0, stsCalls: 1, tokenFetches: 1 });
    expect(report.gcpToAws.heapGrowthBytes).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
    expect(report.awsToGcp).toMatchObject({ calls: CALLS, timers: 0, exchanges: 1 });
    expect(report.awsToGcp.heapGrowthBytes).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
    expect(report.resourcesAfterClose).not.toContain("Timeout");
    console.info(
      `1,000,000 cached calls: fromGcpServiceAccount ${report.gcpToAws.elapsedMs} ms, heap ${report.gcpToAws.heapGrowthBytes} B; ` +
        `awsExternalAccountClient.getRequestHeaders ${report.awsToGcp.elapsedMs} ms, heap ${report.awsToGcp.heapGrowthBytes} B`,
    );
  }, 60_000);
});
