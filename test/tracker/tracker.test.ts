// The library end to end on simulated components (the original's semantics, exact power),
// through the real worker sampler, logs and JSONL.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker, ComponentUnavailableError } from "../../src/index.js";
import { tempDir } from "../helpers/cli-process.js";

function capture() {
  const lines: string[] = [];
  return { write: (text: string) => void lines.push(text), text: () => lines.join("") };
}

function logFiles(dir: string) {
  const names = readdirSync(dir);
  const find = (suffix: string) => {
    const name = names.find((n) => n.endsWith(suffix));
    return name ? readFileSync(join(dir, name), "utf8") : "";
  };
  return {
    names,
    standard: find("_carbontracker.log"),
    output: find("_carbontracker_output.log"),
    err: find("_carbontracker_err.log"),
    records: find("_carbontracker.jsonl")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const OFFLINE = { CARBONTRACKER_OFFLINE: "1" };

test("simulated CPU and GPU: devices summed, prediction after 1 epoch, actual after all, logs as the original", async () => {
  const dir = tempDir();
  const out = capture();
  const tracker = new CarbonTracker({
    epochs: 3,
    updateInterval: 0.1,
    logDir: dir,
    stdout: out.write,
    env: OFFLINE,
    simCpu: "Intel Xeon Gold 6226R",
    simCpuTdp: 150,
    simCpuUtil: 0.8,
    simGpu: "NVIDIA A100-SXM4-40GB",
    simGpuWatts: 400,
    simGpuUtil: 0.5,
  });
  const epochs = [];
  for (let e = 0; e < 3; e++) {
    tracker.epochStart();
    await sleep(300);
    epochs.push(await tracker.epochEnd());
  }
  const result = await tracker.stop();
  const console = out.text();
  assert.match(
    console,
    /CarbonTracker: The following components were found: GPU with device\(s\) NVIDIA A100-SXM4-40GB\. CPU with device\(s\) Intel Xeon Gold 6226R\.\n/,
  );
  assert.match(
    console,
    /Using simulated CPU: Intel Xeon Gold 6226R with TDP: 120\.00W \(at 80% utilization\)\n/,
  );
  assert.equal(console.match(/Predicted consumption for 3 epoch\(s\):/g)?.length, 1);
  assert.match(
    console,
    /CarbonTracker: \nActual consumption for 3 epoch\(s\):\n\tTime:\t0:00:01\n\tEnergy:\t\d\.\d{12} kWh\n\tCO2eq:\t/,
  );
  assert.match(
    console,
    /CarbonTracker: Average carbon intensity during training was 445\.00 gCO2eq\/kWh\. \n/,
  );
  assert.ok(console.trimEnd().endsWith("CarbonTracker: Finished monitoring."));
  // Summed, not averaged: 120 W + 200 W.
  for (const epoch of epochs) {
    assert.ok(epoch);
    const watts = epoch.energyJ / epoch.durationS;
    assert.ok(Math.abs(watts - 320) < 0.01, `epoch power ${watts} W should be 320 W`);
    assert.equal(epoch.devices.length, 2);
  }
  assert.ok(result);
  assert.equal(result.epochs, 3);
  assert.equal(result.interrupted, false);
  const joules = epochs.reduce((sum, e) => sum + (e?.energyJ ?? 0), 0);
  assert.ok(Math.abs(result.energyKwh - (joules / 3.6e6) * 1.58) < 1e-12);
  assert.ok(Math.abs(result.co2eqG - result.energyKwh * 445) < 1e-9);
  assert.equal(result.intensity.source, "static");
  assert.ok(
    result.prediction &&
      Math.abs(result.prediction.energyKwh - (epochs[0]!.energyJ / 3.6e6) * 1.58 * 3) < 1e-12,
  );

  const logs = logFiles(dir);
  assert.match(logs.standard, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - carbontracker version /);
  assert.match(
    logs.standard,
    / - Only predicted and actual consumptions are multiplied by a PUE coefficient of 1\.58 /,
  );
  assert.match(
    logs.standard,
    / - The following components were found: GPU with device\(s\) NVIDIA A100-SXM4-40GB\. CPU with device\(s\) Intel Xeon Gold 6226R\.\n/,
  );
  for (const n of [1, 2, 3]) assert.match(logs.standard, new RegExp(` - Epoch ${n}:\\n`));
  assert.match(logs.standard, / - Duration: 0:00:00\.\d\d\n/);
  const gpuW = Number(/Average power usage \(W\) for gpu: ([\d.]+)/.exec(logs.standard)?.[1]);
  const cpuW = Number(/Average power usage \(W\) for cpu: ([\d.]+)/.exec(logs.standard)?.[1]);
  assert.ok(Math.abs(gpuW - 200) < 0.01 && Math.abs(cpuW - 120) < 0.01, `gpu ${gpuW} W, cpu ${cpuW} W`);
  assert.match(logs.output, / - CarbonTracker: \nPredicted consumption for 3 epoch\(s\):\n\tTime:/);
  assert.match(logs.output, / - CarbonTracker: \nActual consumption for 3 epoch\(s\):\n/);
  assert.match(logs.output, / - CarbonTracker: Finished monitoring\.\n$/);

  const types = logs.records.map((r) => r.type);
  assert.equal(types[0], "start");
  assert.equal(types.at(-1), "end");
  assert.equal(types.filter((t) => t === "epoch").length, 3);
  assert.ok(
    types.includes("sample") &&
      types.includes("intensity") &&
      types.includes("prediction") &&
      types.includes("actual"),
  );
  const epochRecord = logs.records.find((r) => r.type === "epoch") as {
    start_t: number;
    end_t: number;
    devices: { provenance: string }[];
  };
  assert.ok(epochRecord.end_t > epochRecord.start_t);
  assert.deepEqual(
    epochRecord.devices.map((d) => d.provenance),
    ["simulated", "simulated"],
  );
});

test("an epoch shorter than the sampling interval still gets its real energy", async () => {
  const tracker = new CarbonTracker({
    epochs: 1,
    updateInterval: 10,
    stdout: () => {},
    env: OFFLINE,
    simCpu: "cpu",
    simCpuTdp: 100,
  });
  tracker.epochStart();
  await sleep(60);
  const epoch = await tracker.epochEnd();
  assert.ok(epoch && epoch.energyJ > 0, "not 0 kWh");
  assert.ok(Math.abs(epoch.energyJ / epoch.durationS - 50) < 0.01, "50 W over the epoch's own duration");
  await tracker.stop();
});

test("stop() before all epochs reports the epochs finished and records the interruption", async () => {
  const dir = tempDir();
  const out = capture();
  const tracker = new CarbonTracker({
    epochs: 5,
    logDir: dir,
    stdout: out.write,
    env: OFFLINE,
    simCpu: "c",
    simCpuTdp: 100,
  });
  for (let e = 0; e < 2; e++) {
    tracker.epochStart();
    await sleep(50);
    tracker.epochEnd();
  }
  tracker.epochStart();
  await sleep(30);
  const result = await tracker.stop();
  assert.ok(result?.interrupted);
  assert.equal(result.epochs, 2);
  assert.match(out.text(), /Actual consumption for 2 epoch\(s\):/);
  const logs = logFiles(dir);
  assert.match(logs.standard, /Training was interrupted before all 5 epochs were monitored\./);
  const actual = logs.records.find((r) => r.type === "actual");
  assert.equal(actual?.interrupted, true);
  assert.equal(
    logs.records.find((r) => r.partial === true)?.epoch,
    3,
    "the cut epoch is kept in the JSONL, marked partial",
  );
  assert.equal(logs.records.at(-1)?.reason, "stopped");
});

test("monitorEpochs ends monitoring early; later epochs are ignored", async () => {
  const out = capture();
  const tracker = new CarbonTracker({
    epochs: 4,
    monitorEpochs: 2,
    stdout: out.write,
    env: OFFLINE,
    simCpu: "c",
    simCpuTdp: 10,
  });
  for (let e = 0; e < 4; e++) {
    tracker.epochStart();
    await sleep(20);
    await tracker.epochEnd();
  }
  assert.match(out.text(), /Actual consumption for 2 epoch\(s\):/);
  assert.equal(out.text().match(/Finished monitoring/g)?.length, 1);
  assert.equal((await tracker.stop())?.epochs, 2);
});

test("no component available is a warning and training goes on; an explicit one is an error", async () => {
  const empty = tempDir();
  const out = capture();
  const env = {
    ...OFFLINE,
    CARBONTRACKER_PROC_ROOT: empty,
    CARBONTRACKER_NVML_LIBRARY: join(empty, "none.so"),
  };
  const tracker = new CarbonTracker({ epochs: 1, stdout: out.write, env });
  tracker.epochStart();
  const epoch = await tracker.epochEnd();
  assert.equal(epoch?.energyJ, 0);
  assert.match(out.text(), /WARNING - No components found: nothing can be measured/);
  await tracker.stop();
  assert.throws(
    () => new CarbonTracker({ epochs: 1, components: "cpu", stdout: () => {}, env }),
    (error: unknown) =>
      error instanceof ComponentUnavailableError && /No CPU available to measure/.test(error.message),
  );
});

test("API keys given to the constructor never reach the console or a log", async () => {
  const dir = tempDir();
  const out = capture();
  const secret = "em-SECRET-key-0123456789";
  const tracker = new CarbonTracker({
    epochs: 1,
    logDir: dir,
    stdout: out.write,
    env: OFFLINE,
    apiKeys: { electricitymaps: secret },
    simCpu: "c",
    simCpuTdp: 10,
  });
  tracker.epochStart();
  await tracker.epochEnd();
  const all =
    out.text() +
    logFiles(dir)
      .names.map((n) => readFileSync(join(dir, n), "utf8"))
      .join("");
  assert.ok(all.length > 500);
  assert.ok(!all.includes(secret));
  assert.match(
    logFiles(dir).records[0] ? JSON.stringify(logFiles(dir).records[0]) : "",
    /"apiKeys":\["electricitymaps"\]/,
  );
});
