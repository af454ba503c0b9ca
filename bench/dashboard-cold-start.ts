// What a person waits for when they start `carbontracker dashboard` on a big folder: from the
// command starting to its first page served, to a first page full of rows, and to every run
// read. Used by dashboard.bench.ts; the dashboard runs as the installed bin (dist/bundle/cli.cjs).
import { spawn } from "node:child_process";
import { get } from "node:http";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** One GET: its time (ms), status and body. */
export interface Fetched {
  ms: number;
  status: number;
  body: string;
}

/** GETs `url` and reads the whole answer. */
export function fetchText(url: string): Promise<Fetched> {
  const started = performance.now();
  return new Promise((done, fail) => {
    get(url, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => done({ ms: performance.now() - started, status: res.statusCode ?? 0, body }));
    }).on("error", fail);
  });
}

/** Rows of the runs table in a Runs page. */
export function rowsOf(body: string): number {
  return body.split("<tr data-run=").length - 1;
}

/** Times of one cold start (ms from spawning the command). */
export interface ColdStart {
  /** The URL printed. */
  urlMs: number;
  /** The first GET / answered (sent as soon as the URL is printed). */
  firstPageMs: number;
  status: number;
  /** Rows on that first page, and its progress line (empty when every log was read already). */
  firstRows: number;
  progressLine: string;
  /** A GET / (one every 50 ms) first showed a full page of rows. */
  fullPageMs: number;
  /** The command printed that every run is read, and its own figure `(read in N s)`. */
  indexedMs: number;
  printed: string;
}

/** Starts `carbontracker dashboard --log-dir DIR`, times the moments above, stops it. */
export async function coldStart(dir: string, fullRows: number): Promise<ColdStart> {
  const started = performance.now();
  const since = () => performance.now() - started;
  const child = spawn(
    process.execPath,
    [resolve("dist/bundle/cli.cjs"), "dashboard", "--log-dir", dir, "--listen", "127.0.0.1:0"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  let indexedMs = NaN;
  const closed = new Promise<void>((done) => child.on("close", () => done()));
  try {
    const url = await new Promise<string>((done, fail) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (Number.isNaN(indexedMs) && /run\(s\) in .*\(read in /.test(out)) indexedMs = since();
        const match = /Open (http:\/\/\S+)/.exec(out);
        if (match) done(match[1] as string);
      });
      void closed.then(() => fail(new Error(`the dashboard stopped before serving: ${out}`)));
    });
    const urlMs = since();
    const first = await fetchText(url);
    const firstPageMs = since();
    let fullPageMs = rowsOf(first.body) >= fullRows ? firstPageMs : NaN;
    while (Number.isNaN(fullPageMs)) {
      await sleep(50);
      if (rowsOf((await fetchText(url)).body) >= fullRows) fullPageMs = since();
    }
    while (Number.isNaN(indexedMs)) await sleep(20);
    return {
      urlMs,
      firstPageMs,
      status: first.status,
      firstRows: rowsOf(first.body),
      progressLine: /Indexing logs:[^<]*/.exec(first.body)?.[0] ?? "",
      fullPageMs,
      indexedMs,
      printed: /\(read in [^)]*\)/.exec(out)?.[0] ?? "",
    };
  } finally {
    child.kill("SIGTERM");
    await closed;
  }
}
