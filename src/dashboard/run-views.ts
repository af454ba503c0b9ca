// A run as a table row and as a live card: rendered once here for the pages and for the event
// stream, so a row updated in place reads exactly like a freshly loaded one.
import type { IndexedRun } from "./run-index.js";
import { commandText } from "./run-query.js";
import { duration, escapeHtml, figure, intensity, numberCell, startTime } from "./html.js";

/** The status as a badge. */
export function statusBadge(entry: IndexedRun): string {
  return `<span class="status status-${entry.status}" data-col="status">${entry.status}</span>`;
}

/** The run's notes (parser warnings) as a badge with the notes in its tooltip; empty when none. */
function notesBadge(entry: IndexedRun): string {
  const notes = entry.run.warnings;
  if (notes.length === 0) return "";
  return ` <span class="notes" title="${escapeHtml(notes.join("\n"))}">\u26a0 ${notes.length}</span>`;
}

/** One row of the runs table. */
export function runRow(entry: IndexedRun): string {
  const r = entry.record;
  const text = (column: string, value: string | null) =>
    `<td data-col="${column}">${value === null || value === "" ? "\u2014" : escapeHtml(value)}</td>`;
  return `<tr data-run="${entry.key}" data-run-id="${escapeHtml(entry.run.runId)}"><td data-col="start"><a href="/runs/${entry.key}">${escapeHtml(startTime(r.start))}</a></td>${text("command", commandText(entry))}${text("host", r.host)}${text("job", r.slurm_job)}${text("user", r.user)}${numberCell("epochs", r.epochs, r.epochs === null ? "\u2014" : String(r.epochs))}${numberCell("duration", r.duration_s, duration(r.duration_s))}${numberCell("energy", r.energy_kwh, figure(r.energy_kwh))}${numberCell("co2eq", r.co2eq_g, figure(r.co2eq_g))}${numberCell("intensity", r.intensity_g_per_kwh, intensity(r.intensity_g_per_kwh))}<td>${statusBadge(entry)}${notesBadge(entry)}</td></tr>`;
}

function field(name: string, label: string, value: string, raw: number | null = null): string {
  const data = raw === null || !Number.isFinite(raw) ? "" : ` data-value="${raw}"`;
  return `<div class="figure"><span class="label">${label}</span><span class="value" data-field="${name}"${data}>${escapeHtml(value)}</span></div>`;
}

/** The figures of a run so far: elapsed, power, energy, CO2eq, epochs and the prediction. */
export function liveCard(entry: IndexedRun): string {
  const p = entry.progress;
  const running = entry.status === "running";
  // A finished run shows its counted figures; one still going what its JSONL says so far.
  const energy = running || !p ? (p?.energyKwh ?? entry.record.energy_kwh) : entry.record.energy_kwh;
  const co2 = running && p ? p.co2eqG : entry.record.co2eq_g;
  const power = p?.devices.length
    ? p.devices
        .map((d) => `${d.device} ${d.powerW === null ? "?" : d.powerW.toFixed(1)} W (${d.provenance})`)
        .join(", ")
    : "\u2014";
  const pred = p?.prediction ?? entry.run.pred;
  const prediction = pred
    ? `${figure(pred.energyKwh)} kWh, ${figure(pred.co2eqG)} g CO2eq for ${pred.epochs ?? "?"} epoch(s) in ${duration(pred.durationS)}`
    : running
      ? "none yet (made after the first epoch(s) when --epochs is given)"
      : "none (the run made no prediction)";
  return `<article class="live-card" data-live-card="${entry.key}">
<h3><a href="/runs/${entry.key}">${escapeHtml(commandText(entry) || entry.run.runId)}</a> ${statusBadge(entry)}</h3>
<p class="sub">${escapeHtml(entry.run.host ?? "?")} · pid ${entry.run.pid ?? "?"} · started ${escapeHtml(startTime(entry.record.start))}</p>
<div class="figures">
${field("elapsed", "Elapsed", duration(p?.elapsedS ?? entry.record.duration_s), p?.elapsedS ?? null)}
${field("power", "Power", p?.powerW === null || p?.powerW === undefined ? "\u2014" : `${p.powerW.toFixed(1)} W`, p?.powerW ?? null)}
${field("energy", "Energy (kWh)", figure(energy), energy)}
${field("co2eq", "CO2eq (g)", figure(co2), co2)}
${field("epochs", "Epochs done", String(p?.epochs ?? entry.record.epochs ?? 0))}
</div>
<p class="devices" data-field="devices">${escapeHtml(power)}</p>
<p class="prediction">Prediction${running ? " so far" : ""}: <span data-field="prediction">${escapeHtml(prediction)}</span></p>
</article>`;
}
