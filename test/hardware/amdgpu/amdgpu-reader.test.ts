import { test } from "node:test";
import assert from "node:assert/strict";
import { AmdgpuReader, amdgpuBackend } from "../../../src/hardware/amdgpu/amdgpu-reader.js";
import {
  discoverAmdgpuCards,
  type AmdgpuCard,
  type AmdgpuSource,
} from "../../../src/hardware/amdgpu/discover-cards.js";
import type { OpenResult, PowerReader, SkipReason } from "../../../src/hardware/types.js";
import { MI210, RX6800, context, makeFakeDrm } from "./fake-drm.js";

function readerOf(result: OpenResult): PowerReader {
  assert.ok("reader" in result, `expected a reader, got ${JSON.stringify(result)}`);
  return result.reader;
}

function skipOf(result: OpenResult): SkipReason {
  assert.ok("skip" in result, `expected a skip, got a reader`);
  return result.skip;
}

function usable(cards: AmdgpuCard[]): Array<AmdgpuCard & { source: AmdgpuSource }> {
  return cards.filter((c): c is AmdgpuCard & { source: AmdgpuSource } => c.source !== null);
}

test("two cards: marketing name where sysfs has one, else the PCI id; counter before sampled power", async () => {
  const drm = makeFakeDrm([MI210, RX6800]);
  try {
    const reader = readerOf(await amdgpuBackend.open(context(drm.root)));
    assert.equal(reader.backend, "amdgpu");
    assert.deepEqual(
      reader
        .devices()
        .map((d) => [d.component, d.device, d.provenance, d.details?.source, d.details?.pci_slot]),
      [
        ["gpu", "AMD Instinct MI210", "counter", "energy1_input", "0000:03:00.0"],
        ["gpu", "AMD GPU 1002:73bf", "sampled", "power1_average", "0000:43:00.0"],
      ],
    );
    assert.equal(reader.devices()[1]!.details?.power_cap_w, 203);
  } finally {
    drm.cleanup();
  }
});

test("connectors, render nodes and other drivers' cards are not AMD GPUs", () => {
  const drm = makeFakeDrm([
    RX6800,
    {
      card: 2,
      hwmon: 6,
      pciSlot: "0000:00:02.0",
      vendor: "0x8086",
      driver: "i915",
      files: { energy1_input: "1" },
    },
  ]);
  try {
    assert.deepEqual(
      discoverAmdgpuCards(drm.root).map((c) => c.card),
      ["card1"],
    );
  } finally {
    drm.cleanup();
  }
});

test("power1_average is integrated as the window's average; power1_input by the mean of both ends", () => {
  const drm = makeFakeDrm([
    RX6800,
    { card: 2, hwmon: 5, pciSlot: "0000:44:00.0", device: "0x744c", files: { power1_input: "37000000" } },
  ]);
  try {
    const reader = new AmdgpuReader(usable(discoverAmdgpuCards(drm.root)), 1000);
    drm.write(1, "power1_average", 50_000_000);
    drm.write(2, "power1_input", 50_000_000);
    const [average, input] = reader.read(3000);
    assert.deepEqual(average, { device: "AMD GPU 1002:73bf", energyJ: 100, powerW: 50 });
    assert.deepEqual(input, { device: "AMD GPU 1002:744c", energyJ: 87, powerW: 50 });
  } finally {
    drm.cleanup();
  }
});

test("an energy counter is differenced (µJ to J); a reset drops that interval instead of going negative", () => {
  const drm = makeFakeDrm([MI210]);
  try {
    const reader = new AmdgpuReader(usable(discoverAmdgpuCards(drm.root)), 0);
    drm.write(0, "energy1_input", 3_500_000);
    assert.deepEqual(reader.read(1000), [
      { device: "AMD Instinct MI210", energyJ: 2.5, powerW: 148, sampledEnergyJ: 148 },
    ]);
    drm.write(0, "energy1_input", 200_000);
    assert.equal(reader.read(2000)[0]!.energyJ, 2.5);
    assert.match(reader.drainNotices?.()[0]?.message ?? "", /went back from 3500000 to 200000 µJ/);
    drm.write(0, "energy1_input", 1_200_000);
    assert.equal(reader.read(3000)[0]!.energyJ, 3.5);
  } finally {
    drm.cleanup();
  }
});

