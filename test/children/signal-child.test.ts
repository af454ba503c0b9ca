// signalChild: a signal reaches a child only while it runs. A spawn that failed (its 'error'
// event still to come) gets none: ChildProcess.kill() would call kill() with a stale pid there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { signalChild } from "../../src/children/signal-child.js";
import { tempDir } from "../helpers/cli-process.js";

test("a spawn that failed is not signalled, before its error event or after it", async () => {
  const missing = spawn(join(tempDir(), "no-such-program"));
  const failed = once(missing, "error");
  assert.equal(missing.pid, undefined);
  assert.equal(signalChild(missing, "SIGKILL"), false);
  const [error] = (await failed) as [NodeJS.ErrnoException];
  assert.equal(error.code, "ENOENT");
  assert.equal(signalChild(missing, "SIGKILL"), false);
});

test("a running child gets the signal; once it has ended, no more", async () => {
  const sleeper = spawn("sleep", ["30"]);
  const ended = once(sleeper, "exit");
  assert.equal(signalChild(sleeper, "SIGTERM"), true);
  assert.deepEqual(await ended, [null, "SIGTERM"]);
  assert.equal(signalChild(sleeper, "SIGTERM"), false);
});
