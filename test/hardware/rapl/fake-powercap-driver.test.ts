import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { openRapl } from "../../../src/hardware/rapl/rapl-backend.js";
import { FakeHistory, preciseNowMs } from "../../helpers/fake-powercap.js";
import { byDevice } from "./sample-window.js";

const driver = fileURLToPath(new URL("../../helpers/fake-powercap-driver.ts", import.meta.url));

test("the standalone driver runs a tree in another process and records what it injected", async () => {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", driver, "--layout", "two-sockets", "--profile", "square:100,30,0.3,0.7"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
    const ready = JSON.parse(line) as { root: string; history: string; pid: number };
    assert.equal(ready.pid, child.pid);
    const result = openRapl(ready.root);
    assert.ok("reader" in result);
    const t0 = preciseNowMs();
    const start = byDevice(result.reader.read(t0));
    await sleep(1200);
    const t1 = preciseNowMs();
    const end = byDevice(result.reader.read(t1));
    child.kill("SIGTERM");
    await once(child, "exit");
    const history = FakeHistory.fromFile(ready.history);
    // Another process's writes: a read may fall between a write and its record.
    const [low, high] = history.injectedRangeJ("intel-rapl:0", t0, t1);
    const measured = end["cpu:0"]! - start["cpu:0"]!;
    assert.ok(
      measured >= low - 1e-6 && measured <= high + 1e-6,
      `measured ${measured} J, injected ${low}..${high} J`,
    );
    const injected = history.injectedJ("intel-rapl:0", t0, t1);
    assert.ok(injected > 40, `injected ${injected} J`);
    rmSync(dirname(dirname(ready.root)), { recursive: true, force: true });
  } finally {
    child.kill("SIGKILL");
  }
});
