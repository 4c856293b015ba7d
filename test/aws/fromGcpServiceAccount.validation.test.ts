import { afterEach, describe, expect, it, vi } from "vitest";
import { fromGcpServiceAccount, type FromGcpServiceAccountInit } from "../../src/index.js";
import { ROLE_ARN } from "../helpers/gcpToAws.js";

const bad: Array<[string, Partial<FromGcpServiceAccountInit> | Record<string, unknown>, ErrorConstructor | RangeErrorConstructor, RegExp]> = [
  ["a malformed roleArn", { roleArn: "arn:aws:iam::12345:role/x" }, TypeError, /roleArn must look like "arn:<partition>:iam::<12-digit account>:role/],
  ["a user ARN as roleArn", { roleArn: "arn:aws:iam::123456789012:user/bob" }, TypeError, /roleArn/],
  ["durationSeconds 100", { roleArn: ROLE_ARN, durationSeconds: 100 }, RangeError, /durationSeconds must be between 900 and 43200/],
  ["durationSeconds 50000", { roleArn: ROLE_ARN, durationSeconds: 50_000 }, RangeError, /durationSeconds/],
  ["a fractional durationSeconds", { roleArn: ROLE_ARN, durationSeconds: 1000.5 }, TypeError, /durationSeconds must be an integer/],
  ["a roleSessionName of 65 characters", { roleArn: ROLE_ARN, roleSessionName: "a".repeat(65) }, RangeError, /roleSessionName must be 2 to 64 characters/],
  ["a roleSessionName with a space", { roleArn: ROLE_ARN, roleSessionName: "my session" }, TypeError, /roleSessionName may only hold/],
  ["a non-function tokenSource", { roleArn: ROLE_ARN, tokenSource: "eyJ.a.b" }, TypeError, /tokenSource must be a function/],
  ["an empty audience", { roleArn: ROLE_ARN, audience: "" }, TypeError, /audience must be a non-empty string/],
  ["a policy that is not JSON", { roleArn: ROLE_ARN, policy: "{nope" }, TypeError, /policy must be a JSON policy document/],
  ["policyArns of strings", { roleArn: ROLE_ARN, policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }, TypeError, /policyArns must be an array of \{ arn/],
  ["a logger without debug", { roleArn: ROLE_ARN, logger: {} }, TypeError, /logger must be an AWS SDK Logger/],
];

describe("fromGcpServiceAccount option validation", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  for (const [what, init, type, message] of bad) {
    it(`throws ${type.name} at construction for ${what}`, () => {
      const construct = () => fromGcpServiceAccount(init as FromGcpServiceAccountInit);
      expect(construct).toThrow(type);
      expect(construct).toThrow(message);
    });
  }

  it("requires roleArn unless AWS_ROLE_ARN is set, and then uses it", () => {
    vi.stubEnv("AWS_ROLE_ARN", "");
    expect(() => fromGcpServiceAccount({})).toThrow(/roleArn is required \(or set env AWS_ROLE_ARN\)/);
    vi.stubEnv("AWS_ROLE_ARN", ROLE_ARN);
    expect(typeof fromGcpServiceAccount({})).toBe("function");
    vi.stubEnv("AWS_ROLE_ARN", "not-an-arn");
    expect(() => fromGcpServiceAccount({})).toThrow(/roleArn must look like/);
  });

  it("accepts every option in its documented form without doing any I/O", () => {
    const provider = fromGcpServiceAccount({
      roleArn: "arn:aws-cn:iam::123456789012:role/path/to/role",
      audience: "https://my-aws-audience",
      roleSessionName: "ab",
      durationSeconds: 43200,
      policy: "{}",
      policyArns: [{ arn: "arn:aws:iam::123456789012:policy/p" }],
      tokenSource: async () => "a.b.c",
      clientConfig: { region: "eu-west-1" },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    expect(typeof provider).toBe("function");
  });
});
