import { randomUUID } from "node:crypto";
import { fromGcpServiceAccount } from "../../aws/fromGcpServiceAccount.js";
import { DEFAULT_AUDIENCE, type FromGcpServiceAccountInit } from "../../aws/resolveFromGcpServiceAccountInit.js";
import { CrossCloudCredentialsError } from "../../errors.js";
import { decodeJwtClaims, type JwtClaims } from "../../internal/jwtClaims.js";
import type { TokenSource } from "../../tokenSources/TokenSource.js";
import type { DoctorCheck } from "./DoctorCheck.js";

export interface GcpToAwsCheckInput {
  init: FromGcpServiceAccountInit & { roleArn: string; tokenSource: TokenSource };
  /** Whether the token source can mint tokens for any audience (not a fixed token file). */
  mintsAnyAudience: boolean;
}

type Attempt = "accepted" | CrossCloudCredentialsError;

/**
 * GCP → AWS: decodes the token's claims into what AWS compares, assumes the role, probes whether the
 * trust policy pins the audience, and turns an AccessDenied into the condition key to fix.
 */
export async function checkGcpToAws({ init, mintsAnyAudience }: GcpToAwsCheckInput): Promise<DoctorCheck[]> {
  const audience = init.audience ?? DEFAULT_AUDIENCE;
  let claims: JwtClaims | undefined;
  try {
    claims = decodeJwtClaims(await init.tokenSource({ audience }));
  } catch (error) {
    return [{ check: "id-token", status: "fail", detail: `no Google ID token for audience "${audience}": ${(error as Error).message}`, fix: "Run on Google Cloud with a service account attached, or pass --token-source adc|file." }];
  }
  const checks: DoctorCheck[] = [
    {
      check: "id-token",
      status: "ok",
      detail: `token for ${claims?.email ?? claims?.sub}; AWS compares accounts.google.com:oaud <- aud "${claims?.aud}", accounts.google.com:aud <- azp "${claims?.azp}", accounts.google.com:sub <- sub "${claims?.sub}"`,
    },
  ];
  const attempt = (aud: string): Promise<Attempt> =>
    fromGcpServiceAccount({ ...init, audience: aud })({ forceRefresh: true }).then(
      () => "accepted" as const,
      (error: unknown) => (error instanceof CrossCloudCredentialsError ? error : new CrossCloudCredentialsError(String(error), { code: "STS_ERROR" })),
    );
  const [main, randomAudience] = await Promise.all([attempt(audience), mintsAnyAudience ? attempt(`doctor-probe-${randomUUID()}`) : undefined]);
  checks.push(main === "accepted" ? { check: "assume-role", status: "ok", detail: `assumed ${init.roleArn} with audience "${audience}"` } : await diagnose(main, { init, audience, claims, randomAudience, attempt, mintsAnyAudience }));
  if (randomAudience !== undefined) {
    checks.push(
      randomAudience === "accepted"
        ? {
            check: "audience-pinning",
            status: "warn",
            detail: "the trust policy accepted a token for a random audience: accounts.google.com:oaud is not pinned",
            fix: `Add "accounts.google.com:oaud": "${audience}" to the trust policy's StringEquals (cross-cloud-credentials aws-trust-policy writes it).`,
          }
        : { check: "audience-pinning", status: "ok", detail: "a token for a random audience is refused: accounts.google.com:oaud is pinned" },
    );
  }
  return checks;
}

async function diagnose(
  error: CrossCloudCredentialsError,
  ctx: { init: GcpToAwsCheckInput["init"]; audience: string; claims?: JwtClaims; randomAudience?: Attempt; mintsAnyAudience: boolean; attempt(aud: string): Promise<Attempt> },
): Promise<DoctorCheck> {
  const { init, audience, claims } = ctx;
  const failed = { check: "assume-role", status: "fail" as const, detail: `${init.roleArn} refused: ${error.stsErrorCode ?? error.code}` };
  if (error.code === "STS_VALIDATION_ERROR" && /MaxSessionDuration/i.test(error.message)) {
    const seconds = init.durationSeconds ?? 3600;
    return { ...failed, fix: `The role's MaxSessionDuration is below --duration-seconds ${seconds}: aws iam update-role --role-name ${init.roleArn.split("/").pop()} --max-session-duration ${seconds}, or ask for less.` };
  }
  if (error.code !== "STS_ACCESS_DENIED") return { ...failed, fix: error.message };
  if (ctx.mintsAnyAudience && audience !== DEFAULT_AUDIENCE && (await ctx.attempt(DEFAULT_AUDIENCE)) === "accepted") {
    return { ...failed, fix: `The trust policy pins accounts.google.com:oaud to "${DEFAULT_AUDIENCE}", not "${audience}": set "accounts.google.com:oaud": "${audience}" (or run with --audience ${DEFAULT_AUDIENCE}).` };
  }
  if (ctx.randomAudience === "accepted") {
    return { ...failed, fix: `The audience is not the problem: set "accounts.google.com:sub": "${claims?.sub}" and "accounts.google.com:aud": "${claims?.azp}" (the service account's unique ID) in the trust policy.` };
  }
  return {
    ...failed,
    fix:
      `Make the trust policy (Principal {"Federated": "accounts.google.com"}, sts:AssumeRoleWithWebIdentity) hold StringEquals ` +
      `"accounts.google.com:oaud": "${audience}", "accounts.google.com:aud": "${claims?.azp}", "accounts.google.com:sub": "${claims?.sub}" ` +
      `(cross-cloud-credentials aws-trust-policy --service-account-id ${claims?.sub} --audience ${audience}).`,
  };
}
