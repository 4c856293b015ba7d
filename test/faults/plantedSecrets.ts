import { randomBytes } from "node:crypto";
import type { AwsSecretsFactory } from "../../src/testing/index.js";

/**
 * The tag every planted secret carries. Scanning for it also catches a secret that was cut short,
 * as long as its first characters survive (redaction that keeps a prefix, a truncated dump).
 */
export const MARKER = "PLANTED";

/** Random characters of the alphabet real secrets use, so redaction treats planted ones like real ones. */
const base64 = (length: number) => randomBytes(length).toString("base64").replace(/[+/=]/g, "x").slice(0, length);
const base64url = (length: number) => randomBytes(length).toString("base64url").slice(0, length);

/**
 * Recognisable stand-ins for every secret the fakes hand out: an ID token claim, AWS secret keys
 * and session tokens (STS, IMDS, ECS), Google access tokens, and the ECS authorization token. Each
 * value starts with {@link MARKER} and otherwise has the length and alphabet of the real thing.
 */
export function plantSecrets() {
  const planted: string[] = [];
  const keep = (value: string) => (planted.push(value), value);
  return {
    /** A claim for every ID token issued: a token whose payload is dumped shows it. */
    idTokenClaims: { leak_marker: keep(`${MARKER}idTokenClaim${base64url(24)}`) },
    /** For `createFakeAwsSts` / `createFakeEc2Metadata` / `createFakeEcsCredentialsEndpoint({ secrets })`. */
    awsSecrets: (() => ({
      secretAccessKey: keep(`${MARKER}secretKey${base64(24)}`), // 40 characters, like AWS's
      sessionToken: keep(`${MARKER}sessionToken${base64(400)}`),
    })) satisfies AwsSecretsFactory,
    /** For `createFakeGoogleSts({ accessTokens })`. */
    googleAccessTokens: (kind: "federated" | "impersonated") => keep(`ya29.${MARKER}${kind}AccessToken${base64url(120)}`),
    /** `AWS_CONTAINER_AUTHORIZATION_TOKEN` of the ECS / Pod Identity endpoint. */
    ecsAuthorizationToken: keep(`${MARKER}ecsAuthorization${base64(40)}`),
    /** Registers more secrets the test made up itself (a scripted body's token, say), and returns the first. */
    add: (...values: string[]) => (planted.push(...values), values[0]!),
    /** Every planted value so far. */
    values: () => [...planted],
  };
}

export type PlantedSecrets = ReturnType<typeof plantSecrets>;

/**
 * The secrets an ID token stands for: the whole token and its signature (with which anyone can
 * rebuild it from the public claims).
 */
export const idTokenSecrets = (token: string): string[] => [token, token.split(".")[2] ?? token];

/** What each planted tag stands for, to name a leak in the table. */
const KINDS: Array<[string, string]> = [
  [`${MARKER}idTokenClaim`, "ID-token claim"],
  [`${MARKER}secretKey`, "AWS secret key"],
  [`${MARKER}sessionToken`, "AWS session token"],
  [`${MARKER}federatedAccessToken`, "Google access token"],
  [`${MARKER}impersonatedAccessToken`, "Google access token"],
  [`${MARKER}ecsAuthorization`, "ECS authorization token"],
];

const needlesOf = (secrets: readonly string[]) => [MARKER, ...secrets.filter((s) => s.length >= 16)];

/** The kinds of secret found in `text` ("AWS session token", "ID token"…), deduplicated. */
export function leakKinds(text: string, secrets: readonly string[]): string[] {
  const kinds = new Set<string>();
  if (text.includes(MARKER)) {
    const tagged = KINDS.filter(([tag]) => text.includes(tag)).map(([, kind]) => kind);
    for (const kind of tagged.length ? tagged : ["planted secret"]) kinds.add(kind);
  }
  for (const secret of secrets) {
    if (secret.length >= 16 && !secret.includes(MARKER) && text.includes(secret)) kinds.add(secret.includes(".") ? "ID token" : "ID-token signature");
  }
  return [...kinds].sort();
}

/** Up to `max` excerpts of `text` around a leak, to show in a failure message. */
export function leakExcerpts(text: string, secrets: readonly string[], max = 3): string[] {
  const excerpts: string[] = [];
  for (const needle of needlesOf(secrets)) {
    const at = text.indexOf(needle);
    if (at >= 0 && excerpts.length < max) excerpts.push(`…${text.slice(Math.max(0, at - 200), at + 60)}…`);
  }
  return excerpts;
}

/** Each of the `surfaces` holding a planted or issued secret, with what it holds: `["CLI stderr: AWS session token"]`. */
export function findLeaks(surfaces: Record<string, string>, secrets: readonly string[]): string[] {
  return Object.entries(surfaces).flatMap(([name, text]) => {
    const kinds = leakKinds(text, secrets);
    return kinds.length ? [`${name}: ${kinds.join(", ")}`] : [];
  });
}
