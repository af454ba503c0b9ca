import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { lookupAnnualIntensity } from "../../src/data/grid-intensity.js";

test("the shipped annual intensities are exactly the installed @tgwf/co2's (co2.js stays the one source)", () => {
  const check = spawnSync(process.execPath, ["scripts/extract-grid-intensity.mjs", "--check"], {
    encoding: "utf8",
  });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
});

test("a zone or country gets its newest Electricity Maps year, an ISO alpha-3 country Ember's figure, else nothing", () => {
  assert.deepEqual(lookupAnnualIntensity("dk"), {
    gPerKwh: 123,
    year: 2025,
    place: "DK",
    placeName: "Denmark",
    source: "Electricity Maps yearly 2025 (via @tgwf/co2)",
  });
  assert.equal(lookupAnnualIntensity("DK-DK2")?.source, "Electricity Maps yearly 2025 (via @tgwf/co2)");
  const ember = lookupAnnualIntensity("DNK");
  assert.equal(ember?.source, "Ember annual average (via @tgwf/co2)");
  assert.equal(ember?.year, undefined);
  assert.ok((ember?.gPerKwh ?? 0) > 0);
  assert.equal(lookupAnnualIntensity("Atlantis"), undefined);
});
