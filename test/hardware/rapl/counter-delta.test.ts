import { test } from "node:test";
import assert from "node:assert/strict";
import { counterDeltaUj, parseMicrojoules } from "../../../src/hardware/rapl/counter-delta.js";

const AMD_RANGE_UJ = 65_532_610_987;

test("a counter that went up is differenced as it is", () => {
  assert.equal(counterDeltaUj(1_000, 5_500, AMD_RANGE_UJ), 4_500);
  assert.equal(counterDeltaUj(7, 7, AMD_RANGE_UJ), 0);
});

test("a wrap adds the rest of the range (the rapl.md example: 2102.6 J over 10 s is 210.3 W)", () => {
  const deltaUj = counterDeltaUj(65_530_000_000, 2_100_000_000, AMD_RANGE_UJ);
  assert.equal(deltaUj, 2_102_610_987);
  assert.equal(((deltaUj ?? 0) / 1e6 / 10).toFixed(1), "210.3");
});

test("a counter that went back with no known range gives no energy rather than a negative one", () => {
  assert.equal(counterDeltaUj(5_000, 1_000, undefined), undefined);
  assert.equal(counterDeltaUj(5_000, 1_000, 4_000), undefined);
});

test("energy_uj text is parsed with its newline; anything else is not a count", () => {
  assert.equal(parseMicrojoules("262143328850\n"), 262_143_328_850);
  assert.equal(parseMicrojoules(" 42 \n"), 42);
  assert.equal(parseMicrojoules(""), undefined);
  assert.equal(parseMicrojoules("-1\n"), undefined);
  assert.equal(parseMicrojoules("12ab\n"), undefined);
});
