// RAPL as sysfs presents it: counters rewritten in place. The reader opens each energy_uj once
// and reads it at offset 0 on every sample, and its energy is still exactly what was injected.
import { test } from "node:test";
import assert from "node:assert/strict";
import { realpathSync } from "node:fs";
import { join } from "node:path";
import { openRapl } from "../../../src/hardware/rapl/rapl-backend.js";
import { FakePowercap, twoSocketLayout } from "../../helpers/fake-powercap.js";
import { descriptorsOn } from "../../helpers/open-descriptors.js";
import { closeTo, readerOf, sampleWindow } from "./sample-window.js";

test("counters rewritten in place: one descriptor per counter for the whole window, exact energy", async () => {
  const fake = new FakePowercap(twoSocketLayout({ kind: "constant", watts: 80 }, 10), undefined, {
    inPlace: true,
  }).start();
  const reader = readerOf(openRapl(fake.root));
  try {
    const window = await sampleWindow(fake, reader, 1000, 100);
    assert.ok(window.reads >= 5);
    for (const [device, zone] of [
      ["cpu:0", "intel-rapl:0"],
      ["dram:1", "intel-rapl:1:0"],
    ] as const) {
      const injected = fake.injectedJ(zone, window.t0, window.t1);
      assert.ok(injected > 1);
      assert.ok(
        closeTo(window.energyJ[device]!, injected, 1e-6),
        `${device}: ${window.energyJ[device]} vs ${injected} J`,
      );
      // The fake's writer holds one descriptor, the reader the other: no open per sample.
      const counter = realpathSync(join(fake.root, zone, "energy_uj"));
      assert.equal(descriptorsOn(counter).length, 2, counter);
    }
    reader.close();
    assert.equal(descriptorsOn(realpathSync(join(fake.root, "intel-rapl:0", "energy_uj"))).length, 1);
  } finally {
    reader.close();
    fake.dispose();
  }
});
