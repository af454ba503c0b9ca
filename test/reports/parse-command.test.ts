// `carbontracker --parse`: what a user sees on stdout and stderr, and the exit code, for the
// sentence, --json, --csv, --statement and --by, and for bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { runParseCommand, type ParseCommandOptions } from "../../src/reports/parse-command.js";
import type { RunRecord } from "../../src/reports/run-table.js";
import { FIXTURES, GENERATED, tempFolder } from "../logs/parser/helpers.js";

async function parse(options: ParseCommandOptions) {
  let stdout = "";
  let stderr = "";
  const code = await runParseCommand(options, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
  });
  return { code, stdout, stderr };
}

const RUN02 = join(GENERATED, "run-02-api-e3-p1-m-1-stop");
const MULTI02 = join(GENERATED, "multi-02-four-runs-killed-orphan-2.4.3");

test("--parse DIR prints the original's sentence, notes on stderr naming files, exit 0", async () => {
  const expected = JSON.parse(readFileSync(join(RUN02, "expected.json"), "utf8")) as {
    print_aggregate: string;
  };
  const { code, stdout, stderr } = await parse({ paths: [RUN02] });
  assert.equal(code, 0);
  assert.equal(stdout, `${expected.print_aggregate}\n`);
  assert.match(
    stderr,
    /^carbontracker: .*run-02-api-e3-p1-m-1-stop\/stdout\.txt: console output beside log files is not read/m,
  );
});

test("an empty folder: nothing found, exit 1, the folder named", async (t) => {
  const dir = tempFolder(t);
  const { code, stdout, stderr } = await parse({ paths: [dir] });
  assert.equal(code, 1);
  assert.equal(stdout, "");
  assert.ok(stderr.includes(`no carbontracker run found in ${dir}`));
});

test("a missing path: named, the other path still aggregated, exit 2", async () => {
  const { code, stdout, stderr } = await parse({ paths: ["/no/such/dir", RUN02] });
  assert.equal(code, 2);
  assert.match(stderr, /carbontracker: \/no\/such\/dir: cannot read: no such file or directory/);
  assert.match(stdout, /^The training of models in this work is estimated to use 0\.0003028673610000 kWh/);
});

test("bad options: two output formats, an unknown --by, no path: exit 2 with a message", async () => {
  assert.equal((await parse({ paths: [RUN02], json: true, csv: true })).code, 2);
  assert.match(
    (await parse({ paths: [RUN02], json: true, csv: true })).stderr,
    /choose one of --json, --csv/,
  );
  const by = await parse({ paths: [RUN02], by: "team" as never });
  assert.equal(by.code, 2);
  assert.match(by.stderr, /--by takes job, node or user, got `team`/);
  assert.equal((await parse({ paths: [] })).code, 2);
});

test("--json: one record per run with counted basis, early stop, energy by component, intensity and provenance", async () => {
  const { code, stdout } = await parse({ paths: [MULTI02], json: true });
  assert.equal(code, 0);
  const records = JSON.parse(stdout) as RunRecord[];
  assert.deepEqual(
    records.map((r) => [r.run_id, r.counted, r.early_stop, r.epochs]),
    [
      ["31815.633124_2026-11-28T125509Z", "actual", false, 3],
      ["31823.112744_2026-11-28T125515Z", "actual", false, 1],
      ["31834.72315_2026-11-28T125518Z", "epochs", true, 1],
      ["31863.923183_2026-11-28T125523Z", "epochs", false, 2],
    ],
  );
  const first = records[0] as RunRecord;
  assert.equal(first.energy_kwh, 0.000189650523);
  assert.deepEqual(first.energy_kwh_by_component, { cpu: 0.000189650523 });
  assert.equal(first.co2eq_g, 0.084394482818);
  assert.ok(Math.abs((first.intensity_g_per_kwh ?? 0) - 445) < 1e-3);
  assert.equal(first.intensity_source, "default: global average");
  assert.deepEqual(first.provenance, { cpu: "sampled" });
  assert.equal(first.start, "2026-11-28T12:55:09");
  assert.equal(first.pue, 1.58);
  assert.equal(first.version, "2.4.3");
  assert.deepEqual(first.warnings, []);
  assert.match(records[3]?.warnings[0] ?? "", /^orphan standard log: no output log /);
});

