// Item 4: the CLI's `aws-credentials` with a warm cache against `node -e 0`; a cold invocation; and
// the AWS CLI run end to end with our credential_process against the same command with static credentials.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, CLI, ROOT } from "../lib/env.js";
import { profileNode } from "../lib/cpuProfile.js";
import { ROLE_ARN, startGcpToAwsFakes } from "../lib/gcpToAwsFakes.js";
import { recordLoadedModules } from "../lib/moduleList.js";
import { runOk, runTimed } from "../lib/processes.js";
import { emitResult, expectEqual, isQuick, log, markdownTable, type ComparisonRow } from "../lib/report.js";
import { formatMs, formatRatio, median, medianPairedRatio } from "../lib/stats.js";

const quick = isQuick();
const warmRounds = quick ? 5 : 31;
const coldRounds = quick ? 2 : 9;
const awsRounds = quick ? 2 : 7;

const fakes = await startGcpToAwsFakes();
const env = cleanEnv(fakes.env);
const scratch = await mkdtemp(join(tmpdir(), "ccc-bench-cli-"));
const warmCache = join(scratch, "warm-cache");
const credentialArgs = (cacheDir: string) => ["aws-credentials", "--role-arn", ROLE_ARN, "--sts-endpoint", fakes.sts.url, "--region", "us-east-1", "--cache-dir", cacheDir];
const warmArgs = [CLI, ...credentialArgs(warmCache)];

interface CredentialProcessOutput {
  Version: number;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}
const primed = JSON.parse((await runOk(process.execPath, warmArgs, { env, cwd: ROOT })).stdout) as CredentialProcessOutput;
const stsAfterPriming = fakes.stsCalls();

// Warm cache hit against an empty Node process, interleaved.
log(`cli: ${warmRounds} pairs of \`node -e 0\` / warm \`aws-credentials\``);
const nodeE0: number[] = [];
const warm: number[] = [];
for (let round = 0; round < warmRounds; round++) {
  const pair = [
    async () => nodeE0.push((await runOk(process.execPath, ["-e", "0"], { env })).wallMs),
    async () => {
      const result = await runOk(process.execPath, warmArgs, { env, cwd: ROOT });
      if ((JSON.parse(result.stdout) as CredentialProcessOutput).AccessKeyId !== primed.AccessKeyId) throw new Error("warm run did not serve the cached credentials");
      warm.push(result.wallMs);
    },
  ];
  if (round % 2) pair.reverse();
  for (const run of pair) await run();
}
const stsAfterWarm = fakes.stsCalls();

// Cold: a new, empty cache directory each time (token fetch, STS call, cache write).
log(`cli: ${coldRounds} cold invocations`);
const cold: number[] = [];
for (let round = 0; round < coldRounds; round++) {
  cold.push((await runOk(process.execPath, [CLI, ...credentialArgs(join(scratch, `cold-${round}`))], { env, cwd: ROOT })).wallMs);
}
const stsAfterCold = fakes.stsCalls();

