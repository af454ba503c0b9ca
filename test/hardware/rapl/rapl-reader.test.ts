import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { openRapl } from "../../../src/hardware/rapl/rapl-backend.js";
import { nodePowercapFiles, type PowercapFiles } from "../../../src/hardware/rapl/powercap-files.js";
import {
  FakePowercap,
  amdLayout,
  laptopLayout,
  singlePackageLayout,
  twoSocketLayout,
  type PowerProfile,
} from "../../helpers/fake-powercap.js";
import { byDevice, closeTo, readerOf, sampleWindow, withRunningTree } from "./sample-window.js";

// Counters are exact: what the reader reports must equal what the fake counters moved by, to the
// microjoule (one µJ per wrap aside). Timing noise changes how much energy, never the agreement.
const EXACT = 1e-6;

test("two sockets with DRAM: every device is its own zone's energy and the total is their sum", async () => {
  await withRunningTree(
    twoSocketLayout({ kind: "square", highW: 150, lowW: 60, highS: 0.3, lowS: 0.7 }, 11),
    async (fake) => {
      const reader = readerOf(openRapl(fake.root));
      const window = await sampleWindow(fake, reader, 2000, 250);
      const zoneOf: Record<string, string> = {
        "cpu:0": "intel-rapl:0",
        "dram:0": "intel-rapl:0:0",
        "cpu:1": "intel-rapl:1",
        "dram:1": "intel-rapl:1:0",
      };
      assert.deepEqual(Object.keys(window.energyJ), Object.keys(zoneOf));
      for (const [device, zone] of Object.entries(zoneOf)) {
        const injected = fake.injectedJ(zone, window.t0, window.t1);
        assert.ok(
          closeTo(window.energyJ[device]!, injected, EXACT),
          `${device}: ${window.energyJ[device]} J vs ${injected} J`,
        );
      }
      const total = Object.values(window.energyJ).reduce((a, b) => a + b, 0);
      const injectedTotal = fake.injectedJ(Object.values(zoneOf), window.t0, window.t1);
      assert.ok(closeTo(total, injectedTotal, EXACT), `total ${total} J vs ${injectedTotal} J`);
    },
  );
});

test("the AMD layout: package energy only, the core zone is not added", async () => {
  const profile: PowerProfile = {
    kind: "bursts",
    seed: 3,
    baseW: 60,
    burstW: 220,
    meanBurstS: 0.2,
    meanGapS: 0.3,
  };
  await withRunningTree(amdLayout(profile), async (fake) => {
    const reader = readerOf(openRapl(fake.root));
    const window = await sampleWindow(fake, reader, 2000, 300);
    assert.deepEqual(Object.keys(window.energyJ), ["cpu:0"]);
    const injected = fake.injectedJ("intel-rapl:0", window.t0, window.t1);
    assert.ok(
      closeTo(window.energyJ["cpu:0"]!, injected, EXACT),
      `${window.energyJ["cpu:0"]} J vs ${injected} J`,
    );
  });
});

test("a laptop: the package alone, not psys and not the MMIO copy of the package", async () => {
  await withRunningTree(laptopLayout({ kind: "constant", watts: 18 }), async (fake) => {
    const reader = readerOf(openRapl(fake.root));
    const window = await sampleWindow(fake, reader, 1200, 200);
    const injected = fake.injectedJ("intel-rapl:0", window.t0, window.t1);
    assert.ok(closeTo(window.energyJ["cpu:0"]!, injected, EXACT));
    assert.ok(window.energyJ["cpu:0"]! < fake.injectedJ("intel-rapl:1", window.t0, window.t1));
  });
});

