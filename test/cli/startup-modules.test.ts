// A tracked command's start loads no Node module its path does not use: each costs compile time
// in every run (issue 16's start-up CPU). perf_hooks alone is nine internal modules; a module
// that needs one of these loads it when used (NVML's timing uses the lazy global `performance`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, cliEnv, tempDir } from "../helpers/cli-process.js";

/** Built-in modules a tracked command on RAPL or the CPU estimate has no use for. */
const NOT_AT_START = [
  "perf_hooks",
  "worker_threads",
  "http",
  "https",
  "zlib",
  "readline",
  "cluster",
  "crypto",
  "dns",
  "tls",
];

/** The Node built-ins a CLI run loaded, as process.moduleLoadList names them at exit. */
function builtinsLoaded(env: Record<string, string>): string[] {
  const dir = tempDir();
  const list = join(dir, "modules.txt");
  const preload = join(dir, "list-modules.cjs");
  writeFileSync(
    preload,
    `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join("\\n")));`,
  );
  const run = spawnSync(process.execPath, ["-r", preload, CLI, "--log_dir", join(dir, "logs"), "true"], {
    env: cliEnv(env),
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  return readFileSync(list, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("NativeModule "))
    .map((line) => line.slice("NativeModule ".length));
}

test("tracking a command on the CPU estimate loads none of perf_hooks, worker_threads, http, zlib, crypto...", () => {
  const loaded = builtinsLoaded({ CARBONTRACKER_POWERCAP_ROOT: tempDir() });
  assert.ok(loaded.includes("child_process"), loaded.join(", "));
  assert.deepEqual(
    NOT_AT_START.filter((name) => loaded.includes(name)),
    [],
  );
});

test("the sampler thread's bundle loads node:child_process only when a powermetrics session starts", () => {
  // Every sampler thread (the library's, the CLI's on a GPU machine) loads its bundle whole: a
  // top-level require of child_process (with net and streams) cost it 1.6-5 ms and 0.5-0.8 MB.
  const bundle = readFileSync(new URL("../../dist/bundle/sampler-thread.cjs", import.meta.url), "latin1");
  assert.ok(bundle.includes("powermetrics"), "the bundle holds the powermetrics backend");
  assert.equal(bundle.includes('require("node:child_process")'), false);
  assert.ok(
    bundle.includes('("node:child_process")'),
    "child_process is still loaded where a session starts",
  );
});