// The AWS CLI (v1 on this image) end to end: sts get-caller-identity with our credential_process (warm
// cache), against the same command with the same credentials given statically in the profile.
const rows: ComparisonRow[] = [];
const details: string[] = [];
const checks = [
  expectEqual(4, `STS calls by ${warmRounds} warm invocations`, stsAfterWarm - stsAfterPriming, 0),
  expectEqual(4, `STS calls by ${coldRounds} cold invocations (1 each)`, stsAfterCold - stsAfterWarm, coldRounds),
];
const awsCli = (() => {
  try {
    return execFileSync("sh", ["-c", "command -v aws"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
})();
const withProcess: number[] = [];
const withStatic: number[] = [];
let awsVersion = "not installed";
if (awsCli) {
  const configFile = join(scratch, "aws-config");
  await writeFile(
    configFile,
    [
      "[profile ccc]",
      `credential_process = ${process.execPath} ${warmArgs.join(" ")}`,
      "region = us-east-1",
      "[profile static]",
      `aws_access_key_id = ${primed.AccessKeyId}`,
      `aws_secret_access_key = ${primed.SecretAccessKey}`,
      `aws_session_token = ${primed.SessionToken}`,
      "region = us-east-1",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  const awsEnv = cleanEnv({ ...fakes.env, AWS_CONFIG_FILE: configFile, AWS_PAGER: "", AWS_EC2_METADATA_DISABLED: "true" });
  awsVersion = (await runOk(awsCli, ["--version"], { env: awsEnv })).stdout.trim() || "unknown";
  log(`cli: ${awsRounds} pairs of \`aws sts get-caller-identity\` (${awsVersion.split(" ")[0]}) with credential_process / static credentials`);
  const callerIdentity = (profile: string) => ["sts", "get-caller-identity", "--profile", profile, "--endpoint-url", fakes.sts.url, "--output", "json"];
  const verifiedBefore = fakes.sts.verifiedCallerIdentityCalls;
  for (let round = 0; round < awsRounds; round++) {
    const pair: Array<[string, number[]]> = [["ccc", withProcess], ["static", withStatic]];
    if (round % 2) pair.reverse();
    for (const [profile, into] of pair) {
      const result = await runTimed(awsCli, callerIdentity(profile), { env: awsEnv, timeoutMs: 60_000 });
      if (result.code !== 0 || !result.stdout.includes("assumed-role/gcp-reader")) throw new Error(`aws sts get-caller-identity --profile ${profile} failed: ${result.stderr.slice(-1000)}`);
      into.push(result.wallMs);
    }
  }
  checks.push(
    expectEqual(4, `verified GetCallerIdentity calls by ${2 * awsRounds} AWS CLI runs`, fakes.sts.verifiedCallerIdentityCalls - verifiedBefore, 2 * awsRounds),
    expectEqual(4, "STS AssumeRoleWithWebIdentity calls by the AWS CLI runs (our cache is warm)", fakes.stsCalls() - stsAfterCold, 0),
  );
}

const warmRatio = medianPairedRatio(warm, nodeE0);
rows.push({
  item: 4,
  name: "CLI `aws-credentials`, warm cache (process wall time)",
  ours: formatMs(median(warm)),
  baseline: formatMs(median(nodeE0)),
  baselineName: "`node -e 0`",
  ratio: warmRatio,
  target: { op: "<=", value: 1.5 },
  note: `median of ${warmRounds} interleaved pairs`,
});
rows.push({
  item: 4,
  name: "CLI `aws-credentials`, cold cache (info)",
  ours: formatMs(median(cold)),
  baseline: formatMs(median(nodeE0)),
  baselineName: "`node -e 0`",
  ratio: median(cold) / median(nodeE0),
  note: `median of ${coldRounds}; token fetch + STS exchange + cache write`,
});
if (awsCli) {
  rows.push({
    item: 4,
    name: "`aws sts get-caller-identity` with our `credential_process` (info)",
    ours: formatMs(median(withProcess)),
    baseline: formatMs(median(withStatic)),
    baselineName: "same command, static credentials in the profile",
    ratio: medianPairedRatio(withProcess, withStatic),
    note: `${awsVersion.split(" ")[0]}; median of ${awsRounds} pairs`,
  });
}

details.push(
  `Wall time from spawn to exit of each process, measured by the parent; pairs run back to back with alternating order (${warmRounds} pairs). ` +
    "The cache is primed by one invocation first. Cold = a new empty `--cache-dir` per run. " +
    (awsCli
      ? `AWS CLI: \`${awsVersion}\`, profile \`ccc\` with \`credential_process = node dist/cli.cjs aws-credentials …\` (warm cache) against profile \`static\` holding the same credentials, both calling the fake STS with \`--endpoint-url\`.`
      : "The AWS CLI is not installed on this machine: its comparison was skipped."),
  "",
  markdownTable(
    ["process", "median", "min", "max"],
    [
      ["`node -e 0`", nodeE0],
      ["`aws-credentials`, warm cache", warm],
      ["`aws-credentials`, cold cache", cold],
      ...(awsCli
        ? ([
            ["`aws sts get-caller-identity`, credential_process", withProcess],
            ["`aws sts get-caller-identity`, static credentials", withStatic],
          ] as Array<[string, number[]]>)
        : []),
    ].map(([name, values]) => [name as string, formatMs(median(values as number[])), formatMs(Math.min(...(values as number[]))), formatMs(Math.max(...(values as number[])))]),
  ),
  "",
);

// Where a warm hit spends its time beyond `node -e 0`: the Node built-ins it loads, and a CPU profile.
const empty = await recordLoadedModules(["-e", "0"], env);
const warmModules = await recordLoadedModules(warmArgs, env);
const extraBuiltins = warmModules.builtins.filter((name) => !empty.builtins.includes(name));
details.push(`A warm hit loads ${warmModules.files.length} file(s) of this package (${warmModules.files.join(", ")}) and these Node built-ins beyond \`node -e 0\`: ${extraBuiltins.join(", ") || "none"}.`, "");
if (!quick) {
  log("cli: profiling the warm path");
  const profile = await profileNode(warmArgs, env, 10);
  details.push(
    `CPU profile of the warm path (${profile.runs} runs, 100 µs sampling, self time per run; sampled total ${formatMs(profile.totalMs)}, the profiler itself slows the process):`,
    "",
    markdownTable(["where (self time)", "ms per run"], profile.byModule.slice(0, 15).map(([where, ms]) => [where, ms.toFixed(2)])),
    "",
    markdownTable(["function (self time)", "ms per run"], profile.byFunction.slice(0, 12).map(([fn, ms]) => [fn, ms.toFixed(2)])),
    "",
    `Ratio of the warm hit's median to \`node -e 0\`'s: ${formatRatio(median(warm) / median(nodeE0))} (the table row uses the median of paired ratios).`,
  );
}

await fakes.close();
await rm(scratch, { recursive: true, force: true });

emitResult({ section: "cli", title: "4. CLI `aws-credentials`", rows, checks, details });
