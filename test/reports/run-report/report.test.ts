// `carbontracker --report`: a real run of the library rendered to HTML and PDF, checked the way
// a reader would: the figures are there in readable units, the charts are drawn from the run's
// start, the PDF is one A4 page (read with pdfjs-dist: no poppler needed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker } from "../../../src/index.js";
import { runCli, tempDir } from "../../helpers/cli-process.js";
import { pathsIn, readPdf } from "../../helpers/pdf-page.js";

async function recordedRun(): Promise<{ dir: string; log: string }> {
  const dir = tempDir();
  const tracker = new CarbonTracker({
    epochs: 3,
    updateInterval: 0.1,
    logDir: dir,
    stdout: () => {},
    env: { CARBONTRACKER_OFFLINE: "1" },
    simCpu: "Sim Xeon",
    simCpuTdp: 150,
    simGpu: "Sim A100",
    simGpuWatts: 300,
    simGpuUtil: 0.9,
  });
  for (let e = 0; e < 3; e++) {
    tracker.epochStart();
    await sleep(300);
    await tracker.epochEnd();
  }
  await tracker.stop();
  const log = readdirSync(dir).find((n) => n.endsWith("_carbontracker.log")) as string;
  return { dir, log: join(dir, log) };
}

/** The charts' boxes on the page (A4 points from the top left), as page-layout draws them. */
const EPOCH_CHART = { x: 60, y: 230, w: 230, h: 120 };
const POWER_CHART = { x: 325, y: 230, w: 230, h: 120 };

/** The `actual` record of a run's JSONL. */
function actualOf(log: string): { energy_kwh: number; co2eq_g: number } {
  const jsonl = readFileSync(log.replace(/\.log$/, ".jsonl"), "utf8");
  return JSON.parse(jsonl.split("\n").find((l) => l.includes('"type":"actual"')) as string) as {
    energy_kwh: number;
    co2eq_g: number;
  };
}

/** The number printed before `unit` on the line after `label` (a summary row of the page). */
function figureAfter(text: string, label: string, unit: string): number {
  const match = new RegExp(`${label.replace(/[()]/g, "\\$&")}\\n([\\d.]+) ${unit}\\n`).exec(text);
  assert.ok(match, `"${label}" followed by a figure in ${unit} in:\n${text.slice(0, 600)}`);
  return Number(match[1]);
}

test("PDF report of a run: one A4 page, the figures in readable units, drawn charts", async () => {
  const { dir, log } = await recordedRun();
  const output = join(dir, "report.pdf");
  const run = await runCli(["--report", log, "--output", output]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Report written to .*report\.pdf/);
  const page = await readPdf(output);
  assert.equal(page.pages, 1);
  assert.equal(Math.round(page.widthPt), 595, "A4 width");
  assert.equal(Math.round(page.heightPt), 842, "A4 height");
  for (const heading of [
    "Energy per epoch (J, before PUE)",
    "Power over time per device (W)",
    "Carbon intensity over time",
    "Predicted against actual (J, incl. PUE)",
    "Where each figure comes from",
  ]) {
    assert.ok(page.text.includes(heading), `${heading} in the PDF`);
  }
  // About 500 J: shown in joules, not as 0.000136 kWh; CO2eq (about 60 mg) in milligrams.
  const actual = actualOf(log);
  const joules = figureAfter(page.text, "Energy (incl. PUE)", "J");
  assert.ok(Math.abs(joules - actual.energy_kwh * 3.6e6) < 0.1, `${joules} J`);
  const milligrams = figureAfter(page.text, "CO2eq", "mg");
  assert.ok(Math.abs(milligrams - actual.co2eq_g * 1000) < 0.1, `${milligrams} mg`);
  assert.ok(!/\b0\.0000/.test(page.text), "no figure hidden behind leading zeros");
  assert.match(page.text, /simulated: simulated power \(not measurements\)/);
  assert.ok(!/ESTIMATE|SIMULATED/.test(page.text), "one wording of the provenance");
  const bars = pathsIn(page, "fill", EPOCH_CHART).filter((p) => p.y1 - p.y0 > 50);
  assert.equal(bars.length, 3, "three epoch bars drawn");
  const lines = pathsIn(page, "stroke", POWER_CHART).filter((p) => p.segments >= 5);
  assert.equal(lines.length, 2, "a power line per device");
  for (const line of lines) assert.equal(line.x0, POWER_CHART.x, "the line starts at 0 s, the run's start");
});

