// An unmodified PyTorch training script (a tiny model on the CPU, 5 epochs) using the original
// carbontracker API, measured by our engine on a fake RAPL tree: standalone and under the CLI,
// with DataLoader workers (forked processes that must not start or drive a second tracker).
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  singlePackageLayout,
  spawnFakePowercap,
  type FakePowercapProcess,
} from "../helpers/fake-powercap.js";
import { CLI } from "../helpers/cli-process.js";
import { parseAllLogs } from "../../src/logs/parser/index.js";
import {
  FIXTURES,
  jsonlRecords,
  pythonEnv,
  pythonFor,
  runMerged,
  tempFolder,
  watchEngines,
} from "./python-kit.js";

const WATTS = 40;
const TRAIN = join(FIXTURES, "train_torch.py");

/** The script's lines and the tracker's, in the order they were written. */
function assertOrder(out: string): void {
  const order = [
    "Predicted consumption for 5 epoch(s):",
    "epoch 1 loss",
    "epoch 4 loss",
    "Actual consumption for 5 epoch(s):",
    "epoch 5 loss",
    "training finished",
  ];
  const at = order.map((s) => out.indexOf(s));
  assert.ok(
    at.every((i) => i >= 0),
    out,
  );
  assert.deepEqual(
    [...at].sort((a, b) => a - b),
    at,
    out,
  );
  // The prediction comes with epoch 1's end, before the script prints epoch 1's loss.
  assert.ok(out.indexOf("Predicted consumption") < out.indexOf("epoch 1 loss"), out);
}

/**
 * Each epoch's energy over its duration is `watts`. A simulated device gives it exactly. The fake
 * RAPL tree's driver runs in another process whose writes lag when the machine is busy, then
 * catch up; there the figures are only checked to be that power's, give or take such lags.
 */
async function assertEpochEnergies(logDir: string, watts: number, exact: boolean): Promise<void> {
  const records = jsonlRecords(logDir);
  const epochs = records.filter((r) => r.type === "epoch");
  assert.deepEqual(
    epochs.map((e) => e.epoch),
    [1, 2, 3, 4, 5],
  );
  let joules = 0;
  let seconds = 0;
  for (const e of epochs) {
    const expected = watts * (e.duration_s as number);
    const bound = exact ? 1e-6 : 0.5 * expected + watts * 0.2;
    joules += e.energy_j as number;
    seconds += e.duration_s as number;
    assert.ok(
      Math.abs((e.energy_j as number) - expected) <= bound,
      `epoch ${String(e.epoch)}: ${String(e.energy_j)} J in ${String(e.duration_s)} s at ${watts} W`,
    );
  }
  const bound = exact ? 1e-6 : 0.25 * watts * seconds;
  assert.ok(Math.abs(joules - watts * seconds) <= bound, `${joules} J in ${seconds} s`);
  const actual = records.find((r) => r.type === "actual") as Record<string, unknown>;
  assert.equal(actual.epochs, 5);
  assert.equal(actual.interrupted, false);
  assert.ok(Math.abs((actual.energy_kwh as number) - (joules / 3.6e6) * 1.58) < 1e-12);
  const [run, ...others] = await parseAllLogs(logDir, { onIssue: () => {} });
  assert.equal(others.length, 0);
  assert.equal(run?.actual?.epochs, 5);
  assert.equal(run?.counted.basis, "actual");
  assert.equal(run?.counted.energyKwh, actual.energy_kwh);
}

async function fakeRapl(t: { after: (fn: () => Promise<unknown>) => void }): Promise<FakePowercapProcess> {
  const fake = await spawnFakePowercap(singlePackageLayout({ kind: "constant", watts: WATTS }));
  t.after(() => fake.stop().catch(() => undefined));
  return fake;
}

test("a PyTorch script of 5 epochs, standalone: the prediction after epoch 1, the actual for 5, each epoch's counter energy in logs the parser reads", async (t) => {
  const python = pythonFor(t, "torch");
  if (!python) return;
  const fake = await fakeRapl(t);
  const logDir = join(tempFolder(t), "logs");
  const run = await runMerged(python, [TRAIN, logDir], {
    env: pythonEnv({ CARBONTRACKER_POWERCAP_ROOT: fake.root }),
  });
  assert.equal(run.code, 0, run.merged);
  assertOrder(run.merged);
  await assertEpochEnergies(logDir, WATTS, false);
});

test("with DataLoader(num_workers=2), standalone: one engine process, one run", async (t) => {
  const python = pythonFor(t, "torch");
  if (!python) return;
  const fake = await fakeRapl(t);
  const logDir = join(tempFolder(t), "logs");
  const marker = randomUUID();
  const engines = watchEngines(`CT_TEST_MARK=${marker}`);
  const run = await runMerged(python, [TRAIN, logDir, "2"], {
    env: pythonEnv({ CARBONTRACKER_POWERCAP_ROOT: fake.root, CT_TEST_MARK: marker }),
  });
  const seen = engines.stop();
  assert.equal(run.code, 0, run.merged);
  assert.equal(seen.length, 1, `engine processes: ${seen.join(", ")}`);
  assertOrder(run.merged);
  await assertEpochEnergies(logDir, WATTS, false);
});

test("under the CLI with DataLoader(num_workers=2): the script's CarbonTracker attaches (no engine), the CLI's flags win with a note, one run", async (t) => {
  const python = pythonFor(t, "torch");
  if (!python) return;
  const dir = tempFolder(t);
  const logDir = join(dir, "cli-logs");
  const marker = randomUUID();
  const engines = watchEngines(`CT_TEST_MARK=${marker}`);
  const run = await runMerged(
    process.execPath,
    // A simulated CPU (100 W at 50 %) from the command line: exact energies; the script sets none.
    [
      CLI,
      "--sim-cpu",
      "X",
      "--sim-cpu-tdp",
      "100",
      "--log_dir",
      logDir,
      python,
      TRAIN,
      join(dir, "script-logs"),
      "2",
    ],
    { env: pythonEnv({ CT_TEST_MARK: marker, PYTHONPATH: "" }) },
  );
  const seen = engines.stop();
  assert.equal(run.code, 0, run.merged);
  assert.deepEqual(seen, [], "no engine under the CLI");
  assert.match(run.merged, /carbontracker: --log-dir on the command line wins over the script's log_dir\.\n/);
  assert.ok(!existsSync(join(dir, "script-logs")), "the script's log folder is not used");
  assertOrder(run.merged);
  await assertEpochEnergies(logDir, 50, true);
});
