import { connect } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startFakeHttpServer, type FakeHttpServer } from "../../src/testing/index.js";

let fake: FakeHttpServer;

beforeEach(async () => {
  fake = await startFakeHttpServer({
    actionOf: (request) => request.url.searchParams.get("op") ?? undefined,
    handle: (request) => ({ status: 200, headers: { "content-type": "text/plain" }, body: `ok ${request.body}` }),
    renderFailure: (script) => ({ status: script.status ?? 500, body: `error ${script.code ?? ""} ${script.message ?? ""}` }),
  });
});
afterEach(() => fake.close());

const post = (path: string, body = "") => fetch(`${fake.url}${path}`, { method: "POST", body });

describe("startFakeHttpServer", () => {
  it("listens on 127.0.0.1 and records every request in order, with the action", async () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.host).toBe(fake.url.slice("http://".length));
    const res = await post("/a?op=first", "hello");
    expect([res.status, await res.text()]).toEqual([200, "ok hello"]);
    await fetch(`${fake.url}/b`);
    expect(fake.requests.map((r) => [r.method, r.path, r.body, r.action])).toEqual([
      ["POST", "/a", "hello", "first"],
      ["GET", "/b", "", undefined],
    ]);
    expect(fake.requests[0]!.url.searchParams.get("op")).toBe("first");
    expect(fake.requests[0]!.headers["content-type"]).toContain("text/plain");
  });

  it("applies scripted failures in order, each for its count, then answers normally", async () => {
    fake.failNext({ status: 503, code: "A", count: 2 });
    fake.failNext({ status: 429, message: "slow down" });
    const answers = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await post("/", String(i));
      answers.push([res.status, await res.text()]);
    }
    expect(answers).toEqual([
      [503, "error A "],
      [503, "error A "],
      [429, "error  slow down"],
      [200, "ok 3"],
    ]);
    expect(fake.requests).toHaveLength(4);
  });

  it("lets a script wait for the request it matches and replace the body", async () => {
    fake.failNext({ status: 200, body: "raw", match: (request) => request.action === "target" });
    expect(await (await post("/?op=other")).text()).toBe("ok ");
    expect(await (await post("/?op=target")).text()).toBe("raw");
    expect(await (await post("/?op=target")).text()).toBe("ok ");
  });

  it("delays the normal answer by delayMs", async () => {
    fake.failNext({ delayMs: 150 });
    const started = performance.now();
    const res = await post("/", "late");
    expect(await res.text()).toBe("ok late");
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("counts delays in real time, so they elapse under vi.useFakeTimers", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      fake.failNext({ delayMs: 50, status: 504 });
      expect((await post("/")).status).toBe(504);
    } finally {
      vi.useRealTimers();
    }
  });

  it("drops the connection without answering", async () => {
    fake.failNext({ drop: true });
    await expect(post("/")).rejects.toThrow(/fetch failed/);
    expect(fake.requests).toHaveLength(1);
  });

  it("hangs until close(), which also ends keep-alive connections and is idempotent", async () => {
    // A raw keep-alive connection (node:net, so no HTTP client pooling gets in the way).
    const socket = connect(Number(fake.url.split(":")[2]), "127.0.0.1");
    const firstAnswer = new Promise<string>((resolve) => socket.once("data", (data) => resolve(String(data))));
    socket.write(`GET /warm HTTP/1.1\r\nHost: ${fake.host}\r\nConnection: keep-alive\r\n\r\n`);
    expect(await firstAnswer).toMatch(/^HTTP\/1\.1 200 OK/);
    const socketClosed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    let keptAlive = true;
    void socketClosed.then(() => (keptAlive = false));

    fake.failNext({ hang: true });
    let settled = false;
    const hung = post("/").finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    expect(fake.requests).toHaveLength(2);

    expect(keptAlive).toBe(true);
    await Promise.all([fake.close(), fake.close()]);
    await expect(hung).rejects.toThrow();
    await socketClosed;
    await expect(fetch(fake.url)).rejects.toThrow();
  });

  it("sends a Date header from Date.now()", async () => {
    const res = await fetch(fake.url);
    expect(Math.abs(Date.parse(res.headers.get("date")!) - Date.now())).toBeLessThan(2000);
  });
});
