// A fake of every intensity and location service on 127.0.0.1: tests give a handler answering
// the reference wire formats; the server records each request so tests can assert on them.
import { nodeFetch } from "../../src/intensity/http/node-fetch.js";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the server saw it. */
export interface SeenRequest {
  method: string;
  /** Path with query string, as sent. */
  path: string;
  url: URL;
  headers: IncomingMessage["headers"];
}

/** What the handler answers; undefined means 404 with an empty body. */
export interface FakeAnswer {
  status?: number;
  /** Objects are sent as JSON; strings as they are. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer only after this many ms (to go past a client's time-out). */
  delayMs?: number;
}

/** A running fake service. */
export interface LoopbackServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Starts a fake service on 127.0.0.1 with an ephemeral port. */
export async function startLoopbackServer(
  handler: (request: SeenRequest) => FakeAnswer | undefined,
): Promise<LoopbackServer> {
  const requests: SeenRequest[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const seen: SeenRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      url,
      headers: req.headers,
    };
    requests.push(seen);
    const answer = handler(seen) ?? { status: 404, body: "" };
    const send = (): void => {
      const body = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? "");
      const type = typeof answer.body === "string" ? "text/plain" : "application/json";
      res.writeHead(answer.status ?? 200, { "content-type": type, ...answer.headers });
      res.end(body);
    };
    if (answer.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) send();
      }, answer.delayMs);
      timers.add(timer);
    } else send();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Env pointing every service, metadata ones included, at `base` (nothing reaches the internet). */
export function loopbackEnv(base: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CARBONTRACKER_GEOLOCATION_URL: `${base}/ipinfo/json`,
    CARBONTRACKER_ELECTRICITYMAPS_URL: `${base}/em/v3`,
    CARBONTRACKER_CARBONINTENSITY_UK_URL: `${base}/uk`,
    CARBONTRACKER_ENERGIDATASERVICE_URL: `${base}/eds`,
    CARBONTRACKER_AWS_METADATA_URL: `${base}/aws`,
    CARBONTRACKER_GCP_METADATA_URL: `${base}/gcp`,
    CARBONTRACKER_AZURE_METADATA_URL: `${base}/azure`,
    ...extra,
  };
}

/** Polls `check` until it is true or `timeoutMs` passes (generous: shared CI machines are slow). */
export async function waitFor(check: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The HTTP settings tests use: short time-out, tiny back-off. */
export const FAST_HTTP = {
  fetch: nodeFetch,
  timeoutS: 2,
  retries: 2,
  retryDelayS: 0.01,
};
