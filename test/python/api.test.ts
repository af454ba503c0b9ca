// The Python bindings' API as a user meets it, with a real python3 and the real engine (the
// built CLI): the example verbatim, every keyword of the original, bad values raising the
// original's exception types, stop_and_confirm, set_api_keys, and `python -m carbontracker`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { singlePackageLayout, spawnFakePowercap } from "../helpers/fake-powercap.js";
import { runCli, tempDir } from "../helpers/cli-process.js";
import { OPTION_SCHEMA, type OptionSpec } from "../../src/tracker/option-schema.js";
import {
  FIXTURES,
  PACKAGE_DIR,
  enginePids,
  jsonlRecords,
  pythonEnv,
  pythonFor,
  runMerged,
  runPython,
  tempFolder,
} from "./python-kit.js";

const BLOCK = (kind: string, epochs: number) =>
  new RegExp(
    `CarbonTracker: \\n${kind} consumption for ${epochs} epoch\\(s\\):\\n\\tTime:\\t0:00:0\\d\\n\\tEnergy:\\t\\d\\.\\d{12} kWh\\n\\tCO2eq:\\t\\d\\.\\d{12} g\\n\\tThis is equivalent to:\\n\\t\\d\\.\\d{12} km travelled by car\\n`,
  );

test("the issue's example, verbatim, on RAPL counters: the prediction after epoch 1, the actual for 3, exit 0", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const fake = await spawnFakePowercap(singlePackageLayout({ kind: "constant", watts: 40 }));
  t.after(() => fake.stop());
  const run = await runPython(python, [join(FIXTURES, "seed.py")], {
    env: pythonEnv({ CARBONTRACKER_POWERCAP_ROOT: fake.root }),
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "");
  assert.match(run.stdout, /The following components were found: CPU with device\(s\) cpu:0\./);
  assert.match(run.stdout, BLOCK("Predicted", 3));
  assert.match(run.stdout, BLOCK("Actual", 3));
  assert.ok(run.stdout.indexOf("Predicted") < run.stdout.indexOf("Actual consumption"), run.stdout);
  assert.match(run.stdout, /CarbonTracker: Finished monitoring\.\n$/);
});

