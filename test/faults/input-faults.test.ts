// Bad input test/cli/wrapper-core.test.ts does not already cover: options that conflict, values
// of the wrong type or range, malformed --api_keys. Each is one clear line and exit 2, no stack
// trace, nothing run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, tempDir } from "../helpers/cli-process.js";

const BAD: [string[], RegExp][] = [
  [["--json", "--csv", "--parse", "logs"], /--json and --csv cannot be combined/],
  [["--csv", "--statement", "--parse", "logs"], /--csv and --statement cannot be combined/],
  [["--json", "true"], /--json only goes with --parse/],
  [["--by", "job", "true"], /--by only goes with --parse/],
  [["--report", "x.log"], /--report needs --output/],
  [["--output", "x.pdf"], /--output goes with --report/],
  [["--parse", "logs", "--", "python3", "train.py"], /--parse takes folders or files, not a command/],
  [["--epochs-before-pred", "3", "--monitor-epochs", "2", "--epochs", "5"], /monitorEpochs|monitor-epochs/],
  [["--epochs", "1.5"], /--epochs/],
  [["--epochs", "1e400"], /--epochs/],
  [["--pue", "NaN"], /--pue/],
  [["--pue", "Infinity"], /--pue/],
  [["--pue", ""], /--pue/],
  [["--update-interval", "0.01"], /--update-interval/],
  [["--decimal-precision", "21"], /--decimal-precision/],
  [["--verbose", "-1"], /--verbose/],
  [["--components", ""], /components/],
  [["--components", "cpu,tpu"], /tpu/],
  [["--api_keys", ""], /--api-keys/],
  [["--api_keys", "null"], /--api-keys/],
  [["--api_keys", '"just-a-string"'], /--api-keys/],
  [["--api_keys", '{"electricitymaps": ""}'], /--api-keys/],
  [["--api_keys", '{"electricitymaps": ["k"]}'], /--api-keys/],
  [["--pue"], /--pue/],
];

for (const [args, message] of BAD) {
  test(`bad input ${JSON.stringify(args.join(" "))}: one clear line, exit 2`, async () => {
    const dir = tempDir();
    const noCommand = args.includes("--") || args.includes("--parse");
    const run = await runCli([...args, ...(noCommand ? [] : ["sh", "-c", `touch ${dir}/ran`])]);
    assert.equal(run.code, 2, `${run.stdout}${run.stderr}`);
    const [first] = run.stderr.split("\n");
    assert.match(first as string, /^carbontracker: /);
    assert.match(first as string, message);
    assert.ok(!run.stderr.includes("    at "), "no stack trace");
    assert.equal(run.stdout, "");
  });
}

test("a number in hex (--cpu-tdp 0x10) is refused, not read as 16 W", async () => {
  const run = await runCli(["--cpu-tdp", "0x10", "true"]);
  assert.equal(run.code, 2);
});
