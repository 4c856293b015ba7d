import { fileTokenSource } from "../tokenSources/fileTokenSource.js";
import { gceMetadataTokenSource } from "../tokenSources/gceMetadataTokenSource.js";
import { googleAuthTokenSource } from "../tokenSources/googleAuthTokenSource.js";
import type { TokenSource } from "../tokenSources/TokenSource.js";
import { UsageError, type OptionSpec, type OptionValues } from "./commandSpec.js";

/** The options that choose where the Google ID token comes from, shared by the GCP → AWS commands. */
export const TOKEN_SOURCE_OPTIONS: OptionSpec[] = [
  { name: "token-source", placeholder: "SOURCE", choices: ["metadata", "adc", "file"], description: "where the Google ID token comes from; default metadata" },
  { name: "token-file", placeholder: "PATH", description: "the token file, with --token-source file" },
];

/** The token source the options ask for. */
export function tokenSourceFrom(values: OptionValues): TokenSource {
  const kind = (values["token-source"] as string | undefined) ?? (values["token-file"] ? "file" : "metadata");
  if (kind === "file") {
    if (typeof values["token-file"] !== "string") throw new UsageError("--token-source file needs --token-file PATH");
    return fileTokenSource(values["token-file"]);
  }
  if (values["token-file"] !== undefined) throw new UsageError(`--token-file is only used with --token-source file, not ${kind}`);
  return kind === "adc" ? googleAuthTokenSource() : gceMetadataTokenSource();
}
