import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CommandSpec, OptionSpec } from "../../src/cli/commandSpec.js";
import { awsCredentialsCommand } from "../../src/cli/commands/awsCredentials.js";
import { awsTrustPolicyCommand } from "../../src/cli/commands/awsTrustPolicy.js";
import { doctorCommand } from "../../src/cli/commands/doctor.js";
import { gcpAccessTokenCommand } from "../../src/cli/commands/gcpAccessToken.js";
import { gcpCredentialConfigCommand } from "../../src/cli/commands/gcpCredentialConfig.js";
import { main } from "../../src/cli/main.js";

const COMMANDS = [awsCredentialsCommand, awsTrustPolicyCommand, gcpCredentialConfigCommand, gcpAccessTokenCommand, doctorCommand];

/** Values the commands accept for each option, so that only the defects planted below are wrong. */
const GOOD_VALUES: Record<string, string[]> = {
  "role-arn": ["arn:aws:iam::123456789012:role/gcp-reader"],
  audience: ["sts.amazonaws.com"],
  "role-session-name": ["my-session"],
  "duration-seconds": ["900", "3600", "43200"],
  region: ["eu-west-1"],
  "sts-endpoint": ["http://127.0.0.1:9"],
  "service-account-id": ["108123456789012345678"],
  "service-account": ["reader@my-project.iam.gserviceaccount.com"],
  "project-number": ["123456789012"],
  "pool-id": ["aws-pool"],
  "provider-id": ["aws-provider"],
  "service-account-token-lifetime-seconds": ["600", "3600"],
};
/** Options left out of the well-formed part: they read or write files, or depend on one another. */
const NOT_GENERATED = new Set(["token-source", "token-file", "cache-dir", "output-file", "credential-config"]);

const flag = (option: OptionSpec) => `--${option.name}`;

/** A well-formed part of a command line: some of the command's options with accepted values (required ones always). */
function wellFormedOptions(command: CommandSpec): fc.Arbitrary<string[]> {
  const usable = command.options.filter((o) => !NOT_GENERATED.has(o.name) && (o.type === "flag" || GOOD_VALUES[o.name]));
  return fc
    .tuple(...usable.map((o) => fc.tuple(o.required ? fc.constant(true) : fc.boolean(), fc.constantFrom(...(GOOD_VALUES[o.name] ?? [""])))))
    .map((picks) => picks.flatMap(([keep, value], i) => (keep ? (usable[i]!.type === "flag" ? [flag(usable[i]!)] : [flag(usable[i]!), value]) : [])));
}

/** Words that are no option of the command (nor --help, which is always accepted). */
const unknownName = (command: CommandSpec) =>
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((name) => name !== "help" && !command.options.some((o) => o.name === name));

/** Where a defect goes: before the first argument, last, or before any option (never between an option and its value). */
interface Defect {
  insert: string[];
  place?: "start" | "end";
  /** An option to leave out of the well-formed part (a required one, or one the defect gives a bad value: the last value given wins). */
  drop?: string;
}

/** One way to break a command line at the parser, whatever else it holds. */
function parserDefect(command: CommandSpec): fc.Arbitrary<Defect> {
  const integerOptions = command.options.filter((o) => o.type === "integer");
  const choiceOptions = command.options.filter((o) => o.choices);
  const stringOptions = command.options.filter((o) => o.type !== "flag" && o.type !== "integer" && !o.choices);
  const flagOptions = command.options.filter((o) => o.type === "flag");
  const required = command.options.filter((o) => o.required);
  const defects: Array<fc.Arbitrary<Defect>> = [
    unknownName(command).map((name) => ({ insert: [`--${name}`] })),
    fc.tuple(unknownName(command), fc.string({ maxLength: 10 })).map(([name, value]) => ({ insert: [`--${name}=${value}`] })),
    fc.stringMatching(/^[a-zA-Z]$/).map((letter) => ({ insert: [`-${letter}`] })),
    fc.stringMatching(/^[^-][\s\S]{0,15}$/).map((word) => ({ insert: [word], place: "start" as const })),
  ];
  if (integerOptions.length > 0) {
    const notDigits = fc.oneof(fc.constantFrom("", "12a", "-5", "1e3", "0x10", " 900", "900 ", "3600.0", "+900", "١٢٣"), fc.string({ maxLength: 8 }).filter((s) => !/^\d+$/.test(s)));
    defects.push(fc.tuple(fc.constantFrom(...integerOptions), notDigits).map(([o, v]) => ({ insert: [`${flag(o)}=${v}`], drop: flag(o) })));
  }
  if (choiceOptions.length > 0) {
    defects.push(fc.tuple(fc.constantFrom(...choiceOptions), fc.string({ maxLength: 10 })).filter(([o, v]) => !o.choices!.includes(v)).map(([o, v]) => ({ insert: [`${flag(o)}=${v}`], drop: flag(o) })));
  }
  if (stringOptions.length > 0) {
    defects.push(fc.constantFrom(...stringOptions).map((o) => ({ insert: [`${flag(o)}=`], drop: flag(o) })));
    defects.push(fc.constantFrom(...stringOptions).map((o) => ({ insert: [flag(o)], place: "end" as const })));
  }
  if (flagOptions.length > 0) {
    defects.push(fc.tuple(fc.constantFrom(...flagOptions), fc.constantFrom("yes", "true", "1", "")).map(([o, v]) => ({ insert: [`${flag(o)}=${v}`] })));
  }
  if (required.length > 0) defects.push(fc.constantFrom(...required).map((o) => ({ insert: [], drop: flag(o) })));
  return fc.oneof(...defects);
}

