// A run's page: its figures, the report's four charts, where every figure comes from, its notes,
// links to its HTML and PDF report and its log files; the live figures while it is going.
import { basename } from "node:path";
import type { ReportModel } from "../../reports/run-report/report-model.js";
import { CHARTS, chartSvg } from "../charts.js";
import { duration, escapeHtml, figure, intensity, startTime, type Frame, page } from "../html.js";
import type { IndexedRun } from "../run-index.js";
import { commandText } from "../run-query.js";
import { liveCard, statusBadge } from "../run-views.js";

function facts(entry: IndexedRun): string {
  const r = entry.record;
  const rows: [string, string, string, number | null][] = [
    ["start", "Start", startTime(r.start), null],
    [
      "command",
      "Command or script",
      commandText(entry) || "not logged (the original's logs do not say)",
      null,
    ],
    ["host", "Host", r.host ?? "\u2014", null],
    ["job", "SLURM job", r.slurm_job ?? "\u2014", null],
    ["user", "User", r.user ?? "\u2014", null],
    ["epochs", "Epochs counted", r.epochs === null ? "\u2014" : String(r.epochs), r.epochs],
    ["duration", "Duration", duration(r.duration_s), r.duration_s],
    ["energy", "Energy (kWh, incl. PUE)", figure(r.energy_kwh), r.energy_kwh],
    ["co2eq", "CO2eq (g)", figure(r.co2eq_g), r.co2eq_g],
    ["intensity", "Carbon intensity (gCO2eq/kWh)", intensity(r.intensity_g_per_kwh), r.intensity_g_per_kwh],
    ["pue", "PUE", r.pue === null ? "\u2014" : String(r.pue), r.pue],
    ["version", "Written by", `carbontracker ${r.version ?? "(version not logged)"} (${r.source})`, null],
  ];
  return `<table class="facts" id="facts">${rows
    .map(
      ([col, label, text, raw]) =>
        `<tr><th>${label}</th><td data-col="${col}"${raw === null || !Number.isFinite(raw) ? "" : ` data-value="${raw}"`}>${escapeHtml(text)}</td></tr>`,
    )
    .join("")}</table>`;
}

function provenance(entry: IndexedRun, model: ReportModel | null): string {
  const r = entry.record;
  // The report's provenance where its model could be built; the --parse record's otherwise.
  const rows: [string, string][] = model
    ? model.provenance.map((p): [string, string] => [p.figure, p.how])
    : [
        ["counted total", `${r.counted}: ${r.counted_reason}`],
        ...Object.entries(r.provenance).map(([c, p]): [string, string] => [`${c} energy`, p]),
        ["carbon intensity", r.intensity_source ?? "not stated in the log"],
      ];
  const location = r.intensity_location === null ? [] : [["intensity location", r.intensity_location]];
  rows.push(...(location as [string, string][]));
  return `<table class="provenance" id="provenance"><tr><th>Figure</th><th>Where it comes from</th></tr>${rows
    .map(([f, how]) => `<tr><td>${escapeHtml(f)}</td><td>${escapeHtml(how)}</td></tr>`)
    .join("")}</table>`;
}

/** The page of one run; `model` is the report's view of it, or why there is none. */
export function runPage(
  frame: Omit<Frame, "title" | "section">,
  entry: IndexedRun,
  model: ReportModel | { error: string },
): string {
  const report = "error" in model ? null : model;
  const charts = report
    ? (Object.keys(CHARTS) as (keyof typeof CHARTS)[])
        .map((id) => `<figure>${chartSvg(id, report)}</figure>`)
        .join("\n")
    : `<p class="damaged" id="report-error">No charts: ${escapeHtml((model as { error: string }).error)}</p>`;
  const notes = [...new Set([...(report?.notes ?? entry.run.warnings)])];
  const files = Object.entries(entry.run.files)
    .filter(([kind]) => kind !== "capture")
    .map(
      ([kind, path]) =>
        `<li><a href="/files/${entry.dirIndex}/${encodeURIComponent(basename(path))}">${escapeHtml(basename(path))}</a> (${kind})</li>`,
    )
    .join("");
  const reports =
    report === null
      ? ""
      : `<p class="reports"><a href="/runs/${entry.key}/report.html" id="report-html">HTML report</a> · <a href="/runs/${entry.key}/report.pdf" id="report-pdf">PDF report</a></p>`;
  const body = `<h1>Run <code>${escapeHtml(entry.run.runId)}</code> ${statusBadge(entry)}</h1>
${reports}
${entry.status === "running" ? `<section id="live-cards">${liveCard(entry)}</section>` : ""}
<div class="columns"><section><h2>Figures</h2>${facts(entry)}</section>
<section><h2>Log files</h2><ul class="files">${files || "<li>console capture: no log files</li>"}</ul></section></div>
<h2>Charts</h2>
<div class="charts" id="charts">${charts}</div>
<h2>Where each figure comes from</h2>
${provenance(entry, report)}
<h2>Notes</h2>
${notes.length ? `<ul class="run-notes" id="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>` : '<p id="notes">None: the parser found nothing to remark.</p>'}`;
  return page({ ...frame, title: `Run ${entry.run.runId}`, section: "run", live: true }, body);
}
