// Process faults around the built CLI: the wrapped child or the tracker itself killed, SIGINT
// twice, a child leaving grandchildren, a child that never reads stdin. Each run goes on as far
// as it can, says what happened, and leaves every finished epoch in its logs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseAllLogs } from "../../src/logs/parser/index.js";
import { CLI, cliEnv, tempDir } from "../helpers/cli-process.js";
import { runFilesIn, SIM, standardEpochs, startGroup } from "./fault-kit.js";

const EPOCHS_THEN = resolve("test/faults/fixtures/epochs-then.mjs");
const SIGINT_CLEANUP = resolve("test/faults/fixtures/sigint-cleanup.mjs");
const LEAVE_GRANDCHILD = resolve("test/faults/fixtures/leave-grandchild.sh");

test("the wrapped child SIGKILLed mid-epoch: 137, the finished epochs reported, the cut one marked", async () => {
  const dir = tempDir();
  const run = startGroup([
    "--epochs",
    "5",
    ...SIM,
    "--log_dir",
    dir,
    "node",
    EPOCHS_THEN,
    "2",
    "100",
    "kill",
  ]);
  try {
    const { code } = await run.exited;
    assert.equal(code, 137, run.err());
    assert.match(run.err(), /Actual consumption for 2 epoch\(s\):/);
    assert.match(run.err(), /Finished monitoring\.\n$/);
    const files = runFilesIn(dir);
    assert.deepEqual(standardEpochs(files.standard), [1, 2]);
    assert.match(files.standard, /Epoch 3 was cut short after/);
    const epochs = files.records.filter((r) => r.type === "epoch");
    assert.deepEqual(
      epochs.map((e) => [e.epoch, e.partial ?? false]),
      [
        [1, false],
        [2, false],
        [3, true],
      ],
    );
    assert.equal(files.records.at(-1)?.type, "end");
    assert.equal(files.records.at(-1)?.reason, "signal");
    assert.equal(
      (files.records.find((r) => r.type === "actual") as { interrupted: boolean }).interrupted,
      true,
    );
  } finally {
    run.killGroup();
  }
});

test("the tracker SIGKILLed after 3 epochs: its logs hold exactly 3 epochs and still parse", async () => {
  const dir = tempDir();
  const run = startGroup([
    "--epochs",
    "10",
    ...SIM,
    "--log_dir",
    dir,
    "node",
    EPOCHS_THEN,
    "3",
    "50",
    "hang",
  ]);
  try {
    await run.waitFor("hanging in the next epoch");
    process.kill(run.child.pid as number, "SIGKILL");
    await run.exited;
  } finally {
    run.killGroup();
  }
  const files = runFilesIn(dir); // throws on a torn JSONL line
  assert.deepEqual(standardEpochs(files.standard), [1, 2, 3]);
  assert.deepEqual(
    files.records.filter((r) => r.type === "epoch").map((r) => r.epoch),
    [1, 2, 3],
  );
  assert.ok(!files.records.some((r) => r.type === "end"), "no end record: the run was killed");
  assert.match(files.output, /Predicted consumption for 10 epoch\(s\):/);
  const runs = await parseAllLogs(dir, { onIssue: () => undefined });
  assert.equal(runs.length, 1);
  assert.equal(runs[0]?.measured?.epochs, 3);
});

test("SIGINT twice: the child's clean-up is waited for, the actual printed once, exit 130", async () => {
  const dir = tempDir();
  const run = startGroup(["--log_dir", dir, ...SIM, "node", SIGINT_CLEANUP]);
  try {
    await run.waitFor("ready");
    process.kill(run.child.pid as number, "SIGINT");
    await run.waitFor("SIGINT 1");
    process.kill(run.child.pid as number, "SIGINT");
    const { code } = await run.exited;
    assert.equal(code, 130, run.err());
    const out = run.both();
    assert.match(out, /SIGINT 2\n/);
    assert.ok(out.indexOf("clean-up done") < out.indexOf("Actual consumption"), out);
    assert.equal(out.split("Actual consumption:").length, 2, out);
    assert.match(out, /Finished monitoring\.\n$/);
    const files = runFilesIn(dir);
    assert.equal(files.records.filter((r) => r.type === "end").length, 1);
    assert.equal(files.records.at(-1)?.reason, "signal");
  } finally {
    run.killGroup();
  }
});