test("--csv: a header and one row per run, component columns, warnings in the last column", async () => {
  const { code, stdout } = await parse({
    paths: [join(GENERATED, "run-22-simcpu-simgpu-prec3"), MULTI02],
    csv: true,
  });
  assert.equal(code, 0);
  const lines = stdout.trimEnd().split("\n");
  assert.equal(lines.length, 1 + 5);
  assert.equal(
    lines[0],
    "run_id,source,start,host,node,slurm_job,user,duration_s,epochs,energy_kwh,energy_kwh_cpu,energy_kwh_gpu,co2eq_g,intensity_g_per_kwh,intensity_source,provenance,early_stop,counted,predicted_epochs,predicted_energy_kwh,pue,version,file,warnings",
  );
  const row22 = lines.find((l) => l.startsWith("31565.751361_2026-11-28T125341Z,"))?.split(",");
  assert.ok(row22);
  assert.deepEqual(row22.slice(0, 10), [
    "31565.751361_2026-11-28T125341Z",
    "text",
    "2026-11-28T12:53:41",
    "",
    "",
    "",
    "",
    "4",
    "3",
    "0.001",
  ]);
  assert.equal(Number(row22[10]) + Number(row22[11]), 0.001, "cpu and gpu split the counted energy");
  assert.equal(row22[11], String(0.001 * 0.75), "the GPU drew 360 of 480 W");
  assert.equal(row22[15], "gpu=sampled;cpu=sampled");
  const killed = lines.find((l) => l.startsWith("31834.72315_"));
  assert.match(
    killed ?? "",
    /,"ended after 1 epoch of 4 without its actual consumption \(killed\?\): counted the 1 epoch logged, not the prediction for 4"$/,
  );
});

/** Significant digits of a number as written (`0.000189650523` has 9, `444.99999999999994` 17). */
function digitsOf(written: string): number {
  return written.replace(/^-/, "").replace(/e.*$/i, "").replace(".", "").replace(/^0+/, "").length;
}

test("--json and --csv show no float noise: energy and CO2eq to 12 significant digits, g/kWh to 2 decimals", async () => {
  const paths = readdirSync(GENERATED).map((name) => join(GENERATED, name));
  const json = await parse({ paths, json: true });
  assert.equal(json.code, 0, json.stderr);
  const numbers = [...json.stdout.matchAll(/"(\w+)": (-?[\d.]+(?:e[+-]?\d+)?)/g)];
  assert.ok(numbers.length > 200, `${numbers.length} figures checked`);
  for (const [, field, written] of numbers as unknown as [string, string, string][]) {
    assert.ok(digitsOf(written) <= 12, `${field}: ${written} has float noise`);
    if (field === "intensity_g_per_kwh") assert.match(written, /^\d+(\.\d{1,2})?$/, `${field}: ${written}`);
  }
  // The fixtures' intensities were 444.99999964013085 and the like (CO2eq / energy): 445 now.
  const records = JSON.parse(json.stdout) as RunRecord[];
  assert.ok(records.some((r) => r.intensity_g_per_kwh === 445));
  // Totals are summed from full precision and rounded once: the sentence is the original's.
  const sentence = await parse({ paths: [MULTI02] });
  const total = Number(/estimated to use ([\d.]+) kWh/.exec(sentence.stdout)?.[1]);
  const summed = (JSON.parse((await parse({ paths: [MULTI02], json: true })).stdout) as RunRecord[]).reduce(
    (sum, r) => sum + r.energy_kwh,
    0,
  );
  assert.ok(Math.abs(summed - total) <= total * 1e-11, `${summed} against ${total}`);
  for (const by of [undefined, "job", "user"] as const) {
    const csv = await parse({ paths, csv: true, by });
    for (const row of csv.stdout.trimEnd().split("\n").slice(1)) {
      for (const cell of row.split(",").filter((c) => /^-?[\d.]+(e[+-]?\d+)?$/.test(c)))
        assert.ok(digitsOf(cell) <= 12, `CSV (--by ${by}) cell ${cell} has float noise`);
    }
  }
  // Per group too: the totals of --by, summed at full precision and rounded once.
  const grouped = await parse({ paths, json: true, by: "user" });
  for (const [, field, written] of grouped.stdout.matchAll(/"([\w ]+)": (-?[\d.]+(?:e[+-]?\d+)?)/g))
    assert.ok(digitsOf(written as string) <= 12, `--by user ${field}: ${written} has float noise`);
});

