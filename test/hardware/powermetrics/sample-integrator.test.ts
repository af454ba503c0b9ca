import { test } from "node:test";
import assert from "node:assert/strict";
import { SampleIntegrator } from "../../../src/hardware/powermetrics/sample-integrator.js";

const CPU = "CPU Power line (mW)";

test("each sample adds its power times its stated elapsed time", () => {
  const integrator = new SampleIntegrator(2000);
  integrator.startSample(1000, 10_000);
  integrator.addPower("CPU", 6.321, CPU, 10_000);
  integrator.startSample(500, 10_500);
  integrator.addPower("CPU", 2, CPU, 10_500);
  // 6.321 W × 1 s + 2 W × 0.5 s, read the instant the second sample arrived.
  assert.deepEqual(integrator.valueAt("CPU", 10_500), { energyJ: 7.321, powerW: 2 });
});

test("a GPU power repeated in the GPU section counts once per sample", () => {
  const integrator = new SampleIntegrator(2000);
  integrator.startSample(1000, 0);
  integrator.addPower("GPU", 0.412, "GPU", 0);
  integrator.addPower("GPU", 0.412, "GPU", 0);
  assert.equal(integrator.valueAt("GPU", 0).energyJ, 0.412);
});

test("between samples the last power is held, up to the cap", () => {
  const integrator = new SampleIntegrator(2000);
  integrator.startSample(1000, 0);
  integrator.addPower("CPU", 10, CPU, 0);
  assert.equal(integrator.valueAt("CPU", 500).energyJ, 10 + 5);
  assert.equal(integrator.valueAt("CPU", 60_000).energyJ, 10 + 20);
});

test("a device missing from a sample drew 0 W in it (the original's reading of a missing line)", () => {
  const integrator = new SampleIntegrator(2000);
  integrator.startSample(1000, 0);
  integrator.addPower("ANE", 1, "ANE", 0);
  integrator.startSample(1000, 1000);
  integrator.startSample(1000, 2000);
  assert.deepEqual(integrator.valueAt("ANE", 2000), { energyJ: 1, powerW: 0 });
  assert.deepEqual(integrator.valueAt("GPU", 2000), { energyJ: 0, powerW: null });
});

test("a header without an elapsed figure uses the time since the previous header", () => {
  const integrator = new SampleIntegrator(2000);
  integrator.startSample(null, 1000);
  integrator.addPower("CPU", 3, CPU, 1000);
  integrator.startSample(null, 3000);
  integrator.addPower("CPU", 3, CPU, 3000);
  assert.equal(integrator.valueAt("CPU", 3000).energyJ, 6);
});

test("commit folds the held power into the total and stops holding until the next sample", () => {
  const integrator = new SampleIntegrator(2000);
  integrator.startSample(1000, 0);
  integrator.addPower("CPU", 4, CPU, 0);
  integrator.commit(250);
  assert.deepEqual(integrator.valueAt("CPU", 10_000), { energyJ: 5, powerW: null });
  integrator.startSample(1000, 11_000);
  integrator.addPower("CPU", 4, CPU, 11_000);
  assert.deepEqual(integrator.valueAt("CPU", 11_000), { energyJ: 9, powerW: 4 });
});
