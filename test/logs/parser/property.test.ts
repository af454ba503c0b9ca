// Properties of the parser over generated input: it never throws on any text (random, or real
// logs cut, spliced and garbled), and what our writer's formats say it reads back exactly: the
// standard log's lines, the output log's blocks (src/logs/format.ts) and JSONL records.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { CAR_GRAMS_PER_KM, consumptionBlock, pythonFloat, roundHalfEven } from "../../../src/logs/format.js";
import { formatDuration } from "../../../src/units/index.js";
import {
  buildJsonlRun,
  buildTextRun,
  parseConsoleCapture,
  readLogs,
} from "../../../src/logs/parser/index.js";
import type { TrackerRecord } from "../../../src/logs/schema.js";
import { GENERATED, tempFolder } from "./helpers.js";

const REAL = [
  "run-01-api-e3-p1-m-1-stop",
  "run-02-api-e3-p1-m-1-stop",
  "run-25-rapl-dram-prec6-geoDK",
].flatMap((folder) =>
  readdirSync(join(GENERATED, folder))
    .filter((n) => n.endsWith(".log") || n.endsWith(".txt"))
    .map((n) => readFileSync(join(GENERATED, folder, n), "utf8")),
);
const realLines = REAL.flatMap((text) => text.split("\n"));

/** Text that is mostly log-shaped: real lines, garbled lines, random strings, cut anywhere. */
const logLikeText = fc
  .array(
    fc.oneof(
      fc.constantFrom(...realLines),
      fc.constantFrom(...realLines).chain((line) => fc.nat(line.length).map((cut) => line.slice(0, cut))),
      fc.string({ unit: "binary", maxLength: 60 }),
      fc.constantFrom(
        "Actual consumption for 99999999999999999999 epoch(s):",
        "Predicted consumption:",
        "\tTime:\t9999999:99:99",
        "\tEnergy:\t1e999 kWh",
        "\tCO2eq:\t-nan g",
        "This is equivalent to:",
        "Average power usage (W) for : [",
        "The following components were found: with device(s) . with device(s) ,",
      ),
    ),
    { maxLength: 60 },
  )
  .map((lines) => lines.join("\n"));

const anyText = fc.oneof(fc.string({ unit: "binary", maxLength: 500 }), logLikeText);

test("the parsers never throw, whatever the text", () => {
  fc.assert(
    fc.property(anyText, anyText, anyText, (standard, output, err) => {
      const run = buildTextRun({ runId: "r", files: {}, standard, output, err });
      assert.ok(Number.isFinite(run.counted.energyKwh) || run.warnings.length > 0);
      parseConsoleCapture(output, "job.1.out");
      buildJsonlRun({ runId: "r", files: {}, text: standard });
    }),
    { numRuns: 400 },
  );
});

test("the folder reader never throws on files of random content and names", async (t) => {
  const dir = tempFolder(t);
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          name: fc.constantFrom(
            "1.1_2026-01-01T000000Z_carbontracker.log",
            "1.1_2026-01-01T000000Z_carbontracker_output.log",
            "1.1_2026-01-01T000000Z_carbontracker_err.log",
            "1.1_2026-01-01T000000Z_carbontracker.jsonl",
            "2.2_2026-01-01T000000Z_carbontracker_output.log",
            "job.3.out",
          ),
          text: anyText,
        }),
        { maxLength: 6 },
      ),
      async (files) => {
        for (const name of readdirSync(dir)) writeFileSync(join(dir, name), "");
        for (const { name, text } of files) writeFileSync(join(dir, name), text);
        const { runs } = await readLogs([dir, join(dir, "job.3.out")]);
        for (const run of runs) assert.equal(typeof run.counted.basis, "string");
      },
    ),
    { numRuns: 40 },
  );
});

/** `h:mm:ss.ff` back to seconds, independently of the parser. */
function secondsOf(text: string): number {
  const [h, m, sec] = text.split(":").map(Number) as [number, number, number];
  return h * 3600 + m * 60 + sec;
}