/** Values the library refuses at construction, before any I/O, for the commands that validate that way. */
const SEMANTIC_DEFECTS: Record<string, string[][]> = {
  "aws-credentials": [
    ["--role-arn", "arn:aws:iam::123:role/x"],
    ["--role-arn", "arn:aws:iam::123456789012:user/x"],
    ["--role-arn", "arn:aws:iam::123456789012:role/x/"],
    ["--role-session-name", "a"],
    ["--role-session-name", "has space"],
    ["--role-session-name", "x".repeat(65)],
    ["--duration-seconds", "5"],
    ["--duration-seconds", "43201"],
    ["--audience", "   "],
  ],
  "aws-trust-policy": [["--service-account-id", "abc"], ["--service-account", "not-an-email"], ["--audience", " "]],
  "gcp-credential-config": [
    ["--project-number", "12a"],
    ["--pool-id", "X"],
    ["--provider-id", "ab"],
    ["--service-account", "not-an-email"],
    ["--service-account-token-lifetime-seconds", "5"],
  ],
};

/** A command line that is wrong: at the parser for any command, or in a value the library refuses before any I/O. */
const invalidArgv: fc.Arbitrary<string[]> = fc.oneof(
  fc.constantFrom(...COMMANDS).chain((command) =>
    fc.tuple(wellFormedOptions(command), fc.array(parserDefect(command), { minLength: 1, maxLength: 3 }), fc.nat()).map(([options, defects, seed]) => {
      let args = [...options];
      const last: string[] = [];
      for (const defect of defects) {
        if (defect.drop) {
          const at = args.indexOf(defect.drop);
          if (at >= 0) args.splice(at, 2);
          // Nor a bad value planted earlier for the same option, which an accepted one would override.
          args = args.filter((a) => !a.startsWith(`${defect.drop}=`));
        }
        if (defect.place === "end") last.push(...defect.insert);
        else if (defect.place === "start") args.unshift(...defect.insert);
        else {
          const boundaries = [...args.keys(), args.length].filter((i) => i === args.length || args[i]!.startsWith("-"));
          const at = boundaries[seed % boundaries.length]!;
          args = [...args.slice(0, at), ...defect.insert, ...args.slice(at)];
        }
      }
      args.push(...last.slice(-1)); // one value-less option, last
      return [command.name, ...args];
    }),
  ),
  fc.constantFrom(...Object.keys(SEMANTIC_DEFECTS)).chain((name) => {
    const command = COMMANDS.find((c) => c.name === name)!;
    return fc.tuple(wellFormedOptions(command), fc.constantFrom(...SEMANTIC_DEFECTS[name]!)).map(([options, [defectFlag, value]]) => {
      const args = [...options];
      const at = args.indexOf(defectFlag!);
      if (at >= 0) args.splice(at, 2);
      // --no-cache: should a bad value get through, nothing is written under the real home directory.
      return [name, ...args, defectFlag!, value!, ...(name === "aws-credentials" ? ["--no-cache"] : [])];
    });
  }),
  fc.tuple(fc.stringMatching(/^[\s\S]{0,20}$/), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }))
    .filter(([name]) => !COMMANDS.some((c) => c.name === name) && !["--help", "-h", "help", "--version"].includes(name))
    .map(([name, rest]) => [name, ...rest]),
  fc.constant<string[]>([]),
);

async function runMain(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}

describe("the CLI with generated invalid command lines (property-based, main() in process)", () => {
  it("exits 2 with the message and usage text on stderr, nothing on stdout, and no stack trace", async () => {
    await fc.assert(
      fc.asyncProperty(invalidArgv, async (argv) => {
        const { code, stdout, stderr } = await runMain(argv);
        const shown = JSON.stringify(argv);
        expect(code, `${shown} → ${stderr}`).toBe(2);
        expect(stdout, shown).toBe("");
        expect(stderr, shown).toContain("Usage: cross-cloud-credentials");
        expect(stderr, `${shown}: a stack trace`).not.toMatch(/^\s+at\s|\.(ts|js|mjs|cjs):\d+:\d+/m);
      }),
      { numRuns: 400 },
    );
  });
});
