import { afterEach, describe, expect, it, vi } from "vitest";
import { createFakeGoogleSts, type FakeGoogleSts } from "../../src/testing/index.js";
import { CLOUD_PLATFORM, SERVICE_ACCOUNT, awsSecrets, federatedToken, impersonate } from "./googleStsFixtures.js";

let fake: FakeGoogleSts | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await fake?.close();
});

describe("createFakeGoogleSts: grantOf", () => {
  it("tells the kind, scopes and expiry of every token it issued, and nothing of others", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
    fake = await createFakeGoogleSts({ awsSecrets, serviceAccounts: [SERVICE_ACCOUNT] });
    const federated = await federatedToken(fake);
    const { accessToken } = (await (await impersonate(fake, federated, { scope: [CLOUD_PLATFORM], lifetime: "1200s" })).json()) as { accessToken: string };
    expect(fake.grantOf(federated)).toMatchObject({ kind: "federated", expiresAtMs: Date.parse("2030-01-01T01:00:00Z") });
    expect(fake.grantOf(accessToken)).toMatchObject({ kind: "impersonated", scopes: [CLOUD_PLATFORM], expiresAtMs: Date.parse("2030-01-01T00:20:00Z") });
    vi.setSystemTime(new Date("2030-01-02T00:00:00Z"));
    expect(fake.grantOf(accessToken)?.kind).toBe("impersonated"); // expired ones too
    expect(fake.grantOf("ya29.not-issued")).toBeUndefined();
  });
});
