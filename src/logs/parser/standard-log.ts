// Reads the original's standard log (`..._carbontracker.log`): version, PUE, devices, and per
// epoch its duration and each component's average power. Power values come as `None`, bare
// floats (2.x), `[x]`, `[x y]` or `[x, y]` (1.x, numpy arrays possibly wrapped over lines), or
// as every sample of the epoch (1.0, which also wrote "Epoch N ended." and the epoch's duration
// once per component). Powers are kept per component, so one component's `None` never lands in
// another's list.
import { parseComponentsLine } from "./devices.js";
import { meanOfSamples } from "./power-samples.js";
import { NUMBER, lineTimestamp, parseDuration, parseNumber, stripTimestamp } from "./text-lines.js";

/** The measurements and facts of one standard log. */
export interface StandardLog {
  version: string | null;
  pue: number | null;
  devices: Record<string, string[]>;
  /** Epoch durations (s) in log order. */
  durations: number[];
  /** Power values per component, one entry per epoch in log order; null = `None`. */
  powers: Record<string, (number | null)[][]>;
  /** "Epoch N:" lines seen. */
  epochHeaders: number;
  /** The N of each "Epoch N:" line in log order (a line repeated back to back once). */
  epochNumbers: number[];
  earlyStop: boolean;
  /** Local time of the first time-stamped line, ISO without zone. */
  firstTimestamp: string | null;
  /** Lines logged twice in a row (a logger attached twice) that were read once. */
  duplicateLines: number;
  /** "line N: ..." for lines that look like measurements but could not be read. */
  problems: string[];
}

const VERSION = /carbontracker version (\S+)/;
const PUE = new RegExp(`PUE coefficient of (${NUMBER})`, "i");
const EPOCH = /\bEpoch (\d+):\s*$/;
/** 1.0's epoch line, written at epoch_end; "Epoch N started." is not one. */
const EPOCH_ENDED = /\bEpoch (\d+) ended\.\s*$/;
const DURATION = /\bDuration:\s*(.*)$/;
const POWER = /Average power usage \(W\) for (.+?):\s*(.*)$/;
const SAMPLES = /\bPower usages \(W\) for (.+?):\s*(.*)$/;
const EARLY_STOP = /Training was interrupted/i;
const STARTS_WITH_TIMESTAMP = /^\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/;
/** Lines a wrapped numpy array may span. */
const MAX_ARRAY_LINES = 50;

function readPowerValue(text: string): (number | null)[] | null {
  const value = text.trim();
  if (/^None$/i.test(value)) return [null];
  const single = parseNumber(value);
  if (single !== null) return [Number.isNaN(single) ? null : single];
  const inner = /^\[(.*)\]$/s.exec(value);
  if (!inner) return null;
  const tokens = (inner[1] as string).split(/[\s,]+/).filter((t) => t !== "");
  const values: (number | null)[] = [];
  for (const token of tokens) {
    if (/^None$/i.test(token)) values.push(null);
    else {
      const n = parseNumber(token);
      if (n === null) return null;
      values.push(Number.isNaN(n) ? null : n);
    }
  }
  return values.length > 0 ? values : null;
}

/** Parses the lines of a standard log; never throws. */
export function parseStandardLog(lines: readonly string[]): StandardLog {
  const log: StandardLog = {
    version: null,
    pue: null,
    devices: {},
    durations: [],
    powers: {},
    epochHeaders: 0,
    epochNumbers: [],
    earlyStop: false,
    firstTimestamp: null,
    duplicateLines: 0,
    problems: [],
  };
  let previous: string | undefined;
  let devicesSeen = false;
  // 1.0 writes an epoch's duration before each component's samples: the first one counts.
  let durationOfEpoch: "none" | "wanted" | "read" = "none";
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (log.firstTimestamp === null) log.firstTimestamp = lineTimestamp(raw);
    const line = stripTimestamp(raw);
    const repeated = raw === previous && raw.trim() !== "";
    previous = raw;
    let m: RegExpExecArray | null;
    if ((m = EPOCH.exec(line) ?? EPOCH_ENDED.exec(line))) {
      if (m[0].includes("ended")) durationOfEpoch = "wanted";
      if (repeated) log.duplicateLines++;
      else {
        log.epochHeaders++;
        log.epochNumbers.push(Number(m[1]));
      }
    } else if ((m = DURATION.exec(line))) {
      if (repeated) {
        log.duplicateLines++;
        continue;
      }
      if (durationOfEpoch === "read") continue;
      if (durationOfEpoch === "wanted") durationOfEpoch = "read";
      const seconds = parseDuration(m[1] as string);
      if (seconds === null) log.problems.push(`line ${i + 1}: unreadable epoch duration "${m[1]}"`);
      else log.durations.push(seconds);
    } else if ((m = POWER.exec(line))) {
      if (repeated) {
        log.duplicateLines++;
        continue;
      }
      let text = m[2] as string;
      // A numpy array wrapped over several lines: read on until its closing bracket.
      if (text.trim().startsWith("[") && !text.includes("]")) {
        for (let k = 1; k <= MAX_ARRAY_LINES && i + k < lines.length; k++) {
          const next = lines[i + k] as string;
          if (STARTS_WITH_TIMESTAMP.test(next)) break;
          text += ` ${next}`;
          if (next.includes("]")) {
            i += k;
            break;
          }
        }
      }
      const values = readPowerValue(text);
      const component = (m[1] as string).trim().toLowerCase();
      if (values === null) {
        log.problems.push(`line ${i + 1}: unreadable power value for ${component}: "${text.trim()}"`);
        continue;
      }
      (log.powers[component] ??= []).push(values);
    } else if ((m = SAMPLES.exec(line))) {
      const values = meanOfSamples(m[2] as string);
      const component = (m[1] as string).trim().toLowerCase();
      if (values === null) {
        log.problems.push(`line ${i + 1}: unreadable power samples for ${component}`);
        continue;
      }
      (log.powers[component] ??= []).push(values);
    } else if (!devicesSeen && line.includes("The following components were found:")) {
      const devices = parseComponentsLine(line);
      if (devices) {
        log.devices = devices;
        devicesSeen = true;
      }
    } else if (EARLY_STOP.test(line)) {
      log.earlyStop = true;
    } else if (log.version === null && (m = VERSION.exec(line))) {
      log.version = m[1] as string;
    } else if (log.pue === null && (m = PUE.exec(line))) {
      const pue = parseNumber(m[1] as string);
      log.pue = pue !== null && Number.isFinite(pue) && pue > 0 ? pue : null;
    }
  }
  return log;
}

/**
 * True when an epoch number is not above the one before it: one tracker numbers its epochs 1, 2,
 * 3..., so two trackers were logging into the file at once (trackers of one process shared a
 * logger before carbontracker #73).
 */
export function epochsGoBack(numbers: readonly number[]): boolean {
  return numbers.some((n, i) => i > 0 && n <= (numbers[i - 1] as number));
}
