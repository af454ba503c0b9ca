// epochs_before_pred as the original 2.4.3 reads it (tracker.py): the prediction comes when the
// epoch count equals it, and the actual block drops its epoch count when it is 0. What the user
// sees: the printed blocks and the output log, with a real python3 and the real engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pythonFor, runPython, tempFolder } from "./python-kit.js";

/** A script that trains `epochs` epochs of 0.1 s with these keywords, then prints "trained". */
function script(logDir: string, keywords: string, epochs: number, stopAfter?: number): string {
  return [
    "import time",
    "from carbontracker.tracker import CarbonTracker",
    `tracker = CarbonTracker(epochs=${epochs}, ${keywords}, log_dir=${JSON.stringify(logDir)}, update_interval=0.05, sim_cpu='X', sim_cpu_tdp=100)`,
    `for epoch in range(${stopAfter ?? epochs}):`,
    "    tracker.epoch_start()",
    "    time.sleep(0.1)",
    "    tracker.epoch_end()",
    ...(stopAfter === undefined ? [] : ["tracker.stop()"]),
    "print('trained', flush=True)",
  ].join("\n");
}

/** The original's actual block without the epoch count, as 2.4.3 prints it (run-04's capture). */
const PLAIN_ACTUAL =
  /CarbonTracker: \nActual consumption:\n\tTime:\t0:00:0\d\n\tEnergy:\t\d\.\d{12} kWh\n\tCO2eq:\t\d\.\d{12} g\n\tThis is equivalent to:\n\t\d\.\d{12} km travelled by car\n/;

function outputLog(logDir: string): string {
  const name = readdirSync(logDir).find((f) => f.endsWith("_carbontracker_output.log"));
  assert.ok(name, readdirSync(logDir).join(" "));
  return readFileSync(join(logDir, name), "utf8");
}

test('epochs_before_pred=0: no prediction, and the actual is titled "Actual consumption:" on the console and in the output log', async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const logDir = join(tempFolder(t), "logs");
  const run = await runPython(python, ["-c", script(logDir, "epochs_before_pred=0", 2)]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, PLAIN_ACTUAL);
  assert.doesNotMatch(run.stdout, /Predicted consumption|epoch\(s\)/);
  assert.match(run.stdout, /CarbonTracker: Finished monitoring\.\ntrained\n$/);
  const log = outputLog(logDir);
  assert.match(log, / - CarbonTracker: \nActual consumption:\n\tTime:/);
  assert.doesNotMatch(log, /epoch\(s\)/);
});

test('epochs_before_pred=0 with stop() before the last epoch: the actual is titled "Actual consumption:" too', async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const logDir = join(tempFolder(t), "logs");
  const run = await runPython(python, ["-c", script(logDir, "epochs_before_pred=0", 3, 1)]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, PLAIN_ACTUAL);
  assert.doesNotMatch(run.stdout, /epoch\(s\)/);
  assert.match(outputLog(logDir), /Actual consumption:\n/);
});

test("epochs_before_pred=-1 never predicts (nor asks with stop_and_confirm), as 2.4.3 does despite its docstring's 'all epochs'; the actual keeps its count", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const logDir = join(tempFolder(t), "logs");
  const run = await runPython(python, [
    "-c",
    script(logDir, "epochs_before_pred=-1, stop_and_confirm=True", 3),
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /Predicted consumption|Continue training/);
  assert.match(run.stdout, /CarbonTracker: \nActual consumption for 3 epoch\(s\):\n\tTime:/);
  assert.match(run.stdout, /trained\n$/);
  const log = outputLog(logDir);
  assert.doesNotMatch(log, /Predicted consumption/);
  assert.match(log, /Actual consumption for 3 epoch\(s\):\n/);
});
