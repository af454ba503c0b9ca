// How many background samples wait before they reach the tracker's thread, at each interval.
import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultBatchSpanMs, SampleBatch } from "../../src/sampling/sample-batch.js";
import type { Snapshot } from "../../src/sampling/reader-set.js";

/** How many samples each handed-over batch held, for `count` samples every `intervalMs`. */
function batchSizes(intervalMs: number, count: number, spanMs = defaultBatchSpanMs(intervalMs)): number[] {
  const batch = new SampleBatch(spanMs, intervalMs);
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const snapshot: Snapshot = { tMs: 1_000_000 + i * intervalMs, readings: [] };
    if (batch.add(snapshot)) sizes.push(batch.take().length);
  }
  return sizes;
}

test("at the default 1 s interval a batch is 10 samples: 10 s", () => {
  assert.deepEqual(batchSizes(1000, 30), [10, 10, 10]);
});

test("at 50 ms a batch is 10 samples: half a second", () => {
  assert.deepEqual(batchSizes(50, 25), [10, 10]);
});

test("at 5 s a batch spans 10 s at most: 2 samples; at a minute each sample goes at once", () => {
  assert.deepEqual(batchSizes(5000, 6), [2, 2, 2]);
  assert.deepEqual(batchSizes(60_000, 3), [1, 1, 1]);
});

test("a span of 0 (the live status line) hands each sample over at once", () => {
  assert.deepEqual(batchSizes(1000, 3, 0), [1, 1, 1]);
});

test("take() empties the batch, oldest first", () => {
  const batch = new SampleBatch(10_000, 1000);
  batch.add({ tMs: 1, readings: [] });
  batch.add({ tMs: 2, readings: [] });
  assert.deepEqual(
    batch.take().map((s) => s.tMs),
    [1, 2],
  );
  assert.deepEqual(batch.take(), []);
});
