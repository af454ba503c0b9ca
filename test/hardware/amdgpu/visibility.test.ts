// Which AMD GPUs are measured under ROCR_VISIBLE_DEVICES, HIP_VISIBLE_DEVICES and
// CUDA_VISIBLE_DEVICES (shared/reference/apple-amd-intel.md §9.2): ROCr's list first, HIP's on
// what it left, CUDA's only where neither is set; what the user sees is the devices and warnings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { amdgpuBackend } from "../../../src/hardware/amdgpu/amdgpu-reader.js";
import { MI210, RX6800, context, makeFakeDrm, type FakeDrm } from "./fake-drm.js";

const MI = "AMD Instinct MI210";
const RX = "AMD GPU 1002:73bf";

/** The devices measured (or the skip reason) and the warnings printed, under `env`. */
async function outcome(drm: FakeDrm, env: Record<string, string>) {
  const result = await amdgpuBackend.open(context(drm.root, env));
  return {
    measured: "reader" in result ? result.reader.devices().map((d) => d.device) : result.skip.reason,
    warnings: (result.notices ?? []).filter((n) => n.level === "warning").map((n) => n.message),
  };
}

async function withCards(run: (drm: FakeDrm) => Promise<void>): Promise<void> {
  const drm = makeFakeDrm([MI210, RX6800]);
  try {
    await run(drm);
  } finally {
    drm.cleanup();
  }
}

test("ROCR_VISIBLE_DEVICES, then HIP_VISIBLE_DEVICES on what ROCr left, pick cards as CUDA_VISIBLE_DEVICES does", () =>
  withCards(async (drm) => {
    assert.deepEqual((await outcome(drm, { ROCR_VISIBLE_DEVICES: "1" })).measured, [RX]);
    assert.deepEqual((await outcome(drm, { HIP_VISIBLE_DEVICES: "1,0" })).measured, [RX, MI]);
    // HIP indexes into what ROCr left visible.
    assert.deepEqual((await outcome(drm, { ROCR_VISIBLE_DEVICES: "1", HIP_VISIBLE_DEVICES: "0" })).measured, [
      RX,
    ]);
    assert.deepEqual((await outcome(drm, { ROCR_VISIBLE_DEVICES: "GPU-8e5e2a5b0e4f1c2d" })).measured, [MI]);
    assert.equal(
      (await outcome(drm, { ROCR_VISIBLE_DEVICES: "" })).measured,
      "ROCR_VISIBLE_DEVICES= leaves none of the AMD GPUs (card0, card1) visible",
    );
  }));

test("CUDA_VISIBLE_DEVICES picks the cards where neither ROCR_ nor HIP_VISIBLE_DEVICES is set", () =>
  withCards(async (drm) => {
    assert.deepEqual(await outcome(drm, { CUDA_VISIBLE_DEVICES: "1" }), { measured: [RX], warnings: [] });
    assert.deepEqual((await outcome(drm, { CUDA_VISIBLE_DEVICES: "GPU-8E5E2A5B0E4F1C2D,1" })).measured, [
      MI,
      RX,
    ]);
    assert.equal(
      (await outcome(drm, { CUDA_VISIBLE_DEVICES: "" })).measured,
      "CUDA_VISIBLE_DEVICES= leaves none of the AMD GPUs (card0, card1) visible",
    );
  }));

test("SLURM's ROCR_VISIBLE_DEVICES and CUDA_VISIBLE_DEVICES with the same list select once, silently", () =>
  withCards(async (drm) => {
    // Global indices (no ConstrainDevices): applying CUDA's list on top of ROCr's would find no card 1 of one.
    assert.deepEqual(await outcome(drm, { ROCR_VISIBLE_DEVICES: "1", CUDA_VISIBLE_DEVICES: "1" }), {
      measured: [RX],
      warnings: [],
    });
  }));

test("a CUDA_VISIBLE_DEVICES that ROCR_ or HIP_VISIBLE_DEVICES overrides, and differs, gets a warning", () =>
  withCards(async (drm) => {
    assert.deepEqual(await outcome(drm, { ROCR_VISIBLE_DEVICES: "0,1", CUDA_VISIBLE_DEVICES: "1" }), {
      measured: [MI, RX],
      warnings: [
        "CUDA_VISIBLE_DEVICES=1 is not applied to the AMD GPUs: ROCR_VISIBLE_DEVICES=0,1 is set, and CUDA_VISIBLE_DEVICES counts only where neither ROCR_VISIBLE_DEVICES nor HIP_VISIBLE_DEVICES is. Set HIP_VISIBLE_DEVICES to choose among the GPUs ROCR_VISIBLE_DEVICES leaves visible.",
      ],
    });
    assert.deepEqual(await outcome(drm, { HIP_VISIBLE_DEVICES: "0", CUDA_VISIBLE_DEVICES: "1" }), {
      measured: [MI],
      warnings: [
        "CUDA_VISIBLE_DEVICES=1 is not applied to the AMD GPUs: HIP_VISIBLE_DEVICES=0 is set and takes its place, as HIP reads them.",
      ],
    });
  }));

test("a bad entry is named with its variable; it and every entry after it are ignored", () =>
  withCards(async (drm) => {
    assert.deepEqual(await outcome(drm, { HIP_VISIBLE_DEVICES: "0,7,1" }), {
      measured: [MI],
      warnings: [
        "HIP_VISIBLE_DEVICES entry '7' is ignored (no AMD GPU has this index: 2 visible), and so is every entry after it, as CUDA reads such a list (1).",
      ],
    });
    assert.deepEqual(await outcome(drm, { CUDA_VISIBLE_DEVICES: "1,-1,0" }), {
      measured: [RX],
      warnings: [
        "CUDA_VISIBLE_DEVICES entry '-1' is ignored (not an index or a GPU UUID), and so is every entry after it, as CUDA reads such a list (0).",
      ],
    });
    assert.deepEqual(await outcome(drm, { ROCR_VISIBLE_DEVICES: "GPU-deadbeef" }), {
      measured: "ROCR_VISIBLE_DEVICES=GPU-deadbeef leaves none of the AMD GPUs (card0, card1) visible",
      warnings: [
        "ROCR_VISIBLE_DEVICES entry 'GPU-deadbeef' is ignored (no visible AMD GPU has this UUID (sysfs unique_id)).",
      ],
    });
  }));
