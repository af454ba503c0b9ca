// When the console says what about the intensity: the live line alone when a live reading comes
// within the grace period, the default figure's warning (once) when it does not, at once offline.
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
  message:
    "Defaulted to average carbon intensity for GB in 2025 of 176.00 gCO2eq/kWh (Electricity Maps yearly 2025).",
  year: new Date().getUTCFullYear(),
  fallback: true,
};
const LIVE: IntensityReading = {
  ...STATIC,
  gPerKwh: 180,
  source: "carbonintensity-uk",
  location: "Great Britain",
  message: "live",
  fallback: false,
};

/** A provider that only answers what the notices ask (location, liveExpected, fallback). */
function provider(liveExpected: boolean, method = "override"): IntensityProvider {
  return {
    location: { description: "GB", country: "GB", method },
    initial: () => STATIC,
    liveExpected: () => liveExpected,
    fallback: () => ({ ...STATIC, message: `${STATIC.message} (latest)` }),
    start: () => {},
    stop: () => {},
  };
}

function notices(liveExpected: boolean, graceMs = 60, method?: string) {
  const said: string[] = [];
  const n = new IntensityNotices(
    {
      provider: provider(liveExpected, method),
      warn: (text) => said.push(`warning: ${text}`),
      output: (text, minVerbose) => said.push(`v${minVerbose}: ${text}`),
      graceMs,
    },
    STATIC,
  );
  return { n, said };
}

test("offline (no live reading can come): the default figure's warning at once", () => {
  const { n, said } = notices(false);
  n.start();
  assert.deepEqual(said, [`warning: ${STATIC.message} (latest)`]);
  n.finish();
  assert.equal(said.length, 1, "said once");
});

test("a live reading within the grace period: the live line alone, never the warning", async () => {
  const { n, said } = notices(true);
  n.start();
  n.onReading(STATIC);
  n.onReading(LIVE);
  n.onReading({ ...LIVE, gPerKwh: 190 });
  await sleep(150);
  n.finish();
  assert.deepEqual(said, [
    "v1: Current carbon intensity is 180.00 gCO2eq/kWh at detected location: Great Britain (carbonintensity-uk).",
    "v2: Current carbon intensity is 190.00 gCO2eq/kWh at detected location: Great Britain (carbonintensity-uk).",
  ]);
});

test("no live reading within the grace period: the warning then; a late live reading still gets its line", async () => {
  const { n, said } = notices(true);
  n.start();
  assert.deepEqual(said, [], "nothing at start");
  await sleep(200);
  assert.deepEqual(said, [`warning: ${STATIC.message} (latest)`]);
  n.onReading(LIVE);
  n.finish();
  assert.equal(said.length, 2);
  assert.match(said[1] ?? "", /^v1: Current carbon intensity is 180\.00/);
});

test("the run ends before the grace period and no live reading came: the warning at the end, once", async () => {
  const { n, said } = notices(true, 10_000);
  n.start();
  n.finish();
  n.finish();
  assert.deepEqual(said, [`warning: ${STATIC.message} (latest)`]);
});

test("a guessed location: the live line says it is a guess and how to set it", () => {
  const { n, said } = notices(true, 10_000, "timezone-guess");
  n.start();
  n.onReading(LIVE);
  n.finish();
  assert.match(
    said[0] ?? "",
    /The location is a guess \(GB\): set --country or CARBONTRACKER_COUNTRY to be sure\.$/,
  );
});
