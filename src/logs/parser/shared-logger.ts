// Log files that several CarbonTracker objects of one process wrote into. Before per-tracker
// loggers (saintslab/carbontracker#73, 2024) every tracker took the same `logging` loggers by name
// and added its file handlers to them, never removing any: from the moment a second tracker is
// made, every line of either goes to the first tracker's files and to its own. A tracker's lines
// begin with "carbontracker version" in the standard log (1.1.0-1.1.6 and, where the prefix is the
// same, later releases too) and with "The following components were found:" in the output log
// (shared in every release before #73), so the files split into one part per tracker there; a
// later tracker's own files are then the first file's lines from its part on. Before 1.1.7 files
// were named by the time alone (1.0 the minute, 1.1 the second), so processes started together
// appended to one file pair as well: the same split reads them.
import { lineTimestamp } from "./text-lines.js";

/** Lines [from, to) of one file. */
export interface LineRange {
  from: number;
  to: number;
}

/** One tracker's part of a file pair; a part may have lines in only one of the two files. */
export interface LogPart {
  std?: LineRange;
  out?: LineRange;
}

/** Why one file pair holds several trackers' lines, in the notes that say so. */
export const SHARED_FILES_WHY =
  "the trackers of one process shared a logger before carbontracker #73, and files were named by the time alone before 1.1.7";

// After the time stamp; 1.0 put "<thread> - <level> - " before the message.
const VERSION_LINE =
  /^\s*\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}\S*\s+-\s(?:.* - )?carbontracker version \S+\s*$/;
/** A tracker's first line in the output log. */
export const FOUND = "The following components were found:";

/** How many times the line at `i` is repeated back to back (1 when it is not). */
function runLength(lines: readonly string[], i: number): number {
  let n = 1;
  while (i + n < lines.length && lines[i + n] === lines[i]) n++;
  return n;
}

/**
 * Where each tracker's lines begin. A line repeated back to back is one record written by several
 * handlers of one file: trackers made within the second that names their files write each record
 * once per such tracker. A run of equal first lines is one tracker's record unless `repeats` (how
 * many times each tracker's records are written, from the standard log) splits it: the output's
 * components lines of two such trackers are equal and may follow each other.
 */
function partStarts(
  lines: readonly string[],
  isStart: (line: string) => boolean,
  repeats?: readonly number[],
): number[] {
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!isStart(lines[i] as string)) continue;
    const run = runLength(lines, i);
    for (let left = run; left > 0;) {
      starts.push(i + run - left);
      left -= repeats ? Math.min(left, repeats[starts.length - 1] ?? 1) : left;
    }
    i += run - 1;
  }
  // Lines before the first tracker's first line (a blank line, say) are still the first part's.
  if (starts[0] !== undefined) starts[0] = 0;
  else starts.push(0);
  return starts;
}

function ranges(starts: readonly number[], length: number): LineRange[] {
  return starts.map((from, k) => ({ from, to: starts[k + 1] ?? length }));
}

/** The time stamp of a range's first stamped line (sorts as text), or "" when it has none. */
function startOf(lines: readonly string[], range: LineRange): string {
  for (let i = range.from; i < range.to; i++) {
    const stamp = lineTimestamp(lines[i] as string);
    if (stamp !== null) return stamp;
  }
  return "";
}

/**
 * Output parts to standard parts when their counts differ (the standard logger was not shared,
 * or a tracker wrote no components line to its output): each output part goes to the last
 * standard part begun by its time; a second output part in one standard part's time is another
 * tracker's, whose standard log is elsewhere, and becomes a part of its own.
 */
function pairByTime(
  std: readonly string[],
  out: readonly string[],
  stdRanges: LineRange[],
  outRanges: LineRange[],
): LogPart[] {
  const stdStarts = stdRanges.map((r) => startOf(std, r));
  const parts: { part: LogPart; at: string }[] = stdRanges.map((r, k) => ({
    part: { std: r },
    at: stdStarts[k] as string,
  }));
  // The first output part is the file's own tracker's, whatever its time says.
  (parts[0] as { part: LogPart }).part.out = outRanges[0];
  for (const range of outRanges.slice(1)) {
    const at = startOf(out, range);
    let k = 0;
    while (k + 1 < stdStarts.length && (stdStarts[k + 1] as string) <= at) k++;
    const owner = (parts[k] as { part: LogPart }).part;
    if (owner.out === undefined) owner.out = range;
    else parts.push({ part: { out: range }, at });
  }
  const [first, ...rest] = parts;
  rest.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return [first as { part: LogPart }, ...rest].map((p) => p.part);
}

/**
 * The trackers whose lines a standard and an output log hold, first the files' own; one part when
 * a single tracker wrote them. Either file may be absent.
 */
export function splitSharedLog(std?: readonly string[], out?: readonly string[]): LogPart[] {
  const stdStarts = std ? partStarts(std, (l) => VERSION_LINE.test(l)) : [];
  const stdRanges = std ? ranges(stdStarts, std.length) : [];
  // Each tracker writes its output records as many times as its version line; without a standard
  // log, equal components lines back to back are taken for one record.
  const repeats = std
    ? stdStarts.map((i) => (VERSION_LINE.test(std[i] as string) ? runLength(std, i) : 1))
    : undefined;
  const outStarts = out ? partStarts(out, (l) => l.includes(FOUND), repeats) : [];
  const outRanges = out ? ranges(outStarts, out.length) : [];
  if (!std || !out) return (std ? stdRanges : outRanges).map((r) => (std ? { std: r } : { out: r }));
  if (stdRanges.length === outRanges.length) {
    return stdRanges.map((r, k) => ({ std: r, out: outRanges[k] as LineRange }));
  }
  return pairByTime(std, out, stdRanges, outRanges);
}