test("--statement: the sentence with readable figures, then method, intensity, PUE, counting and tools", async () => {
  const { code, stdout } = await parse({
    paths: [join(GENERATED, "multi-05-mixed-versions")],
    statement: true,
  });
  assert.equal(code, 0);
  assert.equal(
    stdout,
    [
      "The training of models in this work is estimated to use 0.000479 kWh of electricity contributing to 0.000218 kg of CO2eq. This is equivalent to 0.00204 km travelled by car. Measured by carbontracker (https://github.com/lfwa/carbontracker).",
      "",
      "Method: 3 runs between 2026-11-28 and 2026-11-28, 0:00:11 (h:mm:ss) of training and 6 epochs counted in all.",
      "CPU (Intel Xeon Gold 6226R, cpu:0): energy from sampled power integrated over time in 3 runs.",
      "Carbon intensity: default: global average (2024) in 2 runs; default: world average (2019) in 1 run; 454.5 gCO2eq/kWh on average over the counted energy.",
      "PUE (applied to every energy figure): 1.58 in 3 runs.",
      "Counted: the measured consumption in 3 runs.",
      "Tools: carbontracker 2.4.3 (Python) in 2 runs; carbontracker 2.3.0.post1+g8beb2b9 (Python) in 1 run.",
      "",
    ].join("\n"),
  );
});

test("--statement says when a figure is an estimate and when CO2eq is unknown", async () => {
  const { stdout } = await parse({
    paths: [join(GENERATED, "run-13-generic-cpu-e1-p1-m1"), join(GENERATED, "run-05-api-e1-p0-m-1-nostop")],
    statement: true,
  });
  assert.match(
    stdout,
    /^CPU \(cpu:0, Unknown CPU\): energy from estimates from TDP x utilisation \(not measurements\) in 1 run; sampled power integrated over time in 1 run\.$/m,
  );
  assert.match(stdout, /^CO2eq unknown \(no carbon intensity logged\) for 1 run: not included\.$/m);
  assert.match(stdout, /; source not logged in 1 run;/);
  assert.match(stdout, /the epochs logged before the run ended without a final report in 1 run/);
});

test("--by job groups SLURM job captures and JSONL runs; runs without a job stay visible", async (t) => {
  const dir = tempFolder(t);
  writeFileSync(join(dir, "job.128646.out"), readFileSync(join(FIXTURES, "sample-17_stdout.txt")));
  writeFileSync(join(dir, "slurm-128647_2.out"), readFileSync(join(FIXTURES, "sample-23_stdout.txt")));
  const { code, stdout } = await parse({
    paths: [dir, join(GENERATED, "run-04-api-e1-p0-m-1-defaults")],
    by: "job",
  });
  assert.equal(code, 0);
  const [groups, sentence] = stdout.split("\n\n");
  assert.equal(
    groups,
    [
      "job 128646: 1 run, 13.749 kWh, 0.631 kg CO2eq",
      "job 128647: 1 run, 2.654 kWh, 0.107 kg CO2eq",
      "no SLURM job: 1 run, 0.000169 kWh, 0.0000750 kg CO2eq",
    ].join("\n"),
  );
  assert.match(sentence ?? "", /^The training of models in this work is estimated to use 16\.40\d+ kWh/);
  const json = JSON.parse((await parse({ paths: [dir], by: "job", json: true })).stdout) as {
    groups: { group: string; energy_kwh: number }[];
    runs: RunRecord[];
  };
  assert.deepEqual(
    json.runs.map((r) => [r.group, r.slurm_job]),
    [
      ["128646", "128646"],
      ["128647", "128647"],
    ],
  );
  // The groups carry the numbers of the lines above.
  assert.deepEqual(
    json.groups.map((g) => [g.group, g.energy_kwh.toFixed(3)]),
    [
      ["128646", "13.749"],
      ["128647", "2.654"],
    ],
  );
});

test("--by user names the owner of the log files when the logs do not", async () => {
  const { stdout } = await parse({ paths: [RUN02], by: "user" });
  assert.match(stdout, new RegExp(`^user (${userInfo().username}|uid \\d+): 1 run, `));
});
