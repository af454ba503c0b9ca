// One run from the original's text logs: the standard log (epochs, power, PUE, early stop), the
// output log (consumption blocks) and, when present, the err log (2.4 writes its intensity
// fallback there). Either of the first two may be missing (an orphan); what is left still counts.
import { facilityKwh } from "../../units/index.js";
import { consumptionOf, scanConsumptionBlocks, withoutRepeats } from "./consumption-blocks.js";
import { componentsOf, energyByComponentJ } from "./components.js";
import { decideCounted } from "./counted.js";
import { parseComponentsLine } from "./devices.js";
import { scanIntensity } from "./intensity-lines.js";
import { provenanceFrom } from "./provenance-notes.js";
import { parseRunId } from "./run-id.js";
import { SHARED_FILES_WHY } from "./shared-logger.js";
import { epochsGoBack, parseStandardLog, type StandardLog } from "./standard-log.js";
import { splitLines, stripTimestamp } from "./text-lines.js";
import type { Consumption, ParsedRun, RunFilePaths } from "./types.js";

/** The texts of one run's files (undefined where the file is absent). */
export interface TextRunInput {
  runId: string;
  files: RunFilePaths;
  standard?: string;
  output?: string;
  err?: string;
  owner?: string | null;
}

/** PUE the original uses when a log does not state one. */
const FALLBACK_PUE = 1.58;

/** g CO2eq per kWh and equivalents per g that a block implies (what the run itself used). */
function ratiosOf(blocks: readonly (Consumption | null)[]): {
  gPerKwh: number | null;
  perGram: Record<string, number> | null;
} {
  for (const b of blocks) {
    if (!b || b.co2eqG === null || !(b.energyKwh > 0) || !(b.co2eqG > 0)) continue;
    const perGram: Record<string, number> = {};
    for (const [k, v] of Object.entries(b.equivalents ?? {})) perGram[k] = v / b.co2eqG;
    return { gPerKwh: b.co2eqG / b.energyKwh, perGram: b.equivalents ? perGram : null };
  }
  return { gPerKwh: null, perGram: null };
}

function measuredOf(
  std: StandardLog,
  joules: number,
  pue: number,
  ratios: ReturnType<typeof ratiosOf>,
  fallbackGPerKwh: number | null,
): Consumption & { epochs: number } {
  const energyKwh = facilityKwh(joules, pue);
  const gPerKwh = ratios.gPerKwh ?? fallbackGPerKwh;
  const co2eqG = gPerKwh === null ? null : energyKwh * gPerKwh;
  let equivalents: Record<string, number> | null = null;
  if (ratios.perGram && co2eqG !== null) {
    equivalents = {};
    for (const [k, perGram] of Object.entries(ratios.perGram)) equivalents[k] = co2eqG * perGram;
  }
  return {
    epochs: Math.max(std.durations.length, std.epochHeaders),
    durationS: std.durations.reduce((a, b) => a + b, 0),
    energyKwh,
    co2eqG,
    equivalents,
  };
}