test("every keyword of the original and ours is accepted and reaches the engine; bad ones raise the original's types, naming the parameter", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const logDir = join(tempFolder(t), "logs");
  const marker = `CT_TEST_MARK=${randomUUID()}`;
  const [name, value] = marker.split("=") as [string, string];
  const run = await runPython(python, [join(FIXTURES, "keywords.py"), logDir], {
    env: pythonEnv({ [name]: value }),
  });
  assert.equal(run.code, 0, run.stderr);
  const cases = run.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { case: string; error: string | null; message: string });
  const expect: Record<string, [string, RegExp]> = {
    "unknown keyword": ["TypeError", /unexpected keyword argument 'foo'/],
    "epochs missing": ["TypeError", /'epochs'/],
    "pue positional": ["TypeError", /positional arguments/],
    "epochs 0": ["ValueError", /^epochs must be >= 1/],
    "epochs str": ["TypeError", /^epochs must be an int/],
    "monitor_epochs 0": ["ValueError", /^monitor_epochs cannot be/],
    "monitor_epochs < epochs_before_pred": [
      "ValueError",
      /^monitor_epochs cannot be less than epochs_before_pred$/,
    ],
    "sim_cpu without tdp": ["ValueError", /you must also specify the CPU TDP \(sim_cpu_tdp\)/],
    "sim_gpu without watts": ["ValueError", /power consumption \(sim_gpu_watts\)/],
    "components tpu": ["ComponentNameError", /^components: No component found with name 'tpu'/],
    "api_keys unknown": ["FetcherNameError", /^api_keys: Invalid API name 'nope' given/],
    "update_interval 0": ["ValueError", /^update_interval must be > 0/],
    "sim_cpu_util 2": ["ValueError", /^sim_cpu_util must be between 0 and 1/],
    "pue 0.5": ["ValueError", /^pue must be >= 1/],
    "country Denmark": ["ValueError", /^country must be an ISO 3166 alpha-2 code/],
    "decimal_precision -1": ["ValueError", /^decimal_precision must be >= 0/],
    "verbose -1": ["ValueError", /^verbose must be >= 0/],
    "log_file_prefix int": ["TypeError", /^log_file_prefix must be a str/],
    "set_api_keys unknown": ["FetcherNameError", /^api_keys: Invalid API name 'bad' given/],
  };
  assert.deepEqual(
    cases.map((c) => c.case),
    Object.keys(expect),
  );
  for (const c of cases) {
    const [type, message] = expect[c.case] as [string, RegExp];
    assert.equal(c.error, type, c.case);
    assert.match(c.message, message, c.case);
  }
  // The whole run with every keyword: one run (the bad calls started no engine), named with the prefix.
  const records = jsonlRecords(logDir);
  // Named as the original names them: prefix, then the Python program's pid (not the engine's).
  const pythonPid = /^done pid (\d+)$/m.exec(run.stdout)?.[1];
  assert.ok(pythonPid, run.stdout);
  assert.ok(
    readdirSync(logDir).every((f) => f.startsWith(`kw_${pythonPid}.`)),
    readdirSync(logDir).join(" "),
  );
  const start = records.find((r) => r.type === "start") as { options: Record<string, unknown> };
  const { pid: _pid, logDir: _dir, workerSampling: _worker, ...options } = start.options;
  assert.deepEqual(options, {
    epochs: 4,
    epochsBeforePred: 2,
    monitorEpochs: 3,
    updateInterval: 0.5,
    interpretable: false,
    stopAndConfirm: false,
    ignoreErrors: true,
    components: ["gpu", "cpu"],
    componentsExplicit: true,
    devicesByPid: false,
    logFilePrefix: "kw",
    verbose: 2,
    decimalPrecision: 6,
    apiKeys: ["electricitymaps"],
    simCpu: "Sim CPU",
    simCpuTdp: 80,
    simCpuUtil: 0.25,
    simGpu: "Sim GPU",
    simGpuWatts: 200,
    simGpuUtil: 0.5,
    pue: 1.2,
    country: "DK",
    zone: "DK-DK2",
    cpuTdp: 65,
  });
  for (const file of readdirSync(logDir)) {
    assert.doesNotMatch(readFileSync(join(logDir, file), "utf8"), /k-secret-123456/, `${file} holds the key`);
  }
  // Prediction after epoch 2, 6 decimals, no equivalents; the actual after monitor_epochs=3.
  const out = run.stdout;
  assert.match(
    out,
    /epoch 1 done\nCarbonTracker: \nPredicted consumption for 4 epoch\(s\):\n\tTime:\t0:00:0\d\n\tEnergy:\t\d\.\d{6} kWh\n\tCO2eq:\t\d\.\d{6} g\n(.*\n)*epoch 2 done\n/,
  );
  // The positional tracker (verbose=0) shows only its warnings and its simulated CPU's line, as
  // the original's err logger and print() do at verbose=0.
  assert.match(
    out,
    /epoch 2 done\n(.*\n)*Actual consumption for 3 epoch\(s\):\n(.*\n)*epoch 3 done\n(CarbonTracker: WARNING - .*\n|Using simulated CPU: .*\n)+done pid \d+\n$/,
  );
  assert.doesNotMatch(out, /equivalent to/);
  const epochs = records.filter((r) => r.type === "epoch");
  assert.equal(epochs.length, 3);
  // Simulated: GPU 200 W x 0.5 + CPU 80 W x 0.25 = 120 W over each epoch.
  for (const e of epochs) {
    assert.ok(Math.abs((e.energy_j as number) - 120 * (e.duration_s as number)) < 1e-6);
  }
  assert.deepEqual(enginePids(marker), [], "no engine is left");
});

