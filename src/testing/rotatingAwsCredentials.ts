import { randomBytes } from "node:crypto";
import type { RecordedRequest } from "./fakeHttpServer.js";

/** Temporary AWS credentials handed out by a credentials endpoint fake (EC2 instance role, container role). */
export interface AwsRoleCredentials {
  /** `ASIA…` access key ID (20 characters, like AWS's temporary keys). */
  accessKeyId: string;
  /** Secret access key (40 random base64 characters). */
  secretAccessKey: string;
  /** Session token (random base64), sent by clients as `X-Amz-Security-Token`. */
  sessionToken: string;
  /** When the credentials expire (whole seconds, as on the wire). */
  expiration: Date;
  /** When they were minted (whole seconds; IMDS `LastUpdated`). */
  issuedAt: Date;
}

/**
 * Chooses the secret parts of each AWS credential set a fake mints, e.g. recognisable markers for
 * secret-leak scans. Called once per set; a part left out (or the option not given) is random.
 * The access key ID is always minted by the fake, so it stays unique.
 */
export type AwsSecretsFactory = () => { secretAccessKey?: string; sessionToken?: string };

/** A role's credentials as an AWS credentials endpoint serves them: reused, then rotated ahead of expiry. */
export interface RotatingAwsCredentials {
  /** Every set minted so far, oldest first. */
  readonly issued: AwsRoleCredentials[];
  /** The set to serve now: the latest one, or a new one when it has less than 1/4 of its lifetime left. */
  current(): AwsRoleCredentials;
  /** The secret of a set minted here (expired ones included), or `undefined`. */
  lookupSecret(accessKeyId: string): string | undefined;
}

/** What every fake AWS credentials endpoint (EC2 IMDS, ECS / EKS Pod Identity) exposes about what it issued. */
export interface AwsCredentialsEndpoint {
  /** Every set of role credentials minted, oldest first (a set is reused until 1/4 of its lifetime is left). */
  readonly issuedCredentials: AwsRoleCredentials[];
  /** Secret access key of credentials this fake issued, or `undefined`: pass to SigV4-verifying fakes. */
  lookupSecret(accessKeyId: string): string | undefined;
  /** The requests for credentials, failed ones included. */
  credentialGets(): RecordedRequest[];
}

const ACCESS_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 3339 in UTC with whole seconds (`2030-01-01T06:00:00Z`), as AWS and Google write timestamps. */
export const formatRfc3339Seconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/** Throw a `RangeError` unless `value` is a whole number of seconds within `[min, max]`. */
export function checkSeconds(option: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${option} must be a whole number of seconds from ${min} to ${max}; got ${value}`);
  }
}

function mint(nowMs: number, lifetimeSeconds: number, secrets: AwsSecretsFactory | undefined): AwsRoleCredentials {
  const nowSeconds = Math.floor(nowMs / 1000);
  const planted = secrets?.() ?? {};
  return {
    accessKeyId: "ASIA" + Array.from(randomBytes(16), (byte) => ACCESS_KEY_ALPHABET[byte % 32]).join(""),
    secretAccessKey: planted.secretAccessKey ?? randomBytes(30).toString("base64"),
    sessionToken: planted.sessionToken ?? randomBytes(240).toString("base64"),
    expiration: new Date((nowSeconds + lifetimeSeconds) * 1000),
    issuedAt: new Date(nowSeconds * 1000),
  };
}

/**
 * Credentials of one role as IMDS and the container endpoints serve them: the same set is returned
 * until less than a quarter of its lifetime remains (measured with `Date.now()`, so fake timers
 * apply), then a fresh set is minted. Clients refreshing ahead of expiry thus get new credentials.
 * `plantSecrets`, when given, chooses the secret key and session token of each set.
 */
export function createRotatingAwsCredentials(lifetimeSeconds: number, plantSecrets?: AwsSecretsFactory): RotatingAwsCredentials {
  const issued: AwsRoleCredentials[] = [];
  const secrets = new Map<string, string>();
  const rotateBeforeMs = (lifetimeSeconds * 1000) / 4;
  return {
    issued,
    current() {
      const now = Date.now();
      const latest = issued.at(-1);
      if (latest && latest.expiration.getTime() - now >= rotateBeforeMs) return latest;
      const fresh = mint(now, lifetimeSeconds, plantSecrets);
      issued.push(fresh);
      secrets.set(fresh.accessKeyId, fresh.secretAccessKey);
      return fresh;
    },
    lookupSecret: (accessKeyId) => secrets.get(accessKeyId),
  };
}
