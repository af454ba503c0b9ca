import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeProcessInfos, detectProcessInfoStride } from "../../../src/hardware/nvml/process-info.js";
import { parentFromStat } from "../../../src/hardware/nvml/process-tree.js";

/** The reference's sample: two 24-byte entries, the second with memory NOT_AVAILABLE. */
const SAMPLE = Buffer.from(
  "92100000000000000000006000000000ffffffffffffffff" + "9310000000000000ffffffffffffffffffffffffffffffff",
  "hex",
);

test("nvmlProcessInfo_t entries decode to PIDs and bytes, NOT_AVAILABLE memory as null", () => {
  assert.deepEqual(decodeProcessInfos(SAMPLE, 2), [
    { pid: 4242, usedGpuMemoryBytes: 1_610_612_736n },
    { pid: 4243, usedGpuMemoryBytes: null },
  ]);
});

test("32-byte entries (the R535 header mismatch) are detected; one entry is always read at 24", () => {
  const wide = Buffer.alloc(64, 0);
  for (const [i, pid] of [4242, 4243].entries()) {
    wide.writeUInt32LE(pid, i * 32);
    wide.writeUInt32LE(0xffffffff, i * 32 + 16);
    wide.writeUInt32LE(0xffffffff, i * 32 + 20);
  }
  assert.equal(detectProcessInfoStride(wide, 2), 32);
  assert.deepEqual(
    decodeProcessInfos(wide, 2).map((p) => p.pid),
    [4242, 4243],
  );
  assert.equal(detectProcessInfoStride(SAMPLE, 2), 24);
  assert.equal(detectProcessInfoStride(wide, 1), 24);
});

test("the parent PID is read after the last ')' of a stat line, whatever the command name", () => {
  assert.equal(parentFromStat("1001 (python3 (worker) x) S 1000 1001 1001 0 -1\n"), 1000);
  assert.equal(parentFromStat("garbage"), undefined);
});
