// The small grammar every carbontracker text shares: line splitting that survives CRLF, tqdm's
// carriage returns and NUL bytes; the `YYYY-MM-DD HH:MM:SS - ` prefix; Python's numbers
// (`nan`, `1e-05`); and durations `h:mm:ss[.ff]` whose hours pass 24.

/** A number as Python prints it, `nan`/`inf` included. */
export const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)`;

const NUMBER_ONLY = new RegExp(`^\\s*(?:${NUMBER})\\s*$`, "i");
const TIMESTAMP_PREFIX = /^\s*\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[,.]\d+)?\s+-\s?/;
const TIMESTAMP = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;
const DURATION = /(?:(\d+)\s+days?,\s*)?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/;

/** Longest line the text parsers look at; longer ones (a runaway progress bar) are cut. */
const MAX_LINE_CHARS = 16_384;

/**
 * Splits text into lines; `\r\n`, lone `\r` (progress bars) and NULs are line breaks or dropped.
 * Lines are cut at `maxChars` so no pattern ever scans a runaway line.
 */
export function splitLines(text: string, maxChars = MAX_LINE_CHARS): string[] {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = clean.replaceAll("\u0000", "").split(/\r\n|\r|\n/);
  return lines.map((line) => (line.length > maxChars ? line.slice(0, maxChars) : line));
}

/** A Python float string to a number; NaN for `nan`, null for anything else unreadable. */
export function parseNumber(text: string): number | null {
  if (!NUMBER_ONLY.test(text)) return null;
  const t = text.trim().toLowerCase().replace(/^\+/, "");
  if (t === "nan" || t === "-nan") return NaN;
  if (t === "inf") return Infinity;
  if (t === "-inf") return -Infinity;
  return Number(t);
}

/** The line without its `2026-11-28 12:51:47 - ` prefix (if any). */
export function stripTimestamp(line: string): string {
  return line.replace(TIMESTAMP_PREFIX, "");
}

/** `2026-11-28 12:51:47` at the start of a line as ISO local time (`2026-11-28T12:51:47`). */
export function lineTimestamp(line: string): string | null {
  const m = TIMESTAMP.exec(line);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}` : null;
}

/** Seconds in `h:mm:ss`, `h:mm:ss.ff` or `N days, h:mm:ss` anywhere in the text; null if none. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const days = m[1] ? Number(m[1]) : 0;
  return days * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}
