// The intensity timeline (src/tracker/emissions.ts): a live reading covers the period it is for,
// back before it arrived; the embedded figure only what no live reading covers; a fallback that
// arrives later ends a live figure; the energy of each window is split by what covered it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { IntensityTimeline } from "../../src/tracker/emissions.js";
import type { IntensityReading } from "../../src/intensity/types.js";

const fallback = (gPerKwh: number, atMs: number, location = "GB"): IntensityReading => ({
  gPerKwh,
  source: "static",
  location,
  forecast: false,
  validFrom: atMs,
  message: "embedded",
  fallback: true,
});
const live = (
  gPerKwh: number,
  fromMs: number,
  toMs?: number,
  source = "carbonintensity-uk",
): IntensityReading => ({
  gPerKwh,
  source,
  location: "Great Britain",
  forecast: false,
  validFrom: fromMs,
  ...(toMs !== undefined ? { validTo: toMs } : {}),
  message: "live",
  fallback: false,
});

test("a live period that began before the run covers all of it, although it arrived later", () => {
  const t = new IntensityTimeline(fallback(200, 1000));
  t.add(live(180, 0, 1800));
  assert.equal(t.meanOver(1000, 3000), 180);
  t.account(3600, 1000, 3000);
  assert.equal(t.average(), 180);
  assert.deepEqual(t.shares(), [
    { source: "carbonintensity-uk", location: "Great Britain", gPerKwh: 180, energyShare: 1 },
  ]);
});

test("a live period that begins mid-run: the embedded figure before it, the live one from its start", () => {
  const t = new IntensityTimeline(fallback(200, 0));
  t.add(live(100, 1000));
  assert.equal(t.meanOver(0, 2000), 150);
  t.account(2000, 0, 2000);
  assert.deepEqual(
    t.shares().map((s) => [s.source, s.energyShare, s.gPerKwh]),
    [
      ["static", 0.5, 200],
      ["carbonintensity-uk", 0.5, 100],
    ],
  );
});

test("later periods replace earlier ones; a revised figure for the same period wins over its whole period", () => {
  const t = new IntensityTimeline(fallback(200, 0));
  t.add(live(100, -500));
  t.add(live(300, 1000));
  assert.equal(t.meanOver(0, 2000), 200);
  t.add(live(500, 1000));
  assert.equal(t.meanOver(0, 2000), 300, "the 500 replaces the 300 for [1000, 2000)");
  assert.equal(t.at(1500).gPerKwh, 500);
});

test("every live source failing: the embedded figure from then on, until a live figure for a later period", () => {
  const t = new IntensityTimeline(fallback(200, 0));
  t.add(live(100, -500));
  t.add(fallback(200, 1000)); // all sources failed at t=1000
  assert.equal(t.at(500).gPerKwh, 100);
  assert.equal(t.at(1500).gPerKwh, 200);
  t.add(live(50, 2000)); // recovered, with the period from 2000
  assert.equal(t.at(1500).gPerKwh, 200);
  assert.equal(t.at(2500).gPerKwh, 50);
  assert.equal(t.meanOver(0, 3000), (100 * 1000 + 200 * 1000 + 50 * 1000) / 3000);
});

test("a better-known location's embedded figure applies to all uncovered time; forecasts cover nothing", () => {
  const t = new IntensityTimeline(fallback(445, 0, "world"));
  t.add(fallback(176, 800));
  t.add({ ...live(10, 0), forecast: true });
  assert.equal(t.meanOver(0, 1000), 176);
  assert.equal(t.all().length, 3);
});

test("energy shares over several windows, each spread over its time", () => {
  const t = new IntensityTimeline(fallback(400, 0));
  t.add(live(100, 500, undefined, "energidataservice"));
  t.account(1000, 0, 1000); // half static, half live
  t.account(3000, 1000, 2000); // all live
  const shares = t.shares();
  assert.deepEqual(
    shares.map((s) => [s.source, s.energyShare]),
    [
      ["energidataservice", 3500 / 4000],
      ["static", 500 / 4000],
    ],
  );
  assert.equal(t.average(), (500 * 400 + 3500 * 100) / 4000);
});
