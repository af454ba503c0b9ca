// The writer's note for an unmeasured device and the parser's reading of it come from one
// module: what one writes, the other reads back, with device names the parser must not trip on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readUnmeasuredNote, unmeasuredNote } from "../../src/logs/provenance-note.js";

for (const provenance of ["estimate", "simulated"] as const) {
  for (const device of ["cpu:0", "Intel(R) Xeon(R) Gold 6226R CPU @ 2.90GHz", "A.B is ESTIMATE"]) {
    test(`a ${provenance} note for "${device}" reads back`, () => {
      const line = `CarbonTracker: ${unmeasuredNote("gpu", device, provenance)}`;
      assert.deepEqual(readUnmeasuredNote(line), { component: "gpu", provenance });
    });
  }
}

test("other lines are not notes", () => {
  assert.equal(readUnmeasuredNote("CarbonTracker: Energy of the run is high"), null);
  assert.equal(readUnmeasuredNote("CarbonTracker: Finished monitoring."), null);
});
