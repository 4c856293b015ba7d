import { fileTokenSource } from "../tokenSources/fileTokenSource.js";
import { gceMetadataTokenSource } from "../tokenSources/gceMetadataTokenSource.js";
import { googleAuthTokenSource } from "../tokenSources/googleAuthTokenSource.js";
import type { TokenSource } from "../tokenSources/TokenSource.js";
import { UsageError, type OptionValues } from "./commandSpec.js";

/** The token source that the --token-source / --token-file options ask for. */
export function tokenSourceFrom(values: OptionValues): TokenSource {
  const kind = (values["token-source"] as string | undefined) ?? (values["token-file"] ? "file" : "metadata");
  if (kind === "file") {
    if (typeof values["token-file"] !== "string") throw new UsageError("--token-source file needs --token-file PATH");
    return fileTokenSource(values["token-file"]);
  }
  if (values["token-file"] !== undefined) throw new UsageError(`--token-file is only used with --token-source file, not ${kind}`);
  return kind === "adc" ? googleAuthTokenSource() : gceMetadataTokenSource();
}
