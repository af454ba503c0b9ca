// Our JSONL: read instead of the text logs beside it, exact numbers and provenance, and a run
// killed mid-write still counted from every complete line. The end-to-end test runs the real
// tracker on simulated components and reads back what it wrote.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker } from "../../../src/library/carbon-tracker.js";
import { readLogs, totalConsumption } from "../../../src/logs/parser/index.js";
import type { TrackerRecord } from "../../../src/logs/schema.js";
import { tempFolder } from "./helpers.js";

const RUN = "ct_4242.000001_2026-01-02T030405Z";
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

function records(pue = 1.5): TrackerRecord[] {
  const epoch = (n: number, cpuJ: number, gpuJ: number): TrackerRecord => ({
    type: "epoch",
    t: T0 + n * 10_000,
    epoch: n,
    start_t: T0 + (n - 1) * 10_000,
    end_t: T0 + n * 10_000,
    duration_s: 10,
    energy_j: cpuJ + gpuJ,
    devices: [
      { component: "cpu", device: "package-0", energy_j: cpuJ, provenance: "counter" },
      { component: "gpu", device: "GPU-0", energy_j: gpuJ, provenance: "counter" },
    ],
    co2eq_g: ((cpuJ + gpuJ) / 3.6e6) * pue * 200,
  });
  return [
    {
      type: "start",
      t: T0,
      version: "0.1.0",
      host: "node17",
      pid: 4242,
      pue,
      options: { epochs: 3 },
      devices: [
        { component: "cpu", device: "package-0", name: "Xeon", provenance: "counter" },
        { component: "gpu", device: "GPU-0", name: "A100", provenance: "counter" },
      ],
      slurm: { job_id: "777", node: "node17", user: "ada" },
    },
    {
      type: "intensity",
      t: T0,
      g_per_kwh: 200,
      source: "electricitymaps",
      location: "DK-DK2",
      forecast: false,
      valid_from: T0,
      valid_to: null,
    },
    {
      type: "sample",
      t: T0 + 1000,
      component: "cpu",
      device: "package-0",
      power_w: 100,
      energy_j: 100,
      provenance: "counter",
    },
    epoch(1, 1000, 3000),
    {
      type: "prediction",
      t: T0 + 10_001,
      epochs: 3,
      duration_s: 30,
      energy_kwh: (12000 / 3.6e6) * pue,
      co2eq_g: (12000 / 3.6e6) * pue * 200,
      g_per_kwh: 200,
      range: null,
    },
    epoch(2, 1100, 3100),
    epoch(3, 900, 2900),
  ];
}

const finish = (pue = 1.5): TrackerRecord[] => [
  {
    type: "actual",
    t: T0 + 30_001,
    epochs: 3,
    duration_s: 30,
    energy_kwh: (12000 / 3.6e6) * pue,
    co2eq_g: (12000 / 3.6e6) * pue * 200,
    g_per_kwh: 200,
    interrupted: false,
  },
  { type: "end", t: T0 + 30_002, reason: "finished" },
];

const jsonl = (list: TrackerRecord[]) => list.map((r) => `${JSON.stringify(r)}\n`).join("");

test("a JSONL beside the text logs is read instead of them, with its SLURM identity, host and provenance", async (t) => {
  const dir = tempFolder(t);
  writeFileSync(join(dir, `${RUN}_carbontracker.jsonl`), jsonl([...records(), ...finish()]));
  writeFileSync(
    join(dir, `${RUN}_carbontracker.log`),
    "2026-01-02 03:04:05 - garbage that must not be read\n",
  );
  writeFileSync(join(dir, `${RUN}_carbontracker_output.log`), "");
  const { runs, issues } = await readLogs([dir]);
  assert.deepEqual(issues, []);
  const [run] = runs;
  assert.equal(run?.source, "jsonl");
  assert.equal(run?.runId, RUN);
  assert.equal(run?.host, "node17");
  assert.deepEqual(run?.slurm, { job_id: "777", node: "node17", user: "ada" });
  assert.equal(run?.start, "2026-01-02T03:04:05.000Z");
  assert.equal(run?.counted.basis, "actual");
  assert.equal(run?.counted.energyKwh, (12000 / 3.6e6) * 1.5);
  assert.equal(run?.counted.epochs, 3);
  assert.deepEqual(run?.components.cpu?.energyJ, [[1000], [1100], [900]]);
  assert.deepEqual(run?.components.gpu?.powerW, [[300], [310], [290]]);
  assert.equal(run?.components.gpu?.provenance, "counter");
  assert.deepEqual(run?.intensity, {
    gPerKwh: 200,
    source: "electricitymaps",
    location: "DK-DK2",
    year: null,
  });
  assert.equal(run?.samples.length, 1);
  assert.equal(run?.earlyStop, false);
  assert.deepEqual(run?.files.standard, join(dir, `${RUN}_carbontracker.log`));
});

