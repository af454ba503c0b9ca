// When a reading is dated: the instant the readers were given, which a time-integrating reader
// counts up to exactly and a counter is read just after. A read that took long enough that this
// thread was paused (a loaded machine) is read again; paused twice, it is dated at the middle of
// the second read, off by half the pause instead of all of it. The RAPL reader runs on a fake
// powercap tree, the simulated one on its own clock; only the clock, the seam under test, is
// scripted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openRapl } from "../../src/hardware/rapl/rapl-backend.js";
import { simulatedCpuBackend } from "../../src/hardware/simulated/simulated-reader.js";
import type { PowerReader } from "../../src/hardware/types.js";
import { ReaderSet } from "../../src/sampling/reader-set.js";
import { createFakeNvml } from "../helpers/fake-nvml.js";
import { FakePowercap, singlePackageLayout, spawnFakePowercap } from "../helpers/fake-powercap.js";
import { a100, openReader } from "../hardware/nvml/nvml-test-kit.js";

/** A clock that answers `times` in turn. */
function scripted(times: number[]): () => number {
  let next = 0;
  return () => times[Math.min(next++, times.length - 1)] as number;
}

function raplSet(fake: FakePowercap): ReaderSet {
  const opened = openRapl(fake.root);
  assert.ok("reader" in opened, JSON.stringify(opened));
  return new ReaderSet([opened.reader], []);
}

test("a quick read is dated at the instant its readers were given", () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 50 })).start();
  try {
    const set = raplSet(fake);
    const t = Date.now();
    assert.equal(set.readNow(scripted([t, t + 1])).tMs, t);
    assert.equal(set.readNow(scripted([t + 10, t + 12])).tMs, t + 10);
  } finally {
    fake.dispose();
  }
});

test("a read paused for 100 ms is read again and dated at the second read; paused twice, at its middle", () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 50 })).start();
  try {
    const set = raplSet(fake);
    const t = Date.now();
    const reread = set.readNow(scripted([t, t + 100, t + 100, t + 101]));
    assert.equal(reread.tMs, t + 100);
    const twice = set.readNow(scripted([t + 200, t + 300, t + 300, t + 400]));
    assert.equal(twice.tMs, t + 350);
    for (const snapshot of [reread, twice]) {
      assert.equal(snapshot.readings.length, 1);
      assert.ok((snapshot.readings[0]?.energyJ ?? -1) >= 0);
    }
  } finally {
    fake.dispose();
  }
});

test("after a paused read a time-integrating reader's energy still matches the date: power is exact", () => {
  const opened = simulatedCpuBackend.open({
    env: {},
    pid: process.pid,
    devicesByPid: false,
    simCpu: "Sim CPU",
    simCpuTdp: 100,
    simCpuUtil: 0.5,
  });
  assert.ok("reader" in opened && !(opened instanceof Promise));
  const set = new ReaderSet([opened.reader], []);
  const t = Date.now() + 1000;
  const start = set.readNow(scripted([t, t]));
  const end = set.readNow(scripted([t + 10, t + 110, t + 110, t + 110]));
  const watts =
    ((end.readings[0]?.energyJ ?? 0) - (start.readings[0]?.energyJ ?? 0)) / ((end.tMs - start.tMs) / 1000);
  assert.ok(Math.abs(watts - 50) < 1e-9, `${watts} W over the epoch, not 50 W`);
});

test("a reader slow at every read (a driver call of 5 ms) is read once a boundary, not twice; a pause past its usual time is still read again", () => {
  const kinds: string[] = [];
  const slowCounter: PowerReader = {
    backend: "nvml",
    component: "gpu",
    devices: () => [{ component: "gpu", device: "GPU", name: "GPU", provenance: "counter" }],
    read: (_nowMs, kind) => {
      kinds.push(kind ?? "boundary");
      return [{ device: "GPU", energyJ: kinds.length, powerW: null }];
    },
    close: () => undefined,
  };
  const set = new ReaderSet([slowCounter], []);
  const t = Date.now();
  // Its first read looks paused (nothing to compare it with) and is read again.
  assert.equal(set.readNow(scripted([t, t + 5, t + 5, t + 10])).tMs, t + 5);
  assert.equal(kinds.length, 2);
  assert.equal(set.readNow(scripted([t + 20, t + 25])).tMs, t + 20);
  assert.equal(set.readNow(scripted([t + 30, t + 36])).tMs, t + 30);
  assert.equal(kinds.length, 4, "a read within 2 ms of the fastest is not paused");
  assert.equal(set.readNow(scripted([t + 40, t + 60, t + 60, t + 65])).tMs, t + 60);
  assert.equal(kinds.length, 6, "paused 15 ms past its usual 5 ms: read again");
  // Samples are timed apart from boundaries: a quick sample does not make boundaries look paused.
  assert.equal(set.readNow(scripted([t + 70, t + 70]), "sample").tMs, t + 70);
  assert.equal(set.readNow(scripted([t + 80, t + 85])).tMs, t + 80);
  assert.deepEqual(kinds.slice(6), ["sample", "boundary"]);
});

test("a driver's reader is read after the files, readings in the readers' order; a read that failed is not read again", async () => {
  // Counters advanced by another process: this one blocks in the slow driver call.
  const cpu = await spawnFakePowercap(singlePackageLayout({ kind: "constant", watts: 50 }), {
    inPlace: true,
  });
  const gpu = createFakeNvml({ logEnergyCalls: true, gpus: [a100(0)] });
  try {
    const { reader: nvml } = await openReader(gpu.library);
    const rapl = openRapl(cpu.root);
    assert.ok("reader" in rapl);
    // GPU before CPU, as detection lists them.
    const set = new ReaderSet([nvml, rapl.reader], []);
    const cpuJ = (snapshot: { readings: { energyJ: number }[] }) => snapshot.readings[1]?.energyJ ?? NaN;
    const quick = set.read(Date.now());
    const quickAt = performance.now();
    gpu.write({ logEnergyCalls: true, gpus: [a100(0, { energySleepMs: 300 })] });
    const slowAt = performance.now();
    const slow = set.read(Date.now());
    assert.deepEqual(
      slow.readings.map((r) => r.device),
      ["NVIDIA A100-SXM4-40GB", "cpu:0"],
    );
    // The CPU's counter was read before the 300 ms call (15 J at 50 W), not after it.
    const movedJ = cpuJ(slow) - cpuJ(quick);
    const beforeCallJ = (50 * (slowAt - quickAt)) / 1000;
    assert.ok(movedJ < beforeCallJ + 5, `the CPU moved ${movedJ} J, ${beforeCallJ} J before the slow call`);
    // A failing counter call (TIMEOUT) that took long is not read a second time.
    gpu.write({ logEnergyCalls: true, gpus: [a100(0, { energyRc: 10, energySleepMs: 100 })] });
    const callsBefore = gpu.counterCalls();
    set.readNow();
    assert.equal(gpu.counterCalls() - callsBefore, 1);
    set.close();
  } finally {
    await cpu.stop();
    gpu.cleanup();
  }
});
