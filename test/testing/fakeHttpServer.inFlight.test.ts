import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startFakeHttpServer, type FakeHttpServer } from "../../src/testing/index.js";

let fake: FakeHttpServer;

beforeEach(async () => {
  fake = await startFakeHttpServer({
    handle: () => ({ status: 200, body: "ok" }),
    renderFailure: (script) => ({ status: script.status ?? 500, body: "error" }),
  });
});
afterEach(() => fake.close());

describe("startFakeHttpServer: requests in flight and their timing", () => {
  it("counts requests whose answer is not finished, and stamps each with real-time arrival and finish", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
    try {
      fake.failNext({ delayMs: 100 });
      const slow = fetch(`${fake.url}/slow`);
      await vi.waitFor(() => expect(fake.activeRequests).toBe(1), { interval: 5 });
      await fetch(`${fake.url}/fast`);
      expect(fake.activeRequests).toBe(1);
      await (await slow).text();
      await vi.waitFor(() => expect(fake.activeRequests).toBe(0), { interval: 5 });
    } finally {
      vi.useRealTimers();
    }
    const [slow, fast] = fake.requests;
    expect(slow!.path).toBe("/slow");
    // Real time, although Date stood still: the fast request overlapped the slow one.
    expect(slow!.finishedAt! - slow!.receivedAt!).toBeGreaterThanOrEqual(90);
    expect(fast!.receivedAt!).toBeGreaterThan(slow!.receivedAt!);
    expect(fast!.finishedAt!).toBeLessThan(slow!.finishedAt!);
  });

  it("counts a hung request until close(), and a dropped one not at all once dropped", async () => {
    fake.failNext({ hang: true });
    fetch(`${fake.url}/hang`).catch(() => undefined);
    await vi.waitFor(() => expect(fake.activeRequests).toBe(1), { interval: 5 });
    expect(fake.requests[0]!.finishedAt).toBeUndefined();
    fake.failNext({ drop: true });
    await fetch(`${fake.url}/drop`).catch(() => undefined);
    await vi.waitFor(() => expect(fake.activeRequests).toBe(1), { interval: 5 });
    expect(fake.requests[1]!.finishedAt).toBeGreaterThanOrEqual(fake.requests[1]!.receivedAt!);
    await fake.close();
    await vi.waitFor(() => expect(fake.activeRequests).toBe(0), { interval: 5 });
    expect(fake.requests[0]!.finishedAt).toBeDefined();
  });

  it("answers a scripted body of arbitrary bytes byte for byte", async () => {
    const bytes = Uint8Array.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]);
    fake.failNext({ status: 200, body: bytes });
    const res = await fetch(fake.url);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });
});
