// The dashboard over 10,000 runs (half the original's text logs, half our four files with a
// JSONL of 60 samples): the time to index the folder, to serve the first page (from a cold
// start of the CLI, and from the index in memory), other pages, and how long a live run's JSONL
// growing takes to reach a browser's event stream. Target: the first page in at most 1 s.
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RunIndex } from "../src/dashboard/run-index.js";
import { readLogs } from "../src/logs/parser/index.js";
import { startDashboardServer } from "../src/dashboard/server.js";

const RUNS = 10_000;
const TARGET_S = 1;

function textLogs(dir: string, id: string, watts: number): void {
  const t = "2026-11-28 12:51:47 - ";
  const std = [
    `${t}carbontracker version 2.4.3`,
    `${t}Only predicted and actual consumptions are multiplied by a PUE coefficient of 1.58 (Daniel Bizo, 2023, Uptime Institute Global Data Center Survey).`,
  ];
  for (let e = 1; e <= 3; e++)
    std.push(`${t}Epoch ${e}:`, `${t}Duration: 0:00:02.30`, `${t}Average power usage (W) for cpu: ${watts}`);
  std.push(
    `${t}Average carbon intensity during training was 445.00 gCO2eq/kWh. `,
    `${t}Monitoring thread ended.`,
  );
  const kwh = (watts * 6.9 * 1.58) / 3.6e6;
  const o = "2026-11-28 12:51:49 - CarbonTracker: ";
  const block = (title: string) =>
    `${o}\n${title}\n\tTime:\t0:00:07\n\tEnergy:\t${kwh.toFixed(12)} kWh\n\tCO2eq:\t${(kwh * 445).toFixed(12)} g\n\tThis is equivalent to:\n\t${((kwh * 445) / 106.8).toFixed(12)} km travelled by car\n`;
  writeFileSync(join(dir, `${id}_carbontracker.log`), `${std.join("\n")}\n`);
  writeFileSync(
    join(dir, `${id}_carbontracker_output.log`),
    `${block("Predicted consumption for 3 epoch(s):")}${block("Actual consumption for 3 epoch(s):")}`,
  );
}

function jsonlRun(dir: string, id: string, i: number, pid = 20_000 + i, host = "node01"): string {
  const t0 = Date.UTC(2026, 10, 28, 12) + i * 60_000;
  const records: object[] = [
    {
      type: "start",
      t: t0,
      version: "0.1.0",
      host,
      pid,
      pue: 1.58,
      options: {},
      devices: [{ component: "cpu", device: "package-0", name: "Xeon", provenance: "counter" }],
      slurm: { job_id: String(1000 + (i % 50)), user: `user${i % 7}`, node: `node${i % 12}` },
      command: ["python", "train.py", `--seed=${i}`],
    },
    {
      type: "intensity",
      t: t0,
      g_per_kwh: 200 + (i % 100),
      source: "electricitymaps",
      location: "DK-DK2",
      forecast: false,
      valid_from: t0,
      valid_to: null,
    },
  ];
  for (let k = 1; k <= 60; k++)
    records.push({
      type: "sample",
      t: t0 + k * 1000,
      component: "cpu",
      device: "package-0",
      power_w: 95,
      energy_j: 95 * k,
      provenance: "counter",
    });
  for (let e = 1; e <= 3; e++)
    records.push({
      type: "epoch",
      t: t0 + e * 20_000,
      epoch: e,
      start_t: t0 + (e - 1) * 20_000,
      end_t: t0 + e * 20_000,
      duration_s: 20,
      energy_j: 1900,
      devices: [{ component: "cpu", device: "package-0", energy_j: 1900, provenance: "counter" }],
      co2eq_g: (1900 / 3.6e6) * 1.58 * 250,
    });
  records.push(
    {
      type: "actual",
      t: t0 + 60_000,
      epochs: 3,
      duration_s: 60,
      energy_kwh: (5700 / 3.6e6) * 1.58,
      co2eq_g: (5700 / 3.6e6) * 1.58 * 250,
      g_per_kwh: 250,
      interrupted: false,
    },
    { type: "end", t: t0 + 60_000, reason: "finished" },
  );
  const file = join(dir, `${id}_carbontracker.jsonl`);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  writeFileSync(join(dir, `${id}_carbontracker.log`), "2026-11-28 12:00:00 - carbontracker version 0.1.0\n");
  writeFileSync(join(dir, `${id}_carbontracker_output.log`), "");
  writeFileSync(join(dir, `${id}_carbontracker_err.log`), "");
  return file;
}

