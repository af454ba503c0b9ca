// The Totals page: energy and CO2eq by SLURM job, node or user, the very groups and sums of
// `carbontracker --parse DIR --by job|node|user`, and the sentence for papers, ready to copy.
import type { GroupBy } from "../../reports/aggregate.js";
import { escapeHtml, figure, numberCell, type Frame, page } from "../html.js";
import type { IndexedRun } from "../run-index.js";
import { GROUPINGS, paperSentence, totalsBy } from "../totals.js";

/** The Totals page, grouped by `by`. */
export function totalsPage(
  frame: Omit<Frame, "title" | "section">,
  entries: readonly IndexedRun[],
  by: GroupBy,
): string {
  const runs = entries.map((e) => e.run);
  const groups = totalsBy(runs, by);
  const tabs = GROUPINGS.map(
    (g) => `<a href="/totals?by=${g}"${g === by ? ' aria-current="true"' : ""}>by ${g}</a>`,
  ).join(" ");
  const rows = groups
    .map(
      (g) =>
        `<tr data-group="${escapeHtml(g.key)}"><td data-col="group">${escapeHtml(g.key)}</td>${numberCell("runs", g.runs.length, String(g.runs.length))}${numberCell("energy", g.totals.energyKwh, figure(g.totals.energyKwh))}${numberCell("co2eq-kg", g.totals.co2eqG / 1000, figure(g.totals.co2eqG / 1000))}</tr>`,
    )
    .join("\n");
  const sentence = paperSentence(runs);
  const body = `<h1>Totals</h1>
<p class="tabs">${tabs}</p>
<p>The groups and sums of <code>carbontracker --parse ${escapeHtml(frame.dirs.join(" "))} --by ${by}</code>: each run counts its actual consumption, its prediction or its logged epochs, as the parser decides.</p>
<table id="totals"><thead><tr><th>${by}</th><th>Runs</th><th>kWh</th><th>kg CO2eq</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>For your paper</h2>
<blockquote id="sentence">${escapeHtml(sentence)}</blockquote>
<p><button type="button" data-copy="sentence" id="copy-sentence">Copy the sentence</button> <span id="copy-done" role="status"></span></p>`;
  return page({ ...frame, title: `Totals by ${by}`, section: "totals" }, body);
}
