// The dashboard's index of a log folder: the same runs and sums as the parser over the whole
// folder (copies counted once even when read in small batches), and kept current by watching,
// with fs.watch and with polling alone: a run that appears, grows, ends and disappears.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, copyFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readLogs, totalConsumption } from "../../src/logs/parser/index.js";
import { runProgress } from "../../src/logs/parser/run-progress.js";
import type { TrackerRecord } from "../../src/logs/schema.js";
import { RunIndex } from "../../src/dashboard/run-index.js";
import { tempDir } from "../helpers/cli-process.js";
import { copyOriginalLogs } from "./dashboard-kit.js";

const RUN = "4242.000042_2026-01-02T030405Z";
const T0 = Date.now() - 10_000;

function line(record: TrackerRecord): string {
  return `${JSON.stringify(record)}\n`;
}

function start(): TrackerRecord {
  return {
    type: "start",
    t: T0,
    version: "0.1.0",
    host: hostname(),
    // This test's own process: alive while the test runs, so the run counts as going.
    pid: process.pid,
    pue: 1.5,
    options: {},
    devices: [{ component: "cpu", device: "cpu:0", name: "Sim", provenance: "simulated" }],
    command: ["python", "train.py"],
  };
}

function sample(k: number): TrackerRecord {
  return {
    type: "sample",
    t: T0 + k * 1000,
    component: "cpu",
    device: "cpu:0",
    power_w: 100,
    energy_j: 100 * k,
    provenance: "simulated",
  };
}

async function until<T>(what: string, probe: () => T | undefined, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(50);
  }
}

test("index: the parser's runs and sums, copies counted once", async () => {
  const dir = tempDir("ct-index-");
  copyOriginalLogs(dir);
  // A copy of one run under another prefix: the parser counts it once.
  for (const name of readdirSync(dir).filter((n) => n.startsWith("31794.681071")))
    copyFileSync(join(dir, name), join(dir, `copy_${name}`));
  const parsed = await readLogs([dir]);
  const index = await RunIndex.open([dir], { watch: "off" });
  try {
    const runs = index.runs();
    assert.deepEqual(
      runs.map((e) => e.run.runId),
      parsed.runs.map((r) => r.runId),
    );
    assert.deepEqual(totalConsumption(runs.map((e) => e.run)), totalConsumption(parsed.runs));
    assert.ok(index.problems().some((p) => /same run as .*: counted once/.test(p.message)));
  } finally {
    index.close();
  }
});

for (const watch of ["fs", "poll"] as const) {
  test(`index (${watch}): a run appears, grows, ends and disappears`, async () => {
    const dir = tempDir(`ct-index-${watch}-`);
    const index = await RunIndex.open([dir], { watch });
    const changes: string[] = [];
    index.subscribe((c) => changes.push(`${c.kind} ${c.entry?.status ?? ""}`));
    const file = join(dir, `${RUN}_carbontracker.jsonl`);
    try {
      writeFileSync(file, line(start()) + line(sample(1)));
      const first = await until("the new run", () => index.runs()[0]);
      assert.equal(first.status, "running");
      assert.deepEqual(first.run.command, ["python", "train.py"]);
      assert.equal(first.progress?.energyKwh, (100 / 3.6e6) * 1.5);
      appendFileSync(file, line(sample(2)) + line(sample(3)));
      const grown = await until("the grown run", () => {
        const e = index.runs()[0];
        return e && e.progress && e.progress.energyKwh > first.progress!.energyKwh ? e : undefined;
      });
      assert.equal(grown.progress?.energyKwh, (300 / 3.6e6) * 1.5);
      assert.equal(grown.progress?.powerW, 100);
      assert.equal(grown.progress?.elapsedS, 3);
      appendFileSync(
        file,
        line({
          type: "epoch",
          t: T0 + 3000,
          epoch: 1,
          start_t: T0,
          end_t: T0 + 3000,
          duration_s: 3,
          energy_j: 300,
          devices: [{ component: "cpu", device: "cpu:0", energy_j: 300, provenance: "simulated" }],
          co2eq_g: 0.05,
        }) +
          line({
            type: "actual",
            t: T0 + 3000,
            epochs: 1,
            duration_s: 3,
            energy_kwh: 1.25e-4,
            co2eq_g: 0.05,
            g_per_kwh: 400,
            interrupted: false,
          }) +
          line({ type: "end", t: T0 + 3000, reason: "finished" }),
      );
      const ended = await until("the finished run", () => {
        const e = index.runs()[0];
        return e?.status === "finished" ? e : undefined;
      });
      assert.equal(ended.record.energy_kwh, 1.25e-4);
      rmSync(file);
      await until("the run gone", () => (index.runs().length === 0 ? true : undefined));
      assert.deepEqual(changes.slice(0, 1), ["added running"]);
      assert.equal(changes.at(-1), "removed ");
    } finally {
      index.close();
    }
  });
}

test("run progress: energy so far from the newest sample of each device, after PUE", () => {
  const text = [start(), sample(1), sample(2), { ...sample(2), device: "cpu:1", energy_j: 50, power_w: 25 }]
    .map(line)
    .join("");
  const dir = tempDir("ct-progress-");
  writeFileSync(join(dir, `${RUN}_carbontracker.jsonl`), text);
  return readLogs([dir]).then(({ runs }) => {
    const progress = runProgress(runs[0]!);
    assert.equal(progress.energyKwh, ((200 + 50) / 3.6e6) * 1.5);
    assert.equal(progress.powerW, 125);
    assert.equal(progress.elapsedS, 2);
    assert.equal(progress.co2eqG, null, "no intensity logged: no CO2eq so far");
    assert.equal(progress.epochs, 0);
  });
});
