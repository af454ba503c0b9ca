// The library's sampler with file backends: readings start on the caller's thread at once and
// move to the sampler worker once it is ready, the counters going on exactly across the move;
// a backend that may hang in a driver call is only ever read in the worker; a GPU read through
// such a driver may join late (the CLI's way, and the library's from its first reading on).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BACKENDS } from "../../src/hardware/registry.js";
import type { Snapshot } from "../../src/sampling/reader-set.js";
import type { SamplerConfig } from "../../src/sampling/sampler.js";
import { startBackgroundSampler } from "../../src/sampling/sampler-choice.js";
import { HandoffSampler } from "../../src/sampling/handoff-sampler.js";
import {
  createFakeNvml,
  FAKE_A100,
  renderFakeNvmlConfig,
  type FakeNvml,
  type FakeNvmlConfig,
} from "../helpers/fake-nvml.js";
import { WorkerSampler } from "../../src/sampling/worker-sampler.js";
import { FakePowercap, singlePackageLayout, twoSocketLayout } from "../helpers/fake-powercap.js";
import { descriptorsOn } from "../helpers/open-descriptors.js";

const config = (env: Record<string, string>): SamplerConfig => ({
  components: ["cpu"],
  updateIntervalMs: 100,
  context: { env, pid: process.pid, devicesByPid: false },
});

test("RAPL: the first reading is taken here at once, the worker takes over, the energy stays exact", async () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 60 }), undefined, {
    inPlace: true,
    tickMs: 5,
  }).start();
  const counter = realpathSync(join(fake.root, "intel-rapl:0", "energy_uj"));
  const seen: Snapshot[] = [];
  const sampler = startBackgroundSampler(
    config({ CARBONTRACKER_POWERCAP_ROOT: fake.root }),
    () => undefined,
    BACKENDS,
    false,
  );
  sampler.addListener?.((s) => seen.push(s));
  try {
    const t0 = fake.now();
    const first = sampler.readNow();
    await sleep(1200);
    const t1 = fake.now();
    const last = sampler.readNow();
    const injected = fake.injectedJ("intel-rapl:0", t0, t1);
    const measured = (last.readings[0]?.energyJ ?? 0) - (first.readings[0]?.energyJ ?? 0);
    assert.ok(injected > 60, `${injected} J injected`);
    assert.ok(
      Math.abs(measured - injected) <= injected * 1e-6,
      `measured ${measured} J, injected ${injected} J`,
    );
    // Only the worker's reader holds the counter now (this thread's closed at the handoff).
    assert.equal(descriptorsOn(counter).length, 2, "the fake's writer and the worker's reader");
    const energies = seen.map((s) => s.readings[0]?.energyJ ?? 0);
    assert.ok(energies.length >= 5, `${energies.length} samples`);
    assert.deepEqual(
      [...energies].sort((a, b) => a - b),
      energies,
      "energy never goes back across the move",
    );
  } finally {
    sampler.close();
    fake.dispose();
  }
});

test("with the components named, a backend that may hang in a driver call (NVML) is read in the worker from the start", () => {
  const sampler = startBackgroundSampler(
    {
      ...config({ CARBONTRACKER_NVML_LIBRARY: "/nonexistent/libnvidia-ml.so.1" }),
      components: ["gpu", "cpu"],
    },
    () => undefined,
    BACKENDS,
    true,
  );
  try {
    assert.ok(sampler instanceof WorkerSampler);
  } finally {
    sampler.close();
  }
});

/**
 * A GPU machine's sampler config: the fake powercap tree and the fake NVML. This thread's first
 * sample (which starts the CLI's worker too) comes after the tests' reads.
 */
function gpuMachine(fake: FakePowercap, nvml: FakeNvml): SamplerConfig {
  return {
    ...config({
      CARBONTRACKER_POWERCAP_ROOT: fake.root,
      CARBONTRACKER_NVML_LIBRARY: nvml.library,
      FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG as string,
    }),
    components: ["gpu", "cpu"],
    updateIntervalMs: 5_000,
  };
}

/** The CLI's sampler on a GPU machine: the CPU's files here, the GPU (fake NVML) joining late. */
function lateGpuSampler(fake: FakePowercap, nvml: FakeNvml): HandoffSampler {
  const sampler = HandoffSampler.tryStart(gpuMachine(fake, nvml), () => undefined, BACKENDS, {
    components: ["gpu"],
    workerStarts: "after-first-boundary",
  });
  assert.ok(sampler, "the CPU's files are detected here at once");
  return sampler;
}

