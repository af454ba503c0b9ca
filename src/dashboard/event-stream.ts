// Server-sent events: every open page hears of each run that changes (its new row and live card,
// rendered by the server) within moments of the index re-reading it, and of how far the first
// read of the folders has come.
import { SECURITY_HEADERS } from "./security-headers.js";
import type { ServerResponse } from "node:http";
import type { IndexChange, IndexProgress, RunIndex } from "./run-index.js";
import { liveCard, runRow } from "./run-views.js";

/** A comment line this often keeps proxies and browsers from closing an idle stream (ms). */
const HEARTBEAT_MS = 15_000;

/** The open event streams of one dashboard. */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: (() => void)[];

  constructor(private readonly index: RunIndex) {
    this.unsubscribe = [
      index.subscribe((change) => this.broadcast(change)),
      index.subscribeProgress((progress) => {
        if (this.clients.size > 0) this.send(progressMessage(progress));
      }),
    ];
    this.heartbeat = setInterval(() => this.send(": keep-alive\n\n"), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * Takes over a GET /events response: headers now, the first read's progress, then one `run`
   * event per change and one `index` event per batch of the first read.
   */
  open(response: ServerResponse): void {
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    response.write("retry: 1000\n\n");
    // Where the first read is now: a page rendered while it went on hides its line if it is over.
    response.write(progressMessage(this.index.progress));
    this.clients.add(response);
    response.on("close", () => this.clients.delete(response));
    // What changed between the page's rendering and this connection is sent at once.
    for (const entry of this.index.running()) {
      response.write(this.message({ kind: "updated", key: entry.key, entry }));
    }
  }

  private message(change: IndexChange): string {
    const entry = change.entry;
    const data = {
      kind: change.kind,
      key: change.key,
      status: entry?.status ?? null,
      running: this.index.running().length,
      row: entry ? runRow(entry) : null,
      card: entry ? liveCard(entry) : null,
    };
    return `event: run\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private broadcast(change: IndexChange): void {
    if (this.clients.size > 0) this.send(this.message(change));
  }

  private send(text: string): void {
    for (const client of this.clients) client.write(text);
  }

  /** Ends every stream (the server is shutting down). */
  close(): void {
    clearInterval(this.heartbeat);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    for (const client of this.clients) client.end();
    this.clients.clear();
  }
}

function progressMessage(progress: IndexProgress): string {
  const { read, total, done, runs } = progress;
  return `event: index\ndata: ${JSON.stringify({ read, total, done, runs })}\n\n`;
}
