// The cost the sampler pays for NVML: one read() over 8 GPUs against the fake library, per
// device per tick (target: well under 1 ms). The fake re-checks its config file with stat() on
// every call, so the figure is an upper bound on the binding's own cost.
import { performance } from "node:perf_hooks";
import { createNvmlBackend } from "../src/hardware/nvml/nvml-backend.js";
import type { PowerReader, ReadKind } from "../src/hardware/types.js";
import { createFakeNvml, type FakeGpu } from "../test/helpers/fake-nvml.js";

const DEVICES = 8;
const WARMUP_TICKS = 200;
const TICKS = 3000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function measure(library: string, label: string, kind: ReadKind = "boundary"): Promise<void> {
  const opened = await createNvmlBackend().open({
    env: { CARBONTRACKER_NVML_LIBRARY: library },
    pid: process.pid,
    devicesByPid: false,
  });
  if (!("reader" in opened)) throw new Error(`NVML fake did not open: ${opened.skip.reason}`);
  const reader: PowerReader = opened.reader;
  const perDeviceUs: number[] = [];
  let now = Date.now();
  for (let tick = 0; tick < WARMUP_TICKS + TICKS; tick++) {
    now += 1000;
    const start = performance.now();
    reader.read(now, kind);
    const elapsedUs = (performance.now() - start) * 1000;
    if (tick >= WARMUP_TICKS) perDeviceUs.push(elapsedUs / DEVICES);
  }
  reader.close();
  const sorted = [...perDeviceUs].sort((a, b) => a - b);
  const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
  console.log(
    `nvml read() ${label}: median ${median(perDeviceUs).toFixed(2)} us per device per tick (p95 ${p95.toFixed(2)} us; ${DEVICES} devices, ${TICKS} ticks, fake libnvidia-ml)`,
  );
}

/** Prints the median cost of one NVML read() per device per tick at 8 devices. */
export async function run(): Promise<void> {
  const fake = createFakeNvml();
  try {
    const gpu = (i: number, extra: Partial<FakeGpu> = {}): FakeGpu => ({
      name: "NVIDIA H100 80GB HBM3",
      uuid: `GPU-${String(i).repeat(8)}-0000-0000-0000-000000000000`,
      energyMj: 5_000_000,
      powerMw: 300_000,
      limitMw: 700_000,
      ...extra,
    });
    fake.write({ gpus: Array.from({ length: DEVICES }, (_, i) => gpu(i)) });
    await measure(fake.library, "counter + power cross-check (a boundary)");
    await measure(fake.library, "samples (power only; the counter every 10 s)", "sample");
    fake.write({ gpus: Array.from({ length: DEVICES }, (_, i) => gpu(i, { energyRc: 3 })) });
    await measure(fake.library, "sampled power");
  } finally {
    fake.cleanup();
  }
}
