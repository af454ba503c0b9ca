// Units in the types: a value declared in one unit cannot be passed as another (checked by the
// type checker on this file, part of `npm test`), and the conversions are exact.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  co2eqGrams,
  facilityKwh,
  joulesToKwh,
  type Joules,
  type KilowattHours,
  type Milliseconds,
  type Seconds,
  type WattHours,
} from "../../src/units/index.js";

test("joules and kilowatt-hours do not mix; plain numbers are any unit", () => {
  const energy: Joules = 7_200_000;
  const kwh: KilowattHours = joulesToKwh(energy);
  // @ts-expect-error a kWh figure is not joules
  joulesToKwh(kwh);
  const wh: WattHours = 2000;
  // @ts-expect-error watt-hours are not kilowatt-hours
  const asKwh: KilowattHours = wh;
  const elapsed: Milliseconds = 1500;
  // @ts-expect-error milliseconds are not seconds
  const asSeconds: Seconds = elapsed;
  assert.equal(kwh, 2);
  assert.deepEqual([asKwh, asSeconds], [2000, 1500]);
});

test("the emissions formula: device energy × PUE × intensity", () => {
  assert.equal(facilityKwh(3_600_000, 1.5), 1.5);
  assert.equal(co2eqGrams(3_600_000, 1.5, 200), 300);
});
