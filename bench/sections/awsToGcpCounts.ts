// Item 6 (counts): AWS → GCP over a simulated 24 h on the fake clock. Upstream calls (IMDS PUT, IMDS
// GET, Google STS, IAM) of our awsExternalAccountClient and of google-auth-library's built-in
// `credential_source` AWS client, each against its own fake EC2 metadata service and fake Google STS.
import { useCleanEnv } from "../lib/env.js";
import { installFakeClock } from "../lib/fakeClock.js";
import { emitResult, expectAtMost, expectEqual, isQuick, log, markdownTable, type Check, type ComparisonRow } from "../lib/report.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SIMULATED_MINUTES = 24 * 60;
/** Google access tokens (federated and impersonated) live 1 h; google-auth-library renews them 5 min early. */
const GOOGLE_TOKEN_LIFETIME_MS = HOUR;
const GOOGLE_EAGER_REFRESH_MS = 5 * MINUTE;
/** Our cache refreshes AWS credentials in their last min(15 min, lifetime / 4) (the advisory window). */
const advisoryWindowMs = (lifetimeMs: number) => Math.min(15 * MINUTE, lifetimeMs / 4);
const AUDIENCE = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/aws-provider";
const SERVICE_ACCOUNT = "reader@my-project.iam.gserviceaccount.com";
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

const clock = installFakeClock(T0);
isQuick(); // the same work in both modes: the counts are what CI checks, and a scenario takes well under a second
useCleanEnv();
// Loaded after the fake clock is in place, so that no module can keep a reference to the real Date.
const { createFakeEc2Metadata, createFakeGoogleSts } = await import("cross-cloud-credentials/testing");
const { awsExternalAccountClient } = await import("cross-cloud-credentials");
const { ExternalAccountClient } = await import("google-auth-library");

type Ec2 = Awaited<ReturnType<typeof createFakeEc2Metadata>>;
type Google = Awaited<ReturnType<typeof createFakeGoogleSts>>;

interface Counts {
  imdsPut: number;
  imdsGet: number;
  /** Of the GETs: role credentials fetched, i.e. AWS credential resolutions. */
  credentialGets: number;
  googleSts: number;
  iam: number;
}
interface Run {
  counts: Counts;
  /** Simulated minutes at which AWS credentials were fetched from IMDS. */
  resolutionMinutes: number[];
  /** Simulated minutes at which a Google STS exchange happened. */
  exchangeMinutes: number[];
  /** Every request made for the API (getRequestHeaders) returned an Authorization header. */
  authorized: number;
}

async function startUpstream(credentialsLifetimeSeconds: number) {
  const ec2 = await createFakeEc2Metadata({ credentialsLifetimeSeconds });
  const google = await createFakeGoogleSts({ audience: AUDIENCE, awsSecrets: (id) => ec2.lookupSecret(id), serviceAccounts: [SERVICE_ACCOUNT] });
  return { ec2, google };
}

function countsOf(ec2: Ec2, google: Google): Counts {
  return {
    imdsPut: ec2.tokenPuts().length,
    imdsGet: ec2.requests.filter((r) => r.method === "GET").length,
    credentialGets: ec2.credentialGets().length,
    googleSts: google.exchanges,
    iam: google.impersonations,
  };
}

/** One `getRequestHeaders()` per simulated minute for 24 h. */
async function simulateDay(client: { getRequestHeaders(): Promise<unknown> }, ec2: Ec2, google: Google, start: number): Promise<Run> {
  const resolutionMinutes: number[] = [];
  const exchangeMinutes: number[] = [];
  let authorized = 0;
  for (let minute = 0; minute <= SIMULATED_MINUTES; minute++) {
    clock.set(start + minute * MINUTE);
    const before = countsOf(ec2, google);
    const headers = await client.getRequestHeaders();
    const authorization = headers instanceof Headers ? headers.get("authorization") : (headers as Record<string, string>)["Authorization"];
    if (authorization?.startsWith("Bearer ")) authorized++;
    // A background refresh may still be in flight: let it land within this simulated minute.
    await new Promise((resolve) => setImmediate(resolve));
    await waitForQuiet(ec2, google);
    const after = countsOf(ec2, google);
    if (after.credentialGets > before.credentialGets) resolutionMinutes.push(minute);
    if (after.googleSts > before.googleSts) exchangeMinutes.push(minute);
  }
  return { counts: countsOf(ec2, google), resolutionMinutes, exchangeMinutes, authorized };
}

/** Until no request is in flight on either fake (their answers are local, so this is quick). */
async function waitForQuiet(ec2: Ec2, google: Google): Promise<void> {
  const active = (fake: object) => (fake as { activeRequests?: number }).activeRequests ?? 0;
  for (let i = 0; i < 200 && active(ec2) + active(google) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 1));
}

