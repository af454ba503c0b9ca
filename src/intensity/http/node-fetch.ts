// The location and intensity services' HTTP client: Node's own http/https modules behind the
// small part of fetch's shape that http-get.ts uses. Node's global fetch loads undici on first
// use, and a CLI run that asked one service (IP geolocation) then peaked at 87 MB of RSS instead
// of 45 (on the build VM; 50 MB through this module). Redirects are followed as fetch does, and
// every call opens its own connection (no keep-alive pool that could hold the process open).
import type { IncomingMessage, RequestOptions } from "node:http";
import { createRequire } from "node:module";

/** What a service call may pass: fetch's options that the services use. */
interface HttpFetchInit {
  method?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  redirect?: "follow";
}

/** An answer, as much of fetch's Response as the services read. */
export interface HttpFetchResponse {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** A fetch-shaped function; the global fetch fits it too (tests may pass one). */
export type HttpFetch = (url: string, init?: HttpFetchInit) => Promise<HttpFetchResponse>;

/** Redirects followed before giving up, as many as fetch follows. */
const MAX_REDIRECTS = 20;
/** The largest body read (bytes): service answers are kilobytes. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

type RequestModule = { request: typeof import("node:http").request };

/** node:http or node:https, loaded on first use (an offline run loads neither). */
function moduleFor(protocol: string): RequestModule {
  if (protocol !== "http:" && protocol !== "https:") throw new TypeError(`unsupported protocol ${protocol}`);
  return createRequire(import.meta.url)(protocol === "https:" ? "node:https" : "node:http") as RequestModule;
}

/** Status codes fetch follows with `redirect: "follow"`. */
function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function headerGetter(message: IncomingMessage): HttpFetchResponse["headers"] {
  return {
    get(name) {
      const value = message.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

/** One request, no redirect: the answer with its whole body. */
function requestOnce(url: URL, init: HttpFetchInit): Promise<{ message: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const method = init.method ?? "GET";
    const options: RequestOptions = {
      method,
      // fetch sends a zero length for a PUT without a body (cloud metadata token requests).
      headers: method === "GET" ? init.headers : { "content-length": "0", ...init.headers },
      signal: init.signal,
      agent: false,
    };
    const request = moduleFor(url.protocol).request(url, options, (message) => {
      const chunks: Buffer[] = [];
      let size = 0;
      message.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          request.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      message.on("end", () => resolve({ message, body: Buffer.concat(chunks).toString("utf8") }));
      message.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}

/** Fetches `url` with Node's http/https, following redirects; rejects on a network error or an abort. */
export const nodeFetch: HttpFetch = async (url, init = {}) => {
  let target = new URL(url);
  let method = init.method ?? "GET";
  for (let redirects = 0; ; redirects += 1) {
    const { message, body } = await requestOnce(target, { ...init, method });
    const status = message.statusCode ?? 0;
    const location = message.headers.location;
    if (isRedirect(status) && location !== undefined) {
      if (redirects >= MAX_REDIRECTS) throw new TypeError(`more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(location, target);
      // An API key sent as a header never follows a redirect to another origin.
      if (next.origin !== target.origin) init = { ...init, headers: undefined };
      target = next;
      // As fetch: after a 303 the request continues as a GET.
      if (status === 303) method = "GET";
      continue;
    }
    return {
      status,
      ok: status >= 200 && status < 300,
      headers: headerGetter(message),
      text: async () => body,
    };
  }
};