test("a card vanishing mid-run: a notice, its energy stops growing, the other card goes on", () => {
  const drm = makeFakeDrm([MI210, RX6800]);
  try {
    const reader = new AmdgpuReader(usable(discoverAmdgpuCards(drm.root)), 0);
    drm.write(0, "energy1_input", 2_000_000);
    reader.read(1000);
    drm.remove(0);
    const [gone, other] = reader.read(2000);
    assert.deepEqual(gone, { device: "AMD Instinct MI210", energyJ: 1, powerW: null, sampledEnergyJ: 148 });
    assert.equal(other!.energyJ, 74);
    const notices = reader.drainNotices?.() ?? [];
    assert.equal(notices.length, 1);
    assert.match(
      notices[0]!.message,
      /AMD Instinct MI210 \(card0\) vanished at .*: its energy stays at 1\.000 J/,
    );
    const [still, more] = reader.read(3000);
    assert.equal(still!.energyJ, 1);
    assert.equal(more!.energyJ, 111);
    assert.deepEqual(reader.drainNotices?.(), []);
  } finally {
    drm.cleanup();
  }
});

test("a card refusing reads (runtime suspend) counts nothing until it answers, and says so once", () => {
  const drm = makeFakeDrm([RX6800]);
  try {
    const reader = new AmdgpuReader(usable(discoverAmdgpuCards(drm.root)), 0);
    drm.write(1, "power1_average", "");
    assert.equal(reader.read(1000)[0]!.energyJ, 0);
    assert.equal(reader.read(2000)[0]!.powerW, null);
    drm.write(1, "power1_average", 10_000_000);
    assert.equal(reader.read(3000)[0]!.energyJ, 10);
    const messages = (reader.drainNotices?.() ?? []).map((n) => n.message);
    assert.equal(messages.length, 2);
    assert.match(messages[0]!, /Reading AMD GPU 1002:73bf \(card1\) failed .*not a number/);
    assert.match(messages[1]!, /is readable again/);
  } finally {
    drm.cleanup();
  }
});

test("two identical boards get the card in their device name to stay distinct", async () => {
  const drm = makeFakeDrm([RX6800, { ...RX6800, card: 2, hwmon: 5, pciSlot: "0000:44:00.0" }]);
  try {
    const result = await amdgpuBackend.open(context(drm.root, {}, true));
    const reader = readerOf(result);
    assert.match(result.notices?.[0]?.message ?? "", /devicesByPid: amdgpu sysfs has no per-process view/);
    assert.deepEqual(
      reader.devices().map((d) => [d.device, d.name]),
      [
        ["AMD GPU 1002:73bf (card1)", "AMD GPU 1002:73bf"],
        ["AMD GPU 1002:73bf (card2)", "AMD GPU 1002:73bf"],
      ],
    );
  } finally {
    drm.cleanup();
  }
});

test("skip reasons: no DRM root, no amdgpu card, a card without power files", async () => {
  const none = skipOf(await amdgpuBackend.open(context("/nonexistent/drm")));
  assert.match(none.reason, /cannot list \/nonexistent\/drm/);
  const intel = makeFakeDrm([{ card: 0, hwmon: 1, pciSlot: "0000:00:02.0", driver: "i915", files: {} }]);
  try {
    assert.match(
      skipOf(await amdgpuBackend.open(context(intel.root))).reason,
      /no card\*\/device\/hwmon\/hwmon\* with name 'amdgpu'/,
    );
  } finally {
    intel.cleanup();
  }
  const bare = makeFakeDrm([{ ...RX6800, files: {} }]);
  try {
    const result = await amdgpuBackend.open(context(bare.root));
    assert.match(skipOf(result).reason, /card1: no energy1_input\/power1_average\/power1_input/);
  } finally {
    bare.cleanup();
  }
});