const SCRIPT = ["/usr/bin/script", "/bin/script"].find((p) => existsSync(p));

test(
  "Ctrl-C twice on a real terminal (a pty): the child gets each SIGINT once, not once more forwarded",
  { skip: SCRIPT ? false : "util-linux 'script' (for a pty) not installed" },
  async () => {
    const dir = tempDir();
    // One shell word each (the pty's command line is split by a shell).
    const cli = [CLI, "--no-live", "--log_dir", dir, "--sim-cpu", "X", "--sim-cpu-tdp", "100"]
      .concat(["node", SIGINT_CLEANUP])
      .join(" ");
    const child = spawn(SCRIPT as string, ["-qfec", `${process.execPath} ${cli}`, "/dev/null"], {
      env: cliEnv(),
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    const checks = new Set<() => void>();
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      for (const check of [...checks]) check();
    });
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    const seen = (text: string) =>
      new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no ${text} in:\n${out}`)), 30_000);
        const check = () => {
          if (!out.includes(text)) return;
          clearTimeout(timer);
          checks.delete(check);
          done();
        };
        checks.add(check);
        check();
      });
    try {
      await seen("ready");
      child.stdin.write("\x03"); // the terminal's interrupt character: SIGINT to its foreground group
      await seen("SIGINT 1");
      child.stdin.write("\x03");
      assert.equal(await exited, 130, out);
      out = out.replace(/\r\n/g, "\n");
      assert.match(out, /clean-up done after 2 SIGINT\(s\)/);
      assert.equal(out.split("Actual consumption:").length, 2, out);
      assert.equal(runFilesIn(dir).records.filter((r) => r.type === "end").length, 1);
    } finally {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        // Gone.
      }
    }
  },
);

test("a child that exits leaving a grandchild on our stdout: the CLI exits with it, promptly", async () => {
  const dir = tempDir();
  const run = startGroup(["--log_dir", dir, ...SIM, LEAVE_GRANDCHILD]);
  try {
    const { code, afterMs } = await run.exited;
    assert.equal(code, 0, run.err());
    // The grandchild sleeps 60 s; the CLI must not wait for it (generous bound for a loaded machine).
    assert.ok(afterMs < 20_000, `exited after ${afterMs} ms`);
    await run.waitFor("Finished monitoring.", 5_000).catch(() => undefined);
    assert.match(runFilesIn(dir).standard, /Monitoring thread ended\./);
  } finally {
    run.killGroup();
  }
});

test("a child that never reads stdin, with stdin open and full: the CLI exits with it", async () => {
  const dir = tempDir();
  const run = startGroup(["--log_dir", dir, ...SIM, "sleep", "0.5"], { keepStdinOpen: true });
  try {
    run.child.stdin?.write(Buffer.alloc(1 << 20, 0x61)); // more than a pipe holds; never read
    const { code } = await run.exited;
    assert.equal(code, 0, run.err());
    assert.match(run.err(), /Actual consumption:/);
  } finally {
    run.killGroup();
  }
});

test("stdin is the child's: the CLI reads none of it", async () => {
  const dir = tempDir();
  const run = startGroup(["--log_dir", dir, ...SIM, "sh", "-c", "read line; echo child-read:$line"], {
    input: "hello from stdin\n",
    env: cliEnv(),
  });
  try {
    const { code } = await run.exited;
    assert.equal(code, 0, run.err());
    await run.waitFor("Finished monitoring.", 5_000);
    assert.match(run.out(), /^child-read:hello from stdin$/m);
  } finally {
    run.killGroup();
  }
});