/** A run as our writer would log it. */
const runShape = fc.record({
  components: fc.subarray(["cpu", "gpu"] as const, { minLength: 1 }),
  epochs: fc.array(
    fc.record({
      durationS: fc.double({ min: 0, max: 400_000, noNaN: true }),
      cpuW: fc.double({ min: 0, max: 2000, noNaN: true }),
      gpuW: fc.oneof(fc.double({ min: 0, max: 2000, noNaN: true }), fc.constant(null)),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  pue: fc.double({ min: 1, max: 3, noNaN: true }),
  blocks: fc.subarray(["Predicted", "Actual"] as const).chain((kinds) =>
    fc.tuple(
      ...kinds.map((kind) =>
        fc.record({
          kind: fc.constant(kind),
          epochs: fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.constant(undefined)),
          durationS: fc.double({ min: 0, max: 4_000_000, noNaN: true }),
          energyKwh: fc.double({ min: 0, max: 1e6, noNaN: true }),
          gPerKwh: fc.double({ min: 0, max: 2000, noNaN: true }),
          decimalPrecision: fc.integer({ min: 1, max: 12 }),
          interpretable: fc.boolean(),
        }),
      ),
    ),
  ),
});

test("what our writer's text formats say, the parser reads back exactly", () => {
  fc.assert(
    fc.property(runShape, (shape) => {
      const stamp = "2026-11-28 12:51:47 - ";
      const std = [
        `${stamp}Only predicted and actual consumptions are multiplied by a PUE coefficient of ${shape.pue} (x).`,
      ];
      for (const [i, e] of shape.epochs.entries()) {
        std.push(`${stamp}Epoch ${i + 1}:`, `${stamp}Duration: ${formatDuration(e.durationS, 2)}`);
        for (const c of shape.components) {
          const w = c === "cpu" ? e.cpuW : e.gpuW;
          std.push(`${stamp}Average power usage (W) for ${c}: ${w === null ? "None" : pythonFloat(w)}`);
        }
      }
      // At most one block of each kind, the prediction first, as the tracker writes them.
      const blocks = shape.blocks;
      const output = blocks.map(
        (b) =>
          `${stamp}CarbonTracker: ${consumptionBlock({ ...b, co2eqG: b.energyKwh * b.gPerKwh, durationS: b.durationS })}\n`,
      );
      const run = buildTextRun({
        runId: "r",
        files: {},
        standard: `${std.join("\n")}\n`,
        output: output.join(""),
      });
      assert.equal(run.pue, shape.pue);
      for (const c of shape.components) {
        assert.deepEqual(
          run.components[c]?.powerW,
          shape.epochs.map((e) => [c === "cpu" ? e.cpuW : e.gpuW]),
        );
        assert.deepEqual(
          run.components[c]?.epochDurationsS,
          shape.epochs.map((e) => secondsOf(formatDuration(e.durationS, 2))),
        );
      }
      for (const kind of ["Actual", "Predicted"] as const) {
        const written = blocks.find((b) => b.kind === kind);
        const read = kind === "Actual" ? run.actual : run.pred;
        if (!written) {
          assert.equal(read, null);
          continue;
        }
        const p = written.decimalPrecision;
        const co2 = written.energyKwh * written.gPerKwh;
        assert.deepEqual(read, {
          epochs: written.epochs ?? null,
          durationS: roundHalfEven(written.durationS),
          energyKwh: Number(written.energyKwh.toFixed(p)),
          co2eqG: Number(co2.toFixed(p)),
          equivalents: written.interpretable
            ? { "km travelled by car": Number((co2 / CAR_GRAMS_PER_KM).toFixed(p)) }
            : null,
        });
      }
      const capture = parseConsoleCapture(output.map((o) => o.slice(stamp.length)).join(""), "x").runs;
      assert.deepEqual(
        capture.map((r) => [r.actual, r.pred]),
        blocks.length ? [[run.actual, run.pred]] : [],
      );
    }),
    { numRuns: 400 },
  );
});

test("what our JSONL records say, the parser reads back exactly", () => {
  const energy = fc.double({ min: 0, max: 1e9, noNaN: true, noDefaultInfinity: true });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(energy, energy, fc.double({ min: 0.001, max: 1e6, noNaN: true })), {
        minLength: 1,
        maxLength: 6,
      }),
      fc.double({ min: 1, max: 3, noNaN: true }),
      fc.boolean(),
      (epochs, pue, finished) => {
        const records: TrackerRecord[] = [
          {
            type: "start",
            t: 1,
            version: "0.1.0",
            host: "h",
            pid: 2,
            pue,
            options: {},
            devices: [
              { component: "cpu", device: "package-0", name: "cpu", provenance: "counter" },
              { component: "gpu", device: "0", name: "gpu", provenance: "sampled" },
            ],
          },
        ];
        epochs.forEach(([cpuJ, gpuJ, seconds], i) =>
          records.push({
            type: "epoch",
            t: 2 + i,
            epoch: i + 1,
            start_t: 0,
            end_t: 0,
            duration_s: seconds,
            energy_j: cpuJ + gpuJ,
            devices: [
              { component: "cpu", device: "package-0", energy_j: cpuJ, provenance: "counter" },
              { component: "gpu", device: "0", energy_j: gpuJ, provenance: "sampled" },
            ],
            co2eq_g: ((cpuJ + gpuJ) / 3.6e6) * pue * 100,
          }),
        );
        const kwh = (epochs.reduce((s, [a, b]) => s + a + b, 0) / 3.6e6) * pue;
        if (finished) {
          records.push({
            type: "actual",
            t: 99,
            epochs: epochs.length,
            duration_s: 1,
            energy_kwh: kwh,
            co2eq_g: kwh * 100,
            g_per_kwh: 100,
            interrupted: false,
          });
        }
        const run = buildJsonlRun({
          runId: "r",
          files: {},
          text: records.map((r) => JSON.stringify(r)).join("\n"),
        });
        assert.ok(run);
        assert.deepEqual(
          run.components.cpu?.energyJ,
          epochs.map(([cpuJ]) => [cpuJ]),
        );
        assert.deepEqual(
          run.components.gpu?.energyJ,
          epochs.map(([, gpuJ]) => [gpuJ]),
        );
        assert.deepEqual(
          run.components.cpu?.epochDurationsS,
          epochs.map(([, , s]) => s),
        );
        assert.equal(run.counted.epochs, epochs.length);
        if (finished) assert.equal(run.counted.energyKwh, kwh);
        else {
          const joules = epochs.reduce((s, [a, b]) => s + (a + b), 0);
          assert.equal(run.counted.energyKwh, (joules / 3.6e6) * pue);
        }
      },
    ),
    { numRuns: 200 },
  );
});
