// --stop-and-confirm: after the prediction the CLI asks "Continue training (y/n)?" and reads the
// answer from its input (piped here): "n" ends the child with SIGTERM and still reports the actual.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, tempDir } from "../helpers/cli-process.js";

const SIM = ["--sim-cpu", "X", "--sim-cpu-tdp", "100"];
const TRAIN_PY = resolve("test/cli/fixtures/train.py");

function records(logDir: string): Record<string, unknown>[] {
  const file = readdirSync(logDir).find((f) => f.endsWith("_carbontracker.jsonl")) as string;
  return readFileSync(join(logDir, file), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('answering "n" stops the child, prints the actual so far and exits 0', async () => {
  const logDir = join(tempDir(), "logs");
  const run = await runCli(
    ["--epochs", "5", "--stop-and-confirm", ...SIM, "--log_dir", logDir, "python3", TRAIN_PY, "5", "0.1"],
    { input: "n\n" },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    /Predicted consumption for 5 epoch\(s\):[\s\S]*CarbonTracker: Continue training \(y\/n\)\?\nCarbonTracker: Quitting\.\.\.\n[\s\S]*Actual consumption for 1 epoch\(s\):/,
  );
  assert.doesNotMatch(run.stdout, /trained 2/);
  const all = records(logDir);
  assert.equal(all.filter((r) => r.type === "epoch" && !r.partial).length, 1);
  assert.equal((all.find((r) => r.type === "actual") as Record<string, unknown>).interrupted, true);
  const log = readFileSync(
    join(logDir, readdirSync(logDir).find((f) => f.endsWith("_carbontracker.log")) as string),
    "utf8",
  );
  assert.match(log, /Session ended by user\./);
});

test('an unknown answer is asked again; "y" lets training run to the end', async () => {
  const logDir = join(tempDir(), "logs");
  const run = await runCli(
    ["--epochs", "3", "--stop-and-confirm", ...SIM, "--log_dir", logDir, "python3", TRAIN_PY, "3", "0.05"],
    { input: "maybe\nY\n" },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    /Continue training \(y\/n\)\?\nCarbonTracker: Input not recognized\. Try again \(y\/n\):\nCarbonTracker: Continuing\.\.\.\n/,
  );
  assert.match(run.stdout, /trained 3\n/);
  assert.match(run.stderr, /Actual consumption for 3 epoch\(s\):/);
});

test("with no answer at all (end of input) training goes on", async () => {
  const logDir = join(tempDir(), "logs");
  const run = await runCli(
    ["--epochs", "2", "--stop-and-confirm", ...SIM, "--log_dir", logDir, "python3", TRAIN_PY, "2", "0.05"],
    { input: "" },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    /Continue training \(y\/n\)\?\nCarbonTracker: No answer \(end of input\): continuing\.\n/,
  );
  assert.match(run.stderr, /Actual consumption for 2 epoch\(s\):/);
});
