// The Python bindings' log files are named as the original names them (loggerutil.py,
// `Logger._setup`): "<pid>.<id>_<date>_carbontracker*.log", the pid the Python program's and
// the id randint(1, 999999) written without zero padding, so a script that matches the
// original's names (or splits them at the dot) finds ours. Our parser reads them back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { runScript } from "./python-kit.js";

test("log file names: the Python program's pid, then an id of 1 to 999999 without leading zeros", async (t) => {
  const run = await runScript(t, (logDir) => [
    "import os",
    "from carbontracker.tracker import CarbonTracker",
    "from carbontracker import parser",
    "ids = []",
    "for _ in range(4):",
    `    tracker = CarbonTracker(epochs=1, log_dir=${JSON.stringify(logDir)}, verbose=0, sim_cpu='X', sim_cpu_tdp=100)`,
    "    tracker.epoch_start(); tracker.epoch_end()",
    `print('pid', os.getpid(), 'parsed', len(parser.parse_all_logs(${JSON.stringify(logDir)})))`,
  ]);
  if (!run) return;
  assert.equal(run.code, 0, run.stderr);
  const [, pid, parsed] = /^pid (\d+) parsed (\d+)$/m.exec(run.stdout) ?? [];
  assert.equal(parsed, "4", run.stdout);
  const logs = readdirSync(run.logDir).filter((f) => f.endsWith("_carbontracker.log"));
  assert.equal(logs.length, 4);
  for (const name of logs) {
    const [, owner, id] = /^(\d+)\.(\d+)_\d{4}-\d\d-\d\dT\d{6}Z_carbontracker\.log$/.exec(name) ?? [];
    assert.equal(owner, pid, name);
    assert.match(id ?? "", /^[1-9]\d{0,5}$/, name);
  }
});
