import { after, test } from "node:test";
import assert from "node:assert/strict";
import { counterPeriodNotice } from "../../../src/hardware/nvml/counter-period.js";
import { createFakeNvml } from "../../helpers/fake-nvml.js";
import type { NvmlReader } from "../../../src/hardware/nvml/nvml-reader.js";
import { a100, deviceNames, openReader, T0 } from "./nvml-test-kit.js";

const fake = createFakeNvml();
after(() => fake.cleanup());

test("a GPU with an energy counter is measured by the counter's difference, in joules", async () => {
  fake.write({ gpus: [a100(0)] });
  const { reader } = await openReader(fake.library);
  const [device] = reader.devices();
  assert.equal(device?.provenance, "counter");
  fake.write({ gpus: [a100(0, { energyMj: 1_250_000, powerMw: 240_000 })] });
  const [reading] = reader.read(T0 + 1000);
  assert.equal(reading?.energyJ, 250);
  assert.equal(reading?.powerW, 240);
  // The cross-check: 240 W held over the 1 s since open.
  assert.equal(reading?.sampledEnergyJ, 240);
  fake.write({ gpus: [a100(0, { energyMj: 1_500_500, powerMw: 260_000 })] });
  const [second] = reader.read(T0 + 2000);
  assert.equal(second?.energyJ, 500.5);
  assert.equal(second?.sampledEnergyJ, 500);
  reader.close();
});

test("the device is named exactly as NVML names it, with UUID, power limit and provenance in the details", async () => {
  fake.write({ driver: "550.54.15", gpus: [a100(0)] });
  const { reader, notices } = await openReader(fake.library);
  assert.deepEqual(reader.devices(), [
    {
      component: "gpu",
      device: "NVIDIA A100-SXM4-40GB",
      name: "NVIDIA A100-SXM4-40GB",
      provenance: "counter",
      details: {
        uuid: "GPU-6b8a1c2e-5f3d-4a09-9c1e-2d7f0b3a4e50",
        nvml_index: 0,
        power_limit_w: 400,
        provenance: "counter",
        energy_source: "nvmlDeviceGetTotalEnergyConsumption (mJ counter)",
        cross_check: "nvmlDeviceGetPowerUsage (mW) integrated over time",
        selected_by: "all GPUs",
        library: fake.library,
        driver_version: "550.54.15",
      },
    },
  ]);
  assert.ok(
    notices.some(
      (n) =>
        n.message === "NVML 550.54.15: GPU(s) chosen by all GPUs; energy counter: NVIDIA A100-SXM4-40GB.",
    ),
  );
  reader.close();
});

test("two GPUs with the same name get the NVML index in their device names, the name stays NVML's", async () => {
  fake.write({ gpus: [a100(0), a100(1), { ...a100(2), name: "Tesla T4" }] });
  const { reader } = await openReader(fake.library);
  assert.deepEqual(deviceNames(reader), [
    "NVIDIA A100-SXM4-40GB (GPU 0)",
    "NVIDIA A100-SXM4-40GB (GPU 1)",
    "Tesla T4",
  ]);
  assert.deepEqual(
    reader.devices().map((d) => d.name),
    ["NVIDIA A100-SXM4-40GB", "NVIDIA A100-SXM4-40GB", "Tesla T4"],
  );
  reader.close();
});

test("counter values past 2^53 mJ (BigInt from koffi) are differenced exactly", async () => {
  const base = 2n ** 53n + 1n;
  fake.write({ gpus: [a100(0, { energyMj: base })] });
  const { reader } = await openReader(fake.library);
  fake.write({ gpus: [a100(0, { energyMj: base + 3n })] });
  assert.equal(reader.read(T0 + 1000)[0]?.energyJ, 0.003);
  reader.close();
});

test("a counter that goes back (driver reload) adds no negative energy and fills the gap from power", async () => {
  fake.write({ gpus: [a100(0, { energyMj: 5_000_000, powerMw: 100_000 })] });
  const { reader } = await openReader(fake.library);
  fake.write({ gpus: [a100(0, { energyMj: 5_100_000, powerMw: 100_000 })] });
  assert.equal(reader.read(T0 + 1000)[0]?.energyJ, 100);
  reader.drainNotices();
  fake.write({ gpus: [a100(0, { energyMj: 2_000, powerMw: 150_000 })] });
  assert.equal(reader.read(T0 + 3000)[0]?.energyJ, 100 + 150 * 2);
  const [notice] = reader.drainNotices();
  assert.equal(notice?.level, "warning");
  assert.match(notice?.message ?? "", /went back from 5100000 to 2000 mJ at 2026-01-15T12:00:03\.000Z/);
  assert.match(notice?.message ?? "", /counted from sampled power \(150\.00 W\)/);
  fake.write({ gpus: [a100(0, { energyMj: 3_000, powerMw: 150_000 })] });
  assert.equal(reader.read(T0 + 4000)[0]?.energyJ, 401);
  reader.close();
});

/**
 * A GPU whose power is NOT_SUPPORTED (its counter alone measures it), opened at 5,000,000 mJ and
 * read at T0 + 1 s 100 J later (100 W); `counter` sets the counter's next value (mJ).
 */
