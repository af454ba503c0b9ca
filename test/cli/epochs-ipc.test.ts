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
  assert.match(out, /epoch 4 replies \{"ok":true,"epochs":3\} \{"ok":true,"epochs":4\}\n/);
  const all = records(logDir);
  assert.equal(all.filter((r) => r.type === "epoch").length, 3);
  assert.equal((all.find((r) => r.type === "end") as Record<string, unknown>).reason, "finished");
});

test("a program that marks nothing is one epoch, as before", async () => {
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
  assert.match(run.stderr, /Predicted consumption for 3 epoch\(s\):/);
  assert.match(run.stderr, /Actual consumption for 1 epoch\(s\):/);
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
