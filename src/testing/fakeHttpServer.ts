import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as realSetTimeout, clearTimeout as realClearTimeout } from "node:timers";

/** One HTTP request as a fake received it (recorded before any scripted failure is applied). */
export interface RecordedRequest {
  /** HTTP method, upper case as sent (`"GET"`, `"POST"`). */
  method: string;
  /** Path without the query string, as sent (still percent-encoded). */
  path: string;
  /** Full URL of the request on the fake (`http://127.0.0.1:PORT/path?query`). */
  url: URL;
  /** Request headers as Node parsed them (lower-case names). */
  headers: IncomingHttpHeaders;
  /** Request body decoded as UTF-8; `""` when there was none. */
  body: string;
  /** The operation the fake identified, e.g. the STS `Action`; `undefined` where the fake has none. */
  action?: string;
  /**
   * `performance.now()` when the request's headers arrived: a real, monotonic clock that
   * `vi.useFakeTimers` does not touch, so overlapping requests can be detected under a fake `Date`.
   */
  receivedAt?: number;
  /** `performance.now()` when the answer was fully written or the connection ended without one; `undefined` while in flight. */
  finishedAt?: number;
}

/**
 * A scripted misbehaviour for the next matching request(s). Scripts are queued by `failNext` and
 * consumed in order; a request consumes the first queued script whose `match` accepts it.
 */
export interface FailureScript {
  /** How many matching requests this script applies to (`Infinity`: all of them, until `close()`). Default `1`. */
  count?: number;
  /** HTTP status of the error answer. Default chosen by each fake (500 for metadata, 400/403 for STS). */
  status?: number;
  /** Error code rendered in the fake's wire format (e.g. STS `Throttling`). */
  code?: string;
  /** Error message rendered in the fake's wire format. */
  message?: string;
  /** Raw response body, text or arbitrary bytes; replaces the rendered error (e.g. malformed XML, or `"not-a-jwt"` with status 200). */
  body?: string | Uint8Array;
  /** Milliseconds to wait before answering (real time, not affected by `vi.useFakeTimers`). Without `status`, `code`, `message` or `body`, the normal answer follows the delay. */
  delayMs?: number;
  /** Destroy the connection without answering (the client sees a reset / "socket hang up"). */
  drop?: boolean;
  /** Accept the request and never answer; the socket is destroyed only by `close()`. */
  hang?: boolean;
  /** Only requests for which this returns `true` consume the script. Default: every request. */
  match?: (request: RecordedRequest) => boolean;
}

/** What every fake server has: its address, the requests it received, failure scripting and `close()`. */
export interface FakeHttpServer<S extends FailureScript = FailureScript> {
  /** Base URL, `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  /** `127.0.0.1:PORT`, e.g. for `GCE_METADATA_HOST`. */
  readonly host: string;
  /** Every request received, in arrival order, including those answered by a scripted failure. */
  readonly requests: RecordedRequest[];
  /** Requests whose headers arrived and whose answer is not finished yet (hung ones included, until `close()`). */
  readonly activeRequests: number;
  /** Queue a scripted failure; queued scripts apply in order. */
  failNext(script: S): void;
  /** Stop listening and destroy every connection (keep-alive and hung ones too). Idempotent. */
  close(): Promise<void>;
}

/** An answer produced by a fake's route handler or failure renderer. */
export interface FakeResponse {
  /** HTTP status code. */
  status: number;
  /** Response headers; `Date` is added from `Date.now()` unless given. */
  headers?: Record<string, string>;
  /** Response body (text is sent as UTF-8). */
  body: string | Uint8Array;
}

/** How a concrete fake plugs into {@link startFakeHttpServer}. */
export interface FakeHttpServerInit<S extends FailureScript> {
  /** Produce the normal answer for a request. A thrown error becomes a plain-text 500. */
  handle(request: RecordedRequest): FakeResponse | Promise<FakeResponse>;
  /** Render a scripted failure (one with `status`, `code`, `message` or `body`) in the fake's wire format. `script.body`, when set, replaces the rendered body afterwards. */
  renderFailure(script: S, request: RecordedRequest): FakeResponse;
  /** Name the operation of a request (stored as `RecordedRequest.action`). */
  actionOf?(request: RecordedRequest): string | undefined;
  /** Last touch on every answer, normal or scripted (e.g. add a protocol header). */
  finalize?(response: FakeResponse, request: RecordedRequest, script: S | undefined): FakeResponse;
}

/** Whether a script replaces the normal answer by an error answer. */
function rendersError(script: FailureScript): boolean {
  return (
    script.status !== undefined || script.code !== undefined || script.message !== undefined || script.body !== undefined
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * Start an HTTP server on 127.0.0.1 port 0 that records every request, applies queued failure
 * scripts, and otherwise answers with `init.handle`. The building block of every fake in this kit.
 */
export async function startFakeHttpServer<S extends FailureScript = FailureScript>(
  init: FakeHttpServerInit<S>,
): Promise<FakeHttpServer<S>> {
  const requests: RecordedRequest[] = [];
  const scripts: Array<{ script: S; remaining: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  let activeRequests = 0;
  let closing: Promise<void> | undefined;

  const takeScript = (request: RecordedRequest): S | undefined => {
    const index = scripts.findIndex((entry) => entry.script.match?.(request) ?? true);
    if (index < 0) return undefined;
    const entry = scripts[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) scripts.splice(index, 1);
    return entry.script;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = realSetTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const answer = async (request: RecordedRequest, script: S | undefined): Promise<FakeResponse> => {
    if (script && rendersError(script)) {
      const rendered = init.renderFailure(script, request);
      return script.body === undefined ? rendered : { ...rendered, body: script.body };
    }
    try {
      return await init.handle(request);
    } catch (error) {
      return { status: 500, headers: { "content-type": "text/plain" }, body: `fake server error: ${String(error)}` };
    }
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const receivedAt = performance.now();
    activeRequests += 1;
    let request: RecordedRequest | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      activeRequests -= 1;
      if (request) request.finishedAt = performance.now();
    };
    res.once("finish", finish);
    res.once("close", finish);
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    request = { method: req.method ?? "GET", path: url.pathname, url, headers: req.headers, body, receivedAt };
    if (finished) request.finishedAt = performance.now();
    const action = init.actionOf?.(request);
    if (action !== undefined) request.action = action;
    requests.push(request);

    const script = takeScript(request);
    if (script?.hang) return; // never answered; close() destroys the socket
    if (script?.delayMs) await sleep(script.delayMs);
    if (closing) return;
    if (script?.drop) {
      req.socket.destroy();
      return;
    }
    let response = await answer(request, script);
    if (init.finalize) response = init.finalize(response, request, script);
    const headers = { date: new Date(Date.now()).toUTCString(), ...response.headers };
    res.writeHead(response.status, headers);
    res.end(response.body);
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    get activeRequests() {
      return activeRequests;
    },
    failNext(script: S) {
      scripts.push({ script, remaining: script.count ?? 1 });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) realClearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