test("a JSONL killed mid-line: every complete line counts, the cut line is named, the epochs count (not the prediction)", async (t) => {
  const dir = tempFolder(t);
  const text = jsonl(records());
  writeFileSync(join(dir, `${RUN}_carbontracker.jsonl`), `${text}{"type":"sample","t":17,"compo`);
  const { runs, issues } = await readLogs([dir]);
  const [run] = runs;
  assert.equal(run?.counted.basis, "epochs");
  assert.equal(run?.counted.epochs, 3);
  assert.equal(run?.counted.energyKwh, (12000 / 3.6e6) * 1.5);
  assert.ok(issues.some((i) => /line 8 is cut short/.test(i.message)));
  assert.ok(issues.some((i) => /no end record/.test(i.message)));
  assert.equal(run?.earlyStop, true);
});

test("a JSONL with a corrupt line in the middle and only a partial epoch after the prediction", async (t) => {
  const dir = tempFolder(t);
  const list = records().slice(0, 5);
  const lines = jsonl(list).split("\n");
  lines.splice(2, 0, "{not json");
  lines.push(
    JSON.stringify({
      type: "epoch",
      t: T0 + 15_000,
      epoch: 2,
      start_t: T0 + 10_000,
      end_t: T0 + 15_000,
      duration_s: 5,
      energy_j: 2000,
      devices: [],
      co2eq_g: 0,
      partial: true,
    }),
  );
  writeFileSync(join(dir, `${RUN}_carbontracker.jsonl`), `${lines.join("\n")}\n`);
  const { runs, issues } = await readLogs([dir]);
  assert.ok(issues.some((i) => /line 3 is not JSON: skipped/.test(i.message)));
  assert.equal(runs[0]?.counted.epochs, 1, "the partial epoch is not counted");
  assert.equal(runs[0]?.counted.energyKwh, (4000 / 3.6e6) * 1.5);
  assert.ok(runs[0]?.warnings.some((w) => /ended after 1 epoch of 3/.test(w)));
});

test("an empty JSONL falls back to the text logs beside it, saying so", async (t) => {
  const dir = tempFolder(t);
  writeFileSync(join(dir, `${RUN}_carbontracker.jsonl`), "");
  writeFileSync(
    join(dir, `${RUN}_carbontracker_output.log`),
    "CarbonTracker: \nActual consumption for 1 epoch(s):\n\tTime:\t0:00:10\n\tEnergy:\t0.5 kWh\n\tCO2eq:\t1.5 g\n",
  );
  writeFileSync(join(dir, `${RUN}_carbontracker.log`), "2026-01-02 03:04:05 - Epoch 1:\n");
  const { runs, issues } = await readLogs([dir]);
  assert.equal(runs[0]?.source, "text");
  assert.equal(runs[0]?.counted.energyKwh, 0.5);
  assert.ok(issues.some((i) => i.file.endsWith(".jsonl") && /holds no complete record/.test(i.message)));
});

test("our tracker's own logs read back exactly: JSONL figures equal its result, text logs equal what they print", async (t) => {
  const dir = tempFolder(t);
  const tracker = new CarbonTracker({
    epochs: 2,
    updateInterval: 0.05,
    logDir: dir,
    stdout: () => {},
    env: { CARBONTRACKER_OFFLINE: "1" },
    simCpu: "Intel Xeon Gold 6226R",
    simCpuTdp: 150,
    simCpuUtil: 0.8,
    simGpu: "NVIDIA A100-SXM4-40GB",
    simGpuWatts: 400,
    simGpuUtil: 0.5,
  });
  for (let e = 0; e < 2; e++) {
    tracker.epochStart();
    await sleep(120);
    await tracker.epochEnd();
  }
  const result = await tracker.stop();
  assert.ok(result);
  const { runs } = await readLogs([dir]);
  assert.equal(runs.length, 1);
  const [run] = runs;
  assert.equal(run?.source, "jsonl");
  assert.equal(run?.counted.energyKwh, result.energyKwh);
  assert.equal(run?.counted.co2eqG, result.co2eqG);
  assert.equal(run?.counted.epochs, 2);
  assert.equal(run?.components.cpu?.provenance, "simulated");
  assert.equal(run?.pred?.energyKwh, result.prediction?.energyKwh);

  const textOnly = tempFolder(t);
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".log")))
    copyFileSync(join(dir, name), join(textOnly, name));
  const [text] = (await readLogs([textOnly])).runs;
  assert.equal(text?.source, "text");
  const printed =
    /Actual consumption for 2 epoch\(s\):\n\tTime:\t\S+\n\tEnergy:\t(\S+) kWh\n\tCO2eq:\t(\S+) g/.exec(
      readFileSync(text?.files.output as string, "utf8"),
    );
  assert.ok(printed);
  assert.equal(text?.counted.basis, "actual");
  assert.equal(text?.counted.energyKwh, Number(printed[1]));
  assert.equal(text?.counted.co2eqG, Number(printed[2]));
  assert.ok(Math.abs((text?.counted.energyKwh ?? 0) - result.energyKwh) < 1e-12);
  assert.deepEqual(text?.components.cpu?.devices, run?.components.cpu?.devices);
  assert.equal(text?.components.cpu?.provenance, "simulated", "from the output log's SIMULATED note");
  assert.equal(totalConsumption(runs).energyKwh, result.energyKwh);
});
