import type { FakeResponse } from "./fakeHttpServer.js";

/** XML namespace of the STS Query API answers. */
export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

const STATUS_BY_CODE: Record<string, number> = {
  AccessDenied: 403,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  MissingAuthenticationToken: 403,
  IDPRejectedClaim: 403,
  RegionDisabledException: 403,
  InternalFailure: 500,
  ServiceUnavailable: 503,
};

/** Escape text for an XML element body. */
export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** `<Name>escaped value</Name>`. */
export function xmlElement(name: string, value: string): string {
  return `<${name}>${xmlEscape(value)}</${name}>`;
}

const xmlHeaders = (requestId: string) => ({ "content-type": "text/xml", "x-amzn-requestid": requestId });

/** HTTP status AWS STS uses for an error code: 403 for auth failures, 5xx for server faults, else 400. */
export function stsStatusFor(code: string): number {
  return STATUS_BY_CODE[code] ?? 400;
}

/**
 * Render an STS Query error: `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`,
 * `Type` is `Receiver` for 5xx. Status defaults to {@link stsStatusFor}.
 */
export function stsError(code: string, message: string, requestId: string, status = stsStatusFor(code)): FakeResponse {
  const type = status >= 500 ? "Receiver" : "Sender";
  return {
    status,
    headers: xmlHeaders(requestId),
    body:
      `<ErrorResponse xmlns="${STS_NAMESPACE}">` +
      `<Error>${xmlElement("Type", type)}${xmlElement("Code", code)}${xmlElement("Message", message)}</Error>` +
      `${xmlElement("RequestId", requestId)}</ErrorResponse>\n`,
  };
}

/** Render a successful STS Query answer: `<{Action}Response><{Action}Result>…</{Action}Result><ResponseMetadata/>`. */
export function stsResult(action: string, resultXml: string, requestId: string): FakeResponse {
  return {
    status: 200,
    headers: xmlHeaders(requestId),
    body:
      `<${action}Response xmlns="${STS_NAMESPACE}">\n` +
      `  <${action}Result>${resultXml}</${action}Result>\n` +
      `  <ResponseMetadata>${xmlElement("RequestId", requestId)}</ResponseMetadata>\n` +
      `</${action}Response>\n`,
  };
}