interface Scenario {
  name: string;
  credentialsLifetimeSeconds: number;
  /** Our exact upstream calls over the day (derived by hand in the comments below). */
  expected: Counts;
}

// Derivations (1 call per minute, minutes 0…1440; Google tokens renewed at 55 min of age, so 27 exchanges
// at minutes 0, 55, …, 1430, each followed by 1 IAM generateAccessToken; google-auth-library asks the
// AWS supplier only at those exchanges):
// - 6 h credentials: fetched at 0 (expire 360). Asked at 330 (30 min left: outside the 15 min window,
//   served from cache) and at 385 (expired: refetched, expire 745); likewise 770 and 1155. 4 resolutions,
//   2 GETs each (role name, credentials) + 1 GET of placement/region = 9 GETs. The 6 h IMDSv2 session token
//   is renewed 1 min before its TTL, so each resolution after the first needs a new PUT: 4 PUTs.
// - 1 h credentials: at each exchange after the first, 5 min are left, inside the mandatory window: 27
//   resolutions (every 55 min, within the bound of one per lifetime minus the refresh window),
//   27 × 2 + 1 = 55 GETs; the session token is renewed at 385, 770, 1155: 4 PUTs.
const scenarios: Scenario[] = [
  { name: "EC2 role credentials of 6 h (EC2's default)", credentialsLifetimeSeconds: 6 * 3600, expected: { imdsPut: 4, imdsGet: 9, credentialGets: 4, googleSts: 27, iam: 27 } },
  { name: "EC2 role credentials of 1 h", credentialsLifetimeSeconds: 3600, expected: { imdsPut: 4, imdsGet: 55, credentialGets: 27, googleSts: 27, iam: 27 } },
];

