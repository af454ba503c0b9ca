// `carbontracker --report`: a real run of the library rendered to HTML and PDF, checked the way
// a reader would: the figures are there, the charts are drawn, the PDF is one A4 page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
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
  assert.match(text, /SIMULATED: rated power x utilisation/);
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
  assert.match(html, /simulated: SIMULATED/);
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
  assert.ok(html.includes("needs the JSONL record"));
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
  run = await runCli(["--report", "a_carbontracker.log"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--report needs --output FILE/);
});
