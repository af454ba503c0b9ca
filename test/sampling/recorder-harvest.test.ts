// Once its sample recorder runs, a sampler wakes only to take the recorded samples (every
// SamplerConfig.recordedHarvestMs, a minute by default; 11 s here), and reads once live then: a
// replay never calls a driver, so that live read is where an NVIDIA GPU's energy counter is read
// between epoch boundaries. Both samplers the CLI uses do it: the one in its own thread (over the
// NVML proxy) and the sampler worker. The real recorder and proxy run, on the fake libnvidia-ml.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { nvmlProxyBinary } from "../../src/data/native-helpers.js";
import { BACKENDS } from "../../src/hardware/registry.js";
import { NvmlProxySampler } from "../../src/sampling/nvml-proxy-sampler.js";
import type { Snapshot } from "../../src/sampling/reader-set.js";
import type { Sampler, SamplerConfig } from "../../src/sampling/sampler.js";
import { WorkerSampler } from "../../src/sampling/worker-sampler.js";
import { createFakeNvml, FAKE_A100 } from "../helpers/fake-nvml.js";
import { childrenNamed } from "../helpers/proc-children.js";
import { recorderBinary } from "../helpers/sample-recorder-kit.js";

const fake = createFakeNvml({ gpus: [FAKE_A100] });
after(() => fake.cleanup());

const config: SamplerConfig = {
  components: ["gpu"],
  updateIntervalMs: 1000,
  // The recorder starts with the sample that closes the first batch, 2 s in.
  sampleBatchMs: 2000,
  sampleRecorder: recorderBinary(),
  // The first harvest comes 13 s in: the counter's anchor is due then (10 s at least, nvml-reader.ts).
  recordedHarvestMs: 11_000,
  context: {
    env: { CARBONTRACKER_NVML_LIBRARY: fake.library, FAKE_NVML_CONFIG: process.env.FAKE_NVML_CONFIG },
    pid: process.pid,
    devicesByPid: false,
  },
};

test("after each harvest of recorded samples, the GPU's energy counter is read live (in-thread and worker samplers)", async () => {
  const delivered = { thread: [] as Snapshot[], worker: [] as Snapshot[] };
  const samplers: Record<keyof typeof delivered, Sampler & { ready(): Promise<void> }> = {
    thread: new NvmlProxySampler(
      config,
      (s) => delivered.thread.push(s),
      BACKENDS,
      nvmlProxyBinary(process.env) as string,
    ),
    worker: new WorkerSampler(config, (s) => delivered.worker.push(s)),
  };
  try {
    await Promise.all(Object.values(samplers).map((s) => s.ready()));
    await sleep(4000);
    assert.equal(childrenNamed(process.pid, "sample-recorder").length, 2, "each sampler runs a recorder");
    // The GPU's counter moves by 1000 J (its power stays 250 W).
    fake.write({ gpus: [{ ...FAKE_A100, energyMj: Number(FAKE_A100.energyMj) + 1_000_000 }] });
    const changedAt = Date.now();
    await sleep(11_500);
    for (const [name, snapshots] of Object.entries(delivered)) {
      const energies = snapshots.map((s) => `${s.tMs - changedAt} ms: ${s.readings[0]?.energyJ} J`);
      const before = snapshots.filter((s) => s.tMs < changedAt);
      assert.ok(before.length >= 3, `${name}: samples before the change: ${energies.join(", ")}`);
      assert.ok(
        before.every((s) => s.readings[0]?.energyJ === 0),
        `${name}: no energy before the change: ${energies.join(", ")}`,
      );
      // Without a live read, every sample would keep the energy of the start's counter read (0 J)
      // until the next boundary read.
      assert.equal(snapshots.at(-1)?.readings[0]?.energyJ, 1000, `${name}: ${energies.join(", ")}`);
    }
  } finally {
    for (const sampler of Object.values(samplers)) sampler.close();
    // The recorders and the proxy end on their own (SIGTERM): waited for, so that none loads the
    // fake library as it is removed.
    for (let i = 0; i < 50 && helpersRunning() > 0; i++) await sleep(100);
  }
});

function helpersRunning(): number {
  return ["sample-recorder", "nvml-proxy"].reduce(
    (n, name) => n + childrenNamed(process.pid, name).length,
    0,
  );
}
