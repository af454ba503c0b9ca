// A kept zone with no energy_uj of its own is measured as the sum of its subzones' counters, as
// the original does (FileNotFoundError: it sums intel-rapl:N:M). A DRAM subzone measured as a
// device of its own is not added to the package as well, and EACCES still refuses partial sums.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { openRapl } from "../../../src/hardware/rapl/rapl-backend.js";
import {
  DESKTOP_CONSTRAINTS,
  DRAM_RANGE_UJ,
  INTEL_RANGE_UJ,
  type FakeZone,
} from "../../helpers/fake-powercap.js";
import {
  byDevice,
  closeTo,
  permissionSkipOf,
  readerOf,
  sampleWindow,
  withRunningTree,
  withTree,
} from "./sample-window.js";

const EXACT = 1e-6;

/** A package whose kernel exposes no package counter, only core and uncore (and DRAM when `dramW`). */
function packageWithoutCounter(watts: number, dramW?: number): FakeZone[] {
  const zones: FakeZone[] = [
    {
      id: "intel-rapl:0",
      name: "package-0",
      power: { profile: { kind: "square", highW: watts, lowW: watts / 3, highS: 0.2, lowS: 0.3 } },
      constraints: DESKTOP_CONSTRAINTS,
      noEnergyFile: true,
    },
    { id: "intel-rapl:0:0", name: "core", power: { fractionOf: "intel-rapl:0", fraction: 0.7 } },
    { id: "intel-rapl:0:1", name: "uncore", power: { fractionOf: "intel-rapl:0", fraction: 0.1 } },
  ];
  if (dramW !== undefined) {
    zones.push({
      id: "intel-rapl:0:2",
      name: "dram",
      power: { profile: { kind: "constant", watts: dramW } },
      maxEnergyRangeUj: DRAM_RANGE_UJ,
    });
  }
  return zones;
}

test("a package with no energy_uj is the sum of its core and uncore counters, and says so", async () => {
  await withRunningTree(packageWithoutCounter(40), async (fake) => {
    const result = openRapl(fake.root);
    const reader = readerOf(result);
    const devices = reader.devices();
    assert.deepEqual(
      devices.map((d) => d.device),
      ["cpu:0"],
    );
    assert.equal(devices[0]!.provenance, "counter");
    assert.equal(
      devices[0]!.name,
      "package-0 (intel-rapl:0, no energy_uj: sum of its subzones intel-rapl:0:0 core + intel-rapl:0:1 uncore)",
    );
    const notice = result.notices?.find((n) => n.message.startsWith("CPU energy from RAPL"))?.message ?? "";
    assert.match(
      notice,
      /cpu:0 \(package-0, intel-rapl:0, which has no energy_uj: the sum of its subzones intel-rapl:0:0 core \+ intel-rapl:0:1 uncore; what it draws outside them is not seen\)/,
    );
    assert.doesNotMatch(notice, /part of its package/, "the summed subzones are not also listed as left out");

    const window = await sampleWindow(fake, reader, 1200, 200);
    const injected = fake.injectedJ(["intel-rapl:0:0", "intel-rapl:0:1"], window.t0, window.t1);
    assert.ok(injected > 1);
    assert.ok(
      closeTo(window.energyJ["cpu:0"]!, injected, EXACT),
      `${window.energyJ["cpu:0"]} J vs ${injected} J`,
    );
    reader.close();
  });
});

test("the DRAM subzone stays dram:0 and is not added to the package's sum as well", async () => {
  await withRunningTree(packageWithoutCounter(60, 9), async (fake) => {
    const reader = readerOf(openRapl(fake.root));
    assert.equal(
      reader.devices()[0]!.name,
      "package-0 (intel-rapl:0, no energy_uj: sum of its subzones intel-rapl:0:0 core + intel-rapl:0:1 uncore)",
    );
    const window = await sampleWindow(fake, reader, 1200, 200);
    assert.deepEqual(Object.keys(window.energyJ), ["cpu:0", "dram:0"]);
    const cpuJ = fake.injectedJ(["intel-rapl:0:0", "intel-rapl:0:1"], window.t0, window.t1);
    const dramJ = fake.injectedJ("intel-rapl:0:2", window.t0, window.t1);
    assert.ok(
      closeTo(window.energyJ["cpu:0"]!, cpuJ, EXACT),
      `cpu:0 ${window.energyJ["cpu:0"]} J vs ${cpuJ} J`,
    );
    assert.ok(
      closeTo(window.energyJ["dram:0"]!, dramJ, EXACT),
      `dram:0 ${window.energyJ["dram:0"]} J vs ${dramJ} J`,
    );
    const total = window.energyJ["cpu:0"]! + window.energyJ["dram:0"]!;
    assert.ok(closeTo(total, cpuJ + dramJ, EXACT), `total ${total} J vs ${cpuJ + dramJ} J`);
    reader.close();
  });
});

