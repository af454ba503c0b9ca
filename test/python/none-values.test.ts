// None where the original takes it: log_file_prefix=None (the original formats it into its file
// names, loggerutil.py: f"{log_prefix}{pid}.{id}" after `if log_prefix: log_prefix += "_"`) and
// set_api_keys(None) (2.4.3 keeps the run's intensity source and goes on). A real python3 and
// the real engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { jsonlRecords, runScript } from "./python-kit.js";

test('log_file_prefix=None: the run is tracked, its files are named "None<pid>.<id>_..." as the original names them, and the parser reads them', async (t) => {
  const run = await runScript(t, (logDir) => [
    "import os",
    "from carbontracker.tracker import CarbonTracker",
    "from carbontracker import parser",
    `tracker = CarbonTracker(epochs=1, log_dir=${JSON.stringify(logDir)}, log_file_prefix=None, sim_cpu='X', sim_cpu_tdp=100)`,
    "tracker.epoch_start(); tracker.epoch_end()",
    "print('prefix', tracker.log_file_prefix, 'pid', os.getpid())",
    `runs = parser.parse_all_logs(${JSON.stringify(logDir)})`,
    "print('runs', len(runs), 'epochs', runs[0]['actual']['epochs'], os.path.basename(runs[0]['standard_filename'])[:4])",
  ]);
  if (!run) return;
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Actual consumption for 1 epoch\(s\):/);
  const pid = /^prefix None pid (\d+)$/m.exec(run.stdout)?.[1];
  assert.ok(pid, run.stdout);
  const files = readdirSync(run.logDir).sort();
  assert.ok(files.length >= 3, files.join(" "));
  for (const file of files) {
    assert.match(file, new RegExp(`^None${pid}\\.\\d+_\\d{4}-\\d\\d-\\d\\dT\\d{6}Z_carbontracker`), file);
  }
  assert.match(run.stdout, /^runs 1 epochs 1 None$/m);
});

test("set_api_keys(None) is taken, not refused: the keys given to CarbonTracker(...) stay the run's, and training goes on", async (t) => {
  const run = await runScript(t, (logDir) => [
    "from carbontracker.tracker import CarbonTracker",
    `tracker = CarbonTracker(epochs=1, log_dir=${JSON.stringify(logDir)}, api_keys={'electricitymaps': 'em-key-424242'}, sim_cpu='X', sim_cpu_tdp=100)`,
    "print('returned', tracker.set_api_keys(None), tracker.api_keys, flush=True)",
    "tracker.epoch_start(); tracker.epoch_end()",
    "print('trained', flush=True)",
  ]);
  if (!run) return;
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^returned None None\n/m);
  assert.match(run.stdout, /Actual consumption for 1 epoch\(s\):[\s\S]*trained\n$/);
  const start = jsonlRecords(run.logDir).find((r) => r.type === "start") as {
    options: { apiKeys: string[] };
  };
  assert.deepEqual(start.options.apiKeys, ["electricitymaps"]);
});