test("a GPU that joins late: no driver call before the baseline, then the GPU counts from it at its first reading's power", async () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 60 }), undefined, {
    inPlace: true,
    tickMs: 5,
  }).start();
  // The GPU's counter stands still at 100 W: its energy can only come from the joining span.
  const nvml = createFakeNvml({ gpus: [{ ...FAKE_A100, powerMw: 100_000 }] });
  const sampler = lateGpuSampler(fake, nvml);
  try {
    const t0 = fake.now();
    const baseline = sampler.readNow();
    assert.equal(baseline.readings.length, 1, "the baseline holds this thread's device, the CPU's");
    const cpuDevice = baseline.readings[0]?.device;
    await sleep(300);
    assert.deepEqual(nvml.calls(), [], "no driver call until the worker is asked for");
    const devices = sampler.description().devices;
    assert.deepEqual(
      devices.map((d) => [d.component, d.name]),
      [
        ["gpu", FAKE_A100.name],
        ["cpu", devices[1]?.name],
      ],
    );
    assert.equal(devices[1]?.device, cpuDevice);
    assert.deepEqual(nvml.calls(), ["nvmlInit_v2"]);
    const t1 = fake.now();
    const last = sampler.readNow();
    const gpuJ = last.readings.find((r) => r.device === devices[0]?.device)?.energyJ ?? -1;
    const spanS = (last.tMs - baseline.tMs) / 1000;
    assert.ok(gpuJ >= 100 * 0.3 && gpuJ <= 100 * spanS, `${gpuJ} J of the GPU over ${spanS} s`);
    // The CPU goes on exactly from this thread's baseline through the worker's counter.
    const cpuJ =
      (last.readings.find((r) => r.device === cpuDevice)?.energyJ ?? 0) -
      (baseline.readings[0]?.energyJ ?? 0);
    const injected = fake.injectedJ("intel-rapl:0", t0, t1);
    assert.ok(Math.abs(cpuJ - injected) <= injected * 1e-6, `measured ${cpuJ} J, injected ${injected} J`);
  } finally {
    sampler.close();
    nvml.cleanup();
    fake.dispose();
  }
});

test("a late GPU whose worker cannot take over: this thread goes on with its devices and says the GPU is not measured", async () => {
  const fake = new FakePowercap(twoSocketLayout({ kind: "constant", watts: 80 }, 10), undefined, {
    inPlace: true,
    tickMs: 5,
  }).start();
  const nvml = createFakeNvml({ gpus: [FAKE_A100] });
  const sampler = lateGpuSampler(fake, nvml);
  try {
    const baseline = sampler.readNow();
    const cpuDevices = baseline.readings.map((r) => r.device);
    assert.equal(cpuDevices.length, 4, "both sockets and their DRAM read here");
    // The second socket goes before the worker starts: it finds other CPU devices than ours.
    fake.vanish("intel-rapl:1");
    const description = sampler.description();
    assert.deepEqual(
      description.devices.map((d) => d.device),
      cpuDevices,
    );
    assert.deepEqual(
      sampler
        .drainNotices()
        .filter((n) => n.level === "warning")
        .map((n) => n.message),
      [
        "GPU not measured: the sampler thread that reads it could not take over (the worker found other devices).",
      ],
    );
    await sleep(50);
    const later = sampler.readNow();
    assert.deepEqual(
      later.readings.map((r) => r.device),
      cpuDevices,
      "this thread goes on reading its own devices",
    );
    assert.ok((later.readings[0]?.energyJ ?? 0) > (baseline.readings[0]?.energyJ ?? 0));
  } finally {
    sampler.close();
    nvml.cleanup();
    fake.dispose();
  }
});

/**
 * Swaps the fake's config for `next` after `afterMs`, from another process: the test's own
 * thread may be blocked then (a training step that never yields).
 */
function writeFromOutside(nvml: FakeNvml, next: FakeNvmlConfig, afterMs: number): ChildProcess {
  const target = process.env.FAKE_NVML_CONFIG as string;
  const staged = join(nvml.dir, "staged.conf");
  writeFileSync(staged, renderFakeNvmlConfig(next, join(nvml.dir, "calls.log")));
  return spawn("sh", ["-c", 'sleep "$1" && mv -f "$2" "$3"', "sh", String(afterMs / 1000), staged, target], {
    stdio: "ignore",
  });
}

test("the library's sampler on a GPU machine: ready at once, the GPU joins from the worker's first reading, even while this thread is blocked", async () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 60 }), undefined, {
    inPlace: true,
    tickMs: 5,
  }).start();
  const gpu = { ...FAKE_A100, energyMj: 7_000_000, powerMw: 100_000 };
  const nvml = createFakeNvml({ gpus: [gpu] });
  const sampler = startBackgroundSampler(gpuMachine(fake, nvml), () => undefined, BACKENDS, false);
  try {
    assert.ok(sampler instanceof HandoffSampler, "the CPU's files are read here while the GPU joins");
    let joined = false;
    assert.equal(
      sampler.describedLater?.(() => (joined = true)),
      true,
    );
    const start = sampler.readNow();
    assert.deepEqual(
      start.readings.map((r) => r.device),
      ["cpu:0"],
      "the first boundary does not wait for the driver",
    );
    // A training step that holds this thread for 1.2 s: the worker starts and reads the GPU
    // meanwhile (its counter at 7,000 J), then the counter moves 300 J while nobody here looks.
    const mover = writeFromOutside(nvml, { gpus: [{ ...gpu, energyMj: 7_300_000 }] }, 700);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_200);
    const end = sampler.readNow();
    await once(mover, "exit");
    assert.equal(joined, true, "the GPU joined within the read that found the worker ready");
    const gpuJ = end.readings.find((r) => r.device === gpu.name)?.energyJ;
    const spanS = (end.tMs - start.tMs) / 1000;
    // The counter's 300 J, and the span before the worker's first reading at its 100 W. Joining
    // at the end's reading instead would count the whole 1.2 s at 100 W and lose the 300 J.
    assert.ok(
      gpuJ !== undefined && gpuJ >= 300 && gpuJ < 300 + 100 * 0.6,
      `${gpuJ} J of the GPU over ${spanS} s`,
    );
    assert.deepEqual(nvml.calls(), ["nvmlInit_v2"]);
  } finally {
    sampler.close();
    nvml.cleanup();
    fake.dispose();
  }
});
