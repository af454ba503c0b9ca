import { after, test } from "node:test";
import assert from "node:assert/strict";
import { MAX_FAILED_READS_IN_A_ROW } from "../../../src/hardware/nvml/nvml-reader.js";
import { createFakeNvml } from "../../helpers/fake-nvml.js";
import { a100, openReader, openT4WhosePowerFails, SAMPLED_T4, T0 } from "./nvml-test-kit.js";

const fake = createFakeNvml();
after(() => fake.cleanup());

const GPU0 = "NVIDIA A100-SXM4-40GB (GPU 0)";
const UUID0 = "GPU-6b8a1c2e-5f3d-4a09-9c1e-2d7f0b3a4e50";

test("a counter GPU that fails with a transient code is read again and the counter covers the gap exactly", async () => {
  fake.write({ gpus: [a100(0), a100(1)] });
  const { reader } = await openReader(fake.library);
  fake.write({ gpus: [a100(0, { energyMj: 1_100_000 }), a100(1, { energyMj: 1_100_000 })] });
  reader.read(T0 + 1000);
  fake.write({ gpus: [a100(0, { energyMj: 1_200_000, energyRc: 999 }), a100(1, { energyMj: 1_200_000 })] });
  assert.deepEqual(
    reader.read(T0 + 2000).map((r) => [r.device, r.energyJ, r.powerW]),
    [
      [GPU0, 100, null],
      ["NVIDIA A100-SXM4-40GB (GPU 1)", 200, 250],
    ],
  );
  assert.deepEqual(reader.drainNotices(), [
    {
      level: "error",
      message: `GPU ${GPU0}, UUID ${UUID0}, could not be read at 2026-01-15T12:00:02.000Z: nvmlDeviceGetTotalEnergyConsumption returned Unknown Error (code 999). It is read again at every read; until it answers its energy stays at 100.000 J; the other devices are still measured.`,
    },
  ]);
  // Other transient codes on the following reads (samples too) say nothing more.
  fake.write({ gpus: [a100(0, { energyMj: 1_300_000, energyRc: 10 }), a100(1, { energyMj: 1_300_000 })] });
  assert.equal(reader.read(T0 + 3000, "sample")[0]?.energyJ, 100);
  fake.write({ gpus: [a100(0, { energyMj: 1_400_000, energyRc: 27 }), a100(1, { energyMj: 1_400_000 })] });
  assert.equal(reader.read(T0 + 4000)[0]?.energyJ, 100);
  assert.deepEqual(reader.drainNotices(), []);
  // It answers again: the counter's difference counts the whole gap, 400 J over 4 s.
  fake.write({ gpus: [a100(0, { energyMj: 1_500_000 }), a100(1, { energyMj: 1_500_000 })] });
  assert.deepEqual(
    reader.read(T0 + 5000).map((r) => [r.device, r.energyJ]),
    [
      [GPU0, 500],
      ["NVIDIA A100-SXM4-40GB (GPU 1)", 500],
    ],
  );
  assert.deepEqual(reader.drainNotices(), [
    {
      level: "info",
      message: `GPU ${GPU0} readings resumed at 2026-01-15T12:00:05.000Z after 3 failed reads; the 4.000 s since its last reading were counted from the energy counter.`,
    },
  ]);
  fake.write({ gpus: [a100(0, { energyMj: 1_600_000 }), a100(1, { energyMj: 1_600_000 })] });
  assert.equal(reader.read(T0 + 6000)[0]?.energyJ, 600);
  assert.deepEqual(reader.drainNotices(), []);
  reader.close();
});

