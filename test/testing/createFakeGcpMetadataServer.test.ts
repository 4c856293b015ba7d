import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createFakeGcpMetadataServer,
  verifyJwt,
  type FakeGcpMetadataServer,
  type FakeGcpMetadataServerOptions,
} from "../../src/testing/index.js";

let fake: FakeGcpMetadataServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await fake?.close();
  fake = undefined;
});

async function start(opts?: FakeGcpMetadataServerOptions): Promise<FakeGcpMetadataServer> {
  fake = await createFakeGcpMetadataServer(opts);
  return fake;
}

const IDENTITY = "/computeMetadata/v1/instance/service-accounts/default/identity";
const get = (server: FakeGcpMetadataServer, path: string, flavor = true) =>
  fetch(`${server.url}${path}`, { headers: flavor ? { "Metadata-Flavor": "Google" } : {} });

describe("createFakeGcpMetadataServer", () => {
  it("issues an ID token shaped like Google's that verifies against its JWKS", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
    const server = await start();
    const res = await get(server, `${IDENTITY}?audience=${encodeURIComponent("sts.amazonaws.com")}&format=full`);

    expect(res.status).toBe(200);
    expect(res.headers.get("metadata-flavor")).toBe("Google");
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const token = await res.text();
    const verified = verifyJwt(token, [server.jwks]);
    expect(verified.ok).toBe(true);
    const iat = Date.parse("2030-01-01T00:00:00Z") / 1000;
    expect(verified.ok && verified.claims).toEqual({
      iss: "https://accounts.google.com",
      aud: "sts.amazonaws.com",
      azp: "108123456789012345678",
      sub: "108123456789012345678",
      email: "workload@my-project.iam.gserviceaccount.com",
      email_verified: true,
      iat,
      exp: iat + 3600,
    });
    expect(server.issuedTokens).toEqual([token]);
    expect(server.identityRequests()).toHaveLength(1);
    expect(server.identityRequests()[0]!.url.searchParams.get("audience")).toBe("sts.amazonaws.com");
  });

  it("leaves email out with format=standard and honours the options", async () => {
    const server = await start({
      serviceAccountEmail: "sa@proj.iam.gserviceaccount.com",
      uniqueId: "111111111111111111111",
      projectId: "proj",
      tokenLifetimeSeconds: 600,
    });
    const token = await (await get(server, `${IDENTITY}?audience=a&format=standard`)).text();
    const verified = verifyJwt(token, [server.jwks]);
    expect(verified.ok && verified.claims).toMatchObject({ aud: "a", sub: "111111111111111111111", azp: "111111111111111111111" });
    expect(verified.ok && verified.claims).not.toHaveProperty("email");
    expect(verified.ok && (verified.claims.exp as number) - (verified.claims.iat as number)).toBe(600);

    const byEmail = "/computeMetadata/v1/instance/service-accounts/sa%40proj.iam.gserviceaccount.com/identity?audience=a";
    expect((await get(server, byEmail)).status).toBe(200);
    expect(await (await get(server, "/computeMetadata/v1/instance/service-accounts/default/email")).text()).toBe(
      "sa@proj.iam.gserviceaccount.com",
    );
    expect(await (await get(server, "/computeMetadata/v1/project/project-id")).text()).toBe("proj");
    expect([server.email, server.uniqueId]).toEqual(["sa@proj.iam.gserviceaccount.com", "111111111111111111111"]);
  });

  it("refuses requests without Metadata-Flavor: Google, still answering with the header", async () => {
    const server = await start();
    for (const path of ["/", `${IDENTITY}?audience=a`, "/computeMetadata/v1/project/project-id"]) {
      const res = await get(server, path, false);
      expect(res.status).toBe(403);
      expect(res.headers.get("metadata-flavor")).toBe("Google");
    }
    expect(server.issuedTokens).toEqual([]);
    expect(server.requests).toHaveLength(3);
    expect((await get(server, "/")).status).toBe(200);
  });

  it("answers 400 without audience, 404 for an unknown account or path", async () => {
    const server = await start();
    expect((await get(server, IDENTITY)).status).toBe(400);
    expect((await get(server, "/computeMetadata/v1/instance/service-accounts/other@x.com/identity?audience=a")).status).toBe(404);
    expect((await get(server, "/computeMetadata/v1/instance/zone")).status).toBe(404);
  });

  it("answers 400 to format=full when rejectFullFormat is set, like GKE", async () => {
    const server = await start({ rejectFullFormat: true });
    expect((await get(server, `${IDENTITY}?audience=a&format=full`)).status).toBe(400);
    const res = await get(server, `${IDENTITY}?audience=a&format=standard`);
    expect(res.status).toBe(200);
    expect(verifyJwt(await res.text(), [server.jwks]).ok).toBe(true);
  });

  it("serves its JWKS at /oauth2/v3/certs without Metadata-Flavor", async () => {
    const server = await start();
    const res = await get(server, "/oauth2/v3/certs", false);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(server.jwks);
  });

  it("renders scripted failures as plain text with Metadata-Flavor, or a raw body", async () => {
    const server = await start();
    server.failNext({ status: 503, message: "try later" });
    server.failNext({ status: 200, body: "not-a-jwt" });
    server.failNext({ code: "boom" });
    const first = await get(server, `${IDENTITY}?audience=a`);
    expect([first.status, await first.text(), first.headers.get("metadata-flavor")]).toEqual([503, "try later", "Google"]);
    expect(await (await get(server, `${IDENTITY}?audience=a`)).text()).toBe("not-a-jwt");
    expect((await get(server, `${IDENTITY}?audience=a`)).status).toBe(500);
    expect(server.identityRequests()).toHaveLength(3);
    expect(server.issuedTokens).toEqual([]);
  });

  it("can leave Metadata-Flavor off one answer or all of them", async () => {
    const server = await start();
    server.failNext({ omitMetadataFlavor: true });
    expect((await get(server, "/")).headers.get("metadata-flavor")).toBeNull();
    expect((await get(server, "/")).headers.get("metadata-flavor")).toBe("Google");

    const impostor = await createFakeGcpMetadataServer({ omitMetadataFlavor: true });
    try {
      expect((await get(impostor, "/")).headers.get("metadata-flavor")).toBeNull();
    } finally {
      await impostor.close();
    }
  });

  it("delays, drops and hangs on script; close() ends a hung request", async () => {
    const server = await start();
    server.failNext({ delayMs: 100 });
    const started = performance.now();
    expect((await get(server, `${IDENTITY}?audience=a`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);

    server.failNext({ drop: true });
    await expect(get(server, "/")).rejects.toThrow(/fetch failed/);

    server.failNext({ hang: true });
    const hung = get(server, "/");
    const outcome = await Promise.race([hung.then(() => "answered", () => "failed"), sleep(100).then(() => "pending")]);
    expect(outcome).toBe("pending");
    await server.close();
    await expect(hung).rejects.toThrow(/fetch failed/);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
