export { createFakeAwsSts } from "./createFakeAwsSts.js";
export type { FakeAwsSts, FakeAwsStsOptions } from "./createFakeAwsSts.js";
export type { IssuedAwsCredentials } from "./assumeRoleWithWebIdentity.js";
export { createFakeGcpMetadataServer } from "./createFakeGcpMetadataServer.js";
export type {
  FakeGcpMetadataServer,
  FakeGcpMetadataServerOptions,
  MetadataFailureScript,
} from "./createFakeGcpMetadataServer.js";
export { createJwtIssuer, verifyJwt } from "./createJwtIssuer.js";
export type { Jwks, JwtIssuer, JwtRejection, JwtVerification } from "./createJwtIssuer.js";
export { evaluateTrustPolicy, googleConditionValues } from "./evaluateTrustPolicy.js";
export { startFakeHttpServer } from "./fakeHttpServer.js";
export type {
  FailureScript,
  FakeHttpServer,
  FakeHttpServerInit,
  FakeResponse,
  RecordedRequest,
} from "./fakeHttpServer.js";
export { mockTokenSource } from "./mockTokenSource.js";
export type { MockTokenRequest, MockTokenSource } from "./mockTokenSource.js";
export { verifySigV4 } from "./verifySigV4.js";
export type { SigV4Rejection, SigV4Request, SigV4Verification } from "./verifySigV4.js";
