// The RAPL tests' kit: reads a RAPL reader as the tracker does (a read every interval, plus reads
// at the window's edges) while a fake powercap tree runs, and returns each device's energy over the
// window; opens trees that are not running, or as a user who may not read root-only files.
import { setTimeout as sleep } from "node:timers/promises";
import assert from "node:assert/strict";
import { openRapl } from "../../../src/hardware/rapl/rapl-backend.js";
import type { DeviceReading, OpenResult, PowerReader, SkipReason } from "../../../src/hardware/types.js";
import { FakePowercap, unprivilegedFiles, type FakeZone } from "../../helpers/fake-powercap.js";

/** Energy per device between the first and last read of a window (J), with the window's edges (Unix ms). */
export interface WindowEnergy {
  t0: number;
  t1: number;
  energyJ: Record<string, number>;
  reads: number;
}

/** Samples `reader` every `everyMs` for `durationMs`, reading at both edges. */
export async function sampleWindow(
  fake: FakePowercap,
  reader: PowerReader,
  durationMs: number,
  everyMs: number,
): Promise<WindowEnergy> {
  const t0 = fake.now();
  const start = byDevice(reader.read(t0));
  let t1 = t0;
  let end = start;
  let reads = 1;
  while (t1 - t0 < durationMs) {
    await sleep(Math.min(everyMs, Math.max(1, durationMs - (t1 - t0))));
    t1 = fake.now();
    end = byDevice(reader.read(t1));
    reads += 1;
  }
  const energyJ: Record<string, number> = {};
  for (const [device, value] of Object.entries(end)) energyJ[device] = value - (start[device] ?? 0);
  return { t0, t1, energyJ, reads };
}

/** Readings as device → cumulative joules. */
export function byDevice(readings: DeviceReading[]): Record<string, number> {
  return Object.fromEntries(readings.map((r) => [r.device, r.energyJ]));
}

/** Asserts two energies agree to within `relative` (and 1 mJ for near-zero values). */
export function closeTo(actual: number, expected: number, relative: number): boolean {
  return Math.abs(actual - expected) <= Math.max(1e-3, Math.abs(expected) * relative);
}

/** The reader of an open result; fails the test with the skip reason otherwise. */
export function readerOf(result: OpenResult): PowerReader {
  assert.ok("reader" in result, `expected a reader, got ${JSON.stringify(result)}`);
  return result.reader;
}

/** Opens `root` as a user who may not read root-only files; fails the test unless RAPL skips for permission. */
export function permissionSkipOf(root: string): SkipReason {
  const result = openRapl(root, { files: unprivilegedFiles() });
  assert.ok("skip" in result, "no reader may open on unreadable counters");
  assert.match(result.skip.reason, /^RAPL energy counters are not readable by this user/);
  return result.skip;
}

/** Runs `check` on a fake powercap tree that is not rewritten (no clock), then removes it. */
export function withTree(zones: FakeZone[], check: (fake: FakePowercap) => void): void {
  const fake = new FakePowercap(zones);
  try {
    check(fake);
  } finally {
    fake.dispose();
  }
}

/** Runs `body` with a fake powercap tree advancing in real time, disposed afterwards. */
export async function withRunningTree(
  zones: FakeZone[],
  body: (fake: FakePowercap) => Promise<void>,
): Promise<void> {
  const fake = new FakePowercap(zones).start();
  try {
    await body(fake);
  } finally {
    fake.dispose();
  }
}
