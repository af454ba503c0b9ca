// The sampler thread's schedule on the wall clock: one sample per interval, whatever the clock does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nextSampleDue, waitForSample } from "../../src/sampling/sample-schedule.js";

test("a sample due in 400 ms is waited for 400 ms; one overdue is taken at once", () => {
  assert.deepEqual(waitForSample(10_400, 10_000, 1000), { dueMs: 10_400, waitMs: 400 });
  assert.deepEqual(waitForSample(10_000, 10_250, 1000), { dueMs: 10_000, waitMs: 0 });
});

test("a clock set back an hour restarts the schedule: the next sample is one interval away", () => {
  const setBack = 10_000 - 3_600_000;
  assert.deepEqual(waitForSample(11_000, setBack, 1000), { dueMs: setBack + 1000, waitMs: 1000 });
});

test("samples keep their rate: the next is due one interval after the last was due", () => {
  assert.equal(nextSampleDue(10_000, 10_003, 1000), 11_000);
});

test("after a pause of five intervals one sample is taken, and the next half an interval later at the soonest", () => {
  const due = nextSampleDue(10_000, 15_200, 1000);
  assert.equal(due, 15_700);
  assert.ok(waitForSample(due, 15_201, 1000).waitMs > 0, "a burst of catch-up samples");
});