test("each summed subzone wraps at its own max_energy_range_uj", () => {
  const zones: FakeZone[] = [
    {
      id: "intel-rapl:0",
      name: "package-0",
      power: { profile: { kind: "constant", watts: 10 } },
      constraints: DESKTOP_CONSTRAINTS,
      noEnergyFile: true,
    },
    {
      id: "intel-rapl:0:0",
      name: "core",
      power: { fractionOf: "intel-rapl:0", fraction: 0.7 },
      maxEnergyRangeUj: 10_000_000,
      startUj: 9_000_000,
    },
    {
      id: "intel-rapl:0:1",
      name: "uncore",
      power: { fractionOf: "intel-rapl:0", fraction: 0.1 },
      maxEnergyRangeUj: INTEL_RANGE_UJ,
      startUj: 5_000_000,
    },
  ];
  withTree(zones, (fake) => {
    const reader = readerOf(openRapl(fake.root, { now: () => 0 }));
    const write = (zone: string, uj: number): void =>
      writeFileSync(join(fake.root, zone, "energy_uj"), `${uj}\n`);
    // core wraps (9 J -> 10 J range -> 1 J: 2 J); uncore does not (+0.5 J).
    write("intel-rapl:0:0", 1_000_000);
    write("intel-rapl:0:1", 5_500_000);
    assert.equal(byDevice(reader.read(1_000))["cpu:0"], 2.5);
    // uncore wraps at its own, much larger range (+1 J); core moves on (+3 J).
    write("intel-rapl:0:0", 4_000_000);
    write("intel-rapl:0:1", INTEL_RANGE_UJ - 500_000);
    const afterRise = byDevice(reader.read(2_000))["cpu:0"]!;
    write("intel-rapl:0:1", 500_000);
    assert.ok(closeTo(byDevice(reader.read(3_000))["cpu:0"]!, afterRise + 1, EXACT));
    assert.deepEqual(reader.drainNotices?.(), []);
    reader.close();
  });
});

test("a subzone without energy_uj is left out of the sum and not named in it", () => {
  const zones = packageWithoutCounter(20).map((z) =>
    z.name === "uncore" ? { ...z, noEnergyFile: true } : z,
  );
  withTree(zones, (fake) => {
    const reader = readerOf(openRapl(fake.root));
    assert.equal(
      reader.devices()[0]!.name,
      "package-0 (intel-rapl:0, no energy_uj: sum of its subzones intel-rapl:0:0 core)",
    );
    reader.close();
  });
});

test("a package with no energy_uj and no subzone to sum is skipped, naming its file", () => {
  const alone: FakeZone[] = [packageWithoutCounter(20)[0]!];
  withTree(alone, (fake) => {
    const result = openRapl(fake.root);
    assert.ok("skip" in result, "no reader on nothing to read");
    const file = join(fake.root, "intel-rapl:0", "energy_uj");
    assert.ok(
      result.skip.reason.startsWith(`cannot read RAPL energy counters: ${file} (ENOENT`),
      result.skip.reason,
    );
    assert.match(result.skip.reason, /no subzone of intel-rapl:0 has an energy_uj to sum instead/);
  });
  // Its DRAM is no stand-in for the package: it is dram:0, so it is not summed into cpu:0.
  const withDramOnly = packageWithoutCounter(20, 5).filter(
    (z) => z.name === "package-0" || z.name === "dram",
  );
  withTree(withDramOnly, (fake) => {
    const result = openRapl(fake.root);
    assert.ok("skip" in result, "no partial CPU energy from DRAM alone");
    assert.ok(result.skip.reason.includes(join(fake.root, "intel-rapl:0", "energy_uj")), result.skip.reason);
    assert.match(result.skip.reason, /intel-rapl:0:2 is measured on its own \(dram:0\)/);
  });
});

test("a summed subzone readable by root only: the permission skip names it, no partial sum", () => {
  const zones = packageWithoutCounter(20, 5).map((z) =>
    z.name === "core" ? { ...z, energyMode: 0o400 } : z,
  );
  withTree(zones, (fake) => {
    const skip = permissionSkipOf(fake.root);
    assert.ok(skip.reason.includes(join(fake.root, "intel-rapl:0:0", "energy_uj")), skip.reason);
    assert.ok(!skip.reason.includes(join(fake.root, "intel-rapl:0:1", "energy_uj")));
    assert.match(skip.fix ?? "", /sudo chmod o\+r .*intel-rapl:0:0\/energy_uj/);
  });
});

test("a summed subzone vanishing stops the package's device, which keeps what it measured", async () => {
  await withRunningTree(packageWithoutCounter(50, 7), async (fake) => {
    const reader = readerOf(openRapl(fake.root));
    const t0 = fake.now();
    reader.read(t0);
    await sleep(400);
    const tv = fake.now();
    const before = byDevice(reader.read(tv));
    fake.vanish("intel-rapl:0:1");
    await sleep(100);
    const tGone = fake.now();
    reader.read(tGone);
    const notices = reader.drainNotices?.() ?? [];
    assert.equal(notices.length, 1, JSON.stringify(notices));
    assert.match(
      notices[0]!.message,
      new RegExp(`RAPL zone intel-rapl:0:1 \\(cpu:0\\) vanished at ${new Date(tGone).toISOString()}`),
    );
    await sleep(300);
    const t1 = fake.now();
    const after = byDevice(reader.read(t1));
    assert.equal(after["cpu:0"], before["cpu:0"], "no partial sum after the loss");
    const cpuJ = fake.injectedJ(["intel-rapl:0:0", "intel-rapl:0:1"], t0, tv);
    assert.ok(closeTo(after["cpu:0"]!, cpuJ, EXACT), `${after["cpu:0"]} J vs ${cpuJ} J`);
    assert.ok(closeTo(after["dram:0"]!, fake.injectedJ("intel-rapl:0:2", t0, t1), EXACT));
    reader.close();
  });
});
