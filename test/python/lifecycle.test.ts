// How a run ends when the program does not end it: killed (SIGKILL), ended without stop(), its
// engine killed under it, or no engine at all. The training never fails for it; the logs keep
// every finished epoch; no process is left behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, readdirSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import {
  FIXTURES,
  PACKAGE_DIR,
  enginePids,
  jsonlRecords,
  pythonEnv,
  pythonFor,
  runPython,
  tempFolder,
} from "./python-kit.js";
import { IN_CI } from "../helpers/ci-only.js";

const LIFECYCLE = join(FIXTURES, "lifecycle.py");

/** Starts lifecycle.py and lets the test wait for its lines. */
function startLifecycle(python: string, args: string[], marker: string) {
  const [name, value] = marker.split("=") as [string, string];
  const child = spawn(python, [LIFECYCLE, ...args], { env: pythonEnv({ [name]: value }) });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const seen: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  lines.on("line", (line) => {
    seen.push(line);
    for (const w of waiters.filter((w) => line.includes(w.text))) w.resolve();
  });
  return {
    child,
    seen,
    stderr: () => stderr,
    exited: once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>,
    waitFor: (text: string) =>
      seen.some((l) => l.includes(text))
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ text, resolve })),
  };
}

/** Polls until `check` holds; returns the milliseconds it took, or throws after `limitMs`. */
async function until(check: () => boolean, limitMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await sleep(10);
  }
  return Date.now() - started;
}

test("SIGKILL of the Python process mid-epoch: the engine closes the logs with every finished epoch within 1 s and exits", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const logDir = join(tempFolder(t), "logs");
  const marker = `CT_TEST_MARK=${randomUUID()}`;
  const run = startLifecycle(python, [logDir, "5", "--hang-in", "3"], marker);
  t.after(() => run.child.kill("SIGKILL"));
  await run.waitFor("in epoch 3");
  const engines = enginePids(marker);
  assert.equal(engines.length, 1, `engines: ${engines.join(", ")}`);
  const killedAt = Date.now();
  run.child.kill("SIGKILL");
  await run.exited;
  const closedIn = await until(
    () =>
      readdirSync(logDir).some((f) => f.endsWith(".jsonl")) &&
      jsonlRecords(logDir).some((r) => r.type === "end"),
    5000,
    "the JSONL end record",
  );
  await until(() => enginePids(marker).length === 0, 5000, "the engine's exit");
  const records = jsonlRecords(logDir);
  const end = records.find((r) => r.type === "end") as { t: number; reason: string };
  assert.ok(
    end.t - killedAt < 1000,
    `logs closed ${end.t - killedAt} ms after the kill (seen after ${closedIn} ms)`,
  );
  assert.deepEqual(
    records.filter((r) => r.type === "epoch").map((e) => [e.epoch, e.partial ?? false]),
    [
      [1, false],
      [2, false],
      [3, true],
    ],
  );
  const actual = records.find((r) => r.type === "actual") as Record<string, unknown>;
  assert.equal(actual.epochs, 2);
  assert.equal(actual.interrupted, true);
});

test("a program that ends without stop() is closed as interrupted in the logs within 1 s of its exit", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const logDir = join(tempFolder(t), "logs");
  const marker = `CT_TEST_MARK=${randomUUID()}`;
  const run = startLifecycle(python, [logDir, "5", "--run", "2", "--no-stop"], marker);
  const [code] = await run.exited;
  const exitedAt = Date.now();
  assert.equal(code, 0, run.stderr());
  assert.deepEqual(
    run.seen.filter((line) => /^(epoch \d done|training finished)$/.test(line)),
    ["epoch 1 done", "epoch 2 done", "training finished"],
  );
  await until(() => jsonlRecords(logDir).some((r) => r.type === "end"), 5000, "the JSONL end record");
  await until(() => enginePids(marker).length === 0, 5000, "the engine's exit");
  const records = jsonlRecords(logDir);
  const end = records.find((r) => r.type === "end") as { t: number };
  assert.ok(end.t - exitedAt < 1000, `closed ${end.t - exitedAt} ms after the exit`);
  const actual = records.find((r) => r.type === "actual") as Record<string, unknown>;
  assert.deepEqual([actual.epochs, actual.interrupted], [2, true]);
  // Simulated CPU: 100 W TDP at 50 % = 50 W exactly over each epoch.
  for (const e of records.filter((r) => r.type === "epoch")) {
    assert.ok(Math.abs((e.energy_j as number) - 50 * (e.duration_s as number)) < 1e-6);
  }
});