test("a counter that fails between anchors keeps the power sampled since its last read; when it answers, nothing is counted twice", async () => {
  fake.write({ gpus: [a100(0)] });
  const { reader } = await openReader(fake.library);
  // Samples between counter reads ask power only (250 W): 750 J over 3 s, not in the energy yet.
  for (const s of [1, 2, 3]) {
    fake.write({ gpus: [a100(0, { energyMj: 1_000_000 + s * 250_000 })] });
    assert.deepEqual(
      reader.read(T0 + s * 1000, "sample").map((r) => [r.energyJ, r.powerW]),
      [[0, 250]],
    );
  }
  // The counter fails (the NVML proxy ended, a driver hiccup): the sampled 750 J are kept.
  fake.write({ gpus: [a100(0, { energyMj: 2_000_000, energyRc: 999 })] });
  assert.equal(reader.read(T0 + 4000)[0]?.energyJ, 750);
  assert.deepEqual(reader.drainNotices(), [
    {
      level: "error",
      message: `GPU NVIDIA A100-SXM4-40GB, UUID ${UUID0}, could not be read at 2026-01-15T12:00:04.000Z: nvmlDeviceGetTotalEnergyConsumption returned Unknown Error (code 999). It is read again at every read; until it answers its energy stays at 750.000 J (750.000 J of it the power sampled after its last counter read, at 2026-01-15T12:00:00.000Z); the other devices are still measured.`,
    },
  ]);
  assert.equal(reader.read(T0 + 5000)[0]?.energyJ, 750);
  // It answers again: 1500 J since its last read, of which 750 J were counted already.
  fake.write({ gpus: [a100(0, { energyMj: 2_500_000 })] });
  assert.equal(reader.read(T0 + 6000)[0]?.energyJ, 1500);
  assert.deepEqual(reader.drainNotices(), [
    {
      level: "info",
      message: `GPU NVIDIA A100-SXM4-40GB readings resumed at 2026-01-15T12:00:06.000Z after 2 failed reads; the 6.000 s since its last reading were counted from the energy counter (750.000 J of them counted already, from sampled power).`,
    },
  ]);
  fake.write({ gpus: [a100(0, { energyMj: 2_750_000 })] });
  assert.equal(reader.read(T0 + 7000)[0]?.energyJ, 1750);
  // Lost for good (a code that cannot heal): the power sampled since the last read is kept too.
  fake.write({ gpus: [a100(0, { energyMj: 3_000_000 })] });
  reader.read(T0 + 8000, "sample");
  fake.write({ gpus: [a100(0, { energyMj: 3_250_000, energyRc: 15 })] });
  assert.equal(reader.read(T0 + 9000)[0]?.energyJ, 2000);
  assert.match(
    reader.drainNotices()[0]?.message ?? "",
    /Its energy stays at 2000\.000 J \(250\.000 J of it the power sampled after its last counter read, at 2026-01-15T12:00:07\.000Z\) from now on;/,
  );
  reader.close();
});

test("a counter that went back during the failure adds no negative energy: the gap comes from sampled power", async () => {
  fake.write({ gpus: [a100(0, { energyMj: 5_000_000, powerMw: 100_000 })] });
  const { reader } = await openReader(fake.library);
  fake.write({ gpus: [a100(0, { energyMj: 5_100_000, powerMw: 100_000 })] });
  assert.equal(reader.read(T0 + 1000)[0]?.energyJ, 100);
  fake.write({ gpus: [a100(0, { energyMj: 5_200_000, energyRc: 999 })] });
  assert.equal(reader.read(T0 + 2000)[0]?.energyJ, 100);
  reader.drainNotices();
  // The GPU was reset while failing: the counter starts again from near zero.
  fake.write({ gpus: [a100(0, { energyMj: 2_000, powerMw: 150_000 })] });
  const [reading] = reader.read(T0 + 4000);
  assert.equal(reading?.energyJ, 100 + 150 * 3);
  const messages = reader.drainNotices().map((n) => [n.level, n.message]);
  assert.equal(messages.length, 2);
  assert.match(messages[0]?.[1] ?? "", /went back from 5100000 to 2000 mJ/);
  assert.deepEqual(messages[1], [
    "info",
    "GPU NVIDIA A100-SXM4-40GB readings resumed at 2026-01-15T12:00:04.000Z after 1 failed read; the 3.000 s since its last reading were counted from sampled power (the counter went back).",
  ]);
  reader.close();
});

