import { after, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { createFakeNvml } from "../../helpers/fake-nvml.js";
import { a100, openNvml, openReader, openT4WhosePowerFails, T0 } from "./nvml-test-kit.js";

const fake = createFakeNvml();
after(() => fake.cleanup());

test("without the NVML library the GPU component is skipped with the reason and the fix", async () => {
  const missing = join(fake.dir, "no-such-dir", "libnvidia-ml.so.1");
  const opened = await openNvml(missing);
  assert.equal(opened.reader, undefined);
  assert.equal(opened.skip?.backend, "nvml");
  assert.equal(opened.skip?.component, "gpu");
  assert.match(opened.skip?.reason ?? "", new RegExp(`^cannot load the NVML library ${missing}: `));
  assert.equal(
    opened.skip?.fix,
    "Install the NVIDIA driver (it ships libnvidia-ml.so.1), or set CARBONTRACKER_NVML_LIBRARY to the library's path.",
  );
});

test("the default library name is libnvidia-ml.so.1 (absent on this machine: a skip, not a crash)", async () => {
  const opened = await openNvml("", { CARBONTRACKER_NVML_LIBRARY: undefined });
  if (opened.reader) {
    opened.reader.close();
    return; // a machine with a real driver
  }
  assert.match(opened.skip?.reason ?? "", /libnvidia-ml\.so\.1/);
});

test("nvmlInit failing (driver not loaded) skips the GPU with NVML's words and code", async () => {
  fake.write({ initRc: 9, gpus: [a100(0)] });
  const opened = await openNvml(fake.library);
  assert.equal(opened.skip?.reason, `nvmlInit_v2 in ${fake.library} failed: Driver Not Loaded (code 9)`);
});

test("no GPU at all is a skip saying so", async () => {
  fake.write({ gpus: [] });
  const opened = await openNvml(fake.library);
  assert.equal(opened.skip?.reason, "NVML reports no GPU this process can open");
  fake.write({ countRc: 999, gpus: [a100(0)] });
  const failing = await openNvml(fake.library);
  assert.equal(failing.skip?.reason, "nvmlDeviceGetCount_v2 failed: Unknown Error (code 999)");
});

test("a GPU lost mid-run stops growing, the log says when and which, the other GPUs go on", async () => {
  fake.write({ gpus: [a100(0), a100(1)] });
  const { reader } = await openReader(fake.library);
  const names = reader.devices().map((d) => d.device);
  assert.deepEqual(names, ["NVIDIA A100-SXM4-40GB (GPU 0)", "NVIDIA A100-SXM4-40GB (GPU 1)"]);
  fake.write({ gpus: [a100(0, { energyMj: 1_100_000 }), a100(1, { energyMj: 1_100_000 })] });
  reader.read(T0 + 1000);
  assert.deepEqual(reader.drainNotices(), []);
  fake.write({ gpus: [a100(0, { energyMj: 1_200_000, energyRc: 15 }), a100(1, { energyMj: 1_200_000 })] });
  const lost = reader.read(T0 + 2000);
  assert.deepEqual(
    lost.map((r) => [r.device, r.energyJ, r.powerW]),
    [
      ["NVIDIA A100-SXM4-40GB (GPU 0)", 100, null],
      ["NVIDIA A100-SXM4-40GB (GPU 1)", 200, 250],
    ],
  );
  assert.deepEqual(reader.drainNotices(), [
    {
      level: "error",
      message:
        "GPU NVIDIA A100-SXM4-40GB (GPU 0), UUID GPU-6b8a1c2e-5f3d-4a09-9c1e-2d7f0b3a4e50, could not be read at 2026-01-15T12:00:02.000Z: nvmlDeviceGetTotalEnergyConsumption returned GPU is lost (code 15). Its energy stays at 100.000 J from now on; the other devices are still measured.",
    },
  ]);
  // Even if the GPU answers again, its figure stays frozen and nothing more is said.
  fake.write({ gpus: [a100(0, { energyMj: 1_900_000 }), a100(1, { energyMj: 1_300_000 })] });
  assert.deepEqual(
    reader.read(T0 + 3000).map((r) => r.energyJ),
    [100, 300],
  );
  assert.deepEqual(reader.drainNotices(), []);
  reader.close();
});

test("a sampled GPU whose power call fails mid-run keeps its figure and says which call failed", async () => {
  const reader = await openT4WhosePowerFails(fake);
  assert.match(
    reader.drainNotices()[0]?.message ?? "",
    /^GPU Tesla T4, UUID GPU-0f4e9d21, could not be read at 2026-01-15T12:00:02\.000Z: nvmlDeviceGetPowerUsage returned Unknown Error \(code 999\)\./,
  );
  reader.close();
});
