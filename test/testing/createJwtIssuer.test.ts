import { describe, expect, it } from "vitest";
import { createJwtIssuer, verifyJwt } from "../../src/testing/index.js";

const decodePart = (token: string, index: number) =>
  JSON.parse(Buffer.from(token.split(".")[index]!, "base64url").toString("utf8")) as Record<string, unknown>;

describe("createJwtIssuer", () => {
  it("signs RS256 tokens with its kid that verify against its public JWKS", () => {
    const issuer = createJwtIssuer();
    const token = issuer.sign({ sub: "123", aud: "x", dropped: undefined });

    expect(decodePart(token, 0)).toEqual({ alg: "RS256", kid: issuer.kid, typ: "JWT" });
    expect(issuer.jwks.keys).toHaveLength(1);
    expect(issuer.jwks.keys[0]).toMatchObject({ kty: "RSA", kid: issuer.kid, alg: "RS256", use: "sig" });
    expect(issuer.jwks.keys[0]).not.toHaveProperty("d");
    expect(verifyJwt(token, [issuer.jwks])).toEqual({
      ok: true,
      header: { alg: "RS256", kid: issuer.kid, typ: "JWT" },
      claims: { sub: "123", aud: "x" },
    });
  });

  it("finds the key in any of several key sets", () => {
    const [a, b] = [createJwtIssuer(), createJwtIssuer()];
    expect(verifyJwt(b.sign({ n: 1 }), [a.jwks, b.jwks])).toMatchObject({ ok: true, claims: { n: 1 } });
  });

  it("rejects a token whose kid no key set knows", () => {
    const [a, b] = [createJwtIssuer(), createJwtIssuer()];
    expect(verifyJwt(b.sign({}), [a.jwks])).toEqual({ ok: false, reason: "unknown kid" });
  });

  it("rejects a token whose claims were altered or that another key signed under the same kid", () => {
    const issuer = createJwtIssuer();
    const [header, , signature] = issuer.sign({ sub: "1" }).split(".");
    const forgedClaims = Buffer.from(JSON.stringify({ sub: "2" })).toString("base64url");
    expect(verifyJwt(`${header}.${forgedClaims}.${signature}`, [issuer.jwks])).toEqual({
      ok: false,
      reason: "bad signature",
    });

    const impostor = createJwtIssuer();
    const impostorKeys = { keys: [{ ...impostor.jwks.keys[0], kid: issuer.kid }] };
    expect(verifyJwt(issuer.sign({}), [impostorKeys])).toEqual({ ok: false, reason: "bad signature" });
  });

  it.each([
    ["not-a-jwt"],
    ["a.b"],
    ["a.b.c"],
    [`${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from("{}").toString("base64url")}.`],
    [`${Buffer.from('{"alg":"HS256","kid":"k"}').toString("base64url")}.${Buffer.from("{}").toString("base64url")}.c2ln`],
  ])("reports %s as malformed", (token) => {
    expect(verifyJwt(token, [createJwtIssuer().jwks])).toEqual({ ok: false, reason: "malformed" });
  });
});
