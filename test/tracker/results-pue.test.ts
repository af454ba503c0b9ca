// What the library hands back says what includes PUE; an epoch cut short still has its CO2eq;
// the console lines go to the stream the user chose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker } from "../../src/index.js";
import { tempDir } from "../helpers/cli-process.js";

const OFFLINE = { CARBONTRACKER_OFFLINE: "1" };
const WORLD = 445; // g/kWh, the embedded world average without a location (IEA 2024).

function records(dir: string): Record<string, unknown>[] {
  const name = readdirSync(dir).find((n) => n.endsWith(".jsonl")) as string;
  return readFileSync(join(dir, name), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test("results name the device energy (before PUE), the facility energy (× PUE) and CO2eq of the facility energy", async () => {
  const tracker = await CarbonTracker.create({
    epochs: 2,
    pue: 1.5,
    updateInterval: 0.05,
    stdout: () => {},
    env: OFFLINE,
    simCpu: "cpu",
    simCpuTdp: 100,
    simCpuUtil: 1,
  });
  tracker.epochStart();
  await sleep(100);
  const first = (await tracker.epochEnd())!;
  tracker.epochStart();
  await sleep(100);
  await tracker.epochEnd();
  const run = (await tracker.stop())!;
  // 100 W for the epoch's duration is the device energy; PUE 1.5 makes the facility's.
  assert.ok(Math.abs(first.energyJ - 100 * first.durationS) < 1e-6, `${first.energyJ} J`);
  assert.ok(Math.abs(first.facilityEnergyJ - first.energyJ * 1.5) < 1e-9);
  assert.ok(Math.abs(first.co2eqG - (first.facilityEnergyJ / 3.6e6) * WORLD) < 1e-12);
  const deviceJ = run.epochResults.reduce((sum, e) => sum + e.energyJ, 0);
  assert.ok(Math.abs(run.deviceEnergyJ - deviceJ) < 1e-9);
  assert.ok(Math.abs(run.energyKwh - (deviceJ / 3.6e6) * 1.5) < 1e-15, "energyKwh is the facility's");
  assert.ok(Math.abs(run.co2eqG - run.energyKwh * WORLD) < 1e-12);
});

test("an epoch cut short by stop() has its CO2eq in the JSONL, not 0", async () => {
  const dir = tempDir();
  const tracker = new CarbonTracker({
    epochs: 3,
    updateInterval: 0.05,
    logDir: dir,
    stdout: () => {},
    env: OFFLINE,
    simCpu: "cpu",
    simCpuTdp: 200,
    simCpuUtil: 1,
  });
  tracker.epochStart();
  await sleep(50);
  await tracker.epochEnd();
  tracker.epochStart();
  await sleep(150);
  await tracker.stop();
  const cut = records(dir).find((r) => r.type === "epoch" && r.partial === true) as Record<string, number>;
  assert.ok(cut, "a partial epoch record");
  assert.ok(cut.energy_j! > 20, `${cut.energy_j} J`);
  assert.ok(Math.abs(cut.co2eq_g! - (cut.energy_j! / 3.6e6) * 1.58 * WORLD) < 1e-12, `${cut.co2eq_g} g`);
});

for (const stream of ["stdout", "stderr"] as const) {
  test(`console: "${stream}" puts the tracker's lines on ${stream}`, () => {
    const run = spawnSync(process.execPath, [resolve("test/fixtures/console-stream.mjs"), stream], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: tempDir(), CARBONTRACKER_OFFLINE: "1" },
    });
    assert.equal(run.status, 0, run.stderr);
    const [mine, other] = stream === "stdout" ? [run.stdout, run.stderr] : [run.stderr, run.stdout];
    assert.match(mine, /CarbonTracker: \nActual consumption for 1 epoch\(s\):/);
    assert.doesNotMatch(other, /CarbonTracker/);
    assert.match(run.stdout, /^data,1$/m);
  });
}

test("CarbonTracker.create() lets the event loop run while the sampler worker starts", async () => {
  let ticks = 0;
  const ticker = setInterval(() => (ticks += 1), 1);
  const tracker = await CarbonTracker.create({
    epochs: 1,
    stdout: () => {},
    // An NVML library named: detection waits for the worker (file-based hardware alone is read
    // on this thread at once, with nothing to wait for).
    env: { ...OFFLINE, CARBONTRACKER_NVML_LIBRARY: "/nonexistent/libnvidia-ml.so.1" },
    simCpu: "cpu",
    simCpuTdp: 10,
  });
  clearInterval(ticker);
  // Starting a worker thread and detecting the hardware takes tens of ms: a blocking start would tick 0 times.
  assert.ok(ticks > 0, `the loop ticked ${ticks} times`);
  tracker.epochStart();
  assert.ok((await tracker.epochEnd())!.energyJ >= 0);
  await tracker.stop();
});
