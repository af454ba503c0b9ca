import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { createRaplBackend, openRapl } from "../../../src/hardware/rapl/rapl-backend.js";
import { UDEV_RULE } from "../../../src/hardware/rapl/permission-fix.js";
import { detectReaders } from "../../../src/hardware/detect.js";
import { BACKENDS } from "../../../src/hardware/registry.js";
import { estimateCpuBackend } from "../../../src/hardware/estimate/estimate-reader.js";
import type { SkipReason } from "../../../src/hardware/types.js";
import {
  FakePowercap,
  twoSocketLayout,
  unprivilegedFiles,
  type FakeZone,
} from "../../helpers/fake-powercap.js";

const profile = { kind: "constant", watts: 50 } as const;
const deniedZones = (): FakeZone[] => twoSocketLayout(profile, 8).map((z) => ({ ...z, energyMode: 0o400 }));

test("energy_uj readable by root only: RAPL is skipped, naming every file, with a chmod and a udev fix", () => {
  const fake = new FakePowercap(deniedZones());
  try {
    const result = openRapl(fake.root, { files: unprivilegedFiles() });
    assert.ok("skip" in result, "no reader may open on unreadable counters");
    const files = ["intel-rapl:0", "intel-rapl:0:0", "intel-rapl:1", "intel-rapl:1:0"].map((z) =>
      join(fake.root, z, "energy_uj"),
    );
    assert.match(result.skip.reason, /^RAPL energy counters are not readable by this user/);
    for (const file of files) assert.ok(result.skip.reason.includes(file), `reason names ${file}`);
    assert.match(result.skip.reason, /CVE-2020-8694/);
    assert.match(result.skip.reason, /falls back to an estimate/);
    const fixLines = result.skip.fix?.split("\n") ?? [];
    assert.equal(fixLines[0], `One-off, until the next reboot: sudo chmod o+r ${files.join(" ")}`);
    assert.ok(fixLines[1]?.startsWith("Persistent: echo '"));
    assert.ok(fixLines[1]?.includes(UDEV_RULE));
    assert.match(fixLines[1] ?? "", /sudo tee \/etc\/udev\/rules.d\/99-carbontracker-rapl.rules/);
    // One clear message in the run's logs, not only in `doctor`.
    assert.equal(result.notices?.length, 1);
    assert.equal(result.notices?.[0]?.level, "warning");
    const notice = result.notices?.[0]?.message ?? "";
    assert.ok(!notice.includes("\n"), "one log line");
    for (const line of fixLines) assert.ok(notice.includes(line), `the notice holds "${line}"`);
  } finally {
    fake.dispose();
  }
});

test("only some counters unreadable: no partial sum is presented, the message names those files", () => {
  const zones = twoSocketLayout(profile, 8).map((z) => (z.name === "dram" ? { ...z, energyMode: 0o400 } : z));
  const fake = new FakePowercap(zones);
  try {
    const result = openRapl(fake.root, { files: unprivilegedFiles() });
    assert.ok("skip" in result);
    assert.ok(result.skip.reason.includes(join(fake.root, "intel-rapl:0:0", "energy_uj")));
    assert.ok(!result.skip.reason.includes(join(fake.root, "intel-rapl:0", "energy_uj")));
  } finally {
    fake.dispose();
  }
});

test("the registry falls back to the estimate reader, labelled estimate, and keeps the reason", async () => {
  const fake = new FakePowercap(deniedZones());
  try {
    const detection = await detectReaders(
      ["cpu"],
      { env: { CARBONTRACKER_POWERCAP_ROOT: fake.root }, pid: process.pid, devicesByPid: false },
      { cpu: [createRaplBackend({ files: unprivilegedFiles() }), estimateCpuBackend], gpu: [] },
    );
    assert.deepEqual(
      detection.readers.map((r) => r.backend),
      ["estimate"],
    );
    assert.ok(detection.readers[0]!.devices().every((d) => d.provenance === "estimate"));
    assert.equal(detection.skipped[0]?.backend, "rapl");
    assert.match(detection.skipped[0]?.fix ?? "", /sudo chmod o\+r/);
    assert.match(detection.notices[0]?.message ?? "", /not readable by this user/);
    assert.match(detection.notices[1]?.message ?? "", /ESTIMATE/);
    for (const reader of detection.readers) reader.close();
  } finally {
    fake.dispose();
  }
});

const root = process.getuid?.() === 0;
const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));

test(
  "as a real unprivileged user (setpriv), a 0400 energy_uj fails with EACCES and the registry falls back",
  { skip: !root || !setpriv ? "needs root and setpriv to become an unprivileged user" : false },
  () => {
    const fake = new FakePowercap(deniedZones());
    try {
      chmodSync(fake.dir, 0o755);
      const script = fileURLToPath(new URL("./open-as-user.ts", import.meta.url));
      const run = spawnSync(
        setpriv!,
        [
          "--reuid=65534",
          "--regid=65534",
          "--clear-groups",
          process.execPath,
          "--import",
          "tsx",
          script,
          fake.root,
        ],
        { encoding: "utf8", timeout: 60_000, env: { ...process.env, HOME: "/tmp" } },
      );
      assert.equal(run.status, 0, run.stderr);
      const seen = JSON.parse(run.stdout) as { uid: number; backends: string[]; skipped: SkipReason[] };
      assert.equal(seen.uid, 65534);
      assert.deepEqual(seen.backends, ["estimate"]);
      const rapl = seen.skipped.find((s) => s.backend === "rapl");
      assert.match(rapl?.reason ?? "", /not readable by this user \(uid 65534\)/);
      assert.ok(rapl?.reason.includes(join(fake.root, "intel-rapl:0", "energy_uj")));
      assert.match(rapl?.fix ?? "", /sudo chmod o\+r/);
    } finally {
      fake.dispose();
    }
  },
);

test("the same tree readable: the registry picks RAPL, between simulated and the estimate", async () => {
  const fake = new FakePowercap(twoSocketLayout(profile, 8));
  try {
    const order = BACKENDS.cpu.map((b) => b.id);
    assert.ok(
      order.indexOf("simulated") < order.indexOf("rapl") && order.indexOf("rapl") < order.indexOf("estimate"),
    );
    const detection = await detectReaders(
      ["cpu"],
      { env: { CARBONTRACKER_POWERCAP_ROOT: fake.root }, pid: process.pid, devicesByPid: false },
      BACKENDS,
    );
    assert.deepEqual(
      detection.readers.map((r) => r.backend),
      ["rapl"],
    );
    assert.deepEqual(
      detection.readers[0]!.devices().map((d) => `${d.device} ${d.provenance}`),
      ["cpu:0 counter", "dram:0 counter", "cpu:1 counter", "dram:1 counter"],
    );
    for (const reader of detection.readers) reader.close();
  } finally {
    fake.dispose();
  }
});
