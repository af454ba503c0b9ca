// A driver call that hangs (a fake NVML whose energy call blocks for seconds) must not stall the
// training: the library's boundary read gives up after its time-out, warns, uses the last
// readings, and later boundaries wait only briefly until the worker answers again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker } from "../../src/index.js";
import { createFakeNvml, FAKE_A100 } from "../helpers/fake-nvml.js";

const GPU = FAKE_A100;

test("a hung NVML call: boundaries time out (5 s once, then 250 ms), training goes on with the last readings", async () => {
  const fake = createFakeNvml({ gpus: [GPU] });
  let out = "";
  try {
    const tracker = new CarbonTracker({
      epochs: 3,
      components: "gpu",
      updateInterval: 0.2,
      stdout: (s) => (out += s),
      env: { CARBONTRACKER_OFFLINE: "1", CARBONTRACKER_NVML_LIBRARY: fake.library },
    });
    tracker.epochStart();
    fake.write({ gpus: [{ ...GPU, energyMj: 2_000_000 }] });
    await sleep(300);
    const first = await tracker.epochEnd();
    assert.equal(first?.energyJ, 1000, "1,000,000 mJ counted as 1000 J");

    fake.write({ gpus: [{ ...GPU, energyMj: 2_000_000, energySleepMs: 7000 }] });
    await sleep(500); // samples read power only: the counter read at the next boundary hangs
    let t = Date.now();
    tracker.epochStart();
    const firstWait = Date.now() - t;
    t = Date.now();
    const second = await tracker.epochEnd();
    const laterWait = Date.now() - t;
    assert.ok(firstWait >= 4000 && firstWait < 9000, `first boundary waited ${firstWait} ms (5 s time-out)`);
    assert.ok(laterWait < 2000, `a later boundary waited ${laterWait} ms (250 ms once degraded)`);
    assert.equal(second?.energyJ, 0, "no new reading: the last ones are used, nothing invented");
    assert.match(
      out,
      /WARNING - Reading the devices failed \(sampler worker did not answer a read request in time\); the last readings from/,
    );
    const result = await tracker.stop();
    assert.equal(result?.epochs, 2);
    assert.match(out, /Finished monitoring\./);
  } finally {
    fake.write({ gpus: [GPU] }); // the stuck call returns after its 7 s; nothing else blocks
  }
});