/** Writes `runs` runs into `dir`: even ones as the original's text logs, odd ones as ours with a JSONL. */
function writeFolder(dir: string, runs: number): void {
  for (let i = 0; i < runs; i++) {
    const id = `${30_000 + i}.${String(i).padStart(6, "0")}_2026-11-28T${String(10 + (i % 10)).padStart(2, "0")}5147Z`;
    if (i % 2 === 0) textLogs(dir, id, 90 + (i % 20));
    else jsonlRun(dir, id, i);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function fetchText(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const started = performance.now();
  return new Promise((done, fail) => {
    get(url, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("end", () => done({ ms: performance.now() - started, bytes, status: res.statusCode ?? 0 }));
    }).on("error", fail);
  });
}

/** From spawning `carbontracker dashboard` to the first page received (ms), and the index time it printed. */
function coldStart(dir: string): Promise<{ ms: number; printed: string }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [resolve("dist/src/cli/main.js"), "dashboard", "--log-dir", dir, "--listen", "127.0.0.1:0"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  return new Promise((done, fail) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /Open (http:\/\/\S+)/.exec(out)?.[1];
      if (!url || child.killed) return;
      void fetchText(url).then((r) => {
        const ms = performance.now() - started;
        child.kill("SIGTERM");
        child.on("close", () =>
          done({ ms: r.status === 200 ? ms : NaN, printed: /\(read in [^)]*\)/.exec(out)?.[0] ?? "" }),
        );
      }, fail);
    });
  });
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
    const cold: number[] = [];
    let printed = "";
    for (let pass = 0; pass < 3; pass++) {
      const r = await coldStart(dir);
      cold.push(r.ms);
      printed = r.printed;
    }

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
    const lines = (await import("node:fs"))
      .readFileSync(live, "utf8")
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
    console.log(
      `dashboard over ${RUNS} runs (${RUNS / 2} text-log pairs, ${RUNS / 2} JSONL runs with 3 text logs each):`,
    );
    console.log(
      `  index the folder (RunIndex.open): median ${s(median(indexMs))} of 3 (min ${s(Math.min(...indexMs))}, max ${s(Math.max(...indexMs))})`,
    );
    console.log(
      `  for comparison, the parser alone over the folder (readLogs, as --parse reads it): median ${s(median(parseMs))} of 3; index / parser: ${(median(indexMs) / median(parseMs)).toFixed(2)}`,
    );
    console.log(
      `  first page, index in memory: ${s(first.ms)} (${(first.bytes / 1024).toFixed(0)} KiB); target <= ${TARGET_S} s: ${met(first.ms)}`,
    );
    for (const [path, times] of Object.entries(pages))
      console.log(
        `  GET ${path}: median ${s(median(times))} of ${times.length} (the first: ${s(times[0] as number)})`,
      );
    console.log(
      `  cold start to first page (spawn carbontracker dashboard, index, serve /): median ${s(median(cold))} of 3 (${printed}); target <= ${TARGET_S} s: ${met(median(cold))}`,
    );
    console.log(
      `  live: JSONL append to its SSE event: median ${s(median(latencies))} of ${latencies.length} (max ${s(Math.max(...latencies))}); target <= 2 s: ${median(latencies) <= 2000 ? "met" : "NOT met"}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
