import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fromGcpServiceAccount, type FromGcpServiceAccountInit } from "../../src/index.js";

/**
 * What construction must do with each option, from SPEC §2 and AWS's IAM naming rules:
 * "valid" → accepted, "invalid" → TypeError/RangeError naming the option, "either" → no opinion
 * (corners where AWS's own rules are looser than a client needs to be).
 */
type Verdict = "valid" | "invalid" | "either";

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/; // IAM role names: 1-64 of these
const PATH_SEGMENT = /^[\w+=,.@-]+$/;

function roleArnVerdict(value: unknown): Verdict {
  if (typeof value !== "string") return "invalid"; // undefined too: no AWS_ROLE_ARN in this test's environment
  const match = /^arn:[a-z][a-z0-9-]*:iam::\d{12}:role\/(.*)$/s.exec(value);
  if (!match) return "invalid";
  const segments = match[1]!.split("/");
  const name = segments.pop()!;
  if (!ROLE_NAME.test(name)) return "invalid"; // no name after the last "/", a name over 64 characters, or characters IAM refuses
  if (segments.every((segment) => PATH_SEGMENT.test(segment)) && match[1]!.length <= 512) return "valid";
  return "either"; // IAM paths may hold other printable ASCII; empty segments are unusual
}

function roleSessionNameVerdict(value: unknown): Verdict {
  if (value === undefined) return "valid";
  return typeof value === "string" && /^[\w+=,.@-]{2,64}$/.test(value) ? "valid" : "invalid";
}

function durationVerdict(value: unknown): Verdict {
  if (value === undefined) return "valid";
  if (value === null) return "either";
  return typeof value === "number" && Number.isInteger(value) && value >= 900 && value <= 43_200 ? "valid" : "invalid";
}

function audienceVerdict(value: unknown): Verdict {
  if (value === undefined) return "valid";
  if (value === null) return "either";
  if (typeof value !== "string" || value === "") return "invalid";
  return value.trim() === "" ? "either" : "valid";
}

const account = fc.stringMatching(/^\d{12}$/);
const roleName = fc.stringMatching(/^[\w+=,.@-]{1,64}$/);
const pathSegment = fc.stringMatching(/^[\w+=,.@-]{1,12}$/);
const wellFormedArn = fc
  .record({
    partition: fc.constantFrom("aws", "aws-cn", "aws-us-gov", "aws-iso-b"),
    account,
    path: fc.array(pathSegment, { maxLength: 3 }),
    name: roleName,
  })
  .map(({ partition, account, path, name }) => `arn:${partition}:iam::${account}:role/${[...path, name].join("/")}`);

/** A well-formed ARN broken (or not) in one of the ways people and programs break them. */
const mutatedArn = fc
  .tuple(
    wellFormedArn,
    fc.constantFrom(
      (arn: string) => `${arn}/`, // no role name after the path
      (arn: string) => arn.replace(/:role\//, ":role//"),
      (arn: string) => `${arn}${"x".repeat(64)}`, // a role name over 64 characters
      (arn: string) => arn.replace(/::\d{12}:/, "::12345678901:"),
      (arn: string) => arn.replace(/::\d{12}:/, "::1234567890123:"),
      (arn: string) => arn.replace(":iam::", ":sts::"),
      (arn: string) => arn.replace(":role/", ":user/"),
      (arn: string) => arn.replace(/^arn:/, "ARN:"),
      (arn: string) => ` ${arn}`,
      (arn: string) => `${arn}\n`,
      (arn: string) => arn.replace(/role\/(.*)$/, "role/$1 x"),
      (arn: string) => arn.replace(/role\/.*$/, "role/"),
      (arn: string) => arn.replace(/role\/.*$/, "role/a/b\u00e9c"),
      (arn: string) => arn.replace(/role\/.*$/, "role/path!/name"),
      (arn: string) => arn.slice(0, -1),
    ),
  )
  .map(([arn, mutate]) => mutate(arn));

/** Any JavaScript value, big integers included. */
const anyValue = fc.anything({ withBigInt: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withDate: true });

const roleArn = fc.oneof({ arbitrary: wellFormedArn, weight: 3 }, { arbitrary: mutatedArn, weight: 3 }, { arbitrary: fc.string({ maxLength: 80 }), weight: 1 }, { arbitrary: anyValue, weight: 1 });
const roleSessionName = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: fc.stringMatching(/^[\w+=,.@-]{2,64}$/), weight: 3 },
  { arbitrary: fc.string({ maxLength: 80, unit: "binary" }), weight: 2 },
  { arbitrary: fc.stringMatching(/^[\w+=,.@-]{65,70}$/), weight: 1 },
  { arbitrary: anyValue, weight: 1 },
);
const durationSeconds = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: fc.integer({ min: 900, max: 43_200 }), weight: 3 },
  { arbitrary: fc.integer(), weight: 2 },
  { arbitrary: fc.double(), weight: 1 },
  { arbitrary: fc.constantFrom(899, 43_201, -0, Number.NaN, Infinity, 3600.5, "3600", 3600n), weight: 1 },
  { arbitrary: anyValue, weight: 1 },
);
const audience = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: fc.string({ minLength: 1, maxLength: 60, unit: "binary" }), weight: 3 },
  { arbitrary: fc.constantFrom("", "sts.amazonaws.com", "//iam.googleapis.com/x"), weight: 1 },
  { arbitrary: anyValue, weight: 1 },
);

