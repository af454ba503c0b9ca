// Shared set-up of the NVML tests: a fake library per test file, a fixed clock, and an open
// that hands back either the reader or the skip, with the notices a user would see.
import assert from "node:assert/strict";
import { createNvmlBackend } from "../../../src/hardware/nvml/nvml-backend.js";
import type { NvmlReader } from "../../../src/hardware/nvml/nvml-reader.js";
import type { DetectionContext, ReaderNotice, SkipReason } from "../../../src/hardware/types.js";
import type { FakeGpu, FakeNvml } from "../../helpers/fake-nvml.js";

/** The fixed instant (Unix ms) every test opens at. */
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

/** A working A100-like board with a counter and power. */
export function a100(index: number, extra: Partial<FakeGpu> = {}): FakeGpu {
  return {
    name: "NVIDIA A100-SXM4-40GB",
    uuid: `GPU-6b8a1c2e-5f3d-4a09-9c1e-2d7f0b3a4e5${index}`,
    energyMj: 1_000_000,
    powerMw: 250_000,
    limitMw: 400_000,
    ...extra,
  };
}

/** A Tesla T4: no energy counter (NOT_SUPPORTED), so its power is sampled. */
export const SAMPLED_T4: FakeGpu = { name: "Tesla T4", uuid: "GPU-0f4e9d21", energyRc: 3, powerMw: 70_000 };

/**
 * Opens a reader on SAMPLED_T4, which reads 70 J over its first second, then has its power call
 * fail with Unknown Error (999) at T0 + 2 s: its figure stays at 70 J. Its notices are not drained.
 */
export async function openT4WhosePowerFails(fake: FakeNvml): Promise<NvmlReader> {
  fake.write({ gpus: [SAMPLED_T4] });
  const { reader } = await openReader(fake.library);
  assert.equal(reader.read(T0 + 1000)[0]?.energyJ, 70);
  fake.write({ gpus: [{ ...SAMPLED_T4, powerRc: 999 }] });
  assert.deepEqual(reader.read(T0 + 2000), [{ device: "Tesla T4", energyJ: 70, powerW: null }]);
  return reader;
}

/** What opening the backend gave. */
export interface Opened {
  reader?: NvmlReader;
  skip?: SkipReason;
  notices: ReaderNotice[];
}

/** Opens the NVML backend on `library` with extra environment and context. */
export async function openNvml(
  library: string,
  env: Record<string, string | undefined> = {},
  context: Partial<DetectionContext> = {},
): Promise<Opened> {
  const backend = createNvmlBackend({ now: () => T0 });
  const result = await backend.open({
    env: { CARBONTRACKER_NVML_LIBRARY: library, ...env },
    pid: process.pid,
    devicesByPid: false,
    ...context,
  });
  if ("reader" in result) return { reader: result.reader as NvmlReader, notices: result.notices ?? [] };
  return { skip: result.skip, notices: result.notices ?? [] };
}

/** Opens and insists on a reader. */
export async function openReader(
  library: string,
  env: Record<string, string | undefined> = {},
  context: Partial<DetectionContext> = {},
): Promise<{ reader: NvmlReader; notices: ReaderNotice[] }> {
  const opened = await openNvml(library, env, context);
  assert.ok(opened.reader, `expected a reader, got skip: ${opened.skip?.reason}`);
  return { reader: opened.reader, notices: opened.notices };
}

/** The device names a reader measures, in order. */
export function deviceNames(reader: NvmlReader): string[] {
  return reader.devices().map((d) => d.device);
}
