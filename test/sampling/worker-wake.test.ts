// The sampler thread sleeps in Atomics.wait until its next sample; a boundary read must wake it at
// once, not wait for that sample. At a 20 s interval, three boundary reads take well under one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { WorkerSampler } from "../../src/sampling/worker-sampler.js";

test("a boundary read wakes the sleeping sampler thread at once, between its samples", async () => {
  const sampler = new WorkerSampler(
    {
      components: ["cpu"],
      updateIntervalMs: 20_000,
      context: { env: {}, pid: process.pid, devicesByPid: false, simCpu: "Sim CPU", simCpuTdp: 100 },
    },
    () => {},
  );
  try {
    await sampler.ready();
    const started = Date.now();
    const reads = [];
    for (let i = 0; i < 3; i++) {
      await sleep(100);
      reads.push(sampler.readNow());
    }
    const tookMs = Date.now() - started;
    assert.ok(tookMs < 10_000, `three reads took ${tookMs} ms: each waited for a sample`);
    const times = reads.map((r) => r.tMs);
    assert.ok(times[0]! < times[1]! && times[1]! < times[2]!, `read instants ${times.join(", ")}`);
  } finally {
    sampler.close();
  }
});
