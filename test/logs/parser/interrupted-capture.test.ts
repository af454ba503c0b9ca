// A console capture (a SLURM .out file: stdout and stderr in one file) of OUR run interrupted
// after 2 of 5 epochs counts the 2 epochs measured, not the prediction for 5: the run says
// "Training was interrupted ..." on the console, and the capture parser reads it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseConsoleCapture } from "../../../src/logs/parser/index.js";
import { runCli, startCliMerged, tempDir } from "../../helpers/cli-process.js";

const TRAIN_PY = resolve("test/cli/fixtures/train.py");

/** Runs 5 epochs of 0.4 s under the CLI and sends it SIGINT once the script says "trained 2". */
async function interruptedCapture(): Promise<{ capture: string; logDir: string; code: number | null }> {
  const logDir = join(tempDir(), "logs");
  const args = ["--epochs", "5", "--sim-cpu", "X", "--sim-cpu-tdp", "100", "--log_dir", logDir];
  const run = startCliMerged([...args, "python3", TRAIN_PY, "5", "0.4"]);
  const deadline = Date.now() + 30_000;
  while (!run.read().includes("trained 2") && Date.now() < deadline) await sleep(20);
  run.child.kill("SIGINT");
  const { code, merged } = await run.done;
  return { capture: merged, logDir, code };
}

test("a capture of our CLI stopped by SIGINT after 2 of 5 epochs counts the 2 measured epochs", async () => {
  const { capture, logDir, code } = await interruptedCapture();
  assert.equal(code, 130, capture);
  assert.match(capture, /Predicted consumption for 5 epoch\(s\):/);
  assert.match(
    capture,
    /CarbonTracker: Training was interrupted before all 5 epochs were monitored\.\n(.*\n)*Actual consumption for [23] epoch\(s\):/,
  );
  const file = join(tempDir(), "job.4242.out");
  writeFileSync(file, capture);
  const [run, ...others] = parseConsoleCapture(capture, file).runs;
  assert.equal(others.length, 0);
  assert.ok(run);
  assert.equal(run.earlyStop, true);
  assert.equal(run.counted.basis, "actual", run.counted.reason);
  assert.equal(run.counted.epochs, run.actual?.epochs);
  assert.deepEqual(run.warnings, []);
  // The figure counted is the one the run's own JSONL records as measured.
  const jsonl = readdirSync(logDir).find((f) => f.endsWith(".jsonl")) as string;
  const actual = readFileSync(join(logDir, jsonl), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; energy_kwh: number; epochs: number })
    .find((r) => r.type === "actual");
  assert.equal(run.counted.epochs, actual?.epochs);
  assert.equal(run.counted.energyKwh, Number(actual?.energy_kwh.toFixed(12)));
  // And `--parse` says so to the user.
  const parsed = await runCli(["--parse", file, "--json"]);
  assert.equal(parsed.code, 0, parsed.stderr);
  const [record] = JSON.parse(parsed.stdout) as { counted: string; early_stop: boolean; epochs: number }[];
  assert.deepEqual([record?.counted, record?.early_stop, record?.epochs], ["actual", true, actual?.epochs]);
});

test("the recorded capture of such a run (fixture) counts its 2 epochs; without the marker, the prediction", () => {
  const text = readFileSync(resolve("test/fixtures/captures/ours-interrupted_job.4242.out"), "utf8");
  const [run] = parseConsoleCapture(text, "job.4242.out").runs;
  assert.equal(run?.counted.basis, "actual");
  assert.equal(run?.counted.epochs, 2);
  assert.deepEqual(run?.slurm, { job_id: "4242" });
  // The original's console says nothing of an interruption: the same capture without our line
  // stays ambiguous, and the prediction counts with a note (the original's rule).
  const unmarked = text.replace(/^CarbonTracker: Training was interrupted.*\n/m, "");
  const [original] = parseConsoleCapture(unmarked, "job.4242.out").runs;
  assert.equal(original?.earlyStop, null);
  assert.equal(original?.counted.basis, "predicted");
  assert.ok(original?.warnings.some((w) => /early stop/.test(w)));
});
