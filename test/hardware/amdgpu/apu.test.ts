// An APU's amdgpu power is its whole socket's, CPU cores included (reference §9.3), and RAPL's
// package is that socket (rapl.md): where RAPL counts the package, the APU is not measured as a
// GPU, with a warning; without RAPL it stays the GPU's only measure, with a warning saying what
// it holds. Fakes only at the seams: a DRM tree and a powercap tree in temp folders.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { amdgpuBackend } from "../../../src/hardware/amdgpu/amdgpu-reader.js";
import { detectReaders, type Detection } from "../../../src/hardware/detect.js";
import { estimateCpuBackend } from "../../../src/hardware/estimate/estimate-reader.js";
import { raplBackend } from "../../../src/hardware/rapl/rapl-backend.js";
import type { Component, DetectionContext } from "../../../src/hardware/types.js";
import { FakePowercap, amdLayout } from "../../helpers/fake-powercap.js";
import { PHOENIX_APU, RX6800, makeFakeDrm, type FakeCard, type FakeDrm } from "./fake-drm.js";

const BACKENDS = { cpu: [raplBackend, estimateCpuBackend], gpu: [amdgpuBackend] };

interface Machine {
  drm: FakeDrm;
  /** Absent: no powercap tree, so the CPU falls back to the estimate. */
  rapl?: FakePowercap;
}

function detect(machine: Machine, components: Component[] = ["gpu", "cpu"]): Promise<Detection> {
  const context: DetectionContext = {
    env: {
      CARBONTRACKER_DRM_ROOT: machine.drm.root,
      CARBONTRACKER_POWERCAP_ROOT: machine.rapl?.root ?? join(machine.drm.root, "no-powercap"),
    },
    pid: process.pid,
    devicesByPid: false,
    cpuTdp: 65,
  };
  return detectReaders(components, context, BACKENDS);
}

async function withMachine(cards: FakeCard[], rapl: boolean, run: (m: Machine) => Promise<void>) {
  const machine: Machine = { drm: makeFakeDrm(cards) };
  if (rapl) machine.rapl = new FakePowercap(amdLayout({ kind: "constant", watts: 45 }));
  try {
    await run(machine);
  } finally {
    machine.drm.cleanup();
    machine.rapl?.dispose();
  }
}

function measured(detection: Detection): string[][] {
  return detection.readers.flatMap((r) => r.devices().map((d) => [d.component, d.device]));
}

function apuWarnings(detection: Detection): string[] {
  return detection.notices.filter((n) => n.message.includes("is an APU")).map((n) => n.message);
}

/** Joules per component between two reads 2 s apart, `between` run in the gap. */
function joulesOver2s(detection: Detection, between: () => void): Record<string, number> {
  const t0 = Date.now();
  const before = detection.readers.map((r) => r.read(t0));
  between();
  const totals: Record<string, number> = {};
  detection.readers.forEach((reader, i) => {
    const after = reader.read(t0 + 2000);
    const joules = after.reduce((sum, d, k) => sum + d.energyJ - before[i]![k]!.energyJ, 0);
    totals[reader.component] = Math.round((totals[reader.component] ?? 0) + joules);
  });
  return totals;
}

test("RAPL counts the APU's socket: the APU is not measured as a GPU, and a warning says why; a discrete card still is", () =>
  withMachine([PHOENIX_APU, RX6800], true, async (machine) => {
    const detection = await detect(machine);
    try {
      assert.deepEqual(measured(detection), [
        ["gpu", "AMD GPU 1002:73bf"],
        ["cpu", "cpu:0"],
      ]);
      assert.deepEqual(apuWarnings(detection), [
        "AMD GPU 1002:15bf (card0) is an APU: amdgpu reports its whole socket's power, CPU cores included, and RAPL's package-0 (intel-rapl:0) already counts that socket for the CPU. It is not measured as a GPU: its GPU's energy is in the CPU package figure.",
      ]);
      // The socket draws 30 J in 2 s (RAPL), the discrete card 37 W: the APU's 25 W is not added.
      const joules = joulesOver2s(detection, () => {
        const counter = join(machine.rapl!.root, "intel-rapl:0", "energy_uj");
        writeFileSync(counter, `${Number(readFileSync(counter, "utf8")) + 30_000_000}\n`);
      });
      assert.deepEqual(joules, { gpu: 74, cpu: 30 });
    } finally {
      for (const reader of detection.readers) reader.close();
    }
  }));

test("an APU alone under RAPL: no GPU is measured, and the skip reason names the APU", () =>
  withMachine([PHOENIX_APU], true, async (machine) => {
    const detection = await detect(machine);
    try {
      assert.deepEqual(measured(detection), [["cpu", "cpu:0"]]);
      assert.deepEqual(
        detection.skipped.filter((s) => s.component === "gpu").map((s) => [s.backend, s.reason]),
        [["amdgpu", "card0: an APU, whose socket the CPU's RAPL package already counts"]],
      );
      assert.equal(apuWarnings(detection).length, 1);
    } finally {
      for (const reader of detection.readers) reader.close();
    }
  }));

test("without RAPL the APU stays the GPU's measure, and the warning says what its figure holds", () =>
  withMachine([PHOENIX_APU], false, async (machine) => {
    const both = await detect(machine);
    const gpuOnly = await detect(machine, ["gpu"]);
    try {
      assert.deepEqual(
        both.readers.map((r) => [r.component, r.backend]),
        [
          ["gpu", "amdgpu"],
          ["cpu", "estimate"],
        ],
      );
      assert.deepEqual(measured(both)[0], ["gpu", "AMD GPU 1002:15bf"]);
      assert.deepEqual(apuWarnings(both), [
        "AMD GPU 1002:15bf (card0) is an APU: amdgpu reports its whole socket's power, CPU cores included, so the cores are counted twice: in the GPU figure and in the CPU's (estimate). Make RAPL's package counter readable (see carbontracker doctor) to count the socket once.",
      ]);
      assert.deepEqual(
        joulesOver2s(gpuOnly, () => undefined),
        { gpu: 50 },
      );
      assert.deepEqual(apuWarnings(gpuOnly), [
        "AMD GPU 1002:15bf (card0) is an APU: amdgpu reports its whole socket's power, CPU cores included, so the GPU figure holds the CPU cores' energy too.",
      ]);
    } finally {
      for (const reader of [...both.readers, ...gpuOnly.readers]) reader.close();
    }
  }));
