// Both backends behind the real registry and tracker: what a user sees in the console, the logs
// the parser reads and the JSONL, with fake powermetrics and a fake amdgpu sysfs tree.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker } from "../../../src/index.js";
import { makeFakeDrm } from "../amdgpu/fake-drm.js";

const FIXTURES = resolve("test/fixtures/powermetrics");

test("'The following components were found' lists the amdgpu cards and the powermetrics CPU", async () => {
  const drm = makeFakeDrm([
    {
      card: 0,
      hwmon: 3,
      pciSlot: "0000:03:00.0",
      device: "0x740f",
      productName: "AMD Instinct MI210",
      files: { energy1_input: "1000000" },
    },
    { card: 1, hwmon: 4, pciSlot: "0000:43:00.0", files: { power1_average: "37000000" } },
  ]);
  const logDir = mkdtempSync(join(tmpdir(), "ct-found-"));
  const lines: string[] = [];
  try {
    const tracker = new CarbonTracker({
      epochs: 1,
      updateInterval: 0.2,
      logDir,
      stdout: (text: string) => void lines.push(text),
      env: {
        CARBONTRACKER_OFFLINE: "1",
        PATH: [join(FIXTURES, "bin"), dirname(process.execPath), process.env.PATH ?? ""].join(delimiter),
        CARBONTRACKER_POWERMETRICS: join(FIXTURES, "fake-powermetrics.mjs"),
        CARBONTRACKER_DRM_ROOT: drm.root,
        CARBONTRACKER_POWERCAP_ROOT: "/nonexistent/powercap",
        CARBONTRACKER_NVML_LIBRARY: "/nonexistent/libnvidia-ml.so.1",
      },
    });
    tracker.epochStart();
    await sleep(600);
    await tracker.epochEnd();
    await tracker.stop();
    const found =
      /The following components were found: GPU with device\(s\) AMD Instinct MI210, AMD GPU 1002:73bf\. CPU with device\(s\) CPU\.\n/;
    assert.match(lines.join(""), found);
    const names = readdirSync(logDir);
    const standard = readFileSync(
      join(
        logDir,
        names.find((n) => n.endsWith("_carbontracker.log"))!,
      ),
      "utf8",
    );
    assert.match(standard, found);
    const records = readFileSync(
      join(
        logDir,
        names.find((n) => n.endsWith(".jsonl"))!,
      ),
      "utf8",
    )
      .split("\n")
      .filter(Boolean)
      .map(
        (line) => JSON.parse(line) as { type: string; devices?: { device: string; provenance: string }[] },
      );
    assert.deepEqual(
      records.find((r) => r.type === "start")?.devices?.map((d) => [d.device, d.provenance]),
      [
        ["AMD Instinct MI210", "counter"],
        ["AMD GPU 1002:73bf", "sampled"],
        ["CPU", "sampled"],
      ],
    );
  } finally {
    drm.cleanup();
    rmSync(logDir, { recursive: true, force: true });
  }
});
