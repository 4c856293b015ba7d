import { readFile } from "node:fs/promises";
import { CrossCloudCredentialsError } from "../errors.js";
import type { TokenSource } from "./TokenSource.js";

/**
 * Reads the ID token from a file at every fetch, so rotated files (Kubernetes projected service
 * account tokens, CI OIDC tokens) are always current. Surrounding whitespace is ignored.
 */
export function fileTokenSource(path: string): TokenSource {
  if (typeof path !== "string" || path.trim() === "") {
    throw new TypeError(`fileTokenSource: path must be a non-empty string (the token file), got ${typeof path === "string" ? '""' : typeof path}`);
  }
  return async () => {
    try {
      return (await readFile(path, "utf8")).trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      throw new CrossCloudCredentialsError(`Could not read the ID token file ${path} (${code}). Check the path and that this process may read it.`, {
        code: "TOKEN_FILE_UNREADABLE",
        cause: new Error(code),
      });
    }
  };
}
