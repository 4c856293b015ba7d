import { createRequire } from "node:module";

/** Named exit codes: 0 success, 1 failure, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const USAGE = `Usage: cross-cloud-credentials <command> [options]

Commands arrive with the CLI release; today the package offers the library API:
  fromGcpServiceAccount(), awsTrustPolicy() and the token sources.

Options:
  --help       show this text
  --version    print the version
`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the CLI with `argv` (without node and script) and returns its exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [first] = argv;
  if (first === "--version") {
    const { version } = createRequire(import.meta.url)("../package.json") as { version: string };
    io.stdout(`${version}\n`);
    return EXIT_OK;
  }
  if (first === "--help" || first === "-h") {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  io.stderr(`${first === undefined ? "missing command" : `unknown command or option: ${first}`}\n\n${USAGE}`);
  return EXIT_USAGE;
}
