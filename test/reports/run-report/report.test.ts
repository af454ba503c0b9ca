// `carbontracker --report`: a real run of the library rendered to HTML and PDF, checked the way
// a reader would: the figures are there, the charts are drawn, the PDF is one A4 page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker } from "../../../src/index.js";
import { runCli, tempDir } from "../../helpers/cli-process.js";

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

/** Share of dark pixels in a region of a greyscale PGM (P5) image. */
function darkShare(pgm: Buffer, region: { x: number; y: number; w: number; h: number }): number {
  const header = pgm.toString("latin1", 0, 64).split(/\s+/);
  const width = Number(header[1]);
  const offset = pgm.length - width * Number(header[2]);
  let dark = 0;
  for (let y = region.y; y < region.y + region.h; y++) {
    for (let x = region.x; x < region.x + region.w; x++)
      if ((pgm[offset + y * width + x] as number) < 200) dark++;
  }
  return dark / (region.w * region.h);
}

test("PDF report of a run: one A4 page with the figures and drawn charts", async () => {
  const { dir, log } = await recordedRun();
  const output = join(dir, "report.pdf");
  const run = await runCli(["--report", log, "--output", output]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Report written to .*report\.pdf/);
  const info = execFileSync("pdfinfo", [output], { encoding: "utf8" });
  assert.match(info, /Pages:\s+1/);
  assert.match(info, /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
  const text = execFileSync("pdftotext", ["-layout", output, "-"], { encoding: "utf8" });
  const jsonl = readFileSync(log.replace(/\.log$/, ".jsonl"), "utf8");
  const actual = JSON.parse(jsonl.split("\n").find((l) => l.includes('"type":"actual"')) as string) as {
    energy_kwh: number;
    co2eq_g: number;
  };
  for (const heading of [
    "Energy per epoch",
    "Power over time per device",
    "Carbon intensity over time",
    "Predicted against actual",
    "Where each figure comes from",
  ]) {
    assert.ok(text.includes(heading), `${heading} in the PDF`);
  }
  assert.ok(text.includes(actual.energy_kwh.toFixed(6)), "total energy printed");
  assert.ok(text.includes(actual.co2eq_g.toFixed(6)), "CO2eq printed");
  assert.match(text, /simulated: simulated power \(not measurements\)/);
  // 50 dpi greyscale: A4 is 413 x 585 px; the four charts sit between y≈160 and y≈370.
  execFileSync("pdftoppm", ["-gray", "-r", "50", "-singlefile", output, join(dir, "page")]);
  const pgm = readFileSync(join(dir, "page.pgm"));
  const epochBars = darkShare(pgm, { x: 45, y: 165, w: 150, h: 75 });
  const powerLines = darkShare(pgm, { x: 230, y: 165, w: 150, h: 75 });
  assert.ok(epochBars > 0.2, `epoch bars drawn (${epochBars})`);
  assert.ok(powerLines > 0.005, `power lines drawn (${powerLines})`);
});

test("HTML report is self-contained and holds the same figures", async () => {
  const { dir, log } = await recordedRun();
  const output = join(dir, "report.html");
  const run = await runCli(["--report", log.replace(/\.log$/, ".jsonl"), "--output", output]);
  assert.equal(run.code, 0, run.stderr);
  const html = readFileSync(output, "utf8");
  assert.ok(!/(src|href)=["']?https?:/i.test(html), "no network resource");
  assert.ok(!/<script/i.test(html), "no script");
  assert.equal(html.match(/<svg/g)?.length, 1);
  assert.equal(html.match(/<polyline/g)?.length, 3, "two power lines and the intensity line");
  assert.match(html, /Energy per epoch/);
  assert.match(html, /<td>3<\/td><td>0\.3\d<\/td>/);
  assert.match(html, /simulated: simulated power \(not measurements\)/);
  const actual = JSON.parse(
    readFileSync(log.replace(/\.log$/, ".jsonl"), "utf8")
      .split("\n")
      .find((l) => l.includes('"type":"actual"')) as string,
  ) as { energy_kwh: number; co2eq_g: number };
  assert.ok(html.includes(`>${actual.energy_kwh.toFixed(6)}</text>`), "total kWh on the page");
  assert.ok(html.includes(`>${actual.co2eq_g.toFixed(6)}</text>`), "CO2eq on the page");
  for (const epoch of [1, 2, 3]) assert.match(html, new RegExp(`<tr><td>${epoch}</td><td>0\\.\\d\\d</td>`));
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
  assert.ok(html.includes("<td>0.0002528697</td>"), "the actual energy of the original's log");
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
  assert.match(execFileSync("pdfinfo", [pdf], { encoding: "utf8" }), /Pages:\s+1/);
  const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
  assert.ok(text.includes("41.300000") && text.includes("7200.000000"), "totals printed");
  assert.match(text, /time since start \(h\)/, "a long run's time axis in hours");
  for (let i = 0; i < 8; i++)
    assert.ok(text.includes(`gpu NVIDIA H100 80GB HBM3 ${i}`), `GPU ${i} in the provenance`);
  assert.match(text, /\b55\s+60\b/, "epoch labels thinned, the last one kept");
  const html = join(dir, "report.html");
  run = await runCli(["--report", log, "--output", html]);
  assert.equal(run.code, 0, run.stderr);
  const page = readFileSync(html, "utf8");
  assert.equal(page.match(/<polyline/g)?.length, 10, "nine power lines and the intensity");
  // 3,601 samples per device are thinned to what the chart's width can show.
  assert.ok(page.length < 400_000, `HTML stays small (${page.length} bytes)`);
});
