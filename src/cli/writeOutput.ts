import { chmod, writeFile } from "node:fs/promises";
import type { CliIo, OptionSpec, OptionValues } from "./commandSpec.js";

export const OUTPUT_FILE_OPTION: OptionSpec = { name: "output-file", placeholder: "FILE", description: "write to FILE (mode 0644) instead of stdout" };

/** Prints a generated JSON document, or writes it to --output-file with mode 0644 (it holds no secret). */
export async function writeOutput(document: unknown, values: OptionValues, io: CliIo): Promise<void> {
  const text = JSON.stringify(document, null, 2);
  const file = values["output-file"] as string | undefined;
  if (file === undefined) {
    io.stdout(`${text}\n`);
    return;
  }
  await writeFile(file, text, { mode: 0o644 });
  await chmod(file, 0o644); // also when the file already existed with other permissions
  io.stderr(`Wrote ${file}\n`);
}
