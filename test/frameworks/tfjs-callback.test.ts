// The TF.js callback with the real @tensorflow/tfjs (pure JS): a tiny model trained for 3 epochs
// is tracked epoch by epoch; with stopAndConfirm a "n" ends fit() after the prediction epoch.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { carbonTrackerCallback } from "../../src/frameworks/tfjs-callback.js";
import { CarbonTracker } from "../../src/library/carbon-tracker.js";
import { tempDir } from "../helpers/cli-process.js";

type Tf = typeof import("@tensorflow/tfjs");
let tf: Tf | undefined;
try {
  tf = await import("@tensorflow/tfjs");
} catch {
  tf = undefined;
}
const skip = tf ? false : "@tensorflow/tfjs is not installed (add it as a devDependency to run this test)";

function tinyModel(tfjs: Tf) {
  const model = tfjs.sequential();
  model.add(tfjs.layers.dense({ units: 4, inputShape: [2], activation: "relu" }));
  model.add(tfjs.layers.dense({ units: 1 }));
  model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
  const xs = tfjs.randomNormal([64, 2]);
  const ys = tfjs.randomNormal([64, 1]);
  return { model, xs, ys };
}

function tracker(
  logDir: string,
  lines: string[],
  extra: Record<string, unknown> = {},
  answers: string[] = [],
) {
  return new CarbonTracker(
    {
      epochs: 3,
      logDir,
      simCpu: "X",
      simCpuTdp: 100,
      env: { CARBONTRACKER_OFFLINE: "1" },
      stdout: (text) => lines.push(text),
      ...extra,
    },
    { readAnswer: async () => answers.shift() },
  );
}

test(
  "model.fit() with the callback reports the prediction after epoch 1 and the actual for 3",
  { skip },
  async () => {
    const tfjs = tf as Tf;
    const logDir = join(tempDir(), "logs");
    const lines: string[] = [];
    const ct = tracker(logDir, lines);
    const { model, xs, ys } = tinyModel(tfjs);
    const history = await model.fit(xs, ys, {
      epochs: 3,
      verbose: 0,
      callbacks: [carbonTrackerCallback(ct, { model })],
    });
    assert.equal(history.epoch.length, 3);
    const out = lines.join("");
    assert.match(out, /Predicted consumption for 3 epoch\(s\):/);
    assert.match(out, /Actual consumption for 3 epoch\(s\):/);
    assert.equal(ct.finished, true);
    const jsonl = readdirSync(logDir).find((f) => f.endsWith(".jsonl")) as string;
    const epochs = readFileSync(join(logDir, jsonl), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; epoch?: number })
      .filter((r) => r.type === "epoch");
    assert.deepEqual(
      epochs.map((e) => e.epoch),
      [1, 2, 3],
    );
  },
);

test('with stopAndConfirm, answering "n" ends fit() after the first epoch', { skip }, async () => {
  const tfjs = tf as Tf;
  const lines: string[] = [];
  const ct = tracker(join(tempDir(), "logs"), lines, { stopAndConfirm: true }, ["n"]);
  const { model, xs, ys } = tinyModel(tfjs);
  const history = await model.fit(xs, ys, {
    epochs: 3,
    verbose: 0,
    callbacks: [carbonTrackerCallback(ct, { model })],
  });
  assert.equal(history.epoch.length, 1);
  const out = lines.join("");
  assert.match(out, /Continue training \(y\/n\)\?\nCarbonTracker: Quitting\.\.\.\n/);
  assert.match(out, /Actual consumption for 1 epoch\(s\):/);
});
