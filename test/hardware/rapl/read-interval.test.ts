import { test } from "node:test";
import assert from "node:assert/strict";
import { openRapl } from "../../../src/hardware/rapl/rapl-backend.js";
import {
  DEFAULT_PEAK_POWER_W,
  WRAP_SAFETY_FRACTION,
  safeReadIntervalMs,
} from "../../../src/hardware/rapl/read-interval.js";
import { ReaderSet } from "../../../src/sampling/reader-set.js";
import type { OpenResult, PowerReader } from "../../../src/hardware/types.js";
import {
  AMD_RANGE_UJ,
  DRAM_RANGE_UJ,
  FakePowercap,
  INTEL_RANGE_UJ,
  amdLayout,
  singlePackageLayout,
  twoSocketLayout,
  type FakeZone,
} from "../../helpers/fake-powercap.js";

const profile = { kind: "constant", watts: 50 } as const;

function open(zones: FakeZone[]): { result: OpenResult; reader: PowerReader; dispose: () => void } {
  const fake = new FakePowercap(zones);
  const result = openRapl(fake.root);
  assert.ok("reader" in result);
  return { result, reader: result.reader, dispose: () => fake.dispose() };
}

test("the safe interval is half the wrap time at the highest plausible power", () => {
  assert.equal(WRAP_SAFETY_FRACTION, 0.5);
  // 65532.6 J at 1000 W wraps in 65.5 s: read every 32.8 s.
  assert.equal(Math.round(safeReadIntervalMs(AMD_RANGE_UJ, 1000)), 32_766);
});

test("Intel desktop: twice the highest constraint (PL2 117 W) gives 234 W, a read every 560 s", () => {
  const { reader, result, dispose } = open(singlePackageLayout(profile));
  try {
    const expectedMs = (INTEL_RANGE_UJ / 234e6) * 1000 * 0.5;
    assert.equal(Math.round(reader.maxReadIntervalMs?.() ?? 0), Math.round(expectedMs));
    assert.match(
      result.notices?.at(-1)?.message ?? "",
      /fastest wrap-around is cpu:0's: 262143 J in 1120 s at up to 234 W \(2 x 117 W from intel-rapl:0\/constraint_1_power_limit_uw\), so counters are read at least every 560 s\./,
    );
  } finally {
    dispose();
  }
});

test("AMD has no constraint files: the documented default peak power is used and said", () => {
  const { reader, result, dispose } = open(amdLayout(profile));
  try {
    assert.equal(Math.round(reader.maxReadIntervalMs?.() ?? 0), 32_766);
    assert.match(
      result.notices?.at(-1)?.message ?? "",
      new RegExp(
        `at up to ${DEFAULT_PEAK_POWER_W} W \\(no power constraint: default ${DEFAULT_PEAK_POWER_W} W\\).* every 32\\.8 s`,
      ),
    );
  } finally {
    dispose();
  }
});

test("DRAM zones without constraints take their package's, and the smallest range decides", () => {
  const { reader, dispose } = open(twoSocketLayout(profile, 10));
  try {
    const expectedMs = (DRAM_RANGE_UJ / 410e6) * 1000 * 0.5;
    assert.equal(Math.round(reader.maxReadIntervalMs?.() ?? 0), Math.round(expectedMs));
  } finally {
    dispose();
  }
});

test("the tracker's reader set samples at least that often when updateInterval is longer, and says why", () => {
  const { reader, dispose } = open(amdLayout(profile));
  try {
    const description = new ReaderSet([reader], []).describe(600_000);
    assert.equal(Math.round(description.readIntervalMs), 32_766);
    assert.match(description.intervalReason ?? "", /rapl counters could wrap/);
  } finally {
    dispose();
  }
});
