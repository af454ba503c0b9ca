// The epoch socket's path must fit a socket address (103 bytes everywhere): a longer one is cut
// short without an error, so the socket would be made where the wrapped program never looks.
// Under a long TMPDIR (a cluster job's scratch folder) the socket goes to /tmp instead.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { socketParent } from "../../src/cli/ipc-server.js";
import { cliEnv, runCli, tempDir } from "../helpers/cli-process.js";

function longFolder(): string {
  const dir = join(tempDir("ct-long-tmp-"), "a-scratch-folder-whose-path-is-long".repeat(2));
  mkdirSync(dir, { recursive: true });
  return dir;
}

test("a TMPDIR too long for a socket address puts the socket's folder in /tmp", () => {
  assert.equal(socketParent("/tmp/job-42"), "/tmp/job-42");
  const long = longFolder();
  assert.ok(long.length > 70, long);
  assert.equal(socketParent(long), "/tmp");
});

test("under a long TMPDIR the wrapped program finds the socket at the path it is given; nothing is left", async () => {
  const long = longFolder();
  const run = await runCli(
    [
      "--log_dir",
      join(tempDir(), "logs"),
      "--sim-cpu",
      "X",
      "--sim-cpu-tdp",
      "10",
      "sh",
      "-c",
      'test -S "$CARBONTRACKER_IPC"',
    ],
    { env: { ...cliEnv(), TMPDIR: long } },
  );
  assert.equal(run.code, 0, `the socket is where CARBONTRACKER_IPC says: ${run.stderr}`);
  assert.deepEqual(readdirSync(long), [], "no socket cut short in TMPDIR");
});
