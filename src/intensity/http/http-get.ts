// Every call to an intensity or location service goes through here, so that all of them share
// one time-out, one retry policy (back-off on 429 and 5xx only) and never hang the tracker.
import { IntensityFetchError } from "../../errors/index.js";
import { redact } from "../../secrets/redact.js";
import type { HttpFetch, HttpFetchResponse } from "./node-fetch.js";

/** Message levels the intensity side reports to its host (the tracker's log). */
export type MessageLevel = "info" | "warning";

/** Receives what the intensity side did (location step used, key rejected, fallbacks). */
export type MessageSink = (level: MessageLevel, text: string) => void;

/** How service calls are made: injectable fetch, time-out and retry policy. */
export interface HttpConfig {
  /** How a request is made: nodeFetch (node-fetch.ts) for the services. */
  fetch: HttpFetch;
  /** Time-out of one attempt, in seconds. */
  timeoutS: number;
  /** Extra attempts after a 429 or 5xx answer. */
  retries: number;
  /** First back-off delay in seconds; doubles with each retry. */
  retryDelayS: number;
}

/** A service's final answer: status, headers and body text (never parsed here). */
export interface HttpAnswer {
  status: number;
  ok: boolean;
  headers: HttpFetchResponse["headers"];
  text: string;
}

/** One request's specifics. */
export interface HttpRequest {
  url: string;
  method?: "GET" | "PUT";
  headers?: Record<string, string>;
  /** Source id used in error messages. */
  source: string;
  /** Aborts the whole call (retries and back-off included), e.g. on tracker stop. */
  signal?: AbortSignal;
  /** Overrides config.timeoutS for this call (seconds). */
  timeoutS?: number;
  /** Overrides config.retries for this call. */
  retries?: number;
}

/** Whether an HTTP status is worth retrying after a pause. */
function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** The pause a 429/503 asks for (Retry-After: seconds or an HTTP date), in seconds; undefined if none. */
function retryAfterS(answer: HttpAnswer): number | undefined {
  const value = answer.headers.get("retry-after")?.trim();
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, seconds) : undefined;
}

/** Waits `seconds`, or rejects early when `signal` aborts. */
function pause(seconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, seconds * 1000);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A URL without its query string, for messages (keys never travel in URLs, but keep logs short). */
function shortUrl(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Makes one request with a per-attempt time-out, retrying with exponential back-off on 429 and
 * 5xx (waiting at least a Retry-After no longer than the time-out; a longer one ends the retries). Resolves with the last answer whatever its status; rejects with IntensityFetchError on a
 * network error, a time-out or an abort (none of which is retried: they fall back at once).
 */
export async function httpGet(config: HttpConfig, request: HttpRequest): Promise<HttpAnswer> {
  const retries = request.retries ?? config.retries;
  const timeoutS = request.timeoutS ?? config.timeoutS;
  for (let attempt = 0; ; attempt++) {
    const timeout = AbortSignal.timeout(Math.max(1, Math.round(timeoutS * 1000)));
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    let answer: HttpAnswer;
    try {
      const response = await config.fetch(request.url, {
        method: request.method ?? "GET",
        headers: request.headers,
        signal,
        redirect: "follow",
      });
      const text = await response.text();
      answer = { status: response.status, ok: response.ok, headers: response.headers, text };
    } catch (error) {
      const why = timeout.aborted
        ? `no answer within ${timeoutS} s`
        : request.signal?.aborted
          ? "stopped"
          : `network error (${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)})`;
      throw new IntensityFetchError(request.source, `${request.source}: ${shortUrl(request.url)}: ${why}.`, {
        cause: error,
      });
    }
    if (!isRetryableStatus(answer.status) || attempt >= retries) return answer;
    const askedS = retryAfterS(answer);
    // A service that asks for a longer pause than one attempt may take is not asked again now.
    if (askedS !== undefined && askedS > timeoutS) return answer;
    try {
      await pause(Math.max(config.retryDelayS * 2 ** attempt, askedS ?? 0), request.signal);
    } catch (error) {
      throw new IntensityFetchError(request.source, `${request.source}: stopped.`, { cause: error });
    }
  }
}

/** Parses a JSON body, or throws IntensityFetchError naming the source (garbage bodies happen). */
export function parseJson(source: string, answer: HttpAnswer): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    throw new IntensityFetchError(source, `${source}: answer is not JSON (HTTP ${answer.status}).`);
  }
}

/** The error for a non-2xx answer, with the service's own error text where it gave one. */
export function statusError(
  source: string,
  answer: HttpAnswer,
  secrets: readonly string[] = [],
): IntensityFetchError {
  return new IntensityFetchError(
    source,
    `${source}: HTTP ${answer.status}${errorDetail(answer.text, secrets)}.`,
  );
}

/**
 * Extracts `error`/`message` from an error body, short, for messages; `secrets` are masked
 * before it is cut short, so a key the service quoted back cannot show even in part.
 */
function errorDetail(text: string, secrets: readonly string[]): string {
  let detail: unknown;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const error = body?.error;
    detail =
      typeof error === "string"
        ? error
        : error && typeof error === "object"
          ? ((error as Record<string, unknown>).message ?? (error as Record<string, unknown>).title)
          : body?.message;
  } catch {
    detail = text.trim().split("\n")[0];
  }
  if (typeof detail !== "string" || detail === "") return "";
  const shown = redact(detail, secrets);
  return ` (${shown.length > 120 ? `${shown.slice(0, 117)}...` : shown})`;
}
