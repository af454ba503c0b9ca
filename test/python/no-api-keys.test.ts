// The original 2.4.3 warns "No API keys provided. Skipping intensity provider initialization."
// whenever a tracker is built with api_keys=None (tracker.py, `_get_fetcher`, through
// `logger.err_warn`): first among the tracker's lines on stdout, and first in the err log, at
// every verbose level (loggerutil.py: its err logger's console handler has no verbose filter).
// An empty dict is not None: no warning. A real python3 and the real engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runScript } from "./python-kit.js";

const WARNING = "No API keys provided. Skipping intensity provider initialization.";

const script = (extra: string) => (logDir: string) => [
  "from carbontracker.tracker import CarbonTracker",
  `tracker = CarbonTracker(epochs=1, log_dir=${JSON.stringify(logDir)}, sim_cpu='X', sim_cpu_tdp=100${extra})`,
  "tracker.epoch_start(); tracker.epoch_end()",
];

function errLog(logDir: string): string[] {
  const name = readdirSync(logDir).find((f) => f.endsWith("_carbontracker_err.log"));
  assert.ok(name, `no err log in ${logDir}`);
  return readFileSync(join(logDir, name), "utf8").trimEnd().split("\n");
}

for (const verbose of [1, 0, 2]) {
  test(`api_keys=None, verbose=${verbose}: the original's warning is the first tracker line on stdout and in the err log`, async (t) => {
    const run = await runScript(t, script(`, verbose=${verbose}`));
    if (!run) return;
    assert.equal(run.code, 0, run.stderr);
    const trackerLines = run.stdout.split("\n").filter((line) => line.startsWith("CarbonTracker: "));
    assert.equal(trackerLines[0], `CarbonTracker: WARNING - ${WARNING}`);
    assert.equal(trackerLines.filter((line) => line.includes(WARNING)).length, 1);
    const first = errLog(run.logDir)[0] ?? "";
    assert.match(first, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - MainThread - WARNING - /);
    assert.ok(first.endsWith(` - MainThread - WARNING - ${WARNING}`), first);
  });
}

test("api_keys={} is not None: no warning about missing API keys", async (t) => {
  const run = await runScript(t, script(", api_keys={}"));
  if (!run) return;
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!run.stdout.includes(WARNING), run.stdout);
  assert.ok(!errLog(run.logDir).some((line) => line.includes(WARNING)));
});
