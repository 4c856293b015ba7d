import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeJwtClaims, describeClaims, isJwtShaped } from "../../src/internal/jwtClaims.js";

const base64url = (text: string | Uint8Array) => Buffer.from(text).toString("base64url");

/** Strings of every kind: UTF-16 with lone surrogates, graphemes, ASCII, and dot-separated runs of them. */
const anyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.array(fc.string({ unit: "binary-ascii", maxLength: 40 }), { maxLength: 5 }).map((parts) => parts.join(".")),
);

/** JWT-shaped strings whose payload segment is base64url of arbitrary bytes, of JSON text, or not base64url at all. */
const jwtShaped = fc
  .tuple(
    fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map(base64url),
      fc.jsonValue().map((value) => base64url(JSON.stringify(value))),
      fc.string({ unit: "binary", maxLength: 80 }).map(base64url),
      fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/),
    ),
    fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/),
  )
  .map(([payload, signature]) => `eyJhbGciOiJSUzI1NiJ9.${payload}.${signature}`);

/** Claims as an untrusted issuer may write them: any JSON, with `exp` of any JSON type and size. */
const claims = fc.record(
  {
    iss: fc.jsonValue(),
    aud: fc.jsonValue(),
    azp: fc.jsonValue(),
    sub: fc.jsonValue(),
    email: fc.jsonValue(),
    exp: fc.oneof(fc.double(), fc.integer(), fc.constantFrom(1e20, -1e20, 8.64e12, 8.64e12 + 1, Number.MAX_VALUE), fc.jsonValue()),
  },
  { requiredKeys: [] },
);

describe("JWT claims decoding of untrusted strings (property-based)", () => {
  it("isJwtShaped never throws and answers a boolean, for any value at all", () => {
    fc.assert(
      fc.property(fc.oneof(anyString, jwtShaped, fc.anything({ withBigInt: true })), (value) => {
        expect(typeof isJwtShaped(value)).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });

  it("decodeJwtClaims never throws, and yields undefined or a plain object", () => {
    fc.assert(
      fc.property(fc.oneof(anyString, jwtShaped), (text) => {
        const decoded = decodeJwtClaims(text);
        if (decoded === undefined) return;
        expect(typeof decoded).toBe("object");
        expect(decoded).not.toBeNull();
        expect(Array.isArray(decoded)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it("decodeJwtClaims returns the claims a well-formed token carries", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const expected = JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
        const token = `${base64url('{"alg":"RS256"}')}.${base64url(JSON.stringify(object))}.c2ln`;
        expect(isJwtShaped(token)).toBe(true);
        expect(JSON.stringify(decodeJwtClaims(token))).toBe(JSON.stringify(expected));
      }),
      { numRuns: 300 },
    );
  });

  it("describeClaims (used in error messages) never throws, whatever the decoded claims hold", () => {
    fc.assert(
      fc.property(claims, (payload) => {
        const decoded = decodeJwtClaims(`eyJhbGciOiJSUzI1NiJ9.${base64url(JSON.stringify(payload))}.c2ln`);
        expect(typeof describeClaims(decoded)).toBe("string");
      }),
      { numRuns: 500, examples: [[{ exp: 1e20 }], [{ exp: -1e20 }]] },
    );
  });
});
