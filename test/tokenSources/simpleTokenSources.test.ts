import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileTokenSource, staticTokenSource } from "../../src/index.js";
import { mockTokenSource } from "../../src/testing/index.js";

describe("fileTokenSource", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "ccc-token-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("re-reads the file at every fetch, so a rotated token is picked up", async () => {
    const file = join(dir, "token");
    const mint = mockTokenSource();
    const [a, b] = [await mint({ audience: "x" }), await mint({ audience: "x" })];
    const source = fileTokenSource(file);
    await writeFile(file, `${a}\n`);
    expect(await source({ audience: "x" })).toBe(a);
    await writeFile(file, b);
    expect(await source({ audience: "x" })).toBe(b);
  });

  it("fails with TOKEN_FILE_UNREADABLE naming the path", async () => {
    const file = join(dir, "missing");
    await expect(fileTokenSource(file)({ audience: "x" })).rejects.toMatchObject({ code: "TOKEN_FILE_UNREADABLE", message: expect.stringContaining(file) });
  });

  it("rejects an empty path at construction", () => {
    expect(() => fileTokenSource("")).toThrow(/path must be a non-empty string/);
  });
});

describe("staticTokenSource", () => {
  it("returns the token it was given", async () => {
    const token = await mockTokenSource()({ audience: "x" });
    expect(await staticTokenSource(token)({ audience: "x" })).toBe(token);
  });

  it("rejects a value that is not a JWT without echoing it", () => {
    expect(() => staticTokenSource("secret value")).toThrow(TypeError);
    expect(() => staticTokenSource("secret value")).not.toThrow(/secret value/);
  });
});
