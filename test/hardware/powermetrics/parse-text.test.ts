import { test } from "node:test";
import assert from "node:assert/strict";
import { LineSplitter, parsePowermetricsLine } from "../../../src/hardware/powermetrics/parse-text.js";

test("a sample header gives its elapsed time in ms", () => {
  assert.deepEqual(
    parsePowermetricsLine(
      "*** Sampled system activity (Mon Apr 22 10:02:51 2024 +0200) (1003.12ms elapsed) ***",
    ),
    { kind: "sample", elapsedMs: 1003.12 },
  );
  assert.deepEqual(
    parsePowermetricsLine("*** Sampled system activity (Mon Apr 22 10:02:51 2024 +0200) ***"),
    {
      kind: "sample",
      elapsedMs: null,
    },
  );
});

test("macOS 13+ power lines are mW and name CPU, GPU and ANE; Combined and cluster lines are ignored", () => {
  assert.deepEqual(parsePowermetricsLine("CPU Power: 6321 mW"), {
    kind: "power",
    device: "CPU",
    powerW: 6.321,
    source: "CPU Power line (mW)",
  });
  assert.equal((parsePowermetricsLine("GPU Power: 412 mW") as { powerW: number }).powerW, 0.412);
  assert.equal((parsePowermetricsLine("ANE Power: 0 mW") as { powerW: number }).powerW, 0);
  assert.equal(parsePowermetricsLine("Combined Power (CPU + GPU + ANE): 6733 mW"), null);
  assert.equal(parsePowermetricsLine("E-Cluster Power: 41 mW"), null);
  assert.equal(parsePowermetricsLine("Package Power: 1473 mW"), null);
  assert.equal(parsePowermetricsLine("DRAM Power: 220 mW"), null);
  assert.equal(parsePowermetricsLine("CPU 0 frequency: 1362 MHz"), null);
});

test("an Intel Mac's package line is the CPU, in watts", () => {
  const line = parsePowermetricsLine("Intel energy model derived package power (CPUs+GT+SA): 4.51W");
  assert.deepEqual(line, {
    kind: "power",
    device: "CPU",
    powerW: 4.51,
    source: "Intel energy model derived package power (CPUs+GT+SA)",
  });
});

test("the header block names the machine and OS", () => {
  assert.deepEqual(parsePowermetricsLine("Machine model: Mac14,9"), { kind: "machine", model: "Mac14,9" });
  assert.deepEqual(parsePowermetricsLine("OS version: 23E224"), { kind: "os", version: "23E224" });
});

test("lines split across chunks come out whole, CRLF included", () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push("CPU Po"), []);
  assert.deepEqual(splitter.push("wer: 12 mW\r\nGPU Power"), ["CPU Power: 12 mW"]);
  assert.deepEqual(splitter.push(": 3 mW\n\n"), ["GPU Power: 3 mW", ""]);
  assert.deepEqual(splitter.push("ANE Power: 1 mW"), []);
  assert.deepEqual(splitter.end(), ["ANE Power: 1 mW"]);
});