test("a tracker dropped without stop() (a notebook cell run again) closes its run at once, while the program goes on", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const logDir = join(tempFolder(t), "logs");
  const marker = `CT_TEST_MARK=${randomUUID()}`;
  const [name, value] = marker.split("=") as [string, string];
  const script = [
    "import gc, sys, time",
    "from carbontracker.tracker import CarbonTracker",
    `tracker = CarbonTracker(epochs=3, log_dir=${JSON.stringify(logDir)}, sim_cpu='X', sim_cpu_tdp=100)`,
    "tracker.epoch_start(); tracker.epoch_end()",
    "tracker = None; gc.collect()",
    "print('dropped', flush=True)",
    "sys.stdin.readline()",
  ].join("\n");
  const child = spawn(python, ["-c", script], { env: pythonEnv({ [name]: value }) });
  t.after(() => child.kill("SIGKILL"));
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolve) => lines.on("line", (line) => line === "dropped" && resolve()));
  assert.deepEqual(enginePids(marker), [], "the engine is gone while the program runs");
  const records = jsonlRecords(logDir);
  assert.equal((records.find((r) => r.type === "end") as Record<string, unknown>).reason, "stopped");
  assert.deepEqual(
    [
      (records.find((r) => r.type === "actual") as Record<string, unknown>).epochs,
      records.filter((r) => r.type === "epoch").length,
    ],
    [1, 1],
  );
  child.stdin.end("\n");
  assert.deepEqual(await once(child, "exit"), [0, null]);
});

test("the engine killed under a running program: one warning, later calls do nothing, the training finishes", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const logDir = join(tempFolder(t), "logs");
  const marker = `CT_TEST_MARK=${randomUUID()}`;
  const run = startLifecycle(python, [logDir, "4", "--wait-after", "1"], marker);
  t.after(() => run.child.kill("SIGKILL"));
  await run.waitFor("epoch 1 done");
  const [engine] = enginePids(marker);
  assert.ok(engine);
  process.kill(engine, "SIGKILL");
  await until(() => enginePids(marker).length === 0, 5000, "the engine's death");
  run.child.stdin.end("go on\n");
  const [code] = await run.exited;
  assert.equal(code, 0, run.stderr());
  assert.deepEqual(run.seen.slice(-2), ["epoch 4 done", "training finished"]);
  // On stdout, as the original's logger writes its warnings: one after the engine died.
  const afterKill = run.seen.slice(run.seen.indexOf("epoch 1 done"));
  const warnings = afterKill.filter((line) => line.startsWith("CarbonTracker: WARNING - "));
  assert.equal(warnings.length, 1, run.seen.join("\n"));
  assert.match(
    warnings[0] as string,
    /the carbontracker engine stopped answering \(.+\); training goes on untracked\./,
  );
  assert.equal(run.stderr(), "");
});

test("pip install of the package folder works offline; without an engine the program warns once and trains untracked", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  if (spawnSync(python, ["-m", "pip", "--version"], { stdio: "ignore" }).status !== 0) {
    if (IN_CI) throw new Error(`${python} has no pip: CI installs python3-pip (.ci/run)`);
    t.skip(`${python} has no pip`);
    return;
  }
  const dir = tempFolder(t);
  // A copy outside the npm package: nothing beside it or recorded in it leads to an engine.
  cpSync(PACKAGE_DIR, join(dir, "src"), { recursive: true });
  const pip = (source: string, target: string) =>
    runPython(python, ["-m", "pip", "install", "--no-deps", "--no-index", "--target", target, source], {
      env: pythonEnv({ PYTHONPATH: "", PIP_DISABLE_PIP_VERSION_CHECK: "1" }),
    });
  const installed = await pip(join(dir, "src"), join(dir, "site"));
  assert.equal(installed.code, 0, installed.stderr);
  const executable = spawnSync(python, ["-c", "import sys; print(sys.executable)"], {
    encoding: "utf8",
  }).stdout.trim();
  const bare = pythonEnv({ PYTHONPATH: join(dir, "site"), PATH: "/nonexistent" });
  const script = [
    "import runpy, sys",
    "from carbontracker.tracker import CarbonTracker",
    "second = CarbonTracker(epochs=1)",
    `sys.argv = ['lifecycle.py', ${JSON.stringify(join(dir, "logs"))}, '3']`,
    `runpy.run_path(${JSON.stringify(LIFECYCLE)}, run_name='__main__')`,
  ].join("\n");
  const run = await runPython(executable, ["-c", script], { env: bare });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    run.stdout,
    'CarbonTracker: WARNING - No carbontracker engine found (not on PATH, CARBONTRACKER_ENGINE unset). Install it: `npm install -g .` in a clone of carbontracker (Node.js 20+; its README, "Install", has the other ways), or set CARBONTRACKER_ENGINE to its "carbontracker" executable. Training runs untracked.\n' +
      "epoch 1 done\nepoch 2 done\nepoch 3 done\ntraining finished\n",
  );
  assert.equal(run.stderr, "");
  // Installed from the npm package's own folder, the copy finds that package's engine.
  const fromPackage = await pip(PACKAGE_DIR, join(dir, "site2"));
  assert.equal(fromPackage.code, 0, fromPackage.stderr);
  const version = await runPython(executable, ["-m", "carbontracker", "--version"], {
    env: pythonEnv({ PYTHONPATH: join(dir, "site2") }),
  });
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});
