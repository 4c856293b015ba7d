/** Exit codes of the CLI. */
export const ExitCode = {
  /** The command did what was asked. */
  Ok: 0,
  /** The command failed (the message on stderr says why). */
  Failure: 1,
  /** The command line was wrong (the usage text follows the message). */
  Usage: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
