import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { containerCredentials, ENV_CONTAINER_FULL_URI, ENV_CONTAINER_RELATIVE_URI } from "./containerCredentials.js";
import { ENV_IMDS_DISABLED, type ImdsSession } from "./createImdsSession.js";
import { describeValue } from "../internal/describeValue.js";

const ENV_CONTAINER = [ENV_CONTAINER_RELATIVE_URI, ENV_CONTAINER_FULL_URI];
const ENV_WEB_IDENTITY_TOKEN_FILE = "AWS_WEB_IDENTITY_TOKEN_FILE";
const ENV_PROFILE = "AWS_PROFILE";

/** Which AWS identity the environment announces, read at call time. */
export function awsEnvironmentKind(env: NodeJS.ProcessEnv = process.env): "container" | "web-identity" | "instance" {
  if (ENV_CONTAINER.some((name) => env[name])) return "container";
  if (env[ENV_WEB_IDENTITY_TOKEN_FILE]) return "web-identity";
  return "instance";
}

/**
 * The AWS SDK's default chain (env, SSO/profile, web identity) with our own container and IMDSv2
 * links last: region and credentials share one IMDSv2 session, and no metadata token reaches a
 * debug log. When container or web-identity variables are
 * set, the instance role is never used instead: a failure there is final. The AWS SDK credential
 * providers are loaded on first use.
 */
export function defaultAwsCredentials(imds: ImdsSession): AwsCredentialIdentityProvider {
  return async () => {
    const sdk = await import("@aws-sdk/credential-providers");
    const kind = awsEnvironmentKind();
    const links: AwsCredentialIdentityProvider[] = [
      ...(process.env[ENV_PROFILE] ? [] : [sdk.fromEnv()]),
      sdk.fromIni(),
      sdk.fromTokenFile(),
      kind === "container" ? containerCredentials() : instanceMetadataCredentials(imds),
    ];
    return sdk.createCredentialChain(...(links as [AwsCredentialIdentityProvider, ...AwsCredentialIdentityProvider[]]))();
  };
}

interface ImdsCredentialsDocument {
  Code?: string;
  AccessKeyId?: string;
  SecretAccessKey?: string;
  Token?: string;
  Expiration?: string;
}

/** The instance profile's role credentials through IMDSv2. */
function instanceMetadataCredentials(imds: ImdsSession): AwsCredentialIdentityProvider {
  return async () => {
    if (awsEnvironmentKind() === "web-identity") {
      throw new Error(`${ENV_WEB_IDENTITY_TOKEN_FILE} is set but web identity failed; the EC2 instance role is not used instead.`);
    }
    const disabled = process.env[ENV_IMDS_DISABLED];
    if (disabled && disabled !== "false") throw new Error(`EC2 instance metadata is disabled by ${ENV_IMDS_DISABLED}.`);
    const role = (await imds.get("/latest/meta-data/iam/security-credentials/")).split("\n")[0]?.trim();
    if (!role) throw new Error("IMDS lists no instance profile role: attach an instance profile to this EC2 instance.");
    const body = await imds.get(`/latest/meta-data/iam/security-credentials/${encodeURIComponent(role)}`);
    return parseImdsCredentials(body, role);
  };
}

function parseImdsCredentials(body: string, role: string): AwsCredentialIdentity {
  let doc: ImdsCredentialsDocument;
  try {
    doc = JSON.parse(body) as ImdsCredentialsDocument;
  } catch {
    throw new Error(`IMDS answered role ${role}'s credentials with a body that is not JSON.`);
  }
  const expiration = doc.Expiration ? new Date(doc.Expiration) : undefined;
  if (doc.Code !== "Success" || !doc.AccessKeyId || !doc.SecretAccessKey || !doc.Token || !expiration || Number.isNaN(expiration.getTime())) {
    throw new Error(`IMDS answered role ${role}'s credentials without a complete credential set (Code ${describeValue(doc.Code)}).`);
  }
  return { accessKeyId: doc.AccessKeyId, secretAccessKey: doc.SecretAccessKey, sessionToken: doc.Token, expiration };
}
