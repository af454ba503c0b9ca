// The Runs page: every run of the log folders in a table that sorts on any column and filters
// by job, user, host, status and date, a page of 100 rows at a time; files that gave no run are
// listed under it with what the parser said.
import type { ParseIssue } from "../../logs/parser/types.js";
import { escapeHtml, type Frame, page } from "../html.js";
import type { IndexedRun } from "../run-index.js";
import { filterChoices, NONE, PAGE_SIZE, selectRuns, type RunQuery, type SortKey } from "../run-query.js";
import { runRow } from "../run-views.js";

const COLUMNS: [SortKey, string][] = [
  ["start", "Start"],
  ["command", "Command or script"],
  ["host", "Host"],
  ["job", "Job"],
  ["user", "User"],
  ["epochs", "Epochs"],
  ["duration", "Duration"],
  ["energy", "kWh"],
  ["co2eq", "g CO2eq"],
  ["intensity", "g/kWh"],
  ["status", "Status"],
];

/** Problems listed before the rest are counted. */
const MAX_PROBLEMS = 200;

function link(query: RunQuery, change: Partial<RunQuery>): string {
  const q = { ...query, ...change };
  const params = new URLSearchParams();
  params.set("sort", q.sort);
  params.set("dir", q.descending ? "desc" : "asc");
  for (const name of ["job", "user", "host", "status", "from", "to"] as const) {
    const value = q[name];
    if (value !== undefined) params.set(name, value);
  }
  if (q.page > 0) params.set("page", String(q.page));
  return `/?${escapeHtml(params.toString())}`;
}

function select(name: string, label: string, values: readonly string[], chosen: string | undefined): string {
  const options = [
    `<option value="">all</option>`,
    `<option value="${NONE}"${chosen === NONE ? " selected" : ""}>none</option>`,
  ]
    .concat(
      values.map(
        (v) => `<option value="${escapeHtml(v)}"${v === chosen ? " selected" : ""}>${escapeHtml(v)}</option>`,
      ),
    )
    .join("");
  return `<label>${label} <select name="${name}" id="filter-${name}">${options}</select></label>`;
}

function filters(entries: readonly IndexedRun[], query: RunQuery): string {
  const choices = filterChoices(entries);
  const statuses = ["running", "finished", "interrupted", "unknown"];
  const date = (name: "from" | "to", label: string) =>
    `<label>${label} <input type="date" name="${name}" id="filter-${name}" value="${query[name] ?? ""}"></label>`;
  return `<form class="filters" method="get" action="/" id="filters">
<input type="hidden" name="sort" value="${query.sort}"><input type="hidden" name="dir" value="${query.descending ? "desc" : "asc"}">
${select("job", "Job", choices.job, query.job)}
${select("user", "User", choices.user, query.user)}
${select("host", "Host", choices.host, query.host)}
<label>Status <select name="status" id="filter-status"><option value="">all</option>${statuses.map((s) => `<option${s === query.status ? " selected" : ""}>${s}</option>`).join("")}</select></label>
${date("from", "From")}
${date("to", "To")}
<button type="submit">Filter</button> <a href="/">Clear</a>
</form>`;
}

function problemsSection(problems: readonly ParseIssue[]): string {
  if (problems.length === 0) return "";
  const items = problems
    .slice(0, MAX_PROBLEMS)
    .map((p) => `<li><code>${escapeHtml(p.file)}</code>: ${escapeHtml(p.message)}</li>`)
    .join("\n");
  const more = problems.length > MAX_PROBLEMS ? `<p>and ${problems.length - MAX_PROBLEMS} more.</p>` : "";
  return `<section class="problems" id="problems"><h2>Files that gave no run (${problems.length})</h2>
<p>These files are damaged or not carbontracker logs; the runs above are counted without them, as <code>carbontracker --parse</code> does.</p>
<ul>${items}</ul>${more}</section>`;
}

/** The Runs page for a query. */
export function runsPage(
  frame: Omit<Frame, "title" | "section">,
  entries: readonly IndexedRun[],
  problems: readonly ParseIssue[],
  query: RunQuery,
): string {
  const { rows, matched, pages } = selectRuns(entries, query);
  const page0 = Math.min(query.page, pages - 1);
  const head = COLUMNS.map(([key, label]) => {
    const active = query.sort === key;
    const arrow = active ? (query.descending ? " \u25bc" : " \u25b2") : "";
    const sort = active ? (query.descending ? "descending" : "ascending") : "none";
    return `<th aria-sort="${sort}" data-sort="${key}"><a href="${link(query, { sort: key, descending: active ? !query.descending : key === "start", page: 0 })}">${label}${arrow}</a></th>`;
  }).join("");
  const first = matched === 0 ? 0 : page0 * PAGE_SIZE + 1;
  const last = Math.min(matched, (page0 + 1) * PAGE_SIZE);
  const pager =
    pages > 1
      ? `<nav class="pager">${page0 > 0 ? `<a href="${link(query, { page: page0 - 1 })}" rel="prev">\u2190 previous</a>` : ""} page ${page0 + 1} of ${pages} ${page0 + 1 < pages ? `<a href="${link(query, { page: page0 + 1 })}" rel="next">next \u2192</a>` : ""}</nav>`
      : "";
  const body = `<h1>Runs</h1>
${filters(entries, query)}
<p class="summary" id="summary">Showing <span id="shown-range">${first}\u2013${last}</span> of <span id="matched">${matched}</span> run(s) matching (<span id="total">${entries.length}</span> in all).</p>
<p class="notice" id="new-runs" hidden>New runs arrived: <a href="">reload</a>.</p>
<div class="table-wrap"><table id="runs"><thead><tr>${head}</tr></thead>
<tbody>
${rows.map(runRow).join("\n")}
</tbody></table></div>
${pager}
${problemsSection(problems)}`;
  return page({ ...frame, title: "Runs", section: "runs", live: true }, body);
}
