import { parseArgs } from "node:util";
import type { ExitCode } from "./exitCode.js";

/** One command-line option. The parser and the help text are both generated from these. */
export interface OptionSpec {
  /** Long name without dashes, e.g. `"role-arn"`. */
  name: string;
  /** `"flag"` takes no value; the others take one. Default `"string"`. */
  type?: "string" | "integer" | "flag";
  /** Shown in the help after the option, e.g. `ARN`. */
  placeholder?: string;
  description: string;
  required?: boolean;
  /** The accepted values, for enumerations. */
  choices?: readonly string[];
}

/** Where a command writes: stdout for results only, stderr for everything else. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export type OptionValues = Record<string, string | number | boolean | undefined>;

export interface CommandSpec {
  name: string;
  summary: string;
  options: OptionSpec[];
  /** Library option names whose flag is not their kebab-case, e.g. `{ serviceAccountUniqueId: "service-account-id" }`. */
  flagNames?: Record<string, string>;
  run(values: OptionValues, io: CliIo): Promise<ExitCode>;
}

/** A wrong command line: exit 2 with the message and the usage text. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Parses `argv` against a command's options: unknown flags, missing required ones and malformed values throw UsageError. */
export function parseCommandArgs(options: OptionSpec[], argv: string[]): OptionValues {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries([
        ["help", { type: "boolean" as const }],
        ...options.map((o) => [o.name, { type: o.type === "flag" ? ("boolean" as const) : ("string" as const) }]),
      ]),
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]?.replace(/\. To specify.*$/, "") ?? "invalid arguments");
  }
  const values = { ...parsed.values } as OptionValues;
  if (values.help) return values;
  for (const option of options) {
    const value = values[option.name];
    if (value === undefined) {
      if (option.required) throw new UsageError(`missing required option --${option.name} ${option.placeholder ?? ""}`.trim());
      continue;
    }
    if (option.type === "integer") {
      if (typeof value !== "string" || !/^\d+$/.test(value)) throw new UsageError(`--${option.name} must be a whole number, got ${JSON.stringify(value)}`);
      values[option.name] = Number(value);
    } else if (option.choices && !option.choices.includes(value as string)) {
      throw new UsageError(`--${option.name} must be one of ${option.choices.join(", ")}, got ${JSON.stringify(value)}`);
    } else if (option.type !== "flag" && value === "") {
      throw new UsageError(`--${option.name} needs a value`);
    }
  }
  return values;
}

/** The help text of a command, from the same option definitions the parser uses. */
export function formatCommandHelp(command: CommandSpec): string {
  const rows = [...command.options, { name: "help", type: "flag" as const, description: "show this help" }].map((o) => {
    const left = `  --${o.name}${o.type === "flag" ? "" : ` ${"placeholder" in o && o.placeholder ? o.placeholder : "VALUE"}`}`;
    const notes = [o.description, "choices" in o && o.choices ? `(${o.choices.join("|")})` : "", "required" in o && o.required ? "(required)" : ""].filter(Boolean).join(" ");
    return [left, notes] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return `Usage: cross-cloud-credentials ${command.name} [options]\n\n${command.summary}\n\nOptions:\n${rows.map(([left, notes]) => left.padEnd(width) + notes).join("\n")}\n`;
}
