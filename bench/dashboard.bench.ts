// The dashboard over 10,000 runs (half the original's text logs, half our four files with a
// JSONL of 60 samples): from `carbontracker dashboard` starting to its first page served (target:
// at most 1 s), to a full first page and to every run indexed; the first page and others from a
// complete index; the parser alone; and how long a live run's JSONL growing takes to reach a
// browser's event stream.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { RunIndex } from "../src/dashboard/run-index.js";
import { readLogs } from "../src/logs/parser/index.js";
import { startDashboardServer } from "../src/dashboard/server.js";
import { jsonlRun, writeFolder } from "../test/dashboard/generated-runs.js";
import { coldStart, fetchText, rowsOf, type ColdStart } from "./dashboard-cold-start.js";

const RUNS = 10_000;
const TARGET_S = 1;
const COLD_STARTS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Prints the figures; never fails on them. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ct-bench-dashboard-"));
  try {
    const phase = (what: string) => process.stderr.write(`  ... ${what}\n`);
    phase(`writing ${RUNS} runs`);
    writeFolder(dir, RUNS);
    phase("indexing");
    const indexMs: number[] = [];
    for (let pass = 0; pass < 3; pass++) {
      const started = performance.now();
      const index = await RunIndex.open([dir], { watch: "off" });
      indexMs.push(performance.now() - started);
      if (index.runs().length !== RUNS) throw new Error(`indexed ${index.runs().length} runs, not ${RUNS}`);
      index.close();
    }
    const parseMs: number[] = [];
    for (let pass = 0; pass < 3; pass++) {
      const started = performance.now();
      await readLogs([dir]);
      parseMs.push(performance.now() - started);
    }
    phase("cold starts");
    const cold: ColdStart[] = [];
    for (let pass = 0; pass < COLD_STARTS; pass++) cold.push(await coldStart(dir, 100));

    phase("pages");
    const index = await RunIndex.open([dir]);
    const server = await startDashboardServer({ index, host: "127.0.0.1", port: 0 });
    const first = await fetchText(server.url);
    const pages: Record<string, number[]> = {
      "/": [],
      "/?sort=energy&dir=desc&user=user3": [],
      "/totals?by=job": [],
      "/live": [],
    };
    for (let pass = 0; pass < 15; pass++)
      for (const path of Object.keys(pages))
        pages[path]!.push((await fetchText(new URL(path, server.url).href)).ms);

    phase("live latency");
    // A run still going (this process, so it counts as alive): append a sample, time the event.
    const live = jsonlRun(dir, "99999.000001_2026-12-01T000000Z", RUNS, process.pid, hostname());
    const lines = readFileSync(live, "utf8")
      .split("\n")
      .filter((l) => !/"type":"(actual|end)"/.test(l));
    writeFileSync(live, lines.join("\n"));
    const latencies: number[] = [];
    await new Promise<void>((done, fail) => {
      get(new URL("/events", server.url).href, (res) => {
        let k = 100;
        let sentAt = 0;
        const append = () => {
          sentAt = performance.now();
          appendFileSync(
            live,
            JSON.stringify({
              type: "sample",
              t: Date.now(),
              component: "cpu",
              device: "package-0",
              power_w: 95,
              energy_j: 95 * ++k,
              provenance: "counter",
            }) + "\n",
          );
        };
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (!chunk.includes("99999.000001") || !chunk.includes(`"status":"running"`) || sentAt === 0)
            return;
          latencies.push(performance.now() - sentAt);
          sentAt = 0;
          if (latencies.length >= 10) {
            res.destroy();
            return done();
          }
          setTimeout(append, 400);
        });
        setTimeout(append, 1500);
      }).on("error", fail);
    });
    await server.close();
    index.close();

    const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
    const met = (ms: number) => (ms <= TARGET_S * 1000 ? "met" : "NOT met");
    const of = (pick: (c: ColdStart) => number) => {
      const values = cold.map(pick);
      return `median ${s(median(values))} of ${values.length} (min ${s(Math.min(...values))}, max ${s(Math.max(...values))})`;
    };
    const firstPage = median(cold.map((c) => c.firstPageMs));
    console.log(
      `dashboard over ${RUNS} runs (${RUNS / 2} text-log pairs, ${RUNS / 2} JSONL runs with 3 text logs each):`,
    );
    console.log(
      `  cold start -> first page served (spawn carbontracker dashboard, GET / as soon as it prints its URL): ${of((c) => c.firstPageMs)}; target <= ${TARGET_S} s: ${met(firstPage)}`,
    );
    console.log(
      `    its URL printed: ${of((c) => c.urlMs)}; statuses ${[...new Set(cold.map((c) => c.status))].join(", ")}; rows on that first page: ${cold.map((c) => c.firstRows).join(", ")}; its progress line: "${cold.map((c) => c.progressLine).find((l) => l) ?? "none (indexed already)"}"`,
    );
    console.log(`  cold start -> a first page of 100 rows (GET / every 50 ms): ${of((c) => c.fullPageMs)}`);
    console.log(
      `  cold start -> index complete (the command prints it): ${of((c) => c.indexedMs)}; its own figure ${cold.map((c) => c.printed).join(", ")}`,
    );
    console.log(
      `  index the folder in process (RunIndex.open): median ${s(median(indexMs))} of 3 (min ${s(Math.min(...indexMs))}, max ${s(Math.max(...indexMs))})`,
    );
    console.log(
      `  the parser alone over the folder (readLogs, as --parse reads it): median ${s(median(parseMs))} of 3; index / parser: ${(median(indexMs) / median(parseMs)).toFixed(2)}`,
    );
    console.log(
      `  first page from a complete index (the first GET /): ${s(first.ms)} (${(first.body.length / 1024).toFixed(0)} KiB, ${rowsOf(first.body)} rows)`,
    );
    for (const [path, times] of Object.entries(pages))
      console.log(
        `  GET ${path}: median ${s(median(times))} of ${times.length} (the first: ${s(times[0] as number)})`,
      );
    console.log(
      `  live: JSONL append to its SSE event: median ${s(median(latencies))} of ${latencies.length} (max ${s(Math.max(...latencies))}); target <= 2 s: ${median(latencies) <= 2000 ? "met" : "NOT met"}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
