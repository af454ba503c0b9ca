// Both samplers (a worker's, and the CLI's on its own thread) hand their background samples over
// in batches, so the tracker's thread wakes, makes records and writes once per batch rather than
// once per sample; a boundary read still delivers every sample taken so far, in order, before it
// returns. A live view asks for each sample as it is taken.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { BACKENDS } from "../../src/hardware/registry.js";
import type { Snapshot } from "../../src/sampling/reader-set.js";
import {
  InThreadSampler,
  type Sampler,
  type SampleListener,
  type SamplerConfig,
} from "../../src/sampling/sampler.js";
import { WorkerSampler } from "../../src/sampling/worker-sampler.js";

/** Sampling every 50 ms, with batches of 10 s unless `extra` says otherwise. */
const config = (extra: Partial<SamplerConfig> = {}): SamplerConfig => ({
  components: ["cpu"],
  updateIntervalMs: 50,
  sampleBatchMs: 10_000,
  context: { env: {}, pid: process.pid, devicesByPid: false, simCpu: "Sim CPU", simCpuTdp: 100 },
  ...extra,
});

const SAMPLERS: [string, (config: SamplerConfig, listener: SampleListener) => Promise<Sampler>][] = [
  ["worker", async (c, listener) => new WorkerSampler(c, listener)],
  ["in-thread", (c, listener) => InThreadSampler.open(c, listener, BACKENDS)],
];

for (const [kind, open] of SAMPLERS) {
  test(`${kind}: samples come in a batch with the next boundary read, oldest first, none after it`, async () => {
    const seen: Snapshot[] = [];
    const sampler = await open(config(), (s) => seen.push(s));
    try {
      sampler.readNow();
      await sleep(600);
      assert.equal(seen.length, 0, "no sample is handed over before its batch is due");
      const boundary = sampler.readNow();
      assert.ok(seen.length >= 4, `only ${seen.length} samples in 600 ms at 50 ms`);
      const times = seen.map((s) => s.tMs);
      assert.deepEqual(
        [...times].sort((a, b) => a - b),
        times,
      );
      assert.ok((times.at(-1) as number) <= boundary.tMs);
    } finally {
      sampler.close();
    }
  });

  test(`${kind}: by default a batch is 10 samples, handed over without a boundary read`, async () => {
    const seen: Snapshot[] = [];
    const { sampleBatchMs: _, ...defaults } = config();
    const sampler = await open(defaults, (s) => seen.push(s));
    try {
      sampler.readNow();
      await sleep(900);
      assert.ok(seen.length >= 10, `only ${seen.length} samples handed over in 900 ms at 50 ms`);
    } finally {
      sampler.close();
    }
  });

  test(`${kind}: sampleBatchMs 0 (a live view): each sample arrives as it is taken`, async () => {
    const seen: Snapshot[] = [];
    const sampler = await open(config({ sampleBatchMs: 0 }), (s) => seen.push(s));
    try {
      sampler.readNow();
      await sleep(600);
      assert.ok(seen.length >= 4, `only ${seen.length} samples arrived in 600 ms at 50 ms`);
    } finally {
      sampler.close();
    }
  });
}
