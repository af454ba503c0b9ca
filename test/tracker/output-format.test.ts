// The console block must match the original 2.4.3 character for character: these expectations
// are copied from its real output (test/fixtures/carbontracker-logs/generated/run-01 and run-25).
import { test } from "node:test";
import assert from "node:assert/strict";
import { consumptionBlock, pythonFloat, roundHalfEven } from "../../src/logs/format.js";
import { aggregateSentence } from "../../src/logs/parser/aggregate-sentence.js";
import { formatDuration, toFixedHalfEven } from "../../src/units/index.js";

test("actual block of the original, tabs and 12 digits", () => {
  const text = `CarbonTracker: ${consumptionBlock({
    kind: "Actual",
    epochs: 3,
    durationS: 6.9,
    energyKwh: 0.000302865014,
    co2eqG: 0.000302865014 * 445,
    decimalPrecision: 12,
    interpretable: true,
  })}`;
  assert.equal(
    text,
    "CarbonTracker: \nActual consumption for 3 epoch(s):\n\tTime:\t0:00:07\n\tEnergy:\t0.000302865014 kWh\n\tCO2eq:\t0.134774931230 g\n\tThis is equivalent to:\n\t0.001261937558 km travelled by car",
  );
});

test("predicted block with decimalPrecision 6 as in the original's run-25", () => {
  const text = consumptionBlock({
    kind: "Predicted",
    epochs: 2,
    durationS: 4.6,
    energyKwh: 0.00011,
    co2eqG: 0.015697,
    decimalPrecision: 6,
    interpretable: true,
  });
  assert.equal(
    text,
    "\nPredicted consumption for 2 epoch(s):\n\tTime:\t0:00:05\n\tEnergy:\t0.000110 kWh\n\tCO2eq:\t0.015697 g\n\tThis is equivalent to:\n\t0.000147 km travelled by car",
  );
});

test("interpretable=false leaves out the equivalents; no epoch count gives the CLI title", () => {
  const text = consumptionBlock({
    kind: "Actual",
    epochs: undefined,
    durationS: 2.52,
    energyKwh: 0.1,
    co2eqG: 44.5,
    decimalPrecision: 3,
    interpretable: false,
  });
  assert.equal(text, "\nActual consumption:\n\tTime:\t0:00:03\n\tEnergy:\t0.100 kWh\n\tCO2eq:\t44.500 g");
});

test("durations: hours past 24, two-decimal standard-log form, Python rounding", () => {
  assert.equal(formatDuration(90061), "25:01:01");
  assert.equal(formatDuration(2.3, 2), "0:00:02.30");
  assert.equal(formatDuration(3725.456, 2), "1:02:05.46");
  // The original's f"{s:05.2f}" rounds the float's exact value, halves to even.
  assert.equal(formatDuration(18.735, 2), "0:00:18.73");
  assert.equal(formatDuration(140.635, 2), "0:02:20.63");
  assert.equal(formatDuration(2.125, 2), "0:00:02.12");
  assert.equal(formatDuration(2.375, 2), "0:00:02.38");
  assert.equal(formatDuration(59.996, 2), "0:01:00.00");
  assert.equal(roundHalfEven(2.5), 2);
  assert.equal(roundHalfEven(3.5), 4);
  assert.equal(roundHalfEven(6.9), 7);
});

test("floats print as Python's repr", () => {
  assert.equal(pythonFloat(120), "120.0");
  assert.equal(pythonFloat(99.999833), "99.999833");
  assert.equal(pythonFloat(1e-7), "1e-07");
  assert.equal(pythonFloat(Number.NaN), "nan");
  // Python switches to exponents below 1e-4 and from 1e16 (JS below 1e-6 and from 1e21).
  assert.equal(pythonFloat(5e-5), "5e-05");
  assert.equal(pythonFloat(-2e-5), "-2e-05");
  assert.equal(pythonFloat(1.5e-6), "1.5e-06");
  assert.equal(pythonFloat(0.0001), "0.0001");
  assert.equal(pythonFloat(1e16), "1e+16");
  assert.equal(pythonFloat(1.2345678901234568e17), "1.2345678901234568e+17");
  assert.equal(pythonFloat(9999999999999998), "9999999999999998.0");
});

test("figures halfway between two printed values round to even, as Python's format does", () => {
  // Values a double holds exactly, halfway at the precision printed: toFixed takes them up.
  const oneEpoch = { kind: "Actual", epochs: 1, durationS: 1, interpretable: false } as const;
  const text = consumptionBlock({ ...oneEpoch, energyKwh: 0.125, co2eqG: 2.375, decimalPrecision: 2 });
  assert.equal(
    text,
    "\nActual consumption for 1 epoch(s):\n\tTime:\t0:00:01\n\tEnergy:\t0.12 kWh\n\tCO2eq:\t2.38 g",
  );
  assert.deepEqual(
    [
      toFixedHalfEven(100.125, 2),
      toFixedHalfEven(2.5, 0),
      toFixedHalfEven(3.5, 0),
      toFixedHalfEven(-2.125, 2),
      toFixedHalfEven(0.1, 2),
    ],
    ["100.12", "2", "4", "-2.12", "0.10"],
  );
  // The largest precision the original allows prints without an error.
  assert.equal(toFixedHalfEven(0.1, 100), (0.1).toFixed(100));
});

test("the aggregate sentence rounds a halfway figure to even too", () => {
  const sentence = aggregateSentence({ energyKwh: 0.125, co2eqG: 2375, equivalents: {} }, 2);
  assert.match(sentence, /to use 0\.12 kWh of electricity contributing to 2\.38 kg of CO2eq\./);
});
