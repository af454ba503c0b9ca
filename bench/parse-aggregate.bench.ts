// Aggregating a large log folder: 10,000 runs of the original's 2.4.3 text logs (standard and
// output log each, 3 epochs, prediction and actual), then the median time of
// aggregateConsumption over a few passes (target: under 2 s).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aggregateConsumption } from "../src/logs/parser/index.js";

const RUNS = 10_000;
const PASSES = 5;
const TARGET_S = 2;

function standardLog(watts: number): string {
  const t = "2026-11-28 12:51:47 - ";
  const lines = [
    `${t}carbontracker version 2.4.3`,
    `${t}Only predicted and actual consumptions are multiplied by a PUE coefficient of 1.58 (Daniel Bizo, 2023, Uptime Institute Global Data Center Survey).`,
    `${t}The following components were found: GPU with device(s) NVIDIA A100-SXM4-40GB. CPU with device(s) cpu:0.`,
    `${t}Monitoring thread started.`,
  ];
  for (let e = 1; e <= 3; e++) {
    lines.push(
      `${t}Epoch ${e}:`,
      `${t}Duration: 0:00:02.30`,
      `${t}Average power usage (W) for gpu: ${watts * 3}`,
      `${t}Average power usage (W) for cpu: ${watts}`,
    );
  }
  lines.push(
    `${t}Carbon intensities (gCO2eq/kWh) fetched every 900 s at detected location: Unknown: [445.0]`,
    `${t}Average carbon intensity during training was 445.00 gCO2eq/kWh. `,
    `${t}Monitoring thread ended.`,
  );
  return `${lines.join("\n")}\n`;
}

function outputLog(kwh: number): string {
  const t = "2026-11-28 12:51:49 - CarbonTracker: ";
  const block = (title: string) =>
    `${t}\n${title}\n\tTime:\t0:00:07\n\tEnergy:\t${kwh.toFixed(12)} kWh\n\tCO2eq:\t${(kwh * 445).toFixed(12)} g\n\tThis is equivalent to:\n\t${((kwh * 445) / 106.8).toFixed(12)} km travelled by car\n`;
  return `${t}The following components were found: GPU with device(s) NVIDIA A100-SXM4-40GB. CPU with device(s) cpu:0.\n${block("Predicted consumption for 3 epoch(s):")}${block("Actual consumption for 3 epoch(s):")}${t}Finished monitoring.\n`;
}

/** Writes the folder, times the passes, prints the median; never fails on the figure. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ct-bench-parse-"));
  try {
    for (let i = 0; i < RUNS; i++) {
      const id = `${10_000 + i}.${String(i).padStart(6, "0")}_2026-11-28T125147Z`;
      const watts = 90 + (i % 20);
      writeFileSync(join(dir, `${id}_carbontracker.log`), standardLog(watts));
      writeFileSync(join(dir, `${id}_carbontracker_output.log`), outputLog((watts * 4 * 6.9 * 1.58) / 3.6e6));
    }
    const times: number[] = [];
    let runs = 0;
    for (let p = 0; p < PASSES; p++) {
      const start = performance.now();
      const totals = await aggregateConsumption(dir, { onIssue: () => {} });
      times.push((performance.now() - start) / 1000);
      runs = totals.runs;
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] as number;
    console.log(
      `aggregateConsumption over ${RUNS} log pairs (${runs} runs counted): median ${median.toFixed(3)} s of ${PASSES} passes (min ${times[0]?.toFixed(3)} s, max ${times.at(-1)?.toFixed(3)} s); target < ${TARGET_S} s: ${median < TARGET_S ? "met" : "NOT met"}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
