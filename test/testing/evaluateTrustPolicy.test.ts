import { describe, expect, it } from "vitest";
import { evaluateTrustPolicy } from "../../src/testing/index.js";

const claims = { aud: "sts.amazonaws.com", azp: "1081", sub: "1081", email: "sa@p.iam.gserviceaccount.com" };
const statement = (extra: Record<string, unknown> = {}) => ({
  Effect: "Allow",
  Principal: { Federated: "accounts.google.com" },
  Action: "sts:AssumeRoleWithWebIdentity",
  ...extra,
});
const policy = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });

describe("evaluateTrustPolicy", () => {
  it("compares :aud with azp, :oaud with aud, :sub and :email, any of an array", () => {
    const allowed = statement({
      Condition: {
        StringEquals: {
          "accounts.google.com:aud": ["sa@p.iam.gserviceaccount.com", "1081"],
          "Accounts.Google.Com:OAUD": "sts.amazonaws.com",
          "accounts.google.com:sub": "1081",
          "accounts.google.com:email": "sa@p.iam.gserviceaccount.com",
        },
      },
    });
    expect(evaluateTrustPolicy(policy(allowed), claims)).toBe(true);
    expect(evaluateTrustPolicy(policy(allowed), { ...claims, sub: "2" })).toBe(false);
    const audOnly = statement({ Condition: { StringEquals: { "accounts.google.com:aud": "sts.amazonaws.com" } } });
    expect(evaluateTrustPolicy(policy(audOnly), claims)).toBe(false);
    expect(evaluateTrustPolicy(policy(audOnly), { ...claims, azp: undefined })).toBe(true);
  });

  it("needs an Allow for accounts.google.com and the action, and honours a matching Deny", () => {
    expect(evaluateTrustPolicy(policy(statement()), claims)).toBe(true);
    expect(evaluateTrustPolicy(policy(statement({ Action: ["sts:AssumeRole"] })), claims)).toBe(false);
    expect(evaluateTrustPolicy(policy(statement({ Principal: { Federated: "cognito-identity.amazonaws.com" } })), claims)).toBe(false);
    expect(evaluateTrustPolicy(policy(statement({ Effect: "Deny" })), claims)).toBe(false);
    expect(evaluateTrustPolicy(policy(statement(), statement({ Effect: "Deny" })), claims)).toBe(false);
    expect(evaluateTrustPolicy({ Statement: statement() }, claims)).toBe(true);
  });

  it("never applies a statement with an operator it does not model", () => {
    const like = statement({ Condition: { StringLike: { "accounts.google.com:sub": "*" } } });
    expect(evaluateTrustPolicy(policy(like), claims)).toBe(false);
  });
});
