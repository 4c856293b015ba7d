import net from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CrossCloudCredentialsError, gceMetadataTokenSource } from "../../src/index.js";
import { decodeJwtClaims } from "../../src/internal/jwtClaims.js";
import { createFakeGcpMetadataServer } from "../../src/testing/index.js";

describe("gceMetadataTokenSource", () => {
  let metadata: Awaited<ReturnType<typeof createFakeGcpMetadataServer>>;
  beforeEach(async () => {
    metadata = await createFakeGcpMetadataServer();
    vi.stubEnv("GCE_METADATA_HOST", metadata.host);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await metadata.close();
  });

  it("fetches a format=full ID token for the URL-encoded audience from GCE_METADATA_HOST", async () => {
    const token = await gceMetadataTokenSource()({ audience: "https://a.example/x?y=1&z=2" });
    const request = metadata.identityRequests()[0]!;
    expect(request.url.pathname).toBe("/computeMetadata/v1/instance/service-accounts/default/identity");
    expect(request.url.search).toContain("audience=https%3A%2F%2Fa.example%2Fx%3Fy%3D1%26z%3D2");
    expect(request.url.searchParams.get("format")).toBe("full");
    expect(request.headers["metadata-flavor"]).toBe("Google");
    expect(decodeJwtClaims(token)).toMatchObject({ aud: "https://a.example/x?y=1&z=2", email: metadata.email, sub: metadata.uniqueId });
  });

  it("never goes through HTTP_PROXY", async () => {
    vi.stubEnv("HTTP_PROXY", "http://127.0.0.1:9");
    vi.stubEnv("http_proxy", "http://127.0.0.1:9");
    await expect(gceMetadataTokenSource()({ audience: "a" })).resolves.toMatch(/^eyJ/);
  });

  it("asks for a named service account", async () => {
    await gceMetadataTokenSource({ serviceAccount: metadata.email })({ audience: "a" });
    expect(metadata.identityRequests()[0]!.url.pathname).toBe(`/computeMetadata/v1/instance/service-accounts/${encodeURIComponent(metadata.email)}/identity`);
  });

  it("retries once with format=standard after a 400, as the GKE metadata server needs", async () => {
    await metadata.close();
    metadata = await createFakeGcpMetadataServer({ rejectFullFormat: true });
    vi.stubEnv("GCE_METADATA_HOST", metadata.host);
    const token = await gceMetadataTokenSource()({ audience: "sts.amazonaws.com" });
    expect(metadata.identityRequests().map((r) => r.url.searchParams.get("format"))).toEqual(["full", "standard"]);
    expect(decodeJwtClaims(token)?.email).toBeUndefined();
  });

  it("retries 503 twice, then succeeds", async () => {
    metadata.failNext({ status: 503, count: 2 });
    await expect(gceMetadataTokenSource()({ audience: "a" })).resolves.toMatch(/^eyJ/);
    expect(metadata.identityRequests()).toHaveLength(3);
  });

  it("fails with METADATA_ERROR after three 500s", async () => {
    metadata.failNext({ status: 500, count: 3 });
    await expect(gceMetadataTokenSource()({ audience: "a" })).rejects.toMatchObject({ code: "METADATA_ERROR", tryNextLink: false });
    expect(metadata.identityRequests()).toHaveLength(3);
  });

  it("rejects a malformed body with METADATA_ERROR", async () => {
    metadata.failNext({ status: 200, body: "<html>captive portal</html>" });
    await expect(gceMetadataTokenSource()({ audience: "a" })).rejects.toMatchObject({ code: "METADATA_ERROR", message: expect.stringContaining("not a JWT") });
  });

  it("treats an answer without Metadata-Flavor as no metadata server", async () => {
    metadata.failNext({ status: 200, body: "a.b.c", omitMetadataFlavor: true });
    await expect(gceMetadataTokenSource()({ audience: "a" })).rejects.toMatchObject({ code: "METADATA_UNAVAILABLE", tryNextLink: true });
  });

  it("reports a missing service account as METADATA_UNAVAILABLE with a GKE hint", async () => {
    const error = await gceMetadataTokenSource({ serviceAccount: "nobody@x.iam.gserviceaccount.com" })({ audience: "a" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "METADATA_UNAVAILABLE", tryNextLink: true });
    expect((error as Error).message).toContain("iam.gke.io/gcp-service-account");
  });

  it("fails fast with tryNextLink when nothing listens", async () => {
    vi.stubEnv("GCE_METADATA_HOST", "127.0.0.1:9");
    const error = await gceMetadataTokenSource()({ audience: "a" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrossCloudCredentialsError);
    expect(error).toMatchObject({ code: "METADATA_UNAVAILABLE", tryNextLink: true, message: expect.stringContaining("No GCP metadata server answered at 127.0.0.1:9") });
  });

  it("gives up within about 2 s when the metadata host accepts connections but never answers", async () => {
    const sockets: net.Socket[] = [];
    const blackHole = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    vi.stubEnv("GCE_METADATA_HOST", `127.0.0.1:${(blackHole.address() as net.AddressInfo).port}`);
    const started = Date.now();
    try {
      await expect(gceMetadataTokenSource()({ audience: "a" })).rejects.toMatchObject({ code: "METADATA_UNAVAILABLE", tryNextLink: true });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(sockets.length).toBeGreaterThanOrEqual(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });

  it("validates its options", () => {
    expect(() => gceMetadataTokenSource({ serviceAccount: "not an email" })).toThrow(TypeError);
    expect(() => gceMetadataTokenSource({ format: "compact" as "full" })).toThrow(/format must be "full" or "standard"/);
  });
});
