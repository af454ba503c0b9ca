// When the run says what about the intensity: the live line alone when a live reading comes
// within the grace period, the embedded figure's warning (once) when it does not, at once offline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { IntensityNotices } from "../../src/intensity/intensity-notices.js";
import type { IntensityProvider } from "../../src/intensity/provider.js";
import type { IntensityReading } from "../../src/intensity/types.js";

const STATIC: IntensityReading = {
  gPerKwh: 176,
  source: "static",
  location: "GB",
  forecast: false,
  validFrom: 0,
  message: "Defaulted to average carbon intensity for GB in 2025 of 176.00 gCO2eq/kWh.",
  fallback: true,
};
const LATEST = { ...STATIC, message: `${STATIC.message} (latest location)` };
const LIVE: IntensityReading = {
  ...STATIC,
  gPerKwh: 180,
  source: "carbonintensity-uk",
  message: "live",
  fallback: false,
};

/** A provider that answers only what the notices ask (liveExpected, fallback). */
function provider(liveExpected: boolean): IntensityProvider {
  return {
    location: { description: "GB", country: "GB", method: "override" },
    initial: () => STATIC,
    liveExpected: () => liveExpected,
    fallback: () => LATEST,
    start: () => {},
    stop: () => {},
  };
}

function notices(liveExpected: boolean, graceMs = 60) {
  const defaults: IntensityReading[] = [];
  const n = new IntensityNotices(
    { provider: provider(liveExpected), onDefault: (r) => defaults.push(r), graceMs },
    STATIC,
  );
  return { n, defaults };
}

test("offline (no live reading can come): the embedded figure's warning at once, for the latest location", () => {
  const { n, defaults } = notices(false);
  n.start();
  assert.deepEqual(defaults, [LATEST]);
  n.finish();
  assert.equal(defaults.length, 1, "said once");
});

test("a live reading within the grace period: the first is announced, the warning never comes", async () => {
  const { n, defaults } = notices(true);
  n.start();
  assert.equal(n.onReading(STATIC), false, "an embedded figure is no live reading");
  assert.equal(n.onReading(LIVE), true, "the first live reading");
  assert.equal(n.onReading({ ...LIVE, gPerKwh: 190 }), false, "later ones are for verbose 2");
  await sleep(150);
  n.finish();
  assert.deepEqual(defaults, []);
});

test("no live reading within the grace period: the warning then; a late live reading is still announced", async () => {
  const { n, defaults } = notices(true);
  n.start();
  assert.deepEqual(defaults, [], "nothing at start");
  await sleep(200);
  assert.deepEqual(defaults, [LATEST]);
  assert.equal(n.onReading(LIVE), true);
  n.finish();
  assert.equal(defaults.length, 1);
});

test("the run ends before the grace period without a live reading: the warning at the end, once", () => {
  const { n, defaults } = notices(true, 10_000);
  n.start();
  n.finish();
  n.finish();
  assert.deepEqual(defaults, [LATEST]);
});

test("tracking switched off: nothing more is said", async () => {
  const { n, defaults } = notices(true);
  n.start();
  n.cancel();
  await sleep(150);
  n.finish();
  assert.deepEqual(defaults, []);
});
