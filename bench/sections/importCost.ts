// Item 3: import cost of the package root in a fresh process against `import '@aws-sdk/credential-providers'`,
// and the modules each entry point loads.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILD, cleanEnv, CLI, ROOT } from "../lib/env.js";
import { ROLE_ARN, ROLE_SESSION_NAME, startGcpToAwsFakes } from "../lib/gcpToAwsFakes.js";
import { byPackage, recordLoadedModules, sdkPackages, type LoadedModules } from "../lib/moduleList.js";
import { lastJsonLine, runOk } from "../lib/processes.js";
import { emitResult, expectEqual, isQuick, log, markdownTable } from "../lib/report.js";
import { formatMs, median, medianPairedRatio } from "../lib/stats.js";

const quick = isQuick();
const rounds = quick ? 3 : 21;
const IMPORT_ENTRY = `${BUILD}children/importEntry.js`;

const timed = {
  "cross-cloud-credentials": "ours: package root",
  "@aws-sdk/credential-providers": "baseline",
  "cross-cloud-credentials/testing": "ours: testing kit (info)",
} as const;
type Specifier = keyof typeof timed;
const specifiers = Object.keys(timed) as Specifier[];
const importMs: Record<Specifier, number[]> = { "cross-cloud-credentials": [], "@aws-sdk/credential-providers": [], "cross-cloud-credentials/testing": [] };
const processMs: Record<Specifier, number[]> = { "cross-cloud-credentials": [], "@aws-sdk/credential-providers": [], "cross-cloud-credentials/testing": [] };

const env = cleanEnv();
log(`import cost: ${rounds} rounds of fresh processes, order rotating`);
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < specifiers.length; i++) {
    const specifier = specifiers[(i + round) % specifiers.length]!;
    const result = await runOk(process.execPath, [IMPORT_ENTRY, specifier], { env, cwd: ROOT });
    const timing = lastJsonLine<{ importMs: number; sinceProcessStartMs: number }>(result);
    importMs[specifier].push(timing.importMs);
    processMs[specifier].push(timing.sinceProcessStartMs);
  }
}

// Module lists: each entry point in a fresh process under the recording preload.
log("import cost: recording the modules each entry point loads");
const fakes = await startGcpToAwsFakes();
const fakeEnv = cleanEnv(fakes.env);
const cacheDir = await mkdtemp(join(tmpdir(), "ccc-bench-cache-"));
const cliArgs = [CLI, "aws-credentials", "--role-arn", ROLE_ARN, "--sts-endpoint", fakes.sts.url, "--region", "us-east-1", "--cache-dir", cacheDir];
await runOk(process.execPath, cliArgs, { env: fakeEnv, cwd: ROOT }); // warms the cache
const lists: Array<{ entry: string; modules: LoadedModules }> = [];
const empty = await recordLoadedModules([IMPORT_ENTRY, "node:path"], env);
const record = async (entry: string, args: string[], recordEnv = env) => lists.push({ entry, modules: await recordLoadedModules(args, recordEnv) });
await record("`import 'cross-cloud-credentials'`", [IMPORT_ENTRY, "cross-cloud-credentials"]);
await record("`import '@aws-sdk/credential-providers'` (baseline)", [IMPORT_ENTRY, "@aws-sdk/credential-providers"]);
await record("`import 'cross-cloud-credentials/testing'`", [IMPORT_ENTRY, "cross-cloud-credentials/testing"]);
await record("root + first `fromGcpServiceAccount` credentials", [`${BUILD}children/firstCredentialsOurs.js`, ROLE_ARN], fakeEnv);
await record("baseline script to first credentials (`fetch` + `fromWebToken`)", [`${BUILD}children/firstCredentialsBaseline.js`, ROLE_ARN, ROLE_SESSION_NAME, "providers"], fakeEnv);
await record("root + `awsExternalAccountClient(…)` constructed", [`${BUILD}children/awsExternalAccountClientConstruct.js`]);
await record("CLI `aws-credentials`, warm cache hit", cliArgs, fakeEnv);
await fakes.close();
await rm(cacheDir, { recursive: true, force: true });

const rootModules = lists[0]!.modules;
const cliWarm = lists.at(-1)!.modules;
const emptyBuiltins = new Set(empty.builtins);
const builtinsBeyondEmpty = (modules: LoadedModules) => modules.builtins.filter((name) => !emptyBuiltins.has(name));

const details: string[] = [
  `Each specifier is imported by a fresh Node process (${rounds} rounds, order rotating); the figure is the time of the \`await import(…)\` itself. ` +
    "Module lists come from separate runs preloading bench/children/recordModules.ts: a `module.register` resolve hook records ESM resolutions, and at exit the " +
    "CommonJS require cache and `process.moduleLoadList` are added (Node 20's hooks do not see `require`).",
  "",
  markdownTable(
    ["import", "role", "import (median)", "process start → imported (median)"],
    specifiers.map((specifier) => [`\`${specifier}\``, timed[specifier], formatMs(median(importMs[specifier])), formatMs(median(processMs[specifier]))]),
  ),
  "",
  "Modules loaded by each entry point (files of packages; Node built-ins beyond those an empty process loads):",
  "",
  markdownTable(
    ["entry point", "files", "packages", "Node built-ins beyond an empty process"],
    lists.map(({ entry, modules }) => [entry, String(modules.files.length), String(byPackage(modules).length), builtinsBeyondEmpty(modules).join(", ") || "none"]),
  ),
  "",
];
for (const { entry, modules } of lists) {
  details.push(
    `<details><summary>${entry}: ${modules.files.length} files</summary>`,
    "",
    markdownTable(["package", "files"], byPackage(modules).map(([name, count]) => [name, String(count)])),
    "",
    "```",
    ...modules.files,
    "```",
    "</details>",
    "",
  );
}

emitResult({
  section: "importCost",
  title: "3. Import cost",
  rows: [
    {
      item: 3,
      name: "Import of the package root in a fresh process",
      ours: formatMs(median(importMs["cross-cloud-credentials"])),
      baseline: formatMs(median(importMs["@aws-sdk/credential-providers"])),
      baselineName: "`import '@aws-sdk/credential-providers'`",
      ratio: medianPairedRatio(importMs["cross-cloud-credentials"], importMs["@aws-sdk/credential-providers"]),
      target: { op: "<=", value: 1.0 },
      note: `median of ${rounds} paired fresh processes; modules: ${rootModules.files.length} files vs ${lists[1]!.modules.files.length}`,
    },
  ],
  checks: [
    expectEqual(3, "AWS SDK / Google library packages loaded by `import 'cross-cloud-credentials'`", sdkPackages(rootModules).join(", ") || "none", "none"),
    expectEqual(4, "AWS SDK / Google library packages loaded by a CLI cache hit", sdkPackages(cliWarm).join(", ") || "none", "none"),
  ],
  details,
});
