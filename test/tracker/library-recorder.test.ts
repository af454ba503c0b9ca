// A program using the library leaves its background samples to the sample recorder, as the CLI
// does: a child process `ps` shows under the program once the first batch has closed, so the
// sampler's thread wakes once a minute instead of every sample. Nothing is lost: a boundary takes
// every sample recorded so far, a blocked event loop included, and the recorder ends with stop().
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker } from "../../src/index.js";
import { runFilesIn } from "../faults/fault-kit.js";
import { tempDir } from "../helpers/cli-process.js";
import { singlePackageLayout, spawnFakePowercap } from "../helpers/fake-powercap.js";
import { childrenNamed } from "../helpers/proc-children.js";

interface Sample {
  t: number;
  energy_j: number;
}

for (const recorder of ["the recorder", "CARBONTRACKER_SAMPLE_RECORDER=0"] as const) {
  test(`the library on RAPL, ${recorder}: every sample and the epoch's energy, a blocked event loop included`, async () => {
    const rapl = await spawnFakePowercap(singlePackageLayout({ kind: "constant", watts: 100 }), {
      inPlace: true,
    });
    const dir = tempDir();
    try {
      const tracker = new CarbonTracker({
        epochs: 1,
        components: "cpu",
        updateInterval: 0.5,
        logDir: dir,
        stdout: () => {},
        env: {
          CARBONTRACKER_OFFLINE: "1",
          CARBONTRACKER_POWERCAP_ROOT: rapl.root,
          ...(recorder === "the recorder" ? {} : { CARBONTRACKER_SAMPLE_RECORDER: "0" }),
        },
      });
      tracker.epochStart();
      // The first batch (10 samples, 5 s) closes, and the recorder starts with it.
      await sleep(6_000);
      const recorders = childrenNamed(process.pid, "sample-recorder", { live: true });
      // A synchronous training step: nothing runs on this thread for 2 s.
      const blockedUntil = Date.now() + 2_000;
      while (Date.now() < blockedUntil) {
        // busy
      }
      const epoch = await tracker.epochEnd();
      await tracker.stop();
      assert.equal(
        recorders.length,
        recorder === "the recorder" ? 1 : 0,
        "sample-recorders under this process",
      );
      for (let i = 0; i < 50 && childrenNamed(process.pid, "sample-recorder", { live: true }).length; i++)
        await sleep(100);
      assert.deepEqual(
        childrenNamed(process.pid, "sample-recorder", { live: true }),
        [],
        "ended with stop()",
      );

      const history = await rapl.stop();
      const records = runFilesIn(dir).records;
      const samples = records.filter((r) => r.type === "sample") as unknown as Sample[];
      const start = records.find((r) => r.type === "start") as unknown as { t: number };
      const run = records.find((r) => r.type === "epoch") as unknown as { start_t: number; end_t: number };
      assert.ok(epoch);
      const [low, high] = history.injectedRangeJ("intel-rapl:0", run.start_t, run.end_t);
      assert.ok(
        epoch.energyJ > low - 10 && epoch.energyJ < high + 10,
        `${epoch.energyJ} J in the epoch, the counter moved ${low}..${high} J`,
      );
      // 8 s at 2 samples a second, the blocked 2 s included.
      const blocked = samples.filter((s) => s.t > blockedUntil - 2_000 && s.t < blockedUntil);
      assert.ok(samples.length >= 15, `${samples.length} samples in 8 s`);
      assert.ok(blocked.length >= 3, `${blocked.length} samples while the event loop was blocked`);
      for (const sample of samples) {
        const [from, to] = history.injectedRangeJ("intel-rapl:0", start.t, sample.t);
        assert.ok(
          sample.energy_j > from - 10 && sample.energy_j < to + 10,
          `${sample.energy_j} J at +${sample.t - start.t} ms, the counter moved ${from}..${to} J`,
        );
      }
    } finally {
      await rapl.stop().catch(() => undefined);
    }
  });
}
