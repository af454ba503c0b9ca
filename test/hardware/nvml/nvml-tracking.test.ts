// A GPU tracked through the library on the fake NVML, the whole path above the seam: samples in
// the sampler thread read power only, the epoch's edges read the energy counter, the epoch's
// energy is the counter's exact difference, and the report draws the power sampled.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker } from "../../../src/index.js";
import { buildReportModel } from "../../../src/reports/run-report/report-model.js";
import { tempDir } from "../../helpers/cli-process.js";
import { createFakeNvml, FAKE_A100, type FakeGpu } from "../../helpers/fake-nvml.js";
import { jsonlRecords } from "../../helpers/jsonl-records.js";

test("a tracked GPU: the counter is read at the epoch's edges only, samples read power, the epoch is the counter's difference, the report draws the power", async () => {
  const fake = createFakeNvml();
  const board = (gpu: Partial<FakeGpu>) =>
    fake.write({ logEnergyCalls: true, gpus: [{ ...FAKE_A100, ...gpu }] });
  const logDir = join(tempDir(), "logs");
  try {
    board({});
    const tracker = new CarbonTracker({
      epochs: 2, // the last epoch's end would also stop the sampler, a read more
      components: "gpu",
      updateInterval: 0.2,
      logDir,
      stdout: () => undefined,
      env: { CARBONTRACKER_OFFLINE: "1", CARBONTRACKER_NVML_LIBRARY: fake.library },
    });
    tracker.epochStart();
    const atStart = fake.counterCalls();
    board({ energyMj: 1_234_567, powerMw: 300_000 });
    await sleep(1500);
    assert.equal(fake.counterCalls(), atStart, "samples in the epoch read no counter");
    const epoch = await tracker.epochEnd();
    assert.equal(epoch?.energyJ, 234.567, "the counter's difference over the epoch, to the millijoule");
    assert.equal(fake.counterCalls(), atStart + 1);
    await tracker.stop();

    const samples = jsonlRecords(logDir).filter((r) => r.type === "sample");
    const inEpoch = samples.filter((s) => s.power_w === 300);
    assert.ok(inEpoch.length >= 4, `samples at 300 W: ${JSON.stringify(samples)}`);
    for (const sample of inEpoch) {
      assert.equal(sample.energy_j, 0, "a sample between counter reads keeps the last exact energy");
      assert.equal(sample.provenance, "counter");
    }
    // The report (and the dashboard, the same model) draws the power sampled, not a standstill.
    const log = readdirSync(logDir).find((name) => name.endsWith("_carbontracker.log")) as string;
    const [gpuPower] = (await buildReportModel(join(logDir, log))).power;
    assert.ok(gpuPower && gpuPower.points.length >= 5);
    assert.deepEqual([...new Set(gpuPower.points.map((p) => p.v))], [300]);
  } finally {
    fake.cleanup();
  }
});
