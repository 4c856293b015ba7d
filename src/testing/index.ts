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
export { createFakeEc2Metadata } from "./createFakeEc2Metadata.js";
export type { FakeEc2Metadata, FakeEc2MetadataOptions } from "./createFakeEc2Metadata.js";
export { createFakeEcsCredentialsEndpoint } from "./createFakeEcsCredentialsEndpoint.js";
export type { FakeEcsCredentialsEndpoint, FakeEcsCredentialsEndpointOptions } from "./createFakeEcsCredentialsEndpoint.js";
export type { AwsCredentialsEndpoint, AwsRoleCredentials, AwsSecretsFactory } from "./rotatingAwsCredentials.js";
export { createFakeGoogleSts } from "./createFakeGoogleSts.js";
export type {
  AcceptedTokenExchange,
  FakeGoogleApiCall,
  FakeGoogleSts,
  FakeGoogleStsOptions,
} from "./createFakeGoogleSts.js";
export type { GoogleTokenGrant } from "./generateAccessToken.js";
export { verifyAwsSubjectToken } from "./verifyAwsSubjectToken.js";
export type { AwsSubjectToken, AwsSubjectTokenVerification } from "./verifyAwsSubjectToken.js";
export { createFakeS3 } from "./createFakeS3.js";
export type { FakeS3, FakeS3Call, FakeS3Options } from "./createFakeS3.js";
export { createFakeSns } from "./createFakeSns.js";
export type { FakeSns, FakeSnsMessage, FakeSnsOptions } from "./createFakeSns.js";
export { verifyAwsServiceRequest } from "./verifyAwsServiceRequest.js";
export type { AwsServiceRequestRejection, AwsServiceRequestVerification } from "./verifyAwsServiceRequest.js";
