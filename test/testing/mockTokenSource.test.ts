import { describe, expect, it, vi } from "vitest";
import { mockTokenSource, verifyJwt } from "../../src/testing/index.js";

const claimsOf = (token: string, jwks: Parameters<typeof verifyJwt>[1]) => {
  const verified = verifyJwt(token, jwks);
  if (!verified.ok) throw new Error(`token did not verify: ${verified.reason}`);
  return verified.claims;
};

describe("mockTokenSource", () => {
  it("returns a fresh Google-shaped RS256 token per call and counts calls", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2031-05-06T07:08:09Z") });
    try {
      const source = mockTokenSource();
      const first = await source({ audience: "sts.amazonaws.com" });
      vi.advanceTimersByTime(10_000);
      const second = await source({ audience: "other" });

      const iat = Math.floor(Date.parse("2031-05-06T07:08:09Z") / 1000);
      expect(claimsOf(first, [source.jwks])).toEqual({
        iss: "https://accounts.google.com",
        aud: "sts.amazonaws.com",
        azp: "108123456789012345678",
        sub: "108123456789012345678",
        email: "workload@my-project.iam.gserviceaccount.com",
        email_verified: true,
        iat,
        exp: iat + 3600,
      });
      expect(claimsOf(second, [source.jwks])).toMatchObject({ aud: "other", iat: iat + 10, exp: iat + 3610 });
      expect(source.calls).toBe(2);
      expect(source.issuedTokens).toEqual([first, second]);
      expect(source.audiences).toEqual(["sts.amazonaws.com", "other"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("lets claims override the defaults, and undefined remove one", async () => {
    const source = mockTokenSource({ aud: "pinned", azp: undefined, sub: "42", exp: 5 });
    const claims = claimsOf(await source({ audience: "ignored" }), [source.jwks]);
    expect(claims).toMatchObject({ aud: "pinned", sub: "42", exp: 5 });
    expect(claims).not.toHaveProperty("azp");
  });

  it("rejects with the signal's reason once aborted", async () => {
    const source = mockTokenSource();
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(source({ audience: "a", signal: controller.signal })).rejects.toThrow("stop");
    expect(source.issuedTokens).toEqual([]);
  });
});
