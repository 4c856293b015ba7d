import { randomBytes } from "node:crypto";
import { ROOT, cleanEnv, runCommand, type CliResult } from "../helpers/runCli.js";

/** Absolute path of `examples/<name>`. */
export const examplePath = (name: string): string => `${ROOT}examples/${name}`;

/**
 * Runs `examples/<name>` as a user would (`node examples/<name>`), in a clean environment plus `env`:
 * the only way the tests redirect an example to the fakes.
 */
export function runExample(name: string, env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  return runCommand(process.execPath, [examplePath(name)], exampleEnv(env), timeoutMs);
}

/** `cleanEnv(env)` plus the switch that silences the AWS SDK's Node 20 notice (cleanEnv drops every AWS_ variable). */
export function exampleEnv(env: Record<string, string>): Record<string, string> {
  return cleanEnv({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env });
}

/** Patterns of secrets no example may print: a JWT (ID token), a Google access token. */
export const SECRET_PATTERNS = [/eyJ[\w-]{20,}\.[\w-]{20,}/, /ya29\.[\w-]{12,}/];

/** Every secret the fakes handed out: ID tokens, AWS secret keys and session tokens, Google access tokens. */
export function secretsOf(...fakes: object[]): string[] {
  const secrets: string[] = [];
  for (const fake of fakes as Array<Record<string, unknown>>) {
    for (const token of [fake.issuedTokens, fake.issuedAccessTokens].flat()) if (typeof token === "string") secrets.push(token);
    for (const credentials of (fake.issuedCredentials ?? []) as Array<{ secretAccessKey: string; sessionToken: string }>) {
      secrets.push(credentials.secretAccessKey, credentials.sessionToken);
    }
  }
  return secrets;
}

/** Temporary AWS credentials like Lambda's `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`. */
export function lambdaStyleCredentials() {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return {
    accessKeyId: "ASIA" + Array.from(randomBytes(16), (b) => alphabet[b % 32]).join(""),
    secretAccessKey: randomBytes(30).toString("base64"),
    sessionToken: randomBytes(200).toString("base64"),
  };
}
