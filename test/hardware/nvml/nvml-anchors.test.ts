// The energy counter is dear on real drivers (4 ms of CPU a call on an H200) and power is not:
// samples between boundaries read power alone and keep the last exact energy; every boundary
// reads the counter; a sample reads it again once its cost allows (10 to 60 s).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import {
  anchorIntervalMs,
  MAX_ANCHOR_INTERVAL_MS,
  MIN_ANCHOR_INTERVAL_MS,
} from "../../../src/hardware/nvml/nvml-reader.js";
import { createFakeNvml, type FakeGpu } from "../../helpers/fake-nvml.js";
import { a100, openReader, T0 } from "./nvml-test-kit.js";

const fake = createFakeNvml();
after(() => fake.cleanup());

const DEVICE = "NVIDIA A100-SXM4-40GB";

/** Sets the GPU's state, with every energy-counter call logged. */
function board(extra: Partial<FakeGpu> = {}): void {
  fake.write({ logEnergyCalls: true, gpus: [a100(0, extra)] });
}

test("a sample between boundaries reads power only and keeps the last exact energy; a boundary reads the counter", async () => {
  board();
  const { reader } = await openReader(fake.library);
  const atOpen = fake.counterCalls();
  assert.equal(atOpen, 1, "the baseline");
  board({ energyMj: 1_250_000, powerMw: 240_000 });
  assert.deepEqual(reader.read(T0 + 1000, "sample"), [
    { device: DEVICE, energyJ: 0, powerW: 240, sampledEnergyJ: 240, energyAsOfMs: T0 },
  ]);
  board({ energyMj: 1_500_000, powerMw: 260_000 });
  assert.deepEqual(reader.read(T0 + 9_999, "sample"), [
    { device: DEVICE, energyJ: 0, powerW: 260, sampledEnergyJ: 240 + 260 * 8.999, energyAsOfMs: T0 },
  ]);
  assert.equal(fake.counterCalls(), atOpen, "no counter call in 10 s of samples");
  const [boundary] = reader.read(T0 + 10_500);
  assert.equal(boundary?.energyJ, 500, "the counter's difference, exact");
  assert.equal(boundary?.energyAsOfMs, undefined, "energy as of this read");
  assert.equal(fake.counterCalls(), atOpen + 1);
  board({ energyMj: 1_600_000, powerMw: 200_000 });
  assert.equal(reader.read(T0 + 11_500, "sample")[0]?.energyJ, 500);
  assert.equal(reader.read(T0 + 12_000)[0]?.energyJ, 600);
  assert.equal(fake.counterCalls(), atOpen + 2);
  reader.close();
});

test("samples read the counter again a minute after the last read at the latest, whatever it costs", async () => {
  board({ energyCostUs: 4_000 });
  const { reader } = await openReader(fake.library);
  const atOpen = fake.counterCalls();
  board({ energyCostUs: 4_000, energyMj: 2_000_000 });
  for (const s of [1, 10, 30, 59]) assert.equal(reader.read(T0 + s * 1000, "sample")[0]?.energyJ, 0);
  assert.equal(
    fake.counterCalls(),
    atOpen,
    "a 4 ms call is read no more than once a minute between boundaries",
  );
  assert.equal(reader.read(T0 + 60_000, "sample")[0]?.energyJ, 1000);
  assert.equal(fake.counterCalls(), atOpen + 1);
  reader.close();
});

test("the counter is read between boundaries as often as 0.05 ms of CPU a second allows, every 10 to 60 s", () => {
  assert.equal(anchorIntervalMs(0.002), MIN_ANCHOR_INTERVAL_MS);
  assert.equal(MIN_ANCHOR_INTERVAL_MS, 10_000);
  assert.equal(anchorIntervalMs(1), 20_000);
  assert.equal(anchorIntervalMs(2.5), 50_000);
  assert.equal(anchorIntervalMs(4.06), MAX_ANCHOR_INTERVAL_MS);
  assert.equal(MAX_ANCHOR_INTERVAL_MS, 60_000);
});

test("a counter reset between boundaries fills the gap from all the power sampled since the last counter read", async () => {
  board({ energyMj: 5_000_000, powerMw: 100_000 });
  const { reader } = await openReader(fake.library);
  reader.read(T0 + 1000, "sample");
  reader.read(T0 + 2000, "sample");
  board({ energyMj: 5_000_000, powerMw: 200_000 });
  reader.read(T0 + 3000, "sample");
  board({ energyMj: 2_000, powerMw: 150_000 });
  const [reading] = reader.read(T0 + 4000);
  assert.equal(reading?.energyJ, 100 + 100 + 200 + 150);
  const [notice] = reader.drainNotices();
  assert.match(
    notice?.message ?? "",
    /went back from 5000000 to 2000 mJ at 2026-01-15T12:00:04\.000Z .*: the 4\.000 s since the previous read are counted from sampled power \(137\.50 W\)/,
  );
  reader.close();
});

test("a counter reset found when power fails for a moment: sampled power, then the last reading held to the end", async () => {
  board({ energyMj: 5_000_000, powerMw: 100_000 });
  const { reader } = await openReader(fake.library);
  reader.read(T0 + 1000, "sample");
  board({ energyMj: 5_000_000, powerMw: 200_000 });
  reader.read(T0 + 2000, "sample");
  // The boundary's power call fails with a code that may pass, and the counter went back.
  board({ energyMj: 2_000, powerRc: 999 });
  const [reading] = reader.read(T0 + 3000);
  assert.equal(reading?.energyJ, 100 + 200 + 200 * 1);
  assert.match(
    reader.drainNotices()[0]?.message ?? "",
    /went back from 5000000 to 2000 mJ .*: the 3\.000 s since the previous read are counted from sampled power, the last reading held over the final 1\.000 s \(166\.67 W\)\.$/,
  );
  reader.close();
});

test("when power stops answering, a sample reads the counter instead, then and at every sample after", async () => {
  board();
  const { reader } = await openReader(fake.library);
  const atOpen = fake.counterCalls();
  board({ energyMj: 1_100_000, powerRc: 3 });
  assert.deepEqual(reader.read(T0 + 1000, "sample"), [{ device: DEVICE, energyJ: 100, powerW: 100 }]);
  assert.match(reader.drainNotices()[0]?.message ?? "", /cross-check of .* stopped .* Not Supported/);
  board({ energyMj: 1_150_000, powerRc: 3 });
  assert.equal(reader.read(T0 + 2000, "sample")[0]?.energyJ, 150);
  assert.equal(fake.counterCalls(), atOpen + 2);
  reader.close();
});

test("power failing with a code that may pass: that sample reads the counter, then samples read power alone again", async () => {
  board();
  const { reader } = await openReader(fake.library);
  const atOpen = fake.counterCalls();
  board({ energyMj: 1_100_000, powerRc: 999 });
  assert.equal(reader.read(T0 + 1000, "sample")[0]?.energyJ, 100, "the counter, read instead");
  assert.equal(fake.counterCalls(), atOpen + 1);
  assert.deepEqual(reader.drainNotices(), [], "the cross-check goes on, and nothing is said");
  board({ energyMj: 1_200_000, powerMw: 240_000 });
  const [next] = reader.read(T0 + 2000, "sample");
  assert.deepEqual([next?.energyJ, next?.powerW], [100, 240]);
  assert.equal(fake.counterCalls(), atOpen + 1, "power alone again: the dear counter is not called");
  reader.close();
});
