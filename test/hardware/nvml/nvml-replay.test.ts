// Samples replayed from the sample recorder: the reader takes each GPU's recorded power call as
// if it made it then, and makes no NVML call of its own (the counter is read live, by the next
// live read). A trace lists the GPUs whose power a sample asked, and says when a sample needed
// the counter (such a sample cannot be recorded).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import {
  replayRecorded,
  traceRecordableReads,
  type RecordedNvmlPower,
} from "../../../src/hardware/recorded-reads.js";
import type { NvmlReader } from "../../../src/hardware/nvml/nvml-reader.js";
import { createFakeNvml, type FakeGpu } from "../../helpers/fake-nvml.js";
import { a100, openReader, SAMPLED_T4, T0 } from "./nvml-test-kit.js";

const fake = createFakeNvml();
after(() => fake.cleanup());

const A100 = "NVIDIA A100-SXM4-40GB";

function board(gpus: FakeGpu[]): void {
  fake.write({ logEnergyCalls: true, gpus });
}

/** A sample of `reader` at `tMs` replayed from recorded power calls (by NVML index). */
function replayed(reader: NvmlReader, tMs: number, power: [number, RecordedNvmlPower][]) {
  return replayRecorded({ reads: new Map(), nvmlPower: new Map(power) }, () => reader.read(tMs, "sample"));
}

test("a replayed sample takes each GPU's recorded power and calls nothing, not even a counter that is due", async () => {
  board([a100(0), SAMPLED_T4]);
  const { reader } = await openReader(fake.library);
  const atOpen = fake.counterCalls();
  const traced = traceRecordableReads(() => reader.read(T0 + 1000, "sample"));
  assert.deepEqual(
    traced.nvmlPower,
    [
      { library: fake.library, nvmlIndex: 0 },
      { library: fake.library, nvmlIndex: 1 },
    ],
    "the trace lists both GPUs' power calls",
  );
  assert.deepEqual(traced.liveOnly, [], "no counter was needed");

  // The fake now answers otherwise: a replay must not ask it.
  board([a100(0, { powerMw: 1, energyMj: 9_000_000 }), { ...SAMPLED_T4, powerMw: 1 }]);
  const at = T0 + 70_000; // the A100's anchor is long due
  assert.deepEqual(
    replayed(reader, at, [
      [0, { rc: 0, milliwatts: 240_000 }],
      [1, { rc: 0, milliwatts: 60_000 }],
    ]),
    [
      { device: A100, energyJ: 0, powerW: 240, sampledEnergyJ: 250 + 240 * 69, energyAsOfMs: T0 },
      { device: "Tesla T4", energyJ: 70 + 60 * 69, powerW: 60 },
    ],
  );
  assert.equal(fake.counterCalls(), atOpen, "no counter call in a replay");
  // The next live read reads the counter (its anchor is due).
  assert.equal(reader.read(at + 1000, "sample")[0]?.energyJ, 8000);
  assert.equal(fake.counterCalls(), atOpen + 1);
  reader.close();
});

test("a recorded power failure: the sample goes without power, the counter is left to live reads", async () => {
  board([a100(0)]);
  const { reader } = await openReader(fake.library);
  const atOpen = fake.counterCalls();
  // TIMEOUT (10) may pass: the cross-check goes on.
  assert.deepEqual(replayed(reader, T0 + 1000, [[0, { rc: 10, milliwatts: 0 }]]), [
    { device: A100, energyJ: 0, powerW: null, sampledEnergyJ: 0, energyAsOfMs: T0 },
  ]);
  assert.equal(fake.counterCalls(), atOpen, "a live sample would have read the counter instead");
  assert.equal(replayed(reader, T0 + 2000, [[0, { rc: 0, milliwatts: 200_000 }]])[0]?.powerW, 200);
  // A GPU the recording does not hold gets no call either. (200 W held back over the 2 s without power.)
  assert.deepEqual(replayed(reader, T0 + 3000, []), [
    { device: A100, energyJ: 0, powerW: null, sampledEnergyJ: 400, energyAsOfMs: T0 },
  ]);
  assert.equal(fake.counterCalls(), atOpen);
  reader.close();
});

test("a sample that reads a counter (no power to cross-check with) is traced as one no recorder can take", async () => {
  board([a100(0, { powerRc: 3 })]);
  const { reader } = await openReader(fake.library);
  const traced = traceRecordableReads(() => reader.read(T0 + 1000, "sample"));
  assert.deepEqual(traced.liveOnly, ["nvmlDeviceGetTotalEnergyConsumption"]);
  assert.equal(traced.result[0]?.energyJ, 0);
  reader.close();
});

test("a traced sample that reads the counter because its anchor is due can still be recorded", async () => {
  board([a100(0)]);
  const { reader } = await openReader(fake.library);
  const atOpen = fake.counterCalls();
  // 10 s after the baseline: the anchor of a cheap counter is due (MIN_ANCHOR_INTERVAL_MS).
  const traced = traceRecordableReads(() => reader.read(T0 + 10_000, "sample"));
  assert.equal(fake.counterCalls(), atOpen + 1, "the anchor read the counter");
  assert.deepEqual(traced.liveOnly, [], "a live read once a batch takes the anchors");
  assert.deepEqual(traced.nvmlPower, [{ library: fake.library, nvmlIndex: 0 }], "its power call is listed");
  reader.close();
});
