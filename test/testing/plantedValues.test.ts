import { describe, expect, it } from "vitest";
import { decodeJwtClaims } from "../../src/internal/jwtClaims.js";
import {
  createFakeAwsSts,
  createFakeEc2Metadata,
  createFakeEcsCredentialsEndpoint,
  createFakeGcpMetadataServer,
  createFakeGoogleSts,
} from "../../src/testing/index.js";
import { ASSUME } from "../helpers/gcpToAws.js";

// The options that make the fakes hand out chosen (recognisable) values, as the fault matrix's leak scans need.
describe("planted values in the fakes", () => {
  let n = 0;
  const secrets = () => ({ secretAccessKey: `PLANTED-secret-${++n}`, sessionToken: `PLANTED-session-${n}` });

  it("the metadata server writes `claims` into every ID token, and STS issues the chosen secrets", async () => {
    const metadata = await createFakeGcpMetadataServer({ claims: { leak_marker: "PLANTED-claim" } });
    const sts = await createFakeAwsSts({ identityProviders: [metadata], secrets });
    try {
      const token = await (await fetch(`${metadata.url}/computeMetadata/v1/instance/service-accounts/default/identity?audience=a`, { headers: { "Metadata-Flavor": "Google" } })).text();
      expect(decodeJwtClaims(token)).toMatchObject({ leak_marker: "PLANTED-claim", aud: "a", sub: metadata.uniqueId });
      const form = new URLSearchParams({ Action: "AssumeRoleWithWebIdentity", Version: "2011-06-15", RoleArn: "arn:aws:iam::123456789012:role/r", RoleSessionName: "s1", WebIdentityToken: token });
      const xml = await (await fetch(sts.url, { method: "POST", body: form })).text();
      const issued = sts.issuedCredentials[0]!;
      expect(issued.secretAccessKey).toMatch(/^PLANTED-secret-\d+$/);
      expect(xml).toContain(`<SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>`);
      expect(xml).toContain(`<SessionToken>${issued.sessionToken}</SessionToken>`);
      expect(sts.requests.filter(ASSUME)).toHaveLength(1);
    } finally {
      await Promise.all([metadata.close(), sts.close()]);
    }
  });

  it("IMDS and the container endpoint issue the chosen secrets, and lookupSecret knows them", async () => {
    const ec2 = await createFakeEc2Metadata({ secrets });
    const ecs = await createFakeEcsCredentialsEndpoint({ secrets });
    try {
      const session = await (await fetch(`${ec2.url}/latest/api/token`, { method: "PUT", headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" } })).text();
      const fromImds = (await (await fetch(`${ec2.url}/latest/meta-data/iam/security-credentials/${ec2.roleName}`, { headers: { "X-aws-ec2-metadata-token": session } })).json()) as Record<string, string>;
      const fromEcs = (await (await fetch(ecs.fullUri)).json()) as Record<string, string>;
      for (const [fake, doc] of [[ec2, fromImds], [ecs, fromEcs]] as const) {
        expect(doc.SecretAccessKey).toMatch(/^PLANTED-secret-\d+$/);
        expect(doc.Token).toMatch(/^PLANTED-session-\d+$/);
        expect(fake.lookupSecret(doc.AccessKeyId!)).toBe(doc.SecretAccessKey);
      }
    } finally {
      await Promise.all([ec2.close(), ecs.close()]);
    }
  });

  it("Google STS and IAM Credentials issue the chosen access tokens", async () => {
    const kinds: string[] = [];
    const ec2 = await createFakeEc2Metadata();
    const google = await createFakeGoogleSts({ awsSecrets: ec2.lookupSecret, accessTokens: (kind) => (kinds.push(kind), `ya29.PLANTED-${kind}-${kinds.length}`) });
    try {
      // A federated token is needed to call generateAccessToken; the exchange itself is covered by createFakeGoogleSts tests.
      const { AwsClient } = await import("google-auth-library");
      const session = await (await fetch(`${ec2.url}/latest/api/token`, { method: "PUT", headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" } })).text();
      const role = (await (await fetch(`${ec2.url}/latest/meta-data/iam/security-credentials/${ec2.roleName}`, { headers: { "X-aws-ec2-metadata-token": session } })).json()) as Record<string, string>;
      const client = new AwsClient({
        type: "external_account",
        audience: "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/pool/providers/prov",
        subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
        token_url: google.tokenUrl,
        service_account_impersonation_url: google.serviceAccountImpersonationUrl("sa@p.iam.gserviceaccount.com"),
        aws_security_credentials_supplier: {
          getAwsRegion: async () => "us-east-1",
          getAwsSecurityCredentials: async () => ({ accessKeyId: role.AccessKeyId!, secretAccessKey: role.SecretAccessKey!, token: role.Token! }),
        },
      });
      const { token } = await client.getAccessToken();
      expect(token).toBe("ya29.PLANTED-impersonated-2");
      expect(kinds).toEqual(["federated", "impersonated"]);
      expect(google.issuedAccessTokens).toEqual(["ya29.PLANTED-federated-1", "ya29.PLANTED-impersonated-2"]);
    } finally {
      await Promise.all([ec2.close(), google.close()]);
    }
  });
});
