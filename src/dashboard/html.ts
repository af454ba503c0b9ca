// The dashboard's HTML: escaping, the page frame (navigation, the bundled stylesheet and script,
// nothing from outside) and how figures are written. Formatting only: every figure is the
// parser's; energies and CO2eq as `--parse --by` writes them.
import { formatDuration } from "../units/index.js";
import { formatFigure } from "../reports/group-format.js";
import { VERSION } from "../version.js";

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A figure as the tables write it (3 significant digits, at least 3 decimals), or a dash. */
export function figure(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "\u2014" : formatFigure(value);
}

/** Seconds as h:mm:ss, or a dash. */
export function duration(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? "\u2014" : formatDuration(seconds);
}

/** Carbon intensity with one decimal, or a dash. */
export function intensity(gPerKwh: number | null | undefined): string {
  return gPerKwh === null || gPerKwh === undefined || !Number.isFinite(gPerKwh)
    ? "\u2014"
    : gPerKwh.toFixed(1);
}

/** A start time as the log writes it, readable: `2026-12-03 12:21:42 UTC` (original logs: local time). */
export function startTime(start: string | null): string {
  if (start === null) return "\u2014";
  const utc = start.endsWith("Z");
  return `${start.replace("T", " ").replace(/(\.\d+)?Z$/, "")}${utc ? " UTC" : ""}`;
}

/** A table cell holding a number: the exact value in data-value, the figure as text. */
export function numberCell(column: string, value: number | null, text: string): string {
  const raw = value === null || !Number.isFinite(value) ? "" : String(value);
  return `<td class="num" data-col="${column}" data-value="${raw}">${escapeHtml(text)}</td>`;
}

/** Which navigation entry a page belongs to. */
type Section = "runs" | "live" | "totals" | "run";

/** What every page shows around its body. */
export interface Frame {
  title: string;
  section: Section;
  /** Log folders, for the footer. */
  dirs: readonly string[];
  /** Runs going now, for the Live entry. */
  running: number;
  /** The page listens to the event stream (live figures). */
  live?: boolean;
}

/** A whole page: the bundled stylesheet and script only, no external resource. */
export function page(frame: Frame, body: string): string {
  const nav = (section: Section, href: string, label: string) =>
    `<a href="${href}"${frame.section === section ? ' aria-current="page"' : ""}>${label}</a>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(frame.title)} · carbontracker</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard.js" defer></script>
</head>
<body data-page="${frame.section}"${frame.live ? ' data-live="1"' : ""}>
<header><span class="brand">carbontracker</span><nav>${nav("runs", "/", "Runs")}${nav("live", "/live", `Live <span class="count" id="running-count">${frame.running}</span>`)}${nav("totals", "/totals", "Totals")}</nav></header>
<main>
${body}
</main>
<footer>carbontracker ${escapeHtml(VERSION)} dashboard · reading ${frame.dirs.map((d) => `<code>${escapeHtml(d)}</code>`).join(", ")} · every figure from the log parser (as <code>carbontracker --parse</code>)</footer>
</body>
</html>
`;
}
