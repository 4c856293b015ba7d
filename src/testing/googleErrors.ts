import type { FailureScript, FakeResponse, RecordedRequest } from "./fakeHttpServer.js";

/** Canonical Google API error statuses by HTTP status (google.rpc.Code mapping). */
const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};
const STATUS_CODES = new Map(Object.entries(STATUS_NAMES).map(([code, name]) => [name, Number(code)]));

const json = (status: number, body: object, headers: Record<string, string> = {}): FakeResponse => ({
  status,
  headers: { "content-type": "application/json; charset=UTF-8", ...headers },
  body: JSON.stringify(body),
});

/** An OAuth 2.0 error as Google STS writes it: `{"error":"invalid_grant","error_description":"…"}`. */
export const oauthError = (error: string, description: string, status = 400): FakeResponse =>
  json(status, { error, error_description: description });

/**
 * A Google API error (IAM Credentials, Cloud Storage): `{"error":{"code","message","status"}}`. A 401
 * carries `WWW-Authenticate: Bearer realm="https://accounts.google.com/"`, as Google's do.
 */
export function googleApiError(code: number, message: string, status = STATUS_NAMES[code] ?? "UNKNOWN"): FakeResponse {
  const headers: Record<string, string> = code === 401 ? { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' } : {};
  return json(code, { error: { code, message, status } }, headers);
}

/**
 * Render a scripted failure in Google's shape for the endpoint hit: OAuth JSON on `tokenPath` (code
 * default `invalid_request` below 500, `server_error` from 500; status default 400 with a code, else
 * 500), the `{"error":{…}}` shape elsewhere (status default from a canonical `code` such as
 * `UNAVAILABLE`, else 500; `code` default from the status).
 */
export function renderGoogleFailure(script: FailureScript, request: RecordedRequest, tokenPath: string): FakeResponse {
  if (request.path === tokenPath) {
    const status = script.status ?? (script.code === undefined ? 500 : 400);
    const error = script.code ?? (status >= 500 ? "server_error" : "invalid_request");
    return oauthError(error, script.message ?? error, status);
  }
  const status = script.status ?? (script.code === undefined ? 500 : (STATUS_CODES.get(script.code) ?? 400));
  const name = script.code ?? STATUS_NAMES[status] ?? "UNKNOWN";
  return googleApiError(status, script.message ?? name, name);
}
