import net from "node:net";
import { mockTokenSource } from "../../src/testing/index.js";
import { describeFaults } from "./faultMatrix.js";
import { ASSUME_ROLE, gcpToAwsHarness, IDENTITY, type GcpToAwsFaultEnv, type GcpToAwsFaultRow } from "./gcpToAwsHarness.js";

/** `127.0.0.1:PORT` where nothing listens: a port bound a moment ago and released. */
async function refusingHost(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

/** A Google-shaped ID token (with the planted claim) that expired ten minutes ago. */
async function expiredIdToken(env: GcpToAwsFaultEnv): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const token = await mockTokenSource({ ...env.planted.idTokenClaims, iat: now - 4_200, exp: now - 600 })({ audience: "sts.amazonaws.com" });
  return env.planted.add(token);
}

const isFullFormat = (r: { url: URL }) => r.url.searchParams.get("format") === "full";

const rows: GcpToAwsFaultRow[] = [
  {
    fault: "connection refused (nothing listens at GCE_METADATA_HOST)",
    script: async (env) => env.pointMetadataAt(await refusingHost()),
    expect: { summary: "fails fast, a chain moves on", outcome: "METADATA_UNAVAILABLE", tryNextLink: true, attempts: { [IDENTITY]: 0, [ASSUME_ROLE]: 0 }, withinMs: 3_000 },
  },
  {
    fault: "black hole (accepts the connection, never answers)",
    script: (env) => env.metadata.failNext({ hang: true, count: Infinity }),
    expect: { summary: "1 s read timeout, 2 s retry budget, a chain moves on", outcome: "METADATA_UNAVAILABLE", tryNextLink: true, attempts: { [IDENTITY]: 2, [ASSUME_ROLE]: 0 }, withinMs: 3_000 },
  },
  {
    fault: "500 on every request",
    script: (env) => env.metadata.failNext({ status: 500, count: Infinity }),
    expect: { summary: "retried, then a typed error", outcome: "METADATA_ERROR", attempts: { [IDENTITY]: 3, [ASSUME_ROLE]: 0 }, message: /answered HTTP 500/ },
  },
  {
    fault: "503 twice, then OK",
    script: (env) => env.metadata.failNext({ status: 503, message: "Service Unavailable", count: 2 }),
    expect: { summary: "recovers after retry", outcome: "ok", attempts: { [IDENTITY]: 3, [ASSUME_ROLE]: 1 } },
  },
  {
    fault: "400 on format=full (GKE metadata server)",
    script: (env) => env.metadata.failNext({ status: 400, message: "format=full is not supported", count: Infinity, match: isFullFormat }),
    expect: { summary: "recovers with format=standard", outcome: "ok", attempts: { [IDENTITY]: 2, [ASSUME_ROLE]: 1 } },
  },
  {
    fault: "malformed body (HTTP 200, an access-token JSON instead of an ID token)",
    script: (env) =>
      env.metadata.failNext({
        status: 200,
        body: JSON.stringify({ access_token: env.planted.googleAccessTokens("federated"), expires_in: 3599, token_type: "Bearer" }),
        count: Infinity,
      }),
    expect: { summary: "not retried, typed error", outcome: "METADATA_ERROR", attempts: { [IDENTITY]: 1, [ASSUME_ROLE]: 0 }, message: /not a JWT/ },
  },
  {
    fault: "missing Metadata-Flavor header (a valid ID token from some other server)",
    script: (env) => env.metadata.failNext({ omitMetadataFlavor: true, count: Infinity }),
    expect: { summary: "not a metadata server, a chain moves on", outcome: "METADATA_UNAVAILABLE", tryNextLink: true, attempts: { [IDENTITY]: 1, [ASSUME_ROLE]: 0 }, message: /Metadata-Flavor/ },
  },
  {
    fault: "a token already expired (first answer only)",
    script: async (env) => env.metadata.failNext({ status: 200, body: await expiredIdToken(env) }),
    expect: { summary: "fetches a fresh token, never sends the expired one", outcome: "ok", attempts: { [IDENTITY]: 2, [ASSUME_ROLE]: 1 } },
  },
  {
    fault: "a token already expired (every answer: clock skew)",
    script: async (env) => env.metadata.failNext({ status: 200, body: await expiredIdToken(env), count: Infinity }),
    expect: { summary: "one fresh fetch, then a typed error; STS never called", outcome: "ID_TOKEN_EXPIRED", attempts: { [IDENTITY]: 2, [ASSUME_ROLE]: 0 }, message: /clock/ },
  },
];

describeFaults("GCP metadata", gcpToAwsHarness, rows);