const checks: Check[] = [];
const rows: ComparisonRow[] = [];
const tableRows: string[][] = [];
const details: string[] = [];
let scenarioStart = T0;
for (const scenario of scenarios) {
  log(`aws→gcp: simulating 24 h, ${scenario.name}`);
  const lifetimeMs = scenario.credentialsLifetimeSeconds * 1000;

  // Ours: the default AWS chain finds the instance role through IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT).
  const oursUpstream = await startUpstream(scenario.credentialsLifetimeSeconds);
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = oursUpstream.ec2.url;
  clock.set(scenarioStart);
  const ours = awsExternalAccountClient({
    audience: AUDIENCE,
    serviceAccountEmail: SERVICE_ACCOUNT,
    tokenUrl: oursUpstream.google.tokenUrl,
    serviceAccountImpersonationUrl: oursUpstream.google.serviceAccountImpersonationUrl(SERVICE_ACCOUNT),
  });
  const oursRun = await simulateDay(ours, oursUpstream.ec2, oursUpstream.google, scenarioStart);

  // google-auth-library's built-in AWS source, as gcloud's credential configuration (IMDSv2) sets it up.
  const theirsUpstream = await startUpstream(scenario.credentialsLifetimeSeconds);
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:9`;
  clock.set(scenarioStart);
  const imds = theirsUpstream.ec2.url;
  const theirs = ExternalAccountClient.fromJSON({
    type: "external_account",
    audience: AUDIENCE,
    subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
    token_url: theirsUpstream.google.tokenUrl,
    service_account_impersonation_url: theirsUpstream.google.serviceAccountImpersonationUrl(SERVICE_ACCOUNT),
    credential_source: {
      environment_id: "aws1",
      region_url: `${imds}/latest/meta-data/placement/availability-zone`,
      url: `${imds}/latest/meta-data/iam/security-credentials`,
      regional_cred_verification_url: "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
      imdsv2_session_token_url: `${imds}/latest/api/token`,
    },
  });
  if (!theirs) throw new Error("ExternalAccountClient.fromJSON returned no client");
  const theirsRun = await simulateDay(theirs, theirsUpstream.ec2, theirsUpstream.google, scenarioStart);
  await Promise.all([oursUpstream.ec2.close(), oursUpstream.google.close(), theirsUpstream.ec2.close(), theirsUpstream.google.close()]);
  scenarioStart += 2 * 24 * HOUR;

  // Bounds: one AWS credentials resolution per credential lifetime (refreshed ahead within the advisory
  // window), one Google exchange per Google token lifetime (renewed 5 min ahead by google-auth-library).
  const minResolutionGapMin = (lifetimeMs - advisoryWindowMs(lifetimeMs)) / MINUTE;
  const minExchangeGapMin = (GOOGLE_TOKEN_LIFETIME_MS - GOOGLE_EAGER_REFRESH_MS) / MINUTE;
  const resolutionBound = 1 + Math.floor(SIMULATED_MINUTES / minResolutionGapMin);
  const exchangeBound = 1 + Math.floor(SIMULATED_MINUTES / minExchangeGapMin);
  const smallestGap = (minutes: number[]) => (minutes.length < 2 ? Infinity : Math.min(...minutes.slice(1).map((m, i) => m - minutes[i]!)));
  const label = `${scenario.name}, ours`;
  for (const key of Object.keys(scenario.expected) as Array<keyof Counts>) {
    checks.push(expectEqual(6, `${label}: ${key}`, oursRun.counts[key], scenario.expected[key]));
  }
  checks.push(expectAtMost(6, `${label}: AWS credential resolutions ≤ 1 per lifetime (bound over 24 h)`, oursRun.counts.credentialGets, resolutionBound));
  checks.push(expectEqual(6, `${label}: no resolution sooner than lifetime − refresh window (${minResolutionGapMin} min) after the previous`, smallestGap(oursRun.resolutionMinutes) >= minResolutionGapMin ? "yes" : `no (${smallestGap(oursRun.resolutionMinutes)} min)`, "yes"));
  checks.push(expectAtMost(6, `${label}: Google STS exchanges ≤ 1 per Google token lifetime (bound over 24 h)`, oursRun.counts.googleSts, exchangeBound));
  checks.push(expectEqual(6, `${label}: no exchange sooner than ${minExchangeGapMin} min after the previous`, smallestGap(oursRun.exchangeMinutes) >= minExchangeGapMin ? "yes" : `no (${smallestGap(oursRun.exchangeMinutes)} min)`, "yes"));
  checks.push(expectEqual(6, `${label}: every request authorized`, oursRun.authorized, SIMULATED_MINUTES + 1));
  // Same google-auth-library token logic on both sides: same number of exchanges.
  checks.push(expectEqual(6, `${scenario.name}: google-auth-library built-in client exchanges as often as ours`, theirsRun.counts.googleSts, oursRun.counts.googleSts));

  const total = (run: Run) => run.counts.imdsPut + run.counts.imdsGet + run.counts.googleSts + run.counts.iam;
  const scenarioChecks = checks.filter((check) => check.name.startsWith(scenario.name));
  rows.push({
    item: 6,
    name: `AWS → GCP, 24 h, ${scenario.name}: upstream calls (IMDS PUT + GET, Google STS, IAM)`,
    ours: `${total(oursRun)} (${oursRun.counts.imdsPut} + ${oursRun.counts.imdsGet} + ${oursRun.counts.googleSts} + ${oursRun.counts.iam}); ${oursRun.counts.credentialGets} AWS credential resolutions`,
    baseline: `${total(theirsRun)} (${theirsRun.counts.imdsPut} + ${theirsRun.counts.imdsGet} + ${theirsRun.counts.googleSts} + ${theirsRun.counts.iam}); ${theirsRun.counts.credentialGets} resolutions`,
    baselineName: "google-auth-library's built-in `credential_source` AWS client (IMDSv2)",
    ratio: total(oursRun) / total(theirsRun),
    countTarget: { text: "≤ 1 resolution per AWS credential lifetime, ≤ 1 exchange per Google token lifetime; exact counts", met: scenarioChecks.every((check) => check.ok) },
  });
  const fmt = (run: Run) => [String(run.counts.imdsPut), `${run.counts.imdsGet} (${run.counts.credentialGets} credentials)`, String(run.counts.googleSts), String(run.counts.iam)];
  tableRows.push([scenario.name, "ours: `awsExternalAccountClient`", ...fmt(oursRun), `${oursRun.counts.credentialGets} ≤ ${resolutionBound}`]);
  tableRows.push([scenario.name, "google-auth-library `credential_source` (aws1, IMDSv2)", ...fmt(theirsRun), `${theirsRun.counts.credentialGets} (one per exchange)`]);
  details.push(`- ${scenario.name}: our AWS credential fetches at simulated minutes ${oursRun.resolutionMinutes.join(", ")}; Google exchanges every ${minExchangeGapMin} min (${oursRun.exchangeMinutes.length}).`);
}
clock.uninstall();

emitResult({
  section: "awsToGcpCounts",
  title: "6. AWS → GCP over a simulated 24 h",
  rows,
  checks,
  details: [
    `One \`getRequestHeaders()\` per simulated minute for 24 h (${SIMULATED_MINUTES + 1} requests) on each client; each client has its own fake EC2 metadata service (IMDSv2) and fake Google STS + IAM Credentials, ` +
      "so every upstream call is counted once. Both clients impersonate a service account (1 h tokens). The clock is the benchmark's fake clock (bench/lib/fakeClock.ts), " +
      "shared by the clients and the fakes: credential expiry, IMDSv2 token TTLs and SigV4 dates all follow it.",
    "",
    markdownTable(["scenario", "client", "IMDS PUT", "IMDS GET", "Google STS", "IAM generateAccessToken", "AWS credential resolutions"], tableRows),
    "",
    ...details,
  ],
});
