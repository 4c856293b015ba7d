import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import type { FromGcpServiceAccountInit } from "../../src/index.js";
import type { FakeAwsStsOptions } from "../../src/testing/index.js";
import { ROLE_ARN, startGcpToAws, type GcpToAws } from "../helpers/gcpToAws.js";
import type { FaultHarness, FaultRow } from "./faultMatrix.js";
import { idTokenSecrets, plantSecrets, type PlantedSecrets } from "./plantedSecrets.js";

/** A GCP workload (fake metadata server) and AWS STS, both issuing planted secrets. */
export interface GcpToAwsFaultEnv extends GcpToAws {
  planted: PlantedSecrets;
  /** `GCE_METADATA_HOST` for both the library and the CLI; a row may point it elsewhere. */
  metadataHost: string;
  pointMetadataAt(host: string): void;
  cacheDir: string;
}

export interface GcpToAwsFaultRow extends FaultRow<GcpToAwsFaultEnv> {
  /** Options of the fake STS (e.g. the role's `maxSessionDurationSeconds`, a `trustPolicy`). */
  sts?: FakeAwsStsOptions;
  /** Provider options beyond the defaults (the fakes' endpoint and region are always set). */
  init?: Partial<FromGcpServiceAccountInit>;
  /** The same options as `aws-credentials` flags. */
  cliArgs?: string[];
}

/** {@link startGcpToAws} with fakes issuing planted secrets, a cache directory, and a movable metadata host. */
export async function startPlantedGcpToAws(stsOptions: FakeAwsStsOptions = {}): Promise<GcpToAwsFaultEnv> {
  const planted = plantSecrets();
  const base = await startGcpToAws({ secrets: planted.awsSecrets, ...stsOptions }, { claims: planted.idTokenClaims });
  const dir = await mkdtemp(join(tmpdir(), "ccc-faults-"));
  const closeFakes = base.close;
  const env: GcpToAwsFaultEnv = Object.assign(base, {
    planted,
    metadataHost: base.metadata.host,
    pointMetadataAt(host: string) {
      env.metadataHost = host;
      vi.stubEnv("GCE_METADATA_HOST", host);
    },
    cacheDir: join(dir, "cache"),
    close: async () => {
      await closeFakes();
      await rm(dir, { recursive: true, force: true });
    },
  });
  return env;
}

/** Counter names of this harness. */
export const IDENTITY = "identity GET";
export const ASSUME_ROLE = "AssumeRole call";

/**
 * `fromGcpServiceAccount` with its default token source (the metadata server at `GCE_METADATA_HOST`)
 * and the real AWS SDK STS client; the CLI equivalent is `aws-credentials` with an empty cache.
 */
export const gcpToAwsHarness: FaultHarness<GcpToAwsFaultEnv, GcpToAwsFaultRow> = {
  successLabel: "credentials",
  start: (row) => startPlantedGcpToAws(row.sts),
  call: (env, row, logger) =>
    env.provider({ ...row.init, logger, clientConfig: { ...row.init?.clientConfig, logger } })(),
  counters: (env) => ({ [IDENTITY]: env.tokenFetches(), [ASSUME_ROLE]: env.assumeCalls() }),
  secrets: (env) => [
    ...env.planted.values(),
    ...env.metadata.issuedTokens.flatMap(idTokenSecrets),
    ...env.sts.issuedCredentials.flatMap((c) => [c.secretAccessKey, c.sessionToken]),
  ],
  cli: (env, row) => ({
    args: ["aws-credentials", "--role-arn", ROLE_ARN, "--sts-endpoint", env.sts.url, "--region", "us-east-1", "--cache-dir", env.cacheDir, ...(row.cliArgs ?? [])],
    env: { GCE_METADATA_HOST: env.metadataHost },
  }),
  close: (env) => env.close(),
};
