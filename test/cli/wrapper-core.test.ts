// The CLI as a user runs it: the built bin, a real child, real signals and exit codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cliEnv, runCli, startCli, tempDir } from "../helpers/cli-process.js";

const SIM = ["--sim-cpu", "Sim CPU", "--sim-cpu-tdp", "100"];

test("exits with the child's exit code", async () => {
  const dir = tempDir();
  const run = await runCli(["--log_dir", dir, ...SIM, "sh", "-c", "echo child-output; exit 3"]);
  assert.equal(run.code, 3);
  // The child's stdout passes through byte for byte; the tracker's lines go to stderr.
  assert.equal(run.stdout, "child-output\n");
  assert.match(run.stderr, /Actual consumption:/);
});

test("options after -- and the command's own options are the command's", async () => {
  const dir = tempDir();
  const run = await runCli(["--log-dir", dir, ...SIM, "--", "sh", "-c", "echo $0 $1", "--verbose", "--pue"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^--verbose --pue$/m);
});

test("SIGTERM is forwarded; the actual is still printed, logs complete, exit 143", async () => {
  const dir = tempDir();
  const { child, done } = startCli(["--log_dir", dir, ...SIM, "sleep", "30"]);
  await sleep(1000);
  child.kill("SIGTERM");
  const run = await done;
  assert.equal(run.code, 143);
  assert.match(run.stderr, /Actual consumption:\n\tTime:\t0:00:0\d\n\tEnergy:\t0\.0000\d+ kWh/);
  assert.match(run.stderr, /Finished monitoring\.\n$/);
  const names = readdirSync(dir);
  const output = readFileSync(join(dir, names.find((n) => n.endsWith("_output.log")) as string), "utf8");
  assert.match(output, /Finished monitoring\.\n$/);
  const jsonl = readFileSync(join(dir, names.find((n) => n.endsWith(".jsonl")) as string), "utf8");
  assert.match(jsonl.trim().split("\n").at(-1) as string, /"type":"end","t":\d+,"reason":"signal"/);
});

test("a child killed by a signal gives 128+n", async () => {
  const run = await runCli(["--log_dir", tempDir(), ...SIM, "sh", "-c", "kill -9 $$"]);
  assert.equal(run.code, 137);
});

test("a command that does not exist: one clear line, exit 127, no stack trace", async () => {
  const run = await runCli(["--log_dir", tempDir(), "no-such-command-xyz", "--flag"]);
  assert.equal(run.code, 127);
  assert.equal(run.stderr, "carbontracker: command not found or not executable: no-such-command-xyz\n");
  assert.equal(run.stdout, "");
});

const BAD_OPTIONS: [string[], RegExp][] = [
  [["--pue", "abc"], /--pue <factor>.*number between 1 and 10, got 'abc'/],
  [["--pue", "0.5"], /--pue/],
  [["--update-interval", "-1"], /--update-interval/],
  [["--update_interval", "0"], /--update-interval/],
  [["--verbose", "7"], /--verbose/],
  [["--decimal-precision", "1.5"], /integer/],
  [["--sim-cpu-util", "2"], /--sim-cpu-util/],
  [["--sim_gpu_util", "x"], /--sim-gpu-util/],
  [["--sim-cpu-tdp", "-5"], /--sim-cpu-tdp/],
  [["--sim-gpu-watts", "many"], /--sim-gpu-watts/],
  [["--cpu-tdp", "0"], /--cpu-tdp/],
  [["--epochs", "0"], /--epochs/],
  [["--epochs-before-pred", "-1"], /--epochs-before-pred/],
  [["--monitor-epochs", "-2"], /--monitor-epochs/],
  [["--api_keys", "{not json"], /--api-keys.*not valid JSON/],
  [["--api-keys", '["a"]'], /JSON object/],
  [["--api-keys", '{"electricitymaps": 3}'], /non-empty string/],
  [["--components", "tpu"], /Unknown component "tpu"/],
  [["--sim-cpu", "X"], /simCpuTdp is missing/],
  [["--sim-gpu", "X"], /simGpuWatts is missing/],
  [["--country", "Denmark"], /alpha-2/],
  [["--by", "team"], /--by.*job, node, user/],
  [["--no-such-option"], /unknown option '--no-such-option'/],
];

for (const [args, message] of BAD_OPTIONS) {
  test(`bad input ${args.join(" ")}: one clear line naming it, exit 2`, async () => {
    const run = await runCli([...args, "true"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr.split("\n")[0] as string, message);
    assert.equal(run.stderr.split("\n").length, 2, `exactly one line: ${run.stderr}`);
    assert.ok(!run.stderr.includes("    at "), "no stack trace");
    assert.equal(run.stdout, "");
  });
}

test("a malformed --api_keys value is never echoed", async () => {
  const run = await runCli(["--api_keys", "{SECRET-123456", "true"]);
  assert.equal(run.code, 2);
  assert.ok(!run.stderr.includes("SECRET-123456"));
});

test("no command: usage line, exit 2", async () => {
  const run = await runCli([]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /no command given\. Usage: carbontracker \[options\] <command>/);
});

test("--help lists the original's options and ours; --version prints the version", async () => {
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0);
  for (const option of [
    "--log-dir",
    "--api-keys",
    "--sim-cpu-tdp",
    "--sim-gpu-watts",
    "--components",
    "--update-interval",
    "--pue",
    "--country",
    "--zone",
    "--cpu-tdp",
    "--verbose",
  ]) {
    assert.ok(help.stdout.includes(option), `${option} in help`);
  }
  const version = await runCli(["--version"]);
  assert.equal(version.code, 0);
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
  assert.equal(version.stdout.trim(), pkg.version);
});

test("underscored options of the original are accepted (--log_dir, --sim_cpu, --sim_cpu_tdp)", async () => {
  const dir = tempDir();
  const run = await runCli([
    "--log_dir",
    dir,
    "--sim_cpu",
    "Under",
    "--sim_cpu_tdp=80",
    "--sim_cpu_util",
    "1",
    "true",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Using simulated CPU: Under with TDP: 80\.00W \(at 100% utilization\)/);
  assert.ok(readdirSync(dir).some((n) => n.endsWith("_carbontracker.log")));
});

test("on the embedded defaults the estimate is named and so are the intensity's source and year", async () => {
  const dir = tempDir();
  const run = await runCli(
    ["--log_dir", dir, "--country", "DK", "sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"],
    {
      env: cliEnv({ CARBONTRACKER_POWERCAP_ROOT: join(dir, "no-powercap") }),
    },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    /Defaulted to average carbon intensity for DK in 20\d\d of \d+\.\d\d gCO2eq\/kWh \(Electricity Maps yearly 20\d\d/,
  );
  // "(TDP x utilisation)" on bare metal, "(VM estimate: ...)" on a CI virtual machine.
  assert.match(run.stderr, /is an ESTIMATE \((?:TDP|VM estimate: .*) x utilisation\), not a measurement/);
  const energy = Number(/\tEnergy:\t([\d.]+) kWh/.exec(run.stderr)?.[1]);
  assert.ok(energy > 0, "busy child gives non-zero estimated energy");
});

test("CARBONTRACKER_OFFLINE=1: no network call at all, even with every service URL set", async () => {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  try {
    const run = await runCli(
      ["--log_dir", tempDir(), "--api_keys", '{"electricitymaps": "k-123456"}', ...SIM, "sleep", "0.5"],
      {
        env: cliEnv({
          CARBONTRACKER_OFFLINE: "1",
          CARBONTRACKER_GEOLOCATION_URL: url,
          CARBONTRACKER_ELECTRICITYMAPS_URL: url,
          CARBONTRACKER_CARBONINTENSITY_UK_URL: url,
          CARBONTRACKER_ENERGIDATASERVICE_URL: url,
          ELECTRICITYMAPS_API_KEY: "k-123456",
        }),
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Actual consumption/);
  } finally {
    server.close();
  }
  assert.equal(requests, 0);
});
