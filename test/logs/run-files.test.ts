// The run's file names as the original writes them (loggerutil.py, `Logger._setup`:
// f"{log_prefix}{os.getpid()}.{logger_id}", logger_id = str(randint(1, 999999)) in tracker.py):
// the id without zero padding, from 1 to 999999.
import { test } from "node:test";
import assert from "node:assert/strict";
import { logFileId, runFiles } from "../../src/logs/run-files.js";

test("the id is written as the original writes it, without zero padding", () => {
  const files = runFiles("logs", "exp-a_", 31834, 72315, new Date(Date.UTC(2026, 10, 28, 12, 51, 47)));
  assert.match(files.runId, /^exp-a_31834\.72315_\d{4}-\d\d-\d\dT\d{6}Z$/);
  assert.ok(files.output.endsWith(`${files.runId}_carbontracker_output.log`));
  assert.match(runFiles("logs", "", 7, 5, new Date(0)).runId, /^7\.5_/);
});

test("the id is drawn from 1 to 999999, as randint(1, 999999)", () => {
  assert.equal(
    logFileId(() => 0),
    1,
  );
  assert.equal(
    logFileId(() => 0.5),
    500_000,
  );
  assert.equal(
    logFileId(() => 0.999_999_999),
    999_999,
  );
});
