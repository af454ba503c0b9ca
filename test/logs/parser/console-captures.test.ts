// Console output as users keep it (SLURM job.*.out, notebooks, pasted README examples): every
// capture in the fixtures reads to the blocks an independent regex finds in it, runs are told
// apart, and a capture of a logged run is not counted twice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConsoleCapture, readLogs, totalConsumption } from "../../../src/logs/parser/index.js";
import type { Consumption, ParsedRun } from "../../../src/logs/parser/index.js";
import { CAPTURE_BLOCKS, type BlockRow } from "./capture-expectations.js";
import { FIXTURES, GENERATED, tempFolder } from "./helpers.js";

function row(kind: "a" | "p", c: Consumption | null): BlockRow[] {
  if (!c) return [];
  return [
    [
      kind,
      c.epochs,
      c.durationS as number,
      c.energyKwh,
      c.co2eqG,
      c.equivalents?.["km travelled by car"] ?? null,
    ],
  ];
}

function rowsOf(runs: ParsedRun[]): BlockRow[] {
  return runs.flatMap((r) => [...row("a", r.actual), ...row("p", r.pred)]);
}

const byText = (a: BlockRow, b: BlockRow) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

for (const [file, blocks] of Object.entries(CAPTURE_BLOCKS)) {
  test(`${file}: the capture's consumption blocks`, () => {
    const { runs } = parseConsoleCapture(readFileSync(join(FIXTURES, file), "utf8"), file);
    assert.deepEqual(rowsOf(runs).sort(byText), [...blocks].sort(byText));
    for (const run of runs) {
      assert.equal(run.source, "console");
      assert.equal(run.earlyStop, null, "a console capture does not say whether training stopped early");
    }
  });
}

test("sample-03: numpy warnings between the blocks and a `nan` CO2eq; one run, prediction counted with a note", () => {
  const { runs } = parseConsoleCapture(readFileSync(join(FIXTURES, "sample-03_stdout.txt"), "utf8"), "x");
  assert.equal(runs.length, 1);
  assert.equal(runs[0]?.pred?.co2eqG, null);
  assert.equal(runs[0]?.counted.basis, "actual", "1 of 1 epochs: the actual counts");
});

test("sample-11: 1.x monitored 1 of 200 epochs: the prediction counts, with a note that early stop is unknown", () => {
  const { runs } = parseConsoleCapture(
    readFileSync(join(FIXTURES, "sample-11_stdout.txt"), "utf8"),
    "job.122945.out",
  );
  assert.equal(runs.length, 1);
  assert.equal(runs[0]?.counted.basis, "predicted");
  assert.equal(runs[0]?.counted.energyKwh, 10.204543);
  assert.equal(runs[0]?.counted.durationS, 49 * 3600 + 53 * 60 + 53, "hours past 24");
  assert.ok(runs[0]?.warnings.some((w) => /early stop/.test(w)));
  assert.deepEqual(runs[0]?.slurm, { job_id: "122945" });
});

test("sample-40 and sample-41: components, intensity and location from verbose console lines", () => {
  const [r40] = parseConsoleCapture(readFileSync(join(FIXTURES, "sample-40_stdout.txt"), "utf8"), "a").runs;
  assert.deepEqual(r40?.components.cpu?.devices, ["cpu:0"]);
  assert.deepEqual(r40?.intensity, {
    gPerKwh: 82,
    source: "live",
    location: "Copenhagen, Capital Region, DK",
    year: null,
  });
  const [r41] = parseConsoleCapture(readFileSync(join(FIXTURES, "sample-41_stdout.txt"), "utf8"), "b").runs;
  assert.equal(r41?.actual?.epochs, null, "the CLI's Actual consumption: has no count");
  assert.equal(r41?.counted.energyKwh, 0.000286936393);
});

test("a SLURM job file with two runs, tqdm carriage returns, DDP ranks' lines and a stray prefix", () => {
  const block = (kind: string, kwh: string) =>
    [`CarbonTracker: `, `${kind}:`, `\tTime:\t1:00:00`, `\tEnergy:\t${kwh} kWh`, `\tCO2eq:\t10.0 g`].join(
      "\n",
    );
  const text = [
    "srun: job 4242 queued",
    "Epoch 1/2:  10%|#         | 1/10 [00:01<00:09]\rEpoch 1/2: 100%|##########| 10/10 [00:10<00:00]",
    "Using simulated CPU: X (at 50% utilization)CarbonTracker: The following components were found: CPU with device(s) cpu:0.",
    block("Predicted consumption for 2 epoch(s)", "2.5"),
    "[rank1] loss=0.31",
    block("Actual consumption for 2 epoch(s)", "2.4"),
    "CarbonTracker: Finished monitoring.",
    "second experiment",
    "CarbonTracker: The following components were found: GPU with device(s) A100.",
    block("Actual consumption for 1 epoch(s)", "0.7"),
    "CarbonTracker: Finished monitoring.",
  ].join("\n");
  const { runs, problems } = parseConsoleCapture(text, "/jobs/slurm-4242_3.out");
  assert.deepEqual(problems, []);
  assert.equal(runs.length, 2);
  assert.deepEqual(
    runs.map((r) => [r.runId, r.counted.basis, r.counted.energyKwh, Object.keys(r.components)]),
    [
      ["slurm-4242_3.out#1", "actual", 2.4, ["cpu"]],
      ["slurm-4242_3.out#2", "actual", 0.7, ["gpu"]],
    ],
  );
  assert.deepEqual(runs[0]?.slurm, { job_id: "4242", array_task_id: "3" });
  assert.equal(totalConsumption(runs).energyKwh, 2.4 + 0.7);
});

