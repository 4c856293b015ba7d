import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));

describe("npm run demo", () => {
  it("exits 0 with every step verified, showing tokens only redacted", async () => {
    // `npm run demo` is `npm run build && node examples/demo.mjs`; `npm test` has just built dist/.
    const { stdout, stderr } = await run(process.execPath, ["examples/demo.mjs"], { cwd: root, timeout: 60_000 });
    expect(stdout).toContain("Demo passed: every step verified.");
    expect(stdout).toContain("fake STS verified the signature");
    expect(stdout).toContain("Storage API accepted the bearer token");
    // The CLI as a credential_process: its JSON (redacted), then the AWS SDK's fromProcess served from the CLI's cache.
    expect(stdout).toMatch(/printed the credential_process JSON.*\n\s+\{"Version":1,"AccessKeyId":"ASIA[A-Z2-7]{16}","SecretAccessKey":"[^"]{6}…\(40 chars\)"/);
    expect(stdout).toContain("the CLI answered from its on-disk cache: no new STS exchange");
    // Not a terminal here: plain lines, no spinner or colour escapes, and every step marked verified.
    expect(stdout).not.toMatch(/\x1b|\r/);
    expect(stdout).not.toContain("✘");
    expect(stderr).toBe("");
    const output = stdout + stderr;
    expect(output).not.toMatch(/eyJ[\w-]{20,}\.[\w-]{20,}/); // no JWT
    expect(output).not.toMatch(/ya29\.[\w-]{12,}/); // no Google access token
    expect(output).not.toMatch(/[A-Za-z0-9+/]{40,}/); // no secret key or session token
  });
});