test("a zone vanishing mid-run stops its devices, says when and which, and the others go on", async () => {
  await withRunningTree(twoSocketLayout({ kind: "constant", watts: 90 }, 10), async (fake) => {
    const reader = readerOf(openRapl(fake.root));
    const t0 = fake.now();
    reader.read(t0);
    await sleep(600);
    const tv = fake.now();
    const before = byDevice(reader.read(tv));
    fake.vanish("intel-rapl:1");
    await sleep(100);
    const tGone = fake.now();
    reader.read(tGone);
    const notices = reader.drainNotices?.() ?? [];
    assert.equal(notices.length, 2, JSON.stringify(notices));
    const iso = new Date(tGone).toISOString();
    assert.match(notices[0]!.message, new RegExp(`RAPL zone intel-rapl:1 \\(cpu:1\\) vanished at ${iso}`));
    assert.match(notices[1]!.message, new RegExp(`RAPL zone intel-rapl:1:0 \\(dram:1\\) vanished at ${iso}`));
    assert.equal(notices[0]!.level, "warning");
    assert.match(notices[0]!.message, /the other devices go on/);
    await sleep(600);
    const t1 = fake.now();
    const after = byDevice(reader.read(t1));
    assert.equal(after["cpu:1"], before["cpu:1"]);
    assert.equal(after["dram:1"], before["dram:1"]);
    assert.ok(closeTo(after["cpu:1"]!, fake.injectedJ("intel-rapl:1", t0, tv), EXACT));
    assert.ok(closeTo(after["cpu:0"]!, fake.injectedJ("intel-rapl:0", t0, t1), EXACT));
    assert.ok(closeTo(after["dram:0"]!, fake.injectedJ("intel-rapl:0:0", t0, t1), EXACT));
    assert.deepEqual(reader.drainNotices?.(), [], "the loss is told once");
    // The read interval now follows the zones still alive.
    assert.ok((reader.maxReadIntervalMs?.() ?? 0) > 0);
  });
});

test("a read that fails for a while is told, then the gap is covered by the counter difference", async () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 10 }));
  try {
    let failing = false;
    const files: PowercapFiles = {
      list: nodePowercapFiles.list,
      readText: (path) => {
        if (failing && path.endsWith("energy_uj"))
          throw Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" });
        return nodePowercapFiles.readText(path);
      },
    };
    const reader = readerOf(openRapl(fake.root, { files }));
    const energyPath = join(fake.root, "intel-rapl:0", "energy_uj");
    const write = (uj: number): void => writeFileSync(energyPath, `${uj}\n`);
    write(2_000_000);
    assert.equal(byDevice(reader.read(1_000))["cpu:0"], 1);
    failing = true;
    write(3_000_000);
    assert.equal(byDevice(reader.read(2_000))["cpu:0"], 1);
    assert.match(
      reader.drainNotices?.()[0]?.message ?? "",
      /Reading .*intel-rapl:0\/energy_uj \(cpu:0\) failed at .*EIO/,
    );
    failing = false;
    write(5_500_000);
    assert.equal(byDevice(reader.read(3_000))["cpu:0"], 4.5);
    assert.match(reader.drainNotices?.()[0]?.message ?? "", /reads again/);
  } finally {
    fake.dispose();
  }
});

test("a counter that goes back with no readable range: that interval is left out, with a warning", () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 10 }));
  try {
    rmSync(join(fake.root, "intel-rapl:0", "max_energy_range_uj"));
    const result = openRapl(fake.root);
    assert.match(
      result.notices?.[0]?.message ?? "",
      /max_energy_range_uj is unreadable: a wrap-around of cpu:0/,
    );
    const reader = readerOf(result);
    const energyPath = join(fake.root, "intel-rapl:0", "energy_uj");
    writeFileSync(energyPath, "3000000\n");
    assert.equal(byDevice(reader.read(1_000))["cpu:0"], 2);
    writeFileSync(energyPath, "500000\n");
    assert.equal(byDevice(reader.read(2_000))["cpu:0"], 2);
    writeFileSync(energyPath, "1500000\n");
    assert.equal(byDevice(reader.read(3_000))["cpu:0"], 3);
    assert.match(reader.drainNotices?.()[0]?.message ?? "", /went back .* left out/);
  } finally {
    fake.dispose();
  }
});

test("a counter that never moves is reported once, not silently read as 0 J", () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 10 }));
  try {
    const reader = readerOf(openRapl(fake.root, { now: () => 0 }));
    reader.read(10_000);
    assert.deepEqual(reader.drainNotices?.(), []);
    reader.read(31_000);
    reader.read(62_000);
    const notices = reader.drainNotices?.() ?? [];
    assert.equal(notices.length, 1);
    assert.match(notices[0]!.message, /has not changed for 31 s/);
  } finally {
    fake.dispose();
  }
});

test("power is energy over the last read window, in watts", () => {
  const fake = new FakePowercap(singlePackageLayout({ kind: "constant", watts: 10 }));
  try {
    const reader = readerOf(openRapl(fake.root, { now: () => 0 }));
    const energyPath = join(fake.root, "intel-rapl:0", "energy_uj");
    writeFileSync(energyPath, `${1_000_000 + 25_000_000}\n`);
    const [reading] = reader.read(500);
    assert.equal(reading?.energyJ, 25);
    assert.equal(reading?.powerW, 50);
  } finally {
    fake.dispose();
  }
});
