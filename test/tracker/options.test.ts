import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveOptions, parseComponents } from "../../src/tracker/options.js";
import { InvalidOptionError } from "../../src/errors/index.js";

function rejects(options: Record<string, unknown>, option: string, text: RegExp): void {
  assert.throws(
    () => resolveOptions(options as never),
    (error: unknown) =>
      error instanceof InvalidOptionError && error.option === option && text.test(error.message),
  );
}

test("defaults are the original's", () => {
  const o = resolveOptions({ epochs: 5 });
  assert.equal(o.epochsBeforePred, 1);
  assert.equal(o.monitorEpochs, 5, "monitorEpochs -1 means all epochs");
  assert.equal(o.updateInterval, 1);
  assert.equal(o.interpretable, true);
  assert.equal(o.verbose, 1);
  assert.equal(o.decimalPrecision, 12);
  assert.equal(o.pue, 1.58);
  assert.deepEqual(o.components, ["gpu", "cpu"]);
});

test("epochs is required and positive", () => {
  rejects({}, "epochs", /epochs must be an integer >= 1/);
  rejects({ epochs: 0 }, "epochs", /got 0/);
  rejects({ epochs: 1.5 }, "epochs", /integer/);
  rejects({ epochs: "3" }, "epochs", /got "3"/);
});

test("monitorEpochs: 0, below -1, or less than epochsBeforePred is refused", () => {
  rejects({ epochs: 5, monitorEpochs: 0 }, "monitorEpochs", /-1 \(all epochs\) or a positive integer/);
  rejects({ epochs: 5, monitorEpochs: -2 }, "monitorEpochs", /got -2/);
  rejects(
    { epochs: 5, monitorEpochs: 2, epochsBeforePred: 3 },
    "monitorEpochs",
    /must not be less than epochsBeforePred \(3\)/,
  );
  assert.equal(resolveOptions({ epochs: 5, monitorEpochs: 3, epochsBeforePred: 3 }).monitorEpochs, 3);
});

test("epochsBeforePred must be a non-negative integer", () => {
  rejects({ epochs: 5, epochsBeforePred: -1 }, "epochsBeforePred", />= 0/);
  assert.equal(resolveOptions({ epochs: 5, epochsBeforePred: 0 }).epochsBeforePred, 0);
});

test("simulated components need their power", () => {
  rejects({ epochs: 1, simCpu: "Xeon" }, "simCpuTdp", /simCpu is set but simCpuTdp is missing/);
  rejects({ epochs: 1, simGpu: "A100" }, "simGpuWatts", /simGpu is set but simGpuWatts is missing/);
  rejects({ epochs: 1, simCpu: "Xeon", simCpuTdp: 100, simCpuUtil: 1.5 }, "simCpuUtil", /between 0 and 1/);
  rejects({ epochs: 1, simGpu: "A100", simGpuWatts: -3 }, "simGpuWatts", /non-negative/);
  rejects({ epochs: 1, simGpu: "A100", simGpuWatts: 300, simGpuUtil: -0.1 }, "simGpuUtil", /non-negative/);
  rejects({ epochs: 1, simCpu: "" }, "simCpu", /non-empty string/);
});

test("components: known names only, in the original's order", () => {
  assert.deepEqual(parseComponents("cpu"), ["cpu"]);
  assert.deepEqual(parseComponents("cpu,gpu"), ["gpu", "cpu"]);
  assert.deepEqual(parseComponents("ALL"), ["gpu", "cpu"]);
  rejects({ epochs: 1, components: "tpu" }, "components", /Unknown component "tpu"/);
  rejects({ epochs: 1, components: "," }, "components", /must be "all"/);
  rejects({ epochs: 1, components: 3 }, "components", /must be a string/);
});

test("numbers in range: updateInterval, pue, verbose, decimalPrecision, cpuTdp", () => {
  rejects({ epochs: 1, updateInterval: 0 }, "updateInterval", /positive number/);
  rejects({ epochs: 1, pue: 0.5 }, "pue", /at least 1/);
  rejects({ epochs: 1, verbose: 3 }, "verbose", /0, 1 or 2/);
  rejects({ epochs: 1, decimalPrecision: -1 }, "decimalPrecision", />= 0/);
  rejects({ epochs: 1, cpuTdp: 0 }, "cpuTdp", /positive/);
  rejects({ epochs: 1, country: "Denmark" }, "country", /alpha-2/);
  rejects({ epochs: 1, apiKeys: { electricitymaps: 5 } }, "apiKeys", /object of strings/);
  rejects({ epochs: 1, logDir: "" }, "logDir", /non-empty/);
});