/** The run its text logs describe; never throws. */
export function buildTextRun(input: TextRunInput): ParsedRun {
  const warnings: string[] = [];
  const stdLines = input.standard !== undefined ? splitLines(input.standard) : [];
  const outLines = input.output !== undefined ? splitLines(input.output) : [];
  const errLines = input.err !== undefined ? splitLines(input.err) : [];
  const std = input.standard !== undefined ? parseStandardLog(stdLines) : null;
  const interleaved = std !== null && epochsGoBack(std.epochNumbers);

  const scan = scanConsumptionBlocks(outLines);
  for (const problem of scan.problems) warnings.push(`output log ${problem}`);
  const { blocks, repeats } = withoutRepeats(outLines, scan.blocks);
  if (repeats > 0) {
    warnings.push(
      `output log repeats ${repeats} consumption block(s) back to back (one record written by two handlers): read once`,
    );
  }
  const actualBlock = blocks.find((b) => b.kind === "actual");
  const predBlock = blocks.find((b) => b.kind === "predicted");
  const extra = blocks.length - (actualBlock ? 1 : 0) - (predBlock ? 1 : 0);
  if (extra > 0 && !interleaved)
    warnings.push(`output log holds ${extra} more consumption block(s); only the first of each kind counts`);
  const actual = consumptionOf(actualBlock);
  const pred = consumptionOf(predBlock);

  if (std) {
    for (const problem of std.problems) warnings.push(`standard log ${problem}`);
    if (std.duplicateLines > 0) {
      warnings.push(
        `standard log repeats ${std.duplicateLines} line(s) back to back (logger attached twice?): read once`,
      );
    }
    if (Object.keys(std.devices).length === 0) {
      const line = outLines.find((l) => l.includes("The following components were found:"));
      if (line) std.devices = parseComponentsLine(stripTimestamp(line)) ?? {};
    }
  }
  const components = std ? componentsOf(std, provenanceFrom(outLines)) : {};
  for (const [name, c] of Object.entries(components)) {
    if (c.powerW.length !== c.epochDurationsS.length) {
      warnings.push(
        `standard log has ${c.powerW.length} power value(s) for ${name} but ${c.epochDurationsS.length} epoch duration(s); energy is computed for the epochs that have both`,
      );
    }
    // The original 2.x logs the mean of a component's devices; we (and 1.x lists) do not.
    const meanLogger = std?.version == null || std.version.startsWith("2.");
    if (meanLogger && c.devices.length > 1 && c.powerW.some((values) => values.length === 1)) {
      warnings.push(
        `${name} lists ${c.devices.length} devices but logs one power per epoch: carbontracker 2.x logged their mean, so its energy may be up to ${Math.round(100 * (1 - 1 / c.devices.length))}% low`,
      );
    }
  }

  const intensity = scanIntensity([...stdLines, ...errLines, ...outLines]);
  const ratios = ratiosOf([actual, pred]);
  let pue = std?.pue ?? null;
  let measured: (Consumption & { epochs: number }) | null = null;
  if (std && std.durations.length > 0) {
    // 1.0 multiplied by no PUE (its tracker.py total_energy_per_epoch) and logged none.
    if (pue === null && std.version?.startsWith("1.0.")) pue = 1;
    if (pue === null) {
      warnings.push(`standard log states no PUE: assumed ${FALLBACK_PUE} for its logged epochs`);
      pue = FALLBACK_PUE;
    }
    measured = measuredOf(std, sum(energyByComponentJ(components)), pue, ratios, intensity.gPerKwh);
  }

  if (interleaved && measured) {
    warnings.push(
      `standard log numbers its epochs ${std.epochNumbers.join(", ")}: several CarbonTracker objects were logging into it at once (${SHARED_FILES_WHY}) and their epochs cannot be told apart, so all ${measured.epochs} logged epochs count here (an earlier tracker's from this one's start on included), not one tracker's consumption block`,
    );
  }
  const decision = decideCounted({
    actual,
    pred,
    measured,
    earlyStop: std ? std.earlyStop : null,
    loggedEpochs: std ? Math.max(std.durations.length, std.epochHeaders) : null,
    interleaved,
  });
  // An orphan standard log is reported as such by the folder reader; no second note for it.
  warnings.push(
    ...decision.warnings.filter((w) => input.output !== undefined || !w.startsWith("no consumption block")),
  );
  const { counted } = decision;
  if (counted.basis === "epochs" && counted.co2eqG === null) {
    warnings.push("no carbon intensity in the logs: its CO2eq is unknown and not counted");
  }
  if (!Number.isFinite(counted.energyKwh)) warnings.push("its energy reads nan: not counted");

  const id = parseRunId(input.runId);
  return {
    runId: input.runId,
    source: "text",
    files: input.files,
    version: std?.version ?? null,
    host: null,
    pid: id?.pid ?? null,
    slurm: null,
    owner: input.owner ?? null,
    start: std?.firstTimestamp ?? id?.start ?? null,
    pue,
    components,
    earlyStop: std ? std.earlyStop : null,
    actual,
    pred,
    measured,
    counted,
    intensity: { ...intensity, gPerKwh: intensity.gPerKwh ?? ratios.gPerKwh },
    samples: [],
    deviceEpochs: [],
    warnings,
  };
}

function sum(values: Record<string, number>): number {
  let total = 0;
  for (const v of Object.values(values)) total += v;
  return total;
}
