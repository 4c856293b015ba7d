import type http from "node:http";

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Time allowed to open the connection. */
  connectTimeoutMs: number;
  /** Time allowed without any byte from the server once connected. */
  readTimeoutMs: number;
  /** Bodies larger than this are an error (metadata answers are small). */
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

/** A network-level failure: nothing usable came back. `timeout` tells a connect from a read timeout. */
export class HttpNetworkError extends Error {
  constructor(
    message: string,
    readonly reason: "connect-timeout" | "read-timeout" | "connection" | "too-large" | "aborted",
  ) {
    super(message);
    this.name = "HttpNetworkError";
  }
}

/**
 * One request over node:http(s), for metadata and container credential endpoints: never through a
 * proxy (node:http reads no proxy variables), a fresh socket each time, short connect and read timeouts.
 */
export async function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpResponse> {
  const maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
  // Loaded on first use: the CLI's cached path and the package root never pay for http, https and tls.
  const client = (url.startsWith("https:") ? await import("node:https") : await import("node:http")).default;
  return new Promise((resolve, reject) => {
    // Headers are set one by one rather than passed in the options: NODE_DEBUG=http prints the options,
    // and these headers carry metadata session tokens.
    const req = client.request(url, { method: options.method ?? "GET", agent: false, signal: options.signal });
    for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value);
    let failure: HttpNetworkError | undefined;
    const fail = (error: HttpNetworkError) => {
      failure ??= error;
      req.destroy(error);
    };
    const connectTimer = setTimeout(
      () => fail(new HttpNetworkError(`no connection to ${new URL(url).host} within ${options.connectTimeoutMs} ms`, "connect-timeout")),
      options.connectTimeoutMs,
    );
    connectTimer.unref(); // the connecting socket keeps the process alive while it matters
    req.on("socket", (socket) => {
      const connected = () => {
        clearTimeout(connectTimer);
        req.setTimeout(options.readTimeoutMs, () =>
          fail(new HttpNetworkError(`no answer from ${new URL(url).host} within ${options.readTimeoutMs} ms`, "read-timeout")),
        );
      };
      if (socket.connecting) socket.once("connect", connected);
      else connected();
    });
    req.on("error", (error) => {
      clearTimeout(connectTimer);
      if (error instanceof HttpNetworkError) reject(error);
      else if (error.name === "AbortError") reject(new HttpNetworkError("request aborted", "aborted"));
      else reject(new HttpNetworkError(`${new URL(url).host}: ${(error as NodeJS.ErrnoException).code ?? error.message}`, "connection"));
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) fail(new HttpNetworkError(`answer larger than ${maxBodyBytes} bytes`, "too-large"));
        else chunks.push(chunk);
      });
      res.on("error", () => undefined); // "close" below reports it
      res.on("close", () => {
        if (!res.complete) reject(failure ?? new HttpNetworkError(`${new URL(url).host}: connection closed mid-answer`, "connection"));
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.end(options.body);
  });
}
