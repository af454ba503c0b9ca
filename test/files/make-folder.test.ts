// Folders made with their parents, and a refusal that fails at once: Node 20's recursive
// mkdirSync spins forever under /proc, where a new folder gets ENOENT although its parent exists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeFolder } from "../../src/files/make-folder.js";
import { startCli, tempDir } from "../helpers/cli-process.js";

const hasProc = existsSync("/proc/self");

test("makes a folder and its missing parents; an existing one is left as it is", () => {
  const root = tempDir("ct-make-folder-");
  const deep = join(root, "a", "b", "c");
  makeFolder(deep);
  assert.ok(statSync(deep).isDirectory());
  makeFolder(deep);
  makeFolder(root);
  assert.ok(statSync(deep).isDirectory());
});

test(
  "a file in the way and a file system that refuses throw the file system's error",
  { skip: !hasProc && "no /proc here" },
  () => {
    const root = tempDir("ct-make-folder-");
    writeFileSync(join(root, "file"), "");
    assert.throws(() => makeFolder(join(root, "file", "sub")), { code: "ENOTDIR" });
    assert.throws(() => makeFolder(join(root, "file")), { code: "EEXIST" });
    assert.throws(() => makeFolder("/proc/carbontracker-test/logs"), { code: "ENOENT" });
  },
);

test(
  "--log_dir under /proc: the run warns and finishes instead of hanging at full CPU",
  { skip: !hasProc && "no /proc here", timeout: 30_000 },
  async () => {
    const { child, done } = startCli([
      "--log_dir",
      "/proc/carbontracker-test",
      "--sim-cpu",
      "X",
      "--sim-cpu-tdp",
      "10",
      "true",
    ]);
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const run = await done;
    clearTimeout(timer);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /Cannot write log file \/proc\/carbontracker-test\/\S+ \(ENOENT\); tracking goes on/,
    );
    assert.match(run.stderr, /Actual consumption:/);
  },
);
