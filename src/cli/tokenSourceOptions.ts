import type { OptionSpec } from "./commandSpec.js";

/** The options that choose where the Google ID token comes from, shared by the GCP → AWS commands. */
export const TOKEN_SOURCE_OPTIONS: OptionSpec[] = [
  { name: "token-source", placeholder: "SOURCE", choices: ["metadata", "adc", "file"], description: "where the Google ID token comes from; default metadata" },
  { name: "token-file", placeholder: "PATH", description: "the token file, with --token-source file" },
];