test("every line prefixed (torchrun --tee, docker compose, kubectl --timestamps): equivalents read too", () => {
  const stdout = readFileSync(join(GENERATED, "run-01-api-e3-p1-m-1-stop", "stdout.txt"), "utf8");
  for (const prefix of ["[default0]:", "trainer-1  | ", "2026-11-28T12:51:47.123456789Z "]) {
    const text = stdout.replace(/^/gm, prefix);
    const { runs, problems } = parseConsoleCapture(text, "/jobs/train.out");
    assert.deepEqual(problems, []);
    assert.deepEqual(
      runs.map((r) => [r.pred?.equivalents, r.actual?.equivalents]),
      [[{ "km travelled by car": 0.001261972938 }, { "km travelled by car": 0.001261937557 }]],
      prefix,
    );
  }
});

test("a Jupyter notebook's stream outputs are read", (t) => {
  const dir = tempFolder(t);
  const notebook = {
    cells: [
      {
        cell_type: "code",
        outputs: [{ name: "stdout", output_type: "stream", text: ["CarbonTracker: \n"] }],
      },
      {
        cell_type: "code",
        outputs: [
          {
            name: "stdout",
            output_type: "stream",
            text: [
              "Actual consumption for 3 epoch(s):\n",
              "\tTime:\t0:03:00\n",
              "\tEnergy:\t0.300000 kWh\n",
              "\tCO2eq:\t30.000000 g\n",
              "\tThis is equivalent to:\n",
              "\t0.280899 km travelled by car\n",
            ],
          },
        ],
      },
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
  const file = join(dir, "train.ipynb");
  writeFileSync(file, JSON.stringify(notebook, null, 1));
  return readLogs([file]).then(({ runs }) => {
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0]?.actual, {
      epochs: 3,
      durationS: 180,
      energyKwh: 0.3,
      co2eqG: 30,
      equivalents: { "km travelled by car": 0.280899 },
    });
  });
});

test("a capture PowerShell 5 redirected (UTF-16LE with a byte order mark, CRLF) is read", async (t) => {
  const stdout = readFileSync(join(GENERATED, "run-01-api-e3-p1-m-1-stop", "stdout.txt"), "utf8");
  const file = join(tempFolder(t), "train.out");
  writeFileSync(
    file,
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(stdout.replaceAll("\n", "\r\n"), "utf16le")]),
  );
  const { runs, issues } = await readLogs([file]);
  assert.deepEqual(issues, []);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]?.counted.energyKwh, 0.000302865014);
});

test("a run's console output named beside its logs is the same run: counted once, and said so", async () => {
  const folder = join(GENERATED, "run-01-api-e3-p1-m-1-stop");
  const { runs, issues } = await readLogs([folder, join(folder, "stdout.txt")]);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]?.source, "text");
  assert.ok(
    issues.some(
      (i) =>
        i.file.endsWith("stdout.txt") &&
        /same run as .*_carbontracker_output\.log: counted once/.test(i.message),
    ),
  );
});

test("console output beside log files is not read unless named, and the note names the file", async () => {
  const { runs, issues } = await readLogs([join(GENERATED, "run-14-earlystop-after-e2")]);
  assert.equal(runs.length, 1);
  assert.ok(issues.some((i) => i.file.endsWith("stdout.txt") && /not read/.test(i.message)));
});

test("a folder of SLURM outputs only: every capture is read, the same file twice is counted once", async (t) => {
  const dir = tempFolder(t);
  const text = readFileSync(join(FIXTURES, "sample-17_stdout.txt"), "utf8");
  writeFileSync(join(dir, "job.128646.out"), `module load cuda\n${text}`);
  writeFileSync(join(dir, "job.128646.copy.out"), `module load cuda\n${text}`);
  writeFileSync(join(dir, "job.99.out"), readFileSync(join(FIXTURES, "sample-39_stdout.txt"), "utf8"));
  writeFileSync(join(dir, "notes.txt"), "nothing here");
  const { runs, issues } = await readLogs([dir]);
  assert.deepEqual(
    runs.map((r) => [r.runId, r.slurm?.job_id]),
    [
      ["job.128646.copy.out#1", "128646"],
      ["job.99.out#1", "99"],
    ],
  );
  assert.ok(
    issues.some((i) => i.file.endsWith("job.128646.out") && /same run as .*copy\.out/.test(i.message)),
  );
  assert.ok(
    !issues.some((i) => i.file.endsWith("notes.txt")),
    "text without blocks in a folder is passed over",
  );
});
