// Large log folders for the dashboard's benchmark and its scale test: finished runs, half the
// original's text logs, half our JSONL with the three text logs beside it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** The original's standard and output logs of one finished 3-epoch run. */
export function textLogs(dir: string, id: string, watts: number): void {
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

/** Our four files of one 3-epoch run (a JSONL of 60 samples); returns the JSONL's path. */
export function jsonlRun(dir: string, id: string, i: number, pid = 20_000 + i, host = "node01"): string {
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
export function writeFolder(dir: string, runs: number): void {
  for (let i = 0; i < runs; i++) {
    const id = `${30_000 + i}.${String(i).padStart(6, "0")}_2026-11-28T${String(10 + (i % 10)).padStart(2, "0")}5147Z`;
    if (i % 2 === 0) textLogs(dir, id, 90 + (i % 20));
    else jsonlRun(dir, id, i);
  }
}
