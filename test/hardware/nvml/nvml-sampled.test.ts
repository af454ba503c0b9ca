import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createFakeNvml } from "../../helpers/fake-nvml.js";
import { a100, deviceNames, openNvml, openReader, T0 } from "./nvml-test-kit.js";

const fake = createFakeNvml();
after(() => fake.cleanup());

const t4 = {
  name: "Tesla T4",
  uuid: "GPU-0f4e9d21-8c7b-46a2-b3d5-91e8c6a72f10",
  energyRc: 3,
  powerMw: 70_000,
  limitMw: 70_000,
};

test("a GPU without an energy counter is measured by sampled power integrated over time", async () => {
  fake.write({ gpus: [t4] });
  const { reader, notices } = await openReader(fake.library);
  const [device] = reader.devices();
  assert.equal(device?.provenance, "sampled");
  assert.equal(device?.details?.energy_source, "nvmlDeviceGetPowerUsage (mW) integrated over time");
  assert.equal(device?.details?.cross_check, null);
  assert.ok(notices.some((n) => n.message.endsWith("sampled power: Tesla T4.")));
  assert.deepEqual(reader.read(T0 + 2000), [{ device: "Tesla T4", energyJ: 140, powerW: 70 }]);
  fake.write({ gpus: [{ ...t4, powerMw: 35_500 }] });
  assert.deepEqual(reader.read(T0 + 3000), [{ device: "Tesla T4", energyJ: 175.5, powerW: 35.5 }]);
  // A power of 0 W is a reading, not an error.
  fake.write({ gpus: [{ ...t4, powerMw: 0 }] });
  assert.deepEqual(reader.read(T0 + 4000), [{ device: "Tesla T4", energyJ: 175.5, powerW: 0 }]);
  assert.deepEqual(reader.drainNotices(), []);
  reader.close();
});

test("counter and sampled GPUs are measured side by side, each with its provenance", async () => {
  fake.write({ gpus: [a100(0), t4] });
  const { reader, notices } = await openReader(fake.library);
  assert.deepEqual(
    reader.devices().map((d) => [d.device, d.provenance]),
    [
      ["NVIDIA A100-SXM4-40GB", "counter"],
      ["Tesla T4", "sampled"],
    ],
  );
  assert.ok(
    notices.some((n) =>
      n.message.endsWith("energy counter: NVIDIA A100-SXM4-40GB; sampled power: Tesla T4."),
    ),
  );
  reader.close();
});

test("a GPU reporting neither counter nor power is left out with a warning, never counted as zero", async () => {
  const laptop = {
    name: "NVIDIA GeForce GTX 1050 Ti with Max-Q Design",
    uuid: "GPU-11111111-2222-3333-4444-555555555555",
    energyRc: 3,
    powerRc: 3,
  };
  fake.write({ gpus: [laptop, t4] });
  const { reader, notices } = await openReader(fake.library);
  assert.deepEqual(deviceNames(reader), ["Tesla T4"]);
  const warning = notices.find((n) => n.level === "warning");
  assert.equal(
    warning?.message,
    "GPU NVIDIA GeForce GTX 1050 Ti with Max-Q Design (GPU-11111111-2222-3333-4444-555555555555) reports neither an energy counter (nvmlDeviceGetTotalEnergyConsumption: Not Supported (code 3)) nor power (nvmlDeviceGetPowerUsage: Not Supported (code 3)): it is left out of the measurement, not counted as zero.",
  );
  reader.close();
});

test("when no selected GPU reports anything the backend is skipped with the reason and the warning", async () => {
  const before = fake.calls().length;
  fake.write({ gpus: [{ name: "Quadro K620", uuid: "GPU-aaaa", energyRc: 3, powerRc: 3 }] });
  const opened = await openNvml(fake.library);
  assert.equal(opened.reader, undefined);
  assert.deepEqual(opened.skip, {
    backend: "nvml",
    component: "gpu",
    reason: "none of the selected GPUs reports an energy counter or power",
  });
  assert.match(opened.notices[0]?.message ?? "", /^GPU Quadro K620 \(GPU-aaaa\) reports neither/);
  assert.deepEqual(fake.calls().slice(before), ["nvmlInit_v2", "nvmlShutdown"]);
});
