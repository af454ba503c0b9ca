// The Totals page: energy and CO2eq by SLURM job, node or user, the very groups, sums and lines of
// `carbontracker --parse DIR --by job|node|user`, and its sentence for papers, ready to copy.
import type { GroupBy } from "../../reports/group-totals.js";
import { escapeHtml, figure, numberCell, type Frame, page } from "../html.js";
import { GROUPINGS, type Totals } from "../totals.js";

/** The Totals page, grouped by `by`. */
export function totalsPage(frame: Omit<Frame, "title" | "section">, totals: Totals, by: GroupBy): string {
  const tabs = GROUPINGS.map(
    (g) => `<a href="/totals?by=${g}"${g === by ? ' aria-current="true"' : ""}>by ${g}</a>`,
  ).join(" ");
  const rows = totals.groups
    .map(
      (g) =>
        `<tr data-group="${escapeHtml(g.key)}"><td data-col="group">${escapeHtml(g.key)}</td>${numberCell("runs", g.runs, String(g.runs))}${numberCell("energy", g.energyKwh, figure(g.energyKwh))}${numberCell("co2eq-kg", g.co2eqG / 1000, figure(g.co2eqG / 1000))}<td data-col="left-out">${g.duplicates.length ? `${g.duplicates.length} measured twice, left out` : ""}</td></tr>`,
    )
    .join("\n");
  const command = `carbontracker --parse ${frame.dirs.join(" ")} --by ${by}`;
  const body = `<h1>Totals</h1>
<p class="tabs">${tabs}</p>
<p>The groups and sums of <code>${escapeHtml(command)}</code>: each run counts its actual consumption, its prediction or its logged epochs; a device measured twice over the same time (two ranks, a node agent) counts once.</p>
<table id="totals"><thead><tr><th>${by}</th><th>Runs</th><th>kWh</th><th>kg CO2eq</th><th></th></tr></thead>
<tbody>
${rows}
</tbody></table>
<details><summary>As the command prints it</summary><pre id="totals-lines">${escapeHtml(totals.lines.join("\n"))}</pre></details>
<h2>For your paper</h2>
<blockquote id="sentence">${escapeHtml(totals.sentence)}</blockquote>
<p><button type="button" data-copy="sentence" id="copy-sentence">Copy the sentence</button> <span id="copy-done" role="status"></span></p>`;
  return page({ ...frame, title: `Totals by ${by}`, section: "totals" }, body);
}
