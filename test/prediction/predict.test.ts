import { test } from "node:test";
import assert from "node:assert/strict";
import { predictTotal } from "../../src/prediction/predict.js";

test("the original's method: mean epoch energy and time times the planned epochs", () => {
  const p = predictTotal([{ durationS: 2, energyJ: 100 }], 10);
  assert.equal(p.epochs, 10);
  assert.equal(p.energyJ, 1000);
  assert.equal(p.durationS, 20);
  assert.equal(p.range, undefined, "one epoch gives no spread");
});

test("two or more epochs give a range from the lowest and highest epoch", () => {
  const p = predictTotal(
    [
      { durationS: 2, energyJ: 100 },
      { durationS: 4, energyJ: 300 },
    ],
    5,
  );
  assert.equal(p.energyJ, 1000);
  assert.equal(p.durationS, 15);
  assert.deepEqual(p.range, { lowJ: 500, highJ: 1500, lowS: 10, highS: 20 });
});

test("no epochs seen predicts zero, not NaN", () => {
  const p = predictTotal([], 3);
  assert.equal(p.energyJ, 0);
  assert.equal(p.durationS, 0);
});