test("a sampled GPU whose power call fails with a transient code is integrated across the gap when it answers", async () => {
  const reader = await openT4WhosePowerFails(fake);
  fake.write({ gpus: [{ ...SAMPLED_T4, powerRc: 20 }] });
  assert.deepEqual(reader.read(T0 + 3000), [{ device: "Tesla T4", energyJ: 70, powerW: null }]);
  assert.deepEqual(
    reader.drainNotices().map((n) => n.level),
    ["error"],
  );
  // Its power when it answers again is held over the 4 s since the last reading, as every sample is.
  fake.write({ gpus: [{ ...SAMPLED_T4, powerMw: 50_000 }] });
  assert.deepEqual(reader.read(T0 + 5000), [{ device: "Tesla T4", energyJ: 70 + 50 * 4, powerW: 50 }]);
  assert.deepEqual(reader.drainNotices(), [
    {
      level: "info",
      message:
        "GPU Tesla T4 readings resumed at 2026-01-15T12:00:05.000Z after 2 failed reads; the 4.000 s since its last reading were counted from the power it read then (50.00 W held over them), not measured.",
    },
  ]);
  reader.close();
});

test("codes that cannot heal lose the GPU for good at once", async () => {
  for (const rc of [1, 2, 3, 4, 9, 12, 13, 15, 16, 18, 28]) {
    fake.write({ gpus: [a100(0)] });
    const { reader } = await openReader(fake.library);
    fake.write({ gpus: [a100(0, { energyMj: 1_100_000, energyRc: rc })] });
    assert.equal(reader.read(T0 + 1000)[0]?.energyJ, 0);
    const [notice] = reader.drainNotices();
    assert.match(notice?.message ?? "", /Its energy stays at 0\.000 J from now on;/, `code ${rc}`);
    fake.write({ gpus: [a100(0, { energyMj: 1_200_000 })] });
    assert.equal(reader.read(T0 + 2000)[0]?.energyJ, 0, `code ${rc}`);
    assert.deepEqual(reader.drainNotices(), [], `code ${rc}`);
    reader.close();
  }
});

test("a GPU failing too many reads in a row is lost for good, said once", async () => {
  fake.write({ gpus: [a100(0)] });
  const { reader } = await openReader(fake.library);
  fake.write({ gpus: [a100(0, { energyMj: 1_100_000, energyRc: 999 })] });
  for (let i = 1; i <= MAX_FAILED_READS_IN_A_ROW; i++) reader.read(T0 + i * 1000);
  const notices = reader.drainNotices();
  assert.equal(notices.length, 2);
  assert.equal(
    notices[1]?.message,
    `GPU NVIDIA A100-SXM4-40GB, UUID ${UUID0}, still could not be read at ${new Date(T0 + MAX_FAILED_READS_IN_A_ROW * 1000).toISOString()}, ${MAX_FAILED_READS_IN_A_ROW} reads in a row since 2026-01-15T12:00:01.000Z: nvmlDeviceGetTotalEnergyConsumption returned Unknown Error (code 999). Its energy stays at 0.000 J from now on; the other devices are still measured.`,
  );
  fake.write({ gpus: [a100(0, { energyMj: 1_200_000 })] });
  assert.equal(reader.read(T0 + (MAX_FAILED_READS_IN_A_ROW + 1) * 1000)[0]?.energyJ, 0);
  assert.deepEqual(reader.drainNotices(), []);
  reader.close();
});

test("a transient failure followed by a code that cannot heal loses the GPU for good", async () => {
  fake.write({ gpus: [a100(0)] });
  const { reader } = await openReader(fake.library);
  fake.write({ gpus: [a100(0, { energyMj: 1_100_000, energyRc: 999 })] });
  reader.read(T0 + 1000);
  fake.write({ gpus: [a100(0, { energyMj: 1_100_000, energyRc: 15 })] });
  reader.read(T0 + 2000);
  const notices = reader.drainNotices();
  assert.equal(notices.length, 2);
  assert.match(
    notices[1]?.message ?? "",
    /GPU is lost \(code 15\)\. Its energy stays at 0\.000 J from now on;/,
  );
  fake.write({ gpus: [a100(0, { energyMj: 1_300_000 })] });
  assert.equal(reader.read(T0 + 3000)[0]?.energyJ, 0);
  reader.close();
});
