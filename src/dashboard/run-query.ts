// The runs table's view of the index: filters (job, user, host, status, dates), a sort on any
// column and one page of rows, all from the query string so every view has its own link.
import type { IndexedRun } from "./run-index.js";

/** Columns the table sorts by. */
const SORT_KEYS = [
  "start",
  "command",
  "host",
  "job",
  "user",
  "epochs",
  "duration",
  "energy",
  "co2eq",
  "intensity",
  "status",
] as const;

/** A column the table sorts by. */
export type SortKey = (typeof SORT_KEYS)[number];

/** The filter value that picks runs without a job, user or host. */
export const NONE = "~none";

/** Rows per page. */
export const PAGE_SIZE = 100;

/** What the table shows. */
export interface RunQuery {
  sort: SortKey;
  descending: boolean;
  job?: string;
  user?: string;
  host?: string;
  status?: string;
  /** Inclusive dates `YYYY-MM-DD` of the run's start as its log writes it. */
  from?: string;
  to?: string;
  /** 0-based page. */
  page: number;
}

/** The command a run wrapped (or its script), as one line; empty when its log does not say. */
export function commandText(entry: IndexedRun): string {
  return (entry.run.command ?? []).map((a) => (/[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(" ");
}

/** The value a run has in a column. */
function columnValue(entry: IndexedRun, key: SortKey): string | number | null {
  const r = entry.record;
  switch (key) {
    case "start":
      return r.start;
    case "command":
      return commandText(entry) || null;
    case "host":
      return r.host;
    case "job":
      return r.slurm_job;
    case "user":
      return r.user;
    case "epochs":
      return r.epochs;
    case "duration":
      return r.duration_s;
    case "energy":
      return r.energy_kwh;
    case "co2eq":
      return r.co2eq_g;
    case "intensity":
      return r.intensity_g_per_kwh;
    case "status":
      return entry.status;
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The query a URL's search parameters ask for; unknown values fall back to the defaults. */
export function parseRunQuery(params: URLSearchParams): RunQuery {
  const sort = params.get("sort") as SortKey | null;
  const text = (name: string) => {
    const value = params.get(name);
    return value === null || value === "" ? undefined : value;
  };
  const date = (name: string) => {
    const value = text(name);
    return value !== undefined && DATE.test(value) ? value : undefined;
  };
  const page = Number(params.get("page") ?? "0");
  return {
    sort: sort !== null && SORT_KEYS.includes(sort) ? sort : "start",
    descending: (params.get("dir") ?? (sort === null ? "desc" : "asc")) === "desc",
    job: text("job"),
    user: text("user"),
    host: text("host"),
    status: text("status"),
    from: date("from"),
    to: date("to"),
    page: Number.isInteger(page) && page >= 0 ? page : 0,
  };
}

function matches(value: string | null, wanted: string | undefined): boolean {
  if (wanted === undefined) return true;
  return wanted === NONE ? value === null : value === wanted;
}

/** Runs the filters keep, sorted (runs without a value last), and the page asked for. */
export function selectRuns(
  entries: readonly IndexedRun[],
  query: RunQuery,
): { rows: IndexedRun[]; matched: number; pages: number } {
  const kept = entries.filter((entry) => {
    const r = entry.record;
    const day = r.start?.slice(0, 10) ?? null;
    return (
      matches(r.slurm_job, query.job) &&
      matches(r.user, query.user) &&
      matches(r.host, query.host) &&
      (query.status === undefined || entry.status === query.status) &&
      (query.from === undefined || (day !== null && day >= query.from)) &&
      (query.to === undefined || (day !== null && day <= query.to))
    );
  });
  const sign = query.descending ? -1 : 1;
  const sorted = kept
    .map((entry) => ({ entry, value: columnValue(entry, query.sort) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) return a.value === b.value ? 0 : a.value === null ? 1 : -1;
      if (a.value < b.value) return -sign;
      if (a.value > b.value) return sign;
      return 0;
    });
  const pages = Math.max(1, Math.ceil(sorted.length / PAGE_SIZE));
  const page = Math.min(query.page, pages - 1);
  return {
    rows: sorted.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map((s) => s.entry),
    matched: sorted.length,
    pages,
  };
}

/** The distinct values of job, user and host across the runs, for the filter menus. */
export function filterChoices(entries: readonly IndexedRun[]): Record<"job" | "user" | "host", string[]> {
  const sets = { job: new Set<string>(), user: new Set<string>(), host: new Set<string>() };
  for (const { record: r } of entries) {
    if (r.slurm_job !== null) sets.job.add(r.slurm_job);
    if (r.user !== null) sets.user.add(r.user);
    if (r.host !== null) sets.host.add(r.host);
  }
  const naturally = new Intl.Collator("en", { numeric: true });
  return {
    job: [...sets.job].sort(naturally.compare),
    user: [...sets.user].sort(naturally.compare),
    host: [...sets.host].sort(naturally.compare),
  };
}