test("stop_and_confirm: the question is asked on the program's stdin; 'n' prints the actual and ends the program with exit code 0", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const logDir = join(tempFolder(t), "logs");
  const script = [
    "import time",
    "from carbontracker.tracker import CarbonTracker",
    `tracker = CarbonTracker(epochs=4, stop_and_confirm=True, log_dir=${JSON.stringify(logDir)}, sim_cpu='X', sim_cpu_tdp=100)`,
    "for epoch in range(4):",
    "    tracker.epoch_start()",
    "    time.sleep(0.1)",
    "    tracker.epoch_end()",
    "    print('epoch %d done' % (epoch + 1), flush=True)",
    "print('loop ended', flush=True)",
  ].join("\n");
  const no = await runPython(python, ["-c", script], { input: "maybe\nn\n" });
  assert.equal(no.code, 0, no.stderr);
  assert.match(
    no.stdout,
    /Continue training \(y\/n\)\?\nCarbonTracker: Input not recognized\. Try again \(y\/n\):\nCarbonTracker: Quitting\.\.\.\n(.*\n)*Actual consumption for 1 epoch\(s\):/,
  );
  assert.doesNotMatch(no.stdout, /epoch 1 done|loop ended/);
  assert.equal(
    (jsonlRecords(logDir).find((r) => r.type === "actual") as Record<string, unknown>).interrupted,
    true,
  );
  const yes = await runPython(python, ["-c", script.replace(logDir, `${logDir}-y`)], { input: "y\n" });
  assert.equal(yes.code, 0, yes.stderr);
  assert.match(yes.stdout, /Continuing\.\.\.\nepoch 1 done\n(.*\n)*epoch 4 done\nloop ended\n$/);
  assert.match(yes.stdout, /Actual consumption for 4 epoch\(s\):/);
});

test("set_api_keys() before the first epoch applies to the run (one run in the logs, the key in none of them); after it, a warning", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const logDir = join(tempFolder(t), "logs");
  const script = [
    "from carbontracker.tracker import CarbonTracker",
    `tracker = CarbonTracker(epochs=2, log_dir=${JSON.stringify(logDir)}, sim_cpu='X', sim_cpu_tdp=100)`,
    "tracker.set_api_keys({'electricitymaps': 'em-key-987654'})",
    "tracker.epoch_start(); tracker.epoch_end()",
    "tracker.set_api_keys({'electricitymaps': 'em-key-000000'})",
    "tracker.epoch_start(); tracker.epoch_end()",
  ].join("\n");
  const run = await runPython(python, ["-c", script]);
  assert.equal(run.code, 0, run.stderr);
  const start = jsonlRecords(logDir).find((r) => r.type === "start") as { options: { apiKeys: string[] } };
  assert.deepEqual(start.options.apiKeys, ["electricitymaps"]);
  assert.equal(run.stdout.match(/The following components were found/g)?.length, 1, run.stdout);
  assert.match(run.stdout, /set_api_keys\(\) was called after the first epoch_start\(\)/);
  for (const file of readdirSync(logDir)) {
    assert.doesNotMatch(readFileSync(join(logDir, file), "utf8"), /em-key/);
  }
});

test("an api_keys value of None (an unset environment variable) is skipped, as the original skips an empty key, not a TypeError", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const script = [
    "import os",
    "from carbontracker.tracker import CarbonTracker",
    "key = os.environ.get('CT_TEST_UNSET_KEY')",
    "tracker = CarbonTracker(epochs=1, sim_cpu='X', sim_cpu_tdp=100, api_keys={'electricitymaps': key})",
    "tracker.set_api_keys({'electricitymaps': key})",
    "tracker.epoch_start(); tracker.epoch_end()",
    "print('trained', flush=True)",
  ].join("\n");
  const run = await runPython(python, ["-c", script]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Actual consumption for 1 epoch\(s\):(.*\n)*trained\n$/);
});

test("verbose=True and verbose=False are taken as the original takes them (1 and 0), not refused", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const script = (verbose: string) =>
    [
      "from carbontracker.tracker import CarbonTracker",
      `tracker = CarbonTracker(epochs=1, sim_cpu='X', sim_cpu_tdp=100, verbose=${verbose})`,
      "tracker.epoch_start(); tracker.epoch_end()",
      "print('trained', tracker.verbose, flush=True)",
    ].join("\n");
  const loud = await runPython(python, ["-c", script("True")]);
  assert.equal(loud.code, 0, loud.stderr);
  assert.match(loud.stdout, /Actual consumption for 1 epoch\(s\):(.*\n)*trained True\n$/);
  const quiet = await runPython(python, ["-c", script("False")]);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stdout, /consumption/);
  assert.match(quiet.stdout, /trained False\n$/);
});

