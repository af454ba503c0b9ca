// `carbontracker --epochs N <command>` with a real Python and a real Node child marking epochs
// over the socket: the same prediction, actual, text logs and JSONL as the library.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, runCliMerged, tempDir } from "../helpers/cli-process.js";

const SIM = ["--sim-cpu", "X", "--sim-cpu-tdp", "100"];
const TRAIN_PY = resolve("test/cli/fixtures/train.py");
const TRAIN_MJS = resolve("test/ipc/fixtures/train.mjs");

function records(logDir: string): Record<string, unknown>[] {
  const file = readdirSync(logDir).find((f) => f.endsWith("_carbontracker.jsonl")) as string;
  return readFileSync(join(logDir, file), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function standardLog(logDir: string): string {
  const file = readdirSync(logDir).find((f) => f.endsWith("_carbontracker.log")) as string;
  return readFileSync(join(logDir, file), "utf8");
}

test("a Python script marking 3 epochs gets the prediction after 1 and the actual for 3", async () => {
  const logDir = join(tempDir(), "logs");
  const run = await runCliMerged([
    "--epochs",
    "3",
    ...SIM,
    "--log_dir",
    logDir,
    "python3",
    TRAIN_PY,
    "3",
    "0.2",
  ]);
  const out = run.merged;
  assert.equal(run.code, 0, out);
  // Each mark is handled before the script goes on: the blocks come before its next line.
  const order = [
    "Predicted consumption for 3 epoch(s):",
    "trained 1",
    "trained 2",
    "Actual consumption",
    "trained 3",
  ];
  const at = order.map((s) => out.indexOf(s));
  assert.deepEqual(
    [...at].sort((x, y) => x - y),
    at,
    out,
  );
  assert.ok((at[0] as number) >= 0, out);
  assert.match(out, /Actual consumption for 3 epoch\(s\):\n\tTime:\t0:00:0\d\n\tEnergy:\t\d\.\d{12} kWh\n/);
  const all = records(logDir);
  const epochs = all.filter((r) => r.type === "epoch");
  assert.deepEqual(
    epochs.map((e) => e.epoch),
    [1, 2, 3],
  );
  // Simulated CPU: 100 W TDP at 50 % = 50 W, so each epoch's energy is 50 W x its duration.
  for (const e of epochs) assert.ok(Math.abs((e.energy_j as number) - 50 * (e.duration_s as number)) < 1e-6);
  const actual = all.find((r) => r.type === "actual") as Record<string, unknown>;
  assert.equal(actual.epochs, 3);
  assert.equal(actual.interrupted, false);
  const joules = epochs.reduce((sum, e) => sum + (e.energy_j as number), 0);
  assert.ok(Math.abs((actual.energy_kwh as number) - (joules / 3.6e6) * 1.58) < 1e-12);
  assert.equal((all.find((r) => r.type === "prediction") as Record<string, unknown>).epochs, 3);
  assert.match(standardLog(logDir), /Epoch 1:\n[\s\S]*Epoch 2:\n[\s\S]*Epoch 3:\n/);
});

test("a Node script marking epochs: prediction after --epochs-before-pred, actual after --monitor-epochs", async () => {
  const logDir = join(tempDir(), "logs");
  const run = await runCliMerged([
    "--epochs",
    "4",
    "--epochs-before-pred",
    "2",
    "--monitor-epochs",
    "3",
    ...SIM,
    "--log_dir",
    logDir,
    "node",
    TRAIN_MJS,
    "4",
    "100",
  ]);
  const out = run.merged;
  assert.equal(run.code, 0, out);
  const predicted = out.indexOf("Predicted consumption for 4 epoch(s):");
  assert.ok(out.indexOf("epoch 1 replies") < predicted && predicted < out.indexOf("epoch 2 replies"), out);
  const actual = out.indexOf("Actual consumption for 3 epoch(s):");
  assert.ok(out.indexOf("epoch 2 replies") < actual && actual < out.indexOf("epoch 3 replies"), out);
  // Monitoring ended after epoch 3: later replies say so.
  assert.match(out, /epoch 4 replies \{"ok":true,"epochs":3\} \{"ok":true,"epochs":4,"finished":true\}\n/);
  const all = records(logDir);
  assert.equal(all.filter((r) => r.type === "epoch").length, 3);
  assert.equal((all.find((r) => r.type === "end") as Record<string, unknown>).reason, "finished");
});

test("a program that marks nothing is one epoch, without the prediction it cannot make, and one line says so", async () => {
  const logDir = join(tempDir(), "logs");
  const run = await runCli([
    "--epochs",
    "3",
    ...SIM,
    "--log_dir",
    logDir,
    "node",
    "-e",
    "setTimeout(() => {}, 200)",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /Predicted consumption/);
  assert.match(
    run.stderr,
    /CarbonTracker: The command marked no epoch: the whole run is counted as one, without a prediction\. Mark epochs with .*\(see README, "Epochs from any language"\)\.\nCarbonTracker: Training was interrupted before all 3 epochs were monitored\.\nCarbonTracker: Average carbon intensity[^\n]*\nCarbonTracker: \nActual consumption for 1 epoch\(s\):/,
  );
  assert.equal(records(logDir).filter((r) => r.type === "prediction").length, 0);
  const all = records(logDir);
  assert.equal(all.filter((r) => r.type === "epoch").length, 1);
  assert.equal((all.find((r) => r.type === "actual") as Record<string, unknown>).interrupted, true);
});

test("a program that exits inside an epoch leaves it as cut short, not counted", async () => {
  const logDir = join(tempDir(), "logs");
  const run = await runCli([
    "--epochs",
    "3",
    ...SIM,
    "--log_dir",
    logDir,
    "python3",
    TRAIN_PY,
    "3",
    "0.1",
    "cut",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Actual consumption for 2 epoch\(s\):/);
  assert.match(
    standardLog(logDir),
    /Epoch 3 was cut short after 0:00:00\.\d\d: not counted in the actual consumption\./,
  );
  const epochs = records(logDir).filter((r) => r.type === "epoch");
  assert.deepEqual(
    epochs.map((e) => [e.epoch, e.partial ?? false]),
    [
      [1, false],
      [2, false],
      [3, true],
    ],
  );
});

/** A wrapped Python script using the bindings' CarbonTracker with these keyword arguments. */
function bindingsScript(kwargs: string, epochs: number, after = ""): string[] {
  return [
    "python3",
    "-c",
    [
      "import time",
      "from carbontracker.tracker import CarbonTracker",
      `tracker = CarbonTracker(${kwargs})`,
      `for epoch in range(${epochs}):`,
      "    tracker.epoch_start()",
      "    time.sleep(0.1)",
      "    tracker.epoch_end()",
      "    print('trained %d' % (epoch + 1), flush=True)",
      "tracker.stop()",
      after,
    ].join("\n"),
  ];
}

/** Runs a bindings script under the CLI (the simulated CPU, a fresh log folder, `flags`); it must exit 0. */
async function wrapBindings(flags: string[], script: string[]): Promise<{ logDir: string; out: string }> {
  const logDir = join(tempDir(), "logs");
  const run = await runCliMerged([...SIM, "--log_dir", logDir, ...flags, ...script]);
  assert.equal(run.code, 0, run.merged);
  return { logDir, out: run.merged };
}

test("a wrapped script's CarbonTracker(...) sets epochs and options the command line leaves at their defaults; the tracker it replaces leaves no trace", async () => {
  const { logDir, out } = await wrapBindings(
    [],
    bindingsScript("epochs=3, epochs_before_pred=2, decimal_precision=4, log_file_prefix='exp'", 3),
  );
  assert.match(
    out,
    /trained 1\nCarbonTracker: \nPredicted consumption for 3 epoch\(s\):\n\tTime:\t0:00:00\n\tEnergy:\t\d\.\d{4} kWh\n/,
  );
  assert.match(out, /Actual consumption for 3 epoch\(s\):\n[\s\S]*trained 3\n/);
  // Same devices (the simulated CPU of the command line): the start lines are printed once.
  assert.equal(out.match(/The following components were found/g)?.length, 1, out);
  assert.ok(
    readdirSync(logDir).every((f) => f.startsWith("exp_")),
    readdirSync(logDir).join(", "),
  );
  const all = records(logDir);
  assert.equal(all.filter((r) => r.type === "start").length, 1);
  assert.deepEqual(
    all.filter((r) => r.type === "epoch").map((e) => e.epoch),
    [1, 2, 3],
  );
  assert.equal((all.find((r) => r.type === "end") as Record<string, unknown>).reason, "finished");
});

test("options given on the command line win over the script's, each with a note; a second CarbonTracker after stop() is the next run", async () => {
  const { logDir, out } = await wrapBindings(
    ["--epochs-before-pred", "0"],
    bindingsScript(
      "epochs=2, epochs_before_pred=2, log_dir='elsewhere'",
      2,
      "second = CarbonTracker(epochs=1)\nsecond.epoch_start(); second.epoch_end()",
    ),
  );
  assert.match(out, /carbontracker: --log-dir on the command line wins over the script's log_dir\.\n/);
  assert.match(
    out,
    /carbontracker: --epochs-before-pred on the command line wins over the script's epochs_before_pred\.\n/,
  );
  assert.doesNotMatch(out, /Predicted consumption/);
  const runs = readdirSync(logDir).filter((f) => f.endsWith(".jsonl"));
  assert.equal(runs.length, 2, runs.join(", "));
  assert.match(out, /Actual consumption for 2 epoch\(s\):[\s\S]*Actual consumption for 1 epoch\(s\):/);
});

test('a wrapped script\'s epochs_before_pred=0 titles the actual "Actual consumption:" as the original does; a later CarbonTracker with the default keeps the epoch count', async () => {
  const { out } = await wrapBindings(
    [],
    bindingsScript(
      "epochs=2, epochs_before_pred=0",
      2,
      "second = CarbonTracker(epochs=1)\nsecond.epoch_start(); second.epoch_end()",
    ),
  );
  assert.match(out, /CarbonTracker: \nActual consumption:\n\tTime:/);
  assert.doesNotMatch(out, /consumption for 2 epoch/);
  assert.match(out, /Actual consumption:\n[\s\S]*Actual consumption for 1 epoch\(s\):/);
});
