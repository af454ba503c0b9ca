import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRapl } from "../../../src/hardware/rapl/rapl-backend.js";
import type { OpenResult } from "../../../src/hardware/types.js";
import { amdLayout, laptopLayout, twoSocketLayout, type FakeZone } from "../../helpers/fake-powercap.js";
import { readerOf, withTree } from "./sample-window.js";

const constant = { kind: "constant", watts: 40 } as const;

function deviceNames(result: OpenResult): string[] {
  return readerOf(result)
    .devices()
    .map((d) => d.device);
}

test("a laptop measures its package only: core, uncore, psys and the MMIO duplicate are not summed", () => {
  withTree(laptopLayout(constant), (fake) => {
    const result = openRapl(fake.root);
    assert.deepEqual(deviceNames(result), ["cpu:0"]);
    const description = readerOf(result).devices()[0]!;
    assert.equal(description.provenance, "counter");
    assert.equal(description.component, "cpu");
    assert.equal(description.name, "package-0 (intel-rapl:0)");
    const notice = result.notices?.find((n) => n.message.startsWith("CPU energy from RAPL"))?.message ?? "";
    assert.match(notice, /intel-rapl:0:0 core \(part of its package/);
    assert.match(notice, /intel-rapl:0:1 uncore \(part of its package/);
    assert.match(notice, /intel-rapl:1 psys \(platform total/);
    assert.match(notice, /intel-rapl-mmio:0 package-0 \(duplicate/);
  });
});

test("two sockets with DRAM: cpu:0, dram:0, cpu:1, dram:1, in that order", () => {
  withTree(twoSocketLayout(constant, 10), (fake) => {
    assert.deepEqual(deviceNames(openRapl(fake.root)), ["cpu:0", "dram:0", "cpu:1", "dram:1"]);
  });
});

test("the AMD layout measures the package, never its one-core core zone", () => {
  withTree(amdLayout(constant), (fake) => {
    assert.deepEqual(deviceNames(openRapl(fake.root)), ["cpu:0"]);
  });
});

test("zones are found by name: psys at intel-rapl:1, indices of 10 and more, die names", () => {
  const zones: FakeZone[] = [
    { id: "intel-rapl:0", name: "package-0-die-0", power: { profile: constant } },
    { id: "intel-rapl:1", name: "psys", power: { sumOf: ["intel-rapl:0", "intel-rapl:10"], plusW: 2 } },
    { id: "intel-rapl:2", name: "package-0-die-1", power: { profile: constant } },
    { id: "intel-rapl:10", name: "package-1", power: { profile: constant } },
    { id: "intel-rapl:10:0", name: "dram", power: { profile: constant } },
    { id: "intel-rapl:10:1", name: "some-future-domain", power: { profile: constant } },
  ];
  withTree(zones, (fake) => {
    const result = openRapl(fake.root);
    assert.deepEqual(deviceNames(result), ["cpu:0", "cpu:2", "cpu:10", "dram:10"]);
    assert.match(
      result.notices?.at(-1)?.message ?? "",
      /intel-rapl:10:1 some-future-domain \(unknown domain\)/,
    );
  });
});

test("psys can be measured instead of packages and DRAM, never beside them", () => {
  withTree(laptopLayout(constant), (fake) => {
    assert.deepEqual(deviceNames(openRapl(fake.root, { usePsys: true })), ["psys:1"]);
  });
});

test("the nested devices tree is read as well as the flat class directory", () => {
  withTree(twoSocketLayout(constant, 10), (fake) => {
    const result = openRapl(fake.devicesRoot);
    assert.deepEqual(deviceNames(result), ["cpu:0", "dram:0", "cpu:1", "dram:1"]);
  });
});

test("an MMIO package with no intel-rapl twin is measured", () => {
  const zones: FakeZone[] = [{ id: "intel-rapl-mmio:0", name: "package-0", power: { profile: constant } }];
  withTree(zones, (fake) => assert.deepEqual(deviceNames(openRapl(fake.root)), ["cpu:0"]));
});

test("no powercap tree, an empty one, or one with only the control type: RAPL is skipped with the reason", () => {
  const dir = mkdtempSync(join(tmpdir(), "powercap-empty-"));
  try {
    const missing = openRapl(join(dir, "nope"));
    assert.ok("skip" in missing);
    assert.match(missing.skip.reason, /no powercap tree at .*nope \(ENOENT\)/);
    assert.equal(missing.skip.backend, "rapl");

    const empty = openRapl(dir);
    assert.ok("skip" in empty);
    assert.match(empty.skip.reason, /no RAPL zones/);

    mkdirSync(join(dir, "intel-rapl"));
    const controlTypeOnly = openRapl(dir);
    assert.ok("skip" in controlTypeOnly);
    assert.match(controlTypeOnly.skip.reason, /no RAPL zones/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a tree with psys only is skipped, naming what it found", () => {
  const zones: FakeZone[] = [{ id: "intel-rapl:0", name: "psys", power: { profile: constant } }];
  withTree(zones, (fake) => {
    const result = openRapl(fake.root);
    assert.ok("skip" in result);
    assert.match(result.skip.reason, /no package or DRAM zone .* intel-rapl:0 \(psys\)/);
  });
});