test("tracker.monitor_epochs reads as the original 2.4.3 sets it: epochs for the default -1", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const script = [
    "from carbontracker.tracker import CarbonTracker",
    "for kw in ({}, {'monitor_epochs': 2}):",
    "    tracker = CarbonTracker(epochs=3, log_dir=None, verbose=0, sim_cpu='X', sim_cpu_tdp=100, **kw)",
    "    print('monitor_epochs', tracker.monitor_epochs, 'epochs_before_pred', tracker.epochs_before_pred)",
    "    tracker.stop()",
  ].join("\n");
  const run = await runPython(python, ["-c", script]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    run.stdout.split("\n").filter((line) => line.startsWith("monitor_epochs")),
    ["monitor_epochs 3 epochs_before_pred 1", "monitor_epochs 2 epochs_before_pred 1"],
  );
});

test("carbontracker.exceptions has every exception class of the original, so its imports and except clauses work", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const names = [
    "NoComponentsAvailableError",
    "UnitError",
    "IntelRaplPermissionError",
    "GPUPowerUsageRetrievalError",
    "CarbonIntensityFetcherError",
    "IPLocationError",
    "GPUError",
    "CPUError",
    "ComponentNameError",
    "FetcherNameError",
    "MismatchedLogFilesError",
    "MismatchedEpochsError",
  ];
  const script = [
    `from carbontracker.exceptions import ${names.join(", ")}`,
    "from carbontracker import exceptions",
    `print(all(issubclass(getattr(exceptions, n), Exception) for n in ${JSON.stringify(names)}))`,
    "print(IntelRaplPermissionError(['/sys/class/powercap/intel-rapl:0/energy_uj']).file_names)",
  ].join("\n");
  const run = await runPython(python, ["-c", script]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "True\n['/sys/class/powercap/intel-rapl:0/energy_uj']\n");
});

test("python -m carbontracker runs the CLI; carbontracker python-package prints the folder that imports", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
  const cli = await runPython(python, ["-m", "carbontracker", "--version"]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(cli.stdout, `${version}\n`);
  const wrapped = await runMerged(python, [
    "-m",
    "carbontracker",
    "--log_dir",
    tempDir(),
    "--sim-cpu",
    "X",
    "--sim-cpu-tdp",
    "10",
    "true",
  ]);
  assert.equal(wrapped.code, 0, wrapped.merged);
  // The original CLI's block: epochs_before_pred=0 titles it without the epoch count.
  assert.match(wrapped.merged, /\nActual consumption:\n/);
  const folder = await runCli(["python-package"]);
  assert.equal(folder.code, 0, folder.stderr);
  assert.equal(folder.stdout, `${PACKAGE_DIR}\n`);
  const imported = await runPython(
    python,
    [
      "-c",
      "import carbontracker, carbontracker.tracker, carbontracker.parser; print(carbontracker.__version__)",
    ],
    { env: pythonEnv({ PYTHONPATH: folder.stdout.trim() }) },
  );
  assert.equal(imported.stdout, `${version}\n`, imported.stderr);
});

test("the npm package ships the Python package and its build backend, without bytecode", () => {
  const packed = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8" });
  assert.equal(packed.status, 0, packed.stderr);
  const files =
    (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
  for (const file of [
    "clients/python/pyproject.toml",
    "clients/python/_carbontracker_build.py",
    "clients/python/carbontracker/tracker.py",
    "clients/python/carbontracker/parser.py",
    "clients/python/carbontracker_ipc.py",
  ]) {
    assert.ok(files.includes(file), file);
  }
  assert.deepEqual(
    files.filter((f) => f.endsWith(".pyc")),
    [],
  );
});

test("the Python signature is OPTION_SCHEMA's: the original's keywords in its order with its defaults, ours keyword-only", async (t) => {
  const python = pythonFor(t, "python");
  if (!python) return;
  const script = [
    "import inspect, json",
    "from carbontracker.tracker import CarbonTracker",
    "params = list(inspect.signature(CarbonTracker.__init__).parameters.values())[1:]",
    "print(json.dumps([[p.name, p.kind.name, None if p.default is p.empty else p.default] for p in params]))",
  ].join("\n");
  const run = await runPython(python, ["-c", script]);
  assert.equal(run.code, 0, run.stderr);
  const specs = Object.values(OPTION_SCHEMA) as OptionSpec<unknown>[];
  const expected = [
    ...specs.filter((s) => s.original).map((s) => [s.original, "POSITIONAL_OR_KEYWORD", s.default ?? null]),
    ...specs.filter((s) => s.python).map((s) => [s.python, "KEYWORD_ONLY", s.default ?? null]),
  ];
  assert.deepEqual(JSON.parse(run.stdout), expected);
});
