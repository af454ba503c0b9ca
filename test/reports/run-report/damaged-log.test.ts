// A JSONL with damaged or hostile lines still gives a report: the lines that cannot be drawn
// are left out, the rest is shown (the report and the dashboard render the same model).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDir } from "../../helpers/cli-process.js";

test("damaged lines (null, 1e400, a numeric device name) are left out; the report is written", async () => {
  const dir = tempDir();
  const t0 = Date.UTC(2026, 11, 1, 10);
  const line = (record: unknown) => JSON.stringify(record);
  const sample = (s: number, energy: number) => ({
    type: "sample",
    t: t0 + s * 1000,
    component: "cpu",
    device: "cpu:0",
    power_w: 50,
    energy_j: energy,
    provenance: "counter",
  });
  const lines = [
    line({ type: "start", t: t0, version: "0.1.0", host: "h", pid: 1, pue: 1.5, options: {}, devices: [] }),
    "null",
    '{"type":"sample","t":1e400,"component":"cpu","device":"cpu:0","power_w":50,"energy_j":1,"provenance":"counter"}',
    line({ ...sample(1, 50), device: 5 }),
    line({
      type: "intensity",
      t: t0,
      g_per_kwh: "much",
      source: "x",
      location: "y",
      forecast: false,
      valid_from: t0,
    }),
    line(sample(1, 50)),
    line(sample(2, 100)),
    line({
      type: "epoch",
      t: t0 + 2000,
      epoch: 1,
      start_t: t0,
      end_t: t0 + 2000,
      duration_s: 2,
      energy_j: 100,
      devices: [{ component: "cpu", device: "cpu:0", energy_j: 100, provenance: "counter" }],
      co2eq_g: 0.0125,
    }),
    line({
      type: "actual",
      t: t0 + 2000,
      epochs: 1,
      duration_s: 2,
      energy_kwh: (100 / 3.6e6) * 1.5,
      co2eq_g: 0.0125,
      g_per_kwh: 300,
      interrupted: false,
    }),
    line({ type: "end", t: t0 + 2000, reason: "finished" }),
  ];
  const log = join(dir, "1.000001_2026-12-01T100000Z_carbontracker.jsonl");
  writeFileSync(log, `${lines.join("\n")}\n`);
  const output = join(dir, "report.html");
  const run = await runCli(["--report", log, "--output", output]);
  assert.equal(run.code, 0, run.stderr);
  const html = readFileSync(output, "utf8");
  assert.match(html, /<th>Energy \(incl\. PUE\)<\/th><td>150(\.0+)? J<\/td>/);
  assert.ok(!html.includes("NaN") && !html.includes("Infinity"), "no broken figure on the page");
});
