import { test } from "node:test";
import assert from "node:assert/strict";
import { bestStart } from "../../../src/intensity/forecast/best-start.js";
import type { IntensityReading } from "../../../src/intensity/types.js";

const HOUR = 3_600_000;
const period = (i: number, g: number): IntensityReading => ({
  gPerKwh: g,
  source: "electricitymaps",
  location: "DK-DK2",
  forecast: true,
  validFrom: i * HOUR,
  validTo: (i + 1) * HOUR,
  message: "",
  fallback: false,
});
const FORECAST = [300, 280, 150, 100, 120, 260].map((g, i) => period(i, g));

test("the cleanest fully covered start within the window, and the grams it saves", () => {
  const advice = bestStart(FORECAST, 0, 2 * HOUR, 24 * HOUR, 10);
  assert.deepEqual(advice, {
    nowGPerKwh: 290,
    bestStartMs: 3 * HOUR,
    bestGPerKwh: 110,
    gramsSaved: 10 * (290 - 110),
    source: "electricitymaps",
    location: "DK-DK2",
  });
});

test("--within limits the start; a job longer than the forecast gets no advice", () => {
  assert.equal(bestStart(FORECAST, 0, 2 * HOUR, 2 * HOUR)?.bestStartMs, 2 * HOUR);
  assert.equal(bestStart(FORECAST, 0, 7 * HOUR, 24 * HOUR), undefined);
  assert.equal(bestStart([], 0, HOUR, HOUR), undefined);
});

test("the best start can be where the job's end meets a period boundary, or the latest start allowed", () => {
  // Starting at 0:30 runs the half hour left at 200 and the whole hour at 100: 133.33 on average,
  // cleaner than starting now or at 1:00 (166.67 each).
  const advice = bestStart(
    [200, 100, 300].map((g, i) => period(i, g)),
    0,
    1.5 * HOUR,
    1.5 * HOUR,
  );
  assert.equal(advice?.bestStartMs, 0.5 * HOUR);
  assert.ok(Math.abs((advice?.bestGPerKwh ?? 0) - 400 / 3) < 1e-9, String(advice?.bestGPerKwh));
  // Within 20 min of now, the latest start allowed (0:20) is the cleanest.
  assert.equal(
    bestStart(
      [200, 100, 300].map((g, i) => period(i, g)),
      0,
      1.5 * HOUR,
      HOUR / 3,
    )?.bestStartMs,
    HOUR / 3,
  );
});
