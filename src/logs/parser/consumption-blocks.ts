// Finds the original's consumption blocks in any text (output logs, console captures with other
// lines around them), line by line rather than with one regex over the file: every dialect since
// 1.1 (tabs or spaces, `nan`, hours past 24, with or without a count or "This is equivalent to:")
// reads the same, and a block cut short is reported instead of borrowing the next block's lines.
import type { Consumption } from "./types.js";
import { NUMBER, parseDuration, parseNumber } from "./text-lines.js";

/** A consumption block and where it starts. */
export interface FoundBlock extends Consumption {
  kind: "actual" | "predicted";
  /** 0-based index of the title line. */
  line: number;
  /** 0-based index of the first line after the block. */
  end: number;
}

/** Blocks found and blocks that could not be read. */
export interface BlockScan {
  blocks: FoundBlock[];
  /** "line 12: ..." for each block cut short or unreadable. */
  problems: string[];
}

// stop() before the first epoch writes "for -1 epoch(s)" (its counter less one).
const HEADER = /\b(Actual|Predicted) consumption(?:\s+for\s+(-?\d+)\s+epochs?(?:\(s\))?)?\s*:/i;
const TIME = /\bTime:\s*(.*)$/i;
const ENERGY = new RegExp(`\\bEnergy:\\s*(${NUMBER})\\s*kWh`, "i");
const CO2EQ = new RegExp(`\\bCO2eq:\\s*(${NUMBER})\\s*g\\b`, "i");
const EQUIVALENT_TITLE = /This is equivalent to:\s*$/i;
/** Matched against the trimmed line, so no backtracking over trailing blanks. */
const EQUIVALENT = new RegExp(`^(${NUMBER})\\s+([^\\d\\s+\\-.].*)$`, "i");
/** Unrelated lines tolerated inside a block (another process writing to the same console). */
const MAX_FOREIGN_LINES = 3;
const MAX_EQUIVALENTS = 20;

/** Every consumption block in the lines, in order. */
export function scanConsumptionBlocks(lines: readonly string[]): BlockScan {
  const blocks: FoundBlock[] = [];
  const problems: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const header = HEADER.exec(lines[i] as string);
    if (!header) continue;
    const result = readBlock(lines, i, header);
    if (typeof result === "string") {
      problems.push(`line ${i + 1}: ${result}`);
      continue;
    }
    blocks.push(result.block);
    i = result.next - 1;
  }
  return { blocks, problems };
}

function readBlock(
  lines: readonly string[],
  start: number,
  header: RegExpExecArray,
): { block: FoundBlock; next: number } | string {
  const kind = (header[1] as string).toLowerCase() === "actual" ? "actual" : "predicted";
  const title = `${kind === "actual" ? "Actual" : "Predicted"} consumption block`;
  let durationS: number | null | undefined;
  let energyKwh: number | undefined;
  let co2eqG: number | undefined;
  let foreign = 0;
  let j = start + 1;
  for (
    ;
    j < lines.length && (durationS === undefined || energyKwh === undefined || co2eqG === undefined);
    j++
  ) {
    const line = lines[j] as string;
    if (HEADER.test(line)) return `${title} cut short (the next block starts at line ${j + 1})`;
    const time = durationS === undefined ? TIME.exec(line) : null;
    const energy = energyKwh === undefined ? ENERGY.exec(line) : null;
    const co2 = co2eqG === undefined ? CO2EQ.exec(line) : null;
    if (time) durationS = parseDuration(time[1] as string);
    else if (energy) energyKwh = parseNumber(energy[1] as string) ?? NaN;
    else if (co2) co2eqG = parseNumber(co2[1] as string) ?? NaN;
    else if (line.trim() !== "" && ++foreign > MAX_FOREIGN_LINES) break;
  }
  if (durationS === undefined || energyKwh === undefined || co2eqG === undefined) {
    const missing = [
      durationS === undefined ? "Time" : "",
      energyKwh === undefined ? "Energy" : "",
      co2eqG === undefined ? "CO2eq" : "",
    ].filter(Boolean);
    return `${title} without ${missing.join(", ")} (file cut short or corrupt); not counted`;
  }
  let equivalents: Record<string, number> | null = null;
  const equivalentTitle = j < lines.length ? EQUIVALENT_TITLE.exec(lines[j] as string) : null;
  if (equivalentTitle) {
    equivalents = {};
    // Where the title's words start, the values start: past a prefix every line of a capture
    // carries ("[default0]:", "trainer-1  | ", a time stamp).
    const column = equivalentTitle.index;
    j++;
    for (let n = 0; j < lines.length && n < MAX_EQUIVALENTS; j++, n++) {
      const line = lines[j] as string;
      const found = equivalentOf(line) ?? equivalentOf(line.slice(column));
      if (!found || HEADER.test(line)) break;
      if (found.value !== null) equivalents[found.unit] = found.value;
    }
  }
  const block: FoundBlock = {
    kind,
    line: start,
    end: j,
    epochs: header[2] !== undefined ? Number(header[2]) : null,
    durationS,
    energyKwh,
    co2eqG: Number.isNaN(co2eqG) ? null : co2eqG,
    equivalents,
  };
  return { block, next: j };
}

/** One "This is equivalent to" line, `0.000026 km travelled by car`: its unit and value (null: unreadable). */
export function equivalentOf(line: string): { unit: string; value: number | null } | null {
  const m = EQUIVALENT.exec(line.trim());
  return m ? { unit: m[2] as string, value: parseNumber(m[1] as string) } : null;
}

/** The block's figures without its kind and position. */
export function consumptionOf(block: FoundBlock | undefined): Consumption | null {
  if (!block) return null;
  const { epochs, durationS, energyKwh, co2eqG, equivalents } = block;
  return { epochs, durationS, energyKwh, co2eqG, equivalents };
}

function sameLines(lines: readonly string[], a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (lines[a + k] !== lines[b + k]) return false;
  return true;
}

/** Lines a record may print before its block's title ("<time> - CarbonTracker: "). */
const MAX_RECORD_PREFIX = 2;

/**
 * The blocks less those printed again right after themselves, line for line: one record written
 * by several handlers (before carbontracker #73 each CarbonTracker of a process added its console
 * and file handlers to the same loggers, so each later tracker's records come out once per
 * handler); and how many were left out.
 */
export function withoutRepeats(
  lines: readonly string[],
  blocks: readonly FoundBlock[],
): { blocks: FoundBlock[]; repeats: number } {
  const kept: FoundBlock[] = [];
  let repeats = 0;
  blocks.forEach((block, i) => {
    const before = blocks[i - 1];
    const gap = before ? block.line - before.end : -1;
    const repeat =
      before !== undefined &&
      gap >= 0 &&
      gap <= MAX_RECORD_PREFIX &&
      before.line >= gap &&
      block.end - block.line === before.end - before.line &&
      sameLines(lines, before.line, block.line, block.end - block.line) &&
      sameLines(lines, before.line - gap, before.end, gap);
    if (repeat) repeats++;
    else kept.push(block);
  });
  return { blocks: kept, repeats };
}
