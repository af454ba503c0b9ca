// intel-rapl-mmio:0 'package-0' is the package counter of intel-rapl:0 read through MMIO
// (reference/rapl.md). A package zone with its own energy_uj is read there and the twin is never
// added to it; one without is read through the twin, which sees the whole package, before the sum
// of its subzones, which misses what the package draws outside them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openRapl } from "../../../src/hardware/rapl/rapl-backend.js";
import {
  DESKTOP_CONSTRAINTS,
  laptopLayout,
  unprivilegedFiles,
  type FakePowercap,
  type FakeZone,
} from "../../helpers/fake-powercap.js";
import { byDevice, permissionSkipOf, readerOf, withTree } from "./sample-window.js";

const constant = { kind: "constant", watts: 20 } as const;

/** A laptop whose MSR package zone has no energy_uj; its MMIO twin has one (mode `twinMode`). */
function packageWithMmioTwin(twinMode = 0o444): FakeZone[] {
  return [
    {
      id: "intel-rapl:0",
      name: "package-0",
      power: { profile: constant },
      constraints: DESKTOP_CONSTRAINTS,
      noEnergyFile: true,
    },
    { id: "intel-rapl:0:0", name: "core", power: { fractionOf: "intel-rapl:0", fraction: 0.7 } },
    { id: "intel-rapl:0:1", name: "uncore", power: { fractionOf: "intel-rapl:0", fraction: 0.1 } },
    {
      id: "intel-rapl-mmio:0",
      name: "package-0",
      power: { fractionOf: "intel-rapl:0", fraction: 1 },
      constraints: DESKTOP_CONSTRAINTS,
      energyMode: twinMode,
    },
  ];
}

/** Moves each zone's counter on by `joules`. */
function advance(fake: FakePowercap, joules: Record<string, number>): void {
  for (const [zone, j] of Object.entries(joules)) {
    const path = join(fake.root, zone, "energy_uj");
    writeFileSync(path, `${Number(readFileSync(path, "utf8")) + j * 1e6}\n`);
  }
}

test("a package with no energy_uj is read through its MMIO twin, the whole package, not its subzones' sum", () => {
  withTree(packageWithMmioTwin(), (fake) => {
    const result = openRapl(fake.root, { now: () => 0 });
    const reader = readerOf(result);
    // The package drew 30 J, 23 J of them in core and uncore.
    advance(fake, { "intel-rapl-mmio:0": 30, "intel-rapl:0:0": 20, "intel-rapl:0:1": 3 });
    assert.deepEqual(byDevice(reader.read(1_000)), { "cpu:0": 30 });
    assert.deepEqual(
      reader.devices().map((d) => [d.device, d.name]),
      [["cpu:0", "package-0 (intel-rapl:0, no energy_uj: read through its MMIO twin intel-rapl-mmio:0)"]],
    );
    const notice = result.notices?.find((n) => n.message.startsWith("CPU energy from RAPL"))?.message ?? "";
    assert.match(
      notice,
      /cpu:0 \(package-0, intel-rapl:0, which has no energy_uj: read through its MMIO twin intel-rapl-mmio:0, the same package counter\)/,
    );
    assert.doesNotMatch(
      notice,
      /intel-rapl-mmio:0 package-0 \(duplicate/,
      "the twin is measured, not left out",
    );
    reader.close();
  });
});

test("a package with its own energy_uj is read there: its MMIO twin is never added to it", () => {
  withTree(laptopLayout(constant), (fake) => {
    const reader = readerOf(openRapl(fake.root, { now: () => 0 }));
    assert.deepEqual(
      reader.devices().map((d) => [d.device, d.name]),
      [["cpu:0", "package-0 (intel-rapl:0)"]],
    );
    advance(fake, { "intel-rapl:0": 30, "intel-rapl-mmio:0": 30, "intel-rapl:0:0": 20 });
    assert.deepEqual(byDevice(reader.read(1_000)), { "cpu:0": 30 });
    reader.close();
  });
});

test("a root-only MMIO twin: the subzones' sum, with a warning naming the twin's file; no subzones: the permission skip", () => {
  withTree(packageWithMmioTwin(0o400), (fake) => {
    const twinFile = join(fake.root, "intel-rapl-mmio:0", "energy_uj");
    const result = openRapl(fake.root, { files: unprivilegedFiles(), now: () => 0 });
    const reader = readerOf(result);
    assert.equal(
      reader.devices()[0]?.name,
      "package-0 (intel-rapl:0, no energy_uj: sum of its subzones intel-rapl:0:0 core + intel-rapl:0:1 uncore)",
    );
    assert.ok(
      result.notices?.some(
        (n) =>
          n.level === "warning" &&
          n.message ===
            `intel-rapl:0 has no energy_uj and its MMIO twin's ${twinFile} is not readable by this user (permission denied): cpu:0 is the sum of its subzones, which misses what the package draws outside them. To measure the whole package: sudo chmod o+r ${twinFile}`,
      ),
      JSON.stringify(result.notices),
    );
    advance(fake, { "intel-rapl:0:0": 20, "intel-rapl:0:1": 3 });
    assert.deepEqual(byDevice(reader.read(1_000)), { "cpu:0": 23 });
    reader.close();
  });
  const noSubzones = packageWithMmioTwin(0o400).filter((z) => z.name === "package-0");
  withTree(noSubzones, (fake) => {
    const skip = permissionSkipOf(fake.root);
    assert.ok(skip.reason.includes(join(fake.root, "intel-rapl-mmio:0", "energy_uj")), skip.reason);
  });
});
