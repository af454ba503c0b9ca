// What a newcomer types first: `--help` names every command, `carbontracker help <command>`
// shows that command's help, and a bad option or command is one line on stderr, exit 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, startCli } from "../helpers/cli-process.js";

const COMMANDS = ["doctor", "plan", "agent", "dashboard", "python-package"];

test("--help lists every command, one line each", async () => {
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0, help.stderr);
  for (const name of [...COMMANDS, "help"]) {
    const lines = help.stdout.split("\n").filter((l) => new RegExp(`^  ${name}\\b`).test(l));
    assert.equal(lines.length, 1, `one line for ${name} in:\n${help.stdout}`);
    assert.match(
      lines[0] as string,
      new RegExp(`^  ${name}\\b.*\\s{2}[A-Z][a-z].{10,}\\.$`),
      "with what it does",
    );
  }
  for (const line of help.stdout.split("\n")) assert.ok(line.length <= 100, `short enough: ${line}`);
});

for (const name of COMMANDS) {
  test(`carbontracker help ${name} prints the help of ${name}`, async () => {
    const viaHelp = await runCli(["help", name]);
    assert.equal(viaHelp.code, 0, viaHelp.stderr);
    assert.match(viaHelp.stdout, new RegExp(`^Usage: carbontracker ${name}\\b`));
    const direct = await runCli([name, "--help"]);
    assert.equal(viaHelp.stdout, direct.stdout);
    assert.equal(viaHelp.stderr, "");
  });
}

test("carbontracker help: the main help; an unknown topic: one line naming the commands, exit 2", async () => {
  const main = await runCli(["help"]);
  assert.equal(main.code, 0);
  assert.equal(main.stdout, (await runCli(["--help"])).stdout);
  const unknown = await runCli(["help", "train"]);
  assert.equal(unknown.code, 2);
  assert.equal(
    unknown.stderr,
    "carbontracker: help: no command 'train'; the commands are doctor, plan, agent, dashboard, python-package; see 'carbontracker --help'.\n",
  );
});

// `carbontracker --help | head -1`: the reader is gone before the CLI writes (its end of the pipe
// is closed before the CLI has even started), so every write fails with EPIPE.
for (const args of [["--help"], ["doctor"]]) {
  test(`carbontracker ${args.join(" ")} into a closed pipe ends quietly, without a stack trace`, async () => {
    const { child, done } = startCli(args);
    child.stdout?.destroy();
    const run = await done;
    assert.equal(run.stderr, "");
    assert.equal(run.signal, null);
    assert.notEqual(run.code, 70);
  });
}

const BAD = [
  [
    ["--no-such-option", "true"],
    /^carbontracker: unknown option '--no-such-option'; see 'carbontracker --help'\.$/,
  ],
  [
    ["--log-dri", "x", "true"],
    /^carbontracker: unknown option '--log-dri' \(Did you mean --log-dir\?\); see/,
  ],
  [["--pue", "0.5", "true"], /^carbontracker: option '--pue <factor>' value is invalid: .*got '0\.5'/],
  [["--json", "--csv", "--parse", "logs"], /^carbontracker: --json and --csv cannot be combined/],
  [[], /^carbontracker: no command given\. Usage: carbontracker \[options\] <command>/],
  [["agent", "--bad"], /^carbontracker agent: Unknown option '--bad'.*carbontracker help agent/],
  [["dashboard", "--bad"], /^carbontracker dashboard: Unknown option '--bad'.*carbontracker help dashboard/],
] as const;

for (const [args, line] of BAD) {
  test(`bad usage \`${args.join(" ")}\`: exactly one line on stderr, exit 2`, async () => {
    const run = await runCli([...args]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr.split("\n").length, 2, `one line:\n${run.stderr}`);
    assert.match(run.stderr.trimEnd(), line);
  });
}
