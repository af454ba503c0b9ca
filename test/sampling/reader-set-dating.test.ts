// When a reading is dated: the instant the readers were given, unless the read took long enough
// that this thread was paused (a loaded machine); then the middle of the read, so the date is off
// by half the pause instead of all of it. The RAPL reader runs on a fake powercap tree; only the
// clock, the seam under test, is scripted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openRapl } from "../../src/hardware/rapl/rapl-backend.js";
import { ReaderSet } from "../../src/sampling/reader-set.js";
import { FakePowercap, singlePackageLayout } from "../helpers/fake-powercap.js";

/** A clock that answers `times` in turn. */
function scripted(times: number[]): () => number {
  let next = 0;
  return () => times[Math.min(next++, times.length - 1)] as number;
}

function raplSet(fake: FakePowercap): ReaderSet {
  const opened = openRapl(fake.root);
  assert.ok("reader" in opened, JSON.stringify(opened));
  return new ReaderSet([opened.reader], []);
}

test("a quick read is dated at the instant its readers were given", () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 50 })).start();
  try {
    const set = raplSet(fake);
    const t = Date.now();
    assert.equal(set.readNow(scripted([t, t + 1])).tMs, t);
    assert.equal(set.readNow(scripted([t + 10, t + 12])).tMs, t + 10);
  } finally {
    fake.dispose();
  }
});

test("a read paused for 100 ms is dated at its middle, and its energy is the counter's", () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 50 })).start();
  try {
    const set = raplSet(fake);
    const t = Date.now();
    const paused = set.readNow(scripted([t, t + 100]));
    assert.equal(paused.tMs, t + 50);
    assert.equal(paused.readings.length, 1);
    assert.ok((paused.readings[0]?.energyJ ?? -1) >= 0);
  } finally {
    fake.dispose();
  }
});
