import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { openRapl } from "../../../src/hardware/rapl/rapl-backend.js";
import type { PowerReader } from "../../../src/hardware/types.js";
import { FakeHistory, amdLayout, preciseNowMs, spawnFakePowercap } from "../../helpers/fake-powercap.js";
import { byDevice } from "./sample-window.js";

const driver = fileURLToPath(new URL("../../helpers/fake-powercap-driver.ts", import.meta.url));

/** A read with the clock just before and just after it: the read happened somewhere between. */
function timedRead(reader: PowerReader): { before: number; after: number; reading: Record<string, number> } {
  const before = preciseNowMs();
  const reading = byDevice(reader.read(before));
  return { before, after: preciseNowMs(), reading };
}

/**
 * What the reads could have seen of another process's writes to package 0 (J): at least what was
 * written while both surely spanned it, at most what was written while they may have, one write
 * more at each edge (a read may fall between a write and its record). A loaded machine may pause
 * a reader between its clock and its read, so the clock after each read bounds it too.
 */
function seenRangeJ(
  history: FakeHistory,
  first: { before: number; after: number },
  last: { before: number; after: number },
): [number, number] {
  return [
    history.injectedRangeJ("intel-rapl:0", first.after, last.before)[0],
    history.injectedRangeJ("intel-rapl:0", first.before, last.after)[1],
  ];
}

test("the standalone driver runs a tree in another process and records what it injected", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fake-powercap-driver-"));
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      driver,
      "--dir",
      dir,
      "--layout",
      "two-sockets",
      "--profile",
      "square:100,30,0.3,0.7",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
    const ready = JSON.parse(line) as { root: string; history: string; pid: number };
    assert.equal(ready.pid, child.pid);
    assert.equal(ready.root, join(dir, "class", "powercap"));
    const result = openRapl(ready.root);
    assert.ok("reader" in result);
    const first = timedRead(result.reader);
    await sleep(1200);
    const last = timedRead(result.reader);
    const [t0, t1] = [first.before, last.before];
    const [start, end] = [first.reading, last.reading];
    child.kill("SIGTERM");
    await once(child, "exit");
    const history = FakeHistory.fromFile(ready.history);
    const [low, high] = seenRangeJ(history, first, last);
    const measured = end["cpu:0"]! - start["cpu:0"]!;
    assert.ok(
      measured >= low - 1e-6 && measured <= high + 1e-6,
      `measured ${measured} J, injected ${low}..${high} J`,
    );
    assert.ok(history.injectedJ("intel-rapl:0", t0, t1) > 40);
  } finally {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

test("spawnFakePowercap runs any zones in a child and hands back their history", async () => {
  const fake = await spawnFakePowercap(amdLayout({ kind: "constant", watts: 80 }), { tickMs: 2 });
  const result = openRapl(fake.root);
  assert.ok("reader" in result);
  const first = timedRead(result.reader);
  await sleep(600);
  const last = timedRead(result.reader);
  const [t0, t1] = [first.before, last.before];
  const [start, end] = [first.reading, last.reading];
  const history = await fake.stop();
  const [low, high] = seenRangeJ(history, first, last);
  const measured = end["cpu:0"]! - start["cpu:0"]!;
  assert.ok(measured >= low - 1e-6 && measured <= high + 1e-6, `measured ${measured} J, ${low}..${high} J`);
  // The continuous profile: 80 W over the window, give or take the driver's late ticks.
  const profileJ = history.profileJ("intel-rapl:0", t0, t1);
  assert.ok(Math.abs(profileJ - (80 * (t1 - t0)) / 1000) < 1e-6);
});
