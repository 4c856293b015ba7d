import { createRequire } from "node:module";
import { CrossCloudCredentialsError } from "../errors.js";
import { redact } from "../internal/redact.js";
import { formatCommandHelp, parseCommandArgs, UsageError, type CliIo, type CommandSpec } from "./commandSpec.js";
import { awsCredentialsCommand } from "./commands/awsCredentials.js";
import { awsTrustPolicyCommand } from "./commands/awsTrustPolicy.js";
import { doctorCommand } from "./commands/doctor.js";
import { gcpAccessTokenCommand } from "./commands/gcpAccessToken.js";
import { gcpCredentialConfigCommand } from "./commands/gcpCredentialConfig.js";
import { ExitCode } from "./exitCode.js";

const COMMANDS: CommandSpec[] = [awsCredentialsCommand, awsTrustPolicyCommand, gcpCredentialConfigCommand, gcpAccessTokenCommand, doctorCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 4;
  return `Usage: cross-cloud-credentials <command> [options]

Keyless credentials between Google Cloud and AWS.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary.split("\n")[0]}`).join("\n")}

Run "cross-cloud-credentials <command> --help" for a command's options. Also: --help, --version.
`;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Runs the CLI with `argv` (without node and the script) and returns the exit code: 0 success,
 * 1 failure, 2 usage error (with the usage text). Never prints a stack trace or a secret.
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === "--version") {
    io.stdout(`${(createRequire(import.meta.url)("../package.json") as { version: string }).version}\n`);
    return ExitCode.Ok;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage());
    return ExitCode.Ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`cross-cloud-credentials: ${name === undefined ? "missing command" : `unknown command ${JSON.stringify(name)}`}\n\n${usage()}`);
    return ExitCode.Usage;
  }
  try {
    const values = parseCommandArgs(command.options, rest);
    if (values.help) {
      io.stdout(formatCommandHelp(command));
      return ExitCode.Ok;
    }
    return await command.run(values, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof TypeError || error instanceof RangeError) {
      io.stderr(`cross-cloud-credentials ${command.name}: ${redact(asFlagNames(error.message, command.flagNames))}\n\n${formatCommandHelp(command)}`);
      return ExitCode.Usage;
    }
    const code = error instanceof CrossCloudCredentialsError ? ` [${error.code}]` : "";
    io.stderr(`cross-cloud-credentials ${command.name}: ${redact(error instanceof Error ? error.message : String(error))}${code}\n`);
    return ExitCode.Failure;
  }
}

/** Library validation messages name options in camelCase (`roleArn`); on the command line they are flags (`--role-arn`). */
function asFlagNames(message: string, flagNames: Record<string, string> = {}): string {
  return message
    .replace(/^\w+: /, "")
    .replace(/\b([a-z]+(?:[A-Z][a-z]+)+)\b/g, (name) => `--${flagNames[name] ?? name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
}
