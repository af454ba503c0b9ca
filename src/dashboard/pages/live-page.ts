// The Live page: a card per run still going, updated through the event stream within moments
// of its JSONL growing, and the runs that ended most recently.
import { escapeHtml, type Frame, page } from "../html.js";
import type { IndexedRun } from "../run-index.js";
import { liveCard } from "../run-views.js";

/** Ended runs shown under the live ones. */
const RECENT = 5;

/** The Live page. */
export function livePage(frame: Omit<Frame, "title" | "section">, entries: readonly IndexedRun[]): string {
  const running = entries.filter((e) => e.status === "running");
  const recent = entries
    .filter((e) => e.status !== "running" && e.run.source === "jsonl")
    .sort((a, b) => b.modifiedMs - a.modifiedMs)
    .slice(0, RECENT);
  const body = `<h1>Live</h1>
<p>Runs whose JSONL is still growing. Figures so far come from the run's samples (energy after PUE; CO2eq of the time since the last epoch at the run's mean intensity) and change as the log grows.</p>
<section id="live-cards" class="cards">
${running.map(liveCard).join("\n")}
</section>
<p id="no-live"${running.length ? " hidden" : ""}>No run is going. Start one, e.g. <code>carbontracker --log-dir ${escapeHtml(frame.dirs[0] ?? "./logs")} python train.py</code>: it shows here within 2 s.</p>
<h2>Ended lately</h2>
<section id="recent-cards" class="cards">${recent.map(liveCard).join("\n") || "<p>none</p>"}</section>`;
  return page({ ...frame, title: "Live", section: "live", live: true }, body);
}
