import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { counterDeltaUj, parseMicrojoules } from "../../../src/hardware/rapl/counter-delta.js";
import { parseDecimalBytes } from "../../../src/hardware/digits.js";

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

test("a counter read from its bytes (each sample) is the count its text holds, or nothing", () => {
  const bytesOf = (text: string) => {
    const bytes = Buffer.from(text, "utf8");
    return parseDecimalBytes(bytes, bytes.length);
  };
  assert.equal(bytesOf("9007199254740991\n"), Number.MAX_SAFE_INTEGER);
  assert.equal(bytesOf("9007199254740993\n"), undefined);
  assert.equal(bytesOf("\t7\r\n"), 7);
  assert.equal(bytesOf("1 2\n"), undefined);
  assert.equal(bytesOf(" \n"), undefined);
  // Only the first `length` bytes count: the rest of a reused buffer is stale.
  assert.equal(parseDecimalBytes(Buffer.from("42\n999"), 3), 42);
  const piece = fc.constantFrom("0", "1", "5", "9", " ", "\n", "\t", "-", "a", "+", ".", "é");
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
      const text = pieces.join("");
      const expected = /^[ \t\r\n]*[0-9]+[ \t\r\n]*$/.test(text) ? Number(text) : undefined;
      assert.equal(
        bytesOf(text),
        expected !== undefined && Number.isSafeInteger(expected) ? expected : undefined,
      );
    }),
  );
});