async function counterOnlyAt100W(): Promise<{ reader: NvmlReader; counter: (mj: number) => void }> {
  const counter = (energyMj: number) => fake.write({ gpus: [a100(0, { energyMj, powerRc: 3 })] });
  counter(5_000_000);
  const { reader } = await openReader(fake.library);
  counter(5_100_000);
  assert.equal(reader.read(T0 + 1000)[0]?.energyJ, 100);
  reader.drainNotices();
  return { reader, counter };
}

test("a counter that goes back while no power call works: the gap counts at the last power known, not as 0 J", async () => {
  const { reader, counter } = await counterOnlyAt100W();
  counter(2_000);
  const [reading] = reader.read(T0 + 3000);
  assert.deepEqual([reading?.energyJ, reading?.powerW], [100 + 100 * 2, 100]);
  assert.deepEqual(
    reader.drainNotices().map((n) => n.message),
    [
      "The energy counter of NVIDIA A100-SXM4-40GB went back from 5100000 to 2000 mJ at 2026-01-15T12:00:03.000Z (driver reload or GPU reset): the 2.000 s since the previous read are counted from the last power known, held over them (100.00 W).",
    ],
  );
  counter(52_000);
  assert.equal(reader.read(T0 + 4000)[0]?.energyJ, 350, "the restarted counter's difference after it");
  reader.close();
});

test("a counter that restarted from 0 within the gap holds at least its new value, if the power limit allows it", async () => {
  // 350 J counted since the restart, in a 2 s gap: more than the 100 W known gives (200 J).
  const restarted = await counterOnlyAt100W();
  restarted.counter(350_000);
  assert.equal(restarted.reader.read(T0 + 3000)[0]?.energyJ, 100 + 350);
  assert.match(
    restarted.reader.drainNotices()[0]?.message ?? "",
    /went back from 5100000 to 350000 mJ .*: the 2\.000 s since the previous read are counted from the counter's new value, the energy since it restarted within them \(175\.00 W\)\.$/,
  );
  restarted.reader.close();
  // Back to 4000 J in 1 s, past twice the 400 W limit: not a restart from 0, so no floor under the
  // gap, which counts at the 100 W known.
  const glitch = await counterOnlyAt100W();
  glitch.counter(4_000_000);
  assert.equal(glitch.reader.read(T0 + 2000)[0]?.energyJ, 100 + 100);
  glitch.reader.close();
});

test("when power stops answering the counter still measures and the cross-check says it stopped", async () => {
  fake.write({ gpus: [a100(0)] });
  const { reader } = await openReader(fake.library);
  fake.write({ gpus: [a100(0, { energyMj: 1_200_000, powerRc: 3 })] });
  const [reading] = reader.read(T0 + 2000);
  assert.equal(reading?.energyJ, 200);
  assert.equal(reading?.powerW, 100, "power from the counter's difference over the interval");
  assert.equal(reading?.sampledEnergyJ, undefined);
  assert.match(
    reader.drainNotices()[0]?.message ?? "",
    /cross-check of NVIDIA A100-SXM4-40GB stopped at 2026-01-15T12:00:02\.000Z: nvmlDeviceGetPowerUsage returned Not Supported \(code 3\)/,
  );
  reader.close();
});

test("one nvmlInit per process: readers share it and nvmlShutdown runs when the last one closes", async () => {
  fake.write({ gpus: [a100(0)] });
  const before = fake.calls().length;
  const first = await openReader(fake.library);
  const second = await openReader(fake.library);
  assert.deepEqual(fake.calls().slice(before), ["nvmlInit_v2"]);
  first.reader.close();
  first.reader.close();
  assert.deepEqual(fake.calls().slice(before), ["nvmlInit_v2"]);
  second.reader.close();
  assert.deepEqual(fake.calls().slice(before), ["nvmlInit_v2", "nvmlShutdown"]);
  // After close a read calls nothing and keeps the figures.
  assert.deepEqual(first.reader.read(T0 + 1000), [
    { device: "NVIDIA A100-SXM4-40GB", energyJ: 0, powerW: null, sampledEnergyJ: 0 },
  ]);
  assert.deepEqual(first.reader.drainNotices(), []);
});

test("the counter's update period is observed and epochs shorter than it are warned about", async () => {
  fake.write({ gpus: [a100(0)] });
  const { reader } = await openReader(fake.library);
  assert.equal(reader.counterUpdatePeriodMs(), undefined);
  reader.read(T0 + 40); // unchanged for 40 ms
  reader.read(T0 + 90); // unchanged for 90 ms
  fake.write({ gpus: [a100(0, { energyMj: 1_025_000 })] });
  reader.read(T0 + 100);
  reader.read(T0 + 150);
  assert.equal(reader.counterUpdatePeriodMs(), 90);
  const device = reader.devices()[0]?.device ?? "";
  assert.equal(counterPeriodNotice(device, 500, reader.counterUpdatePeriodMs()), undefined);
  assert.deepEqual(counterPeriodNotice(device, 50, reader.counterUpdatePeriodMs()), {
    level: "warning",
    message:
      "The window of 0.050 s is shorter than the update period of the energy counter of NVIDIA A100-SXM4-40GB (at least 0.090 s observed): its energy can be off by up to one counter step. Longer epochs avoid this.",
  });
  reader.close();
});