test("HTML report is self-contained and holds the same figures, without float noise", async () => {
  const { dir, log } = await recordedRun();
  const output = join(dir, "report.html");
  const run = await runCli(["--report", log.replace(/\.log$/, ".jsonl"), "--output", output]);
  assert.equal(run.code, 0, run.stderr);
  const html = readFileSync(output, "utf8");
  assert.ok(!/(src|href)=["']?https?:/i.test(html), "no network resource");
  assert.ok(!/<script/i.test(html), "no script");
  assert.equal(html.match(/<svg/g)?.length, 1);
  const polylines = [...html.matchAll(/<polyline[^>]* points="([\d.]+),/g)].map((m) => m[1]);
  assert.equal(polylines.length, 3, "two power lines and the intensity line");
  assert.deepEqual(polylines, ["325.0", "325.0", "60.0"], "every line starts at the y axis: 0 s");
  assert.match(html, /Energy per epoch \(J, before PUE\)/);
  assert.match(html, /<td>3<\/td><td>0\.3\d<\/td>/);
  assert.match(html, /<td>simulated: simulated power \(not measurements\)<\/td>/);
  const actual = actualOf(log);
  const figures = html.slice(html.indexOf('<section class="figures">'));
  const total = /<th>Energy \(incl\. PUE\)<\/th><td>([\d.]+) J<\/td>/.exec(figures);
  assert.ok(total, "total energy in joules in the figure table");
  assert.ok(Math.abs(Number(total[1]) - actual.energy_kwh * 3.6e6) < 0.1);
  assert.ok(html.includes(`>${total[1]} J</text>`), "the same figure on the page");
  const co2 = /<th>CO2eq<\/th><td>([\d.]+) mg<\/td>/.exec(figures);
  assert.ok(co2 && Math.abs(Number(co2[1]) - actual.co2eq_g * 1000) < 0.1, "CO2eq in milligrams");
  assert.match(figures, /<th>Carbon intensity<\/th><td>445\.00 gCO2eq\/kWh<\/td>/);
  assert.ok(!/\d\.\d{7,}|e-\d/.test(figures), "no float noise, no exponent in the figure table");
  for (const epoch of [1, 2, 3])
    assert.match(html, new RegExp(`<tr><td>${epoch}</td><td>0\\.\\d\\d</td><td>\\d+\\.\\d+</td>`));
});

test("a report from the Python original's text logs: per-epoch energy and predicted vs actual, the rest said", async () => {
  const dir = tempDir();
  const source = "test/fixtures/carbontracker-logs/generated/run-08-sim-e4-p2-m-1-verbose2-stop";
  mkdirSync(join(dir, "logs"));
  for (const name of readdirSync(source).filter((n) => n.includes("carbontracker"))) {
    copyFileSync(join(source, name), join(dir, "logs", name));
  }
  const log = join(
    dir,
    "logs",
    readdirSync(join(dir, "logs")).find((n) => n.endsWith("_carbontracker.log")) as string,
  );
  const output = join(dir, "report.html");
  const run = await runCli(["--report", log, "--output", output]);
  assert.equal(run.code, 0, run.stderr);
  const html = readFileSync(output, "utf8");
  // The original's log says 0.000252869700 kWh: 910.3 J.
  assert.ok(html.includes("<th>Energy (incl. PUE)</th><td>910.3 J</td>"), "the actual energy of the log");
  assert.ok(html.includes("predicted (4 ep.)"));
  assert.ok(html.includes("recorded only in the JSONL, which this run lacks"));
  assert.match(
    html,
    /cpu Intel Xeon Gold 6226R<\/text>/,
    "the text log's component named with its provenance",
  );
  assert.ok(html.includes("sampled: sampled power integrated over time"));
  assert.ok(!/JSON\s*<\/text>\s*<text[^>]*>\s*L record/.test(html), "notes wrap between words");
  assert.equal(html.match(/<tr><td>\d<\/td>/g)?.length, 4, "four epochs");
});

test("bad input: unknown extension, not a log, missing file: one line, exit 2", async () => {
  const dir = tempDir();
  let run = await runCli(["--report", "x_carbontracker.log", "--output", join(dir, "r.docx")]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--output .*r\.docx: name a \.pdf or \.html file/);
  run = await runCli(["--report", join(dir, "notes.txt"), "--output", join(dir, "r.pdf")]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /is not a carbontracker log/);
  run = await runCli([
    "--report",
    join(dir, "1.1_2026-01-01T000000Z_carbontracker.log"),
    "--output",
    join(dir, "r.pdf"),
  ]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /No run could be read from .*1\.1_2026-01-01T000000Z_carbontracker\.log/);
  run = await runCli([
    "--report",
    join(dir, "2.2_2026-01-01T000000Z_carbontracker.log"),
    "--output",
    join(dir, "r.pdf"),
  ]);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /2\.2_2026-01-01T000000Z_carbontracker\.log: cannot read: no such file or directory/,
  );
  writeFileSync(join(dir, "3.3_2026-01-01T000000Z_carbontracker.log"), "");
  run = await runCli([
    "--report",
    join(dir, "3.3_2026-01-01T000000Z_carbontracker.log"),
    "--output",
    join(dir, "r.pdf"),
  ]);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /3\.3_2026-01-01T000000Z_carbontracker\.log holds no finished epoch.*nothing to report/,
  );
  assert.equal(existsSync(join(dir, "r.pdf")), false, "no report written");
  run = await runCli(["--report", "a_carbontracker.log"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--report needs --output FILE/);
});

/** A ten-hour JSONL of 8 GPUs and a CPU package (counters), 60 epochs, hourly intensity. */
function longRun(dir: string): string {
  const t0 = Date.UTC(2026, 0, 5, 8);
  const hours = 10;
  const devices = [
    ...Array.from({ length: 8 }, (_, i) => ({ component: "gpu", device: `NVIDIA H100 80GB HBM3 ${i}` })),
    { component: "cpu", device: "package-0" },
  ].map((d) => ({ ...d, name: d.device, provenance: "counter" }));
  const lines: unknown[] = [
    { type: "start", t: t0, version: "0.1.0", host: "node17", pid: 7, pue: 1.2, options: {}, devices },
  ];
  const energy = devices.map(() => 0);
  for (let s = 0; s <= hours * 3600; s += 10) {
    if (s % 3600 === 0) {
      const g = 150 + 100 * Math.sin(s / 7200);
      lines.push({
        type: "intensity",
        t: t0 + s * 1000,
        g_per_kwh: g,
        source: "electricitymaps",
        location: "DK-DK2",
        forecast: false,
        valid_from: t0 + s * 1000,
        valid_to: null,
      });
    }
    devices.forEach((d, i) => {
      const power = d.component === "cpu" ? 120 : 350 + 200 * Math.sin(s / 900 + i);
      energy[i]! += power * 10;
      lines.push({
        type: "sample",
        t: t0 + s * 1000,
        component: d.component,
        device: d.device,
        power_w: power,
        energy_j: energy[i],
        provenance: "counter",
      });
    });
  }
  for (let k = 1; k <= 60; k++) {
    const end = t0 + k * 600_000;
    lines.push({
      type: "epoch",
      t: end,
      epoch: k,
      start_t: end - 600_000,
      end_t: end,
      duration_s: 600,
      energy_j: 2e6,
      devices: [],
      co2eq_g: 100,
    });
  }
  lines.push({
    type: "prediction",
    t: t0 + 600_000,
    epochs: 60,
    duration_s: hours * 3600,
    energy_kwh: 40,
    co2eq_g: 7000,
    g_per_kwh: 170,
    range: null,
  });
  lines.push({
    type: "actual",
    t: t0 + hours * 3_600_000,
    epochs: 60,
    duration_s: hours * 3600,
    energy_kwh: 41.3,
    co2eq_g: 7200,
    g_per_kwh: 174,
    interrupted: false,
  });
  lines.push({ type: "end", t: t0 + hours * 3_600_000, reason: "finished" });
  const log = join(dir, "7.123456_2026-01-05T080000Z_carbontracker.jsonl");
  writeFileSync(log, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return log;
}

test("a ten-hour run on nine devices still fits one readable A4 page", async () => {
  const dir = tempDir();
  const log = longRun(dir);
  const pdf = join(dir, "report.pdf");
  let run = await runCli(["--report", log, "--output", pdf]);
  assert.equal(run.code, 0, run.stderr);
  const page = await readPdf(pdf);
  assert.equal(page.pages, 1);
  assert.equal(figureAfter(page.text, "Energy (incl. PUE)", "kWh"), 41.3, "totals in kWh");
  assert.equal(figureAfter(page.text, "CO2eq", "kg"), 7.2, "CO2eq in kg");
  assert.match(page.text, /time since start \(h\)/, "a long run's time axis in hours");
  for (let i = 0; i < 8; i++)
    assert.ok(page.text.includes(`gpu NVIDIA H100 80GB HBM3 ${i}`), `GPU ${i} in the provenance`);
  assert.match(page.text, /\b55\s+60\b/, "epoch labels thinned, the last one kept");
  const html = join(dir, "report.html");
  run = await runCli(["--report", log, "--output", html]);
  assert.equal(run.code, 0, run.stderr);
  const svg = readFileSync(html, "utf8");
  assert.equal(svg.match(/<polyline/g)?.length, 10, "nine power lines and the intensity");
  // 3,601 samples per device are thinned to what the chart's width can show.
  assert.ok(svg.length < 400_000, `HTML stays small (${svg.length} bytes)`);
});
