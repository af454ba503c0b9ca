// Runs from console output kept in SLURM `job.*.out` files, notebooks or pasted text: blocks
// among any other lines. One capture may hold several runs; a run ends at "Finished
// monitoring.", at a new "components were found" line, or when a block kind repeats (a block
// printed again right after itself is one record printed by two console handlers). Our runs
// say "Training was interrupted ..." before the actual block when stopped early: that actual counts.
import { basename } from "node:path";
import type { SlurmIdentity } from "../schema.js";
import {
  consumptionOf,
  scanConsumptionBlocks,
  withoutRepeats,
  type FoundBlock,
} from "./consumption-blocks.js";
import { decideCounted } from "./counted.js";
import { parseComponentsLine } from "./devices.js";
import { scanIntensity } from "./intensity-lines.js";
import { provenanceFrom } from "./provenance-notes.js";
import { splitLines } from "./text-lines.js";
import type { ComponentMeasurements, ParsedRun } from "./types.js";

const FINISHED = /Finished monitoring\./;
/** Our marker of an interrupted run (the original writes it to its standard log only). */
const INTERRUPTED = /Training was interrupted before all \d+ epochs were monitored/;
const FOUND = "The following components were found:";
const SLURM_FILE = /(?:^|[^a-z])(?:job|slurm)[._-](\d+)(?:_(\d+))?/i;

/** Text of a notebook's outputs, or null when the text is not a notebook. */
function notebookText(text: string): string | null {
  if (!/^\s*\{/.test(text) || !text.includes('"cells"')) return null;
  let notebook: unknown;
  try {
    notebook = JSON.parse(text);
  } catch {
    return null;
  }
  const cells = (notebook as { cells?: unknown }).cells;
  if (!Array.isArray(cells)) return null;
  const parts: string[] = [];
  const join = (value: unknown) =>
    Array.isArray(value) ? value.join("") : typeof value === "string" ? value : "";
  for (const cell of cells) {
    const outputs = (cell as { outputs?: unknown })?.outputs;
    if (!Array.isArray(outputs)) continue;
    for (const output of outputs) {
      const o = output as { text?: unknown; data?: Record<string, unknown> };
      parts.push(join(o.text) || join(o.data?.["text/plain"]));
    }
  }
  return parts.join("\n");
}

/** SLURM job id written in a capture's file name (`job.122945.out`, `slurm-123_4.out`). */
function slurmFromFileName(file: string): SlurmIdentity | null {
  const m = SLURM_FILE.exec(basename(file));
  if (!m) return null;
  return m[2] ? { job_id: m[1] as string, array_task_id: m[2] } : { job_id: m[1] as string };
}

/** True when the text holds at least one consumption block title. */
export function looksLikeCapture(text: string): boolean {
  return /\b(?:Actual|Predicted) consumption/i.test(text);
}

/** Every run in a console capture; never throws. */
export function parseConsoleCapture(
  text: string,
  file: string,
  owner: string | null = null,
): { runs: ParsedRun[]; problems: string[] } {
  const lines = splitLines(notebookText(text) ?? text);
  const scan = scanConsumptionBlocks(lines);
  const { blocks, repeats } = withoutRepeats(lines, scan.blocks);
  const problems = [...scan.problems];
  if (repeats > 0) {
    problems.push(
      `${repeats} consumption block(s) printed again right after themselves (before carbontracker #73 each CarbonTracker of a process added a console handler, so a later tracker's lines print once per tracker made so far): read once`,
    );
  }
  const boundaries: number[] = [];
  lines.forEach((line, i) => {
    if (FINISHED.test(line) || line.includes(FOUND)) boundaries.push(i);
  });
  const groups: FoundBlock[][] = [];
  let current: FoundBlock[] = [];
  let previousLine = -1;
  for (const block of blocks) {
    const crossed = boundaries.some((b) => b > previousLine && b < block.line);
    if (current.length > 0 && (crossed || current.some((b) => b.kind === block.kind))) {
      groups.push(current);
      current = [];
    }
    current.push(block);
    previousLine = block.line;
  }
  if (current.length > 0) groups.push(current);

  const slurm = slurmFromFileName(file);
  const runs = groups.map((group, k): ParsedRun => {
    const from = k === 0 ? 0 : (groups[k - 1]?.at(-1)?.line ?? 0) + 1;
    const to = k + 1 < groups.length ? (groups[k + 1]?.[0]?.line ?? lines.length) : lines.length;
    const span = lines.slice(from, to);
    const foundLine = span.find((l) => l.includes(FOUND));
    const devices = foundLine ? (parseComponentsLine(foundLine) ?? {}) : {};
    const provenance = provenanceFrom(span);
    const components: Record<string, ComponentMeasurements> = {};
    for (const [name, list] of Object.entries(devices)) {
      components[name] = {
        devices: list,
        powerW: [],
        energyJ: [],
        epochDurationsS: [],
        provenance: provenance(name, list),
      };
    }
    const actual = consumptionOf(group.find((b) => b.kind === "actual"));
    const pred = consumptionOf(group.find((b) => b.kind === "predicted"));
    // Printed before the run's last block; a capture without it cannot tell an early stop.
    const lastBlock = (group.at(-1)?.line ?? from) - from;
    const earlyStop = span.slice(0, lastBlock).some((l) => INTERRUPTED.test(l)) ? true : null;
    const decision = decideCounted({ actual, pred, measured: null, earlyStop, loggedEpochs: null });
    return {
      runId: `${basename(file)}#${k + 1}`,
      source: "console",
      files: { capture: file },
      version: null,
      host: null,
      pid: null,
      slurm,
      owner,
      start: null,
      pue: null,
      components,
      earlyStop,
      actual,
      pred,
      measured: null,
      counted: decision.counted,
      intensity: scanIntensity(span),
      samples: [],
      deviceEpochs: [],
      warnings: decision.warnings,
    };
  });
  return { runs, problems };
}