const circular: Record<string, unknown> = {};
circular.self = circular;

const OPTION_NAMES = ["roleArn", "roleSessionName", "durationSeconds", "audience"] as const;
type OptionName = (typeof OPTION_NAMES)[number];

function verdicts(init: Record<OptionName, unknown>): Record<OptionName, Verdict> {
  return {
    roleArn: roleArnVerdict(init.roleArn),
    roleSessionName: roleSessionNameVerdict(init.roleSessionName),
    durationSeconds: durationVerdict(init.durationSeconds),
    audience: audienceVerdict(init.audience),
  };
}

/** The options with their generated values, leaving out those generated as `undefined` (as a user would). */
function initOf(values: Record<OptionName, unknown>): FromGcpServiceAccountInit {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as FromGcpServiceAccountInit;
}

beforeEach(() => {
  vi.stubEnv("AWS_ROLE_ARN", "");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("fromGcpServiceAccount construction with generated options (property-based)", () => {
  it("returns a provider function or throws a TypeError/RangeError naming a bad option — nothing else", () => {
    fc.assert(
      fc.property(fc.record({ roleArn, roleSessionName, durationSeconds, audience }), (values) => {
        let outcome: unknown;
        try {
          outcome = fromGcpServiceAccount(initOf(values));
        } catch (error) {
          outcome = error;
        }
        if (typeof outcome === "function") return;
        expect(outcome).toBeInstanceOf(Error);
        expect([TypeError, RangeError]).toContain((outcome as Error).constructor);
        const judged = verdicts(values);
        const named = OPTION_NAMES.filter((name) => (outcome as Error).message.includes(name));
        expect(named.length, `the message names an option: ${(outcome as Error).message}`).toBeGreaterThan(0);
        expect(named.some((name) => judged[name] !== "valid"), `the option named is a bad one: ${(outcome as Error).message}`).toBe(true);
      }),
      {
        numRuns: 600,
        examples: [
          [{ roleArn: "arn:aws:iam::123456789012:role/r", roleSessionName: undefined, durationSeconds: 3600n, audience: undefined }],
          [{ roleArn: 123456789012n, roleSessionName: undefined, durationSeconds: undefined, audience: undefined }],
          [{ roleArn: "arn:aws:iam::123456789012:role/r", roleSessionName: undefined, durationSeconds: undefined, audience: 1n }],
          [{ roleArn: "arn:aws:iam::123456789012:role/r", roleSessionName: undefined, durationSeconds: circular, audience: undefined }],
        ],
      },
    );
  });

  it("accepts exactly the valid options: well-formed ones always, malformed ones never", () => {
    fc.assert(
      fc.property(fc.record({ roleArn, roleSessionName, durationSeconds, audience }), (values) => {
        const judged = verdicts(values);
        if (Object.values(judged).includes("either")) return;
        const allValid = Object.values(judged).every((v) => v === "valid");
        let accepted: boolean;
        let message = "";
        try {
          accepted = typeof fromGcpServiceAccount(initOf(values)) === "function";
        } catch (error) {
          accepted = false;
          message = (error as Error).message;
        }
        expect(accepted, `${JSON.stringify(values, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))} ${message}`).toBe(allValid);
      }),
      {
        numRuns: 600,
        examples: [
          [{ roleArn: "arn:aws:iam::123456789012:role/service-role/", roleSessionName: undefined, durationSeconds: undefined, audience: undefined }],
          [{ roleArn: `arn:aws:iam::123456789012:role/${"r".repeat(65)}`, roleSessionName: undefined, durationSeconds: undefined, audience: undefined }],
        ],
      },
    );
  });

  it("throws RangeError for an out-of-range duration and TypeError for one that is not an integer", () => {
    const arn = "arn:aws:iam::123456789012:role/gcp-reader";
    fc.assert(
      fc.property(fc.integer().filter((n) => n < 900 || n > 43_200), (n) => {
        expect(() => fromGcpServiceAccount({ roleArn: arn, durationSeconds: n })).toThrow(RangeError);
        expect(() => fromGcpServiceAccount({ roleArn: arn, durationSeconds: n })).toThrow(/durationSeconds/);
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.double().filter((n) => !Number.isInteger(n)), fc.string(), fc.boolean(), fc.object()), (value) => {
        expect(() => fromGcpServiceAccount({ roleArn: arn, durationSeconds: value as number })).toThrow(TypeError);
        expect(() => fromGcpServiceAccount({ roleArn: arn, durationSeconds: value as number })).toThrow(/durationSeconds/);
      }),
    );
  });
});
