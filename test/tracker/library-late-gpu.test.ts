// The library on a GPU machine: the first epochStart() is read from the CPU's files at once and
// does not wait for the GPU's driver (NVML's init takes ~100 ms on a real GPU, 400 ms here); the
// GPU joins once the sampler thread has read it, the start lines naming it come then, and the
// first epoch counts it from that epochStart(). A driver that hangs in its init costs the program
// no more than the sampler thread's 20 s for a first answer, counted from the tracker's start.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker } from "../../src/index.js";
import type { TrackerOptions } from "../../src/tracker/options.js";
import { cliEnv, tempDir } from "../helpers/cli-process.js";
import { createFakeNvml, FAKE_A100, type FakeNvml } from "../helpers/fake-nvml.js";
import { FakePowercap, singlePackageLayout } from "../helpers/fake-powercap.js";

/** A GPU at a constant 100 W whose counter stands still: any GPU energy is the joining span's. */
const STILL_GPU = { ...FAKE_A100, energyMj: 7_000_000, powerMw: 100_000 };
/** How long the fake driver's nvmlInit_v2 takes. */
const INIT_MS = 400;
const COMPONENTS_LINE =
  /CarbonTracker: The following components were found: GPU with device\(s\) NVIDIA A100-SXM4-40GB\. CPU with device\(s\) cpu:0\.\n/;

/** A machine with a RAPL package and one GPU behind a slow driver; `body` gets tracker options for it. */
async function onGpuMachine(
  body: (options: TrackerOptions, console: () => string, nvml: FakeNvml) => Promise<void>,
): Promise<void> {
  const nvml = createFakeNvml({ initSleepMs: INIT_MS, gpus: [STILL_GPU] });
  const powercap = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 60 }), undefined, {
    inPlace: true,
    tickMs: 5,
  }).start();
  let out = "";
  const options: TrackerOptions = {
    epochs: 1,
    verbose: 2,
    stdout: (s) => (out += s),
    env: {
      CARBONTRACKER_OFFLINE: "1",
      CARBONTRACKER_POWERCAP_ROOT: powercap.root,
      CARBONTRACKER_NVML_LIBRARY: nvml.library,
      FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG,
    },
  };
  try {
    await body(options, () => out, nvml);
  } finally {
    powercap.dispose();
    nvml.cleanup();
  }
}

test("the library on a GPU machine: epochStart() does not wait for the driver, the GPU joins and is named once read", () =>
  onGpuMachine(async (options, out, nvml) => {
    const tracker = new CarbonTracker({ ...options, logDir: tempDir() });
    tracker.epochStart();
    appendFileSync(join(nvml.dir, "calls.log"), "epoch-started\n");
    assert.doesNotMatch(out(), /components were found/, "the start lines wait for the GPU");
    await sleep(INIT_MS + 600);
    assert.match(out(), COMPONENTS_LINE, "named once the sampler thread has read it");
    const epoch = await tracker.epochEnd();
    const result = await tracker.stop();
    const calls = nvml.calls();
    assert.ok(
      calls.indexOf("epoch-started") < calls.indexOf("nvmlInit_v2"),
      `calls in order: ${calls.join(", ")}`,
    );
    const gpu = epoch?.devices.find((d) => d.component === "gpu");
    assert.equal(gpu?.provenance, "counter");
    // The counter stood still: the GPU's energy is the span from epochStart() to its first
    // reading (after the driver's 400 ms init) at that reading's 100 W, and no more than the epoch.
    const durationS = epoch?.durationS ?? 0;
    assert.ok(
      (gpu?.energyJ ?? 0) >= (100 * INIT_MS) / 1000 && (gpu?.energyJ ?? 0) <= 100 * durationS,
      JSON.stringify(epoch),
    );
    // The text log has the start lines first, as the original's parser reads them.
    const log = readFileSync(result?.logFiles?.standard as string, "utf8").split("\n");
    assert.match(log.slice(0, 6).join("\n"), /The following components were found: GPU/);
  }));

test("CarbonTracker.create() on a GPU machine waits (without blocking) for the GPU: its start lines come at once", () =>
  onGpuMachine(async (options, out) => {
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 20);
    try {
      const tracker = await CarbonTracker.create(options);
      assert.match(out(), COMPONENTS_LINE);
      assert.ok(ticks >= 5, `the event loop ran while the driver initialised (${ticks} ticks of 20 ms)`);
      await tracker.stop();
    } finally {
      clearInterval(ticker);
    }
  }));

test("a GPU driver that hangs in its init: the library never waits for it past 20 s from its start, and measures the CPU", async () => {
  const nvml = createFakeNvml({ initSleepMs: 120_000, gpus: [STILL_GPU] });
  const powercap = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 60 }), undefined, {
    inPlace: true,
    tickMs: 5,
  }).start();
  try {
    // In a process of its own: the fake RAPL tree's driver runs on this one's event loop.
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = execFile(
        process.execPath,
        ["test/fixtures/hung-init-training.mjs"],
        {
          env: cliEnv({
            CARBONTRACKER_POWERCAP_ROOT: powercap.root,
            CARBONTRACKER_NVML_LIBRARY: nvml.library,
            FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG as string,
          }),
        },
        (_error, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
      );
    });
    assert.equal(run.code, 0, run.stderr);
    const times = JSON.parse(run.stdout) as { started: number; ended: number; devices: string[] };
    assert.ok(
      times.started < 2_000,
      `the first epoch started ${times.started} ms after the tracker was built`,
    );
    // The epoch's end (at 4 s) waits for the GPU to join until 20 s after the tracker started, not 20 s more.
    assert.ok(times.ended >= 19_000 && times.ended < 22_000, `the epoch ended at ${times.ended} ms`);
    assert.deepEqual(times.devices, ["cpu:0"]);
    assert.match(
      run.stderr,
      /WARNING - GPU not measured: the sampler thread that reads it could not take over \(sampler worker did not answer a describe request in time\)\.\nCarbonTracker: The following components were found: CPU with device\(s\) cpu:0\./,
    );
    // The thread stuck in the driver does not keep the program alive.
    assert.match(run.stderr, /a device read is stuck in its driver/);
  } finally {
    powercap.dispose();
    nvml.cleanup();
  }
});
