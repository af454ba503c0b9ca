// `carbontracker --parse PATH...`: the original's aggregate sentence, or one record per run as
// JSON or CSV, or a statement for papers. Problems go to stderr, each naming its file, and the
// rest is still aggregated. Exit codes: 0 runs found, 1 nothing found, 2 bad input.
import { aggregateSentence } from "../logs/parser/aggregate-sentence.js";
import { readLogs } from "../logs/parser/read-logs.js";
import { totalConsumption } from "../logs/parser/totals.js";
import { formatGroups, groupRecord, groupsSentence, groupsToCsv } from "./group-format.js";
import { groupTotals, runIdentity, type GroupBy } from "./group-totals.js";
import { runRecord, runsToCsv, runsToJson } from "./run-table.js";
import { formatStatement } from "./statement.js";

/** What `--parse` was asked for. */
export interface ParseCommandOptions {
  /** Log folders (read one level deep), log files, console captures or notebooks. */
  paths: string[];
  json?: boolean;
  csv?: boolean;
  statement?: boolean;
  by?: GroupBy;
}

/** Where `--parse` writes. */
export interface ParseCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Issues shown before the rest are summarised. */
const MAX_ISSUES_SHOWN = 100;
const GROUPINGS: readonly string[] = ["job", "node", "user"];

/** Runs `--parse` and returns its exit code (0 ok, 1 nothing found, 2 bad input). */
export async function runParseCommand(options: ParseCommandOptions, io: ParseCommandIo): Promise<number> {
  const formats = [
    options.json && "--json",
    options.csv && "--csv",
    options.statement && "--statement",
  ].filter(Boolean);
  if (formats.length > 1) {
    io.stderr(`carbontracker: choose one of ${formats.join(", ")} for --parse.\n`);
    return 2;
  }
  if (options.by !== undefined && !GROUPINGS.includes(options.by)) {
    io.stderr(`carbontracker: --by takes job, node or user, got \`${String(options.by)}\`.\n`);
    return 2;
  }
  if (options.paths.length === 0) {
    io.stderr("carbontracker: --parse needs a log folder or file, e.g. `carbontracker --parse ./logs`.\n");
    return 2;
  }

  const { runs, agentJobs, issues } = await readLogs(options.paths, { owners: options.by === "user" });
  issues.slice(0, MAX_ISSUES_SHOWN).forEach((i) => io.stderr(`carbontracker: ${i.file}: ${i.message}\n`));
  if (issues.length > MAX_ISSUES_SHOWN) {
    io.stderr(
      `carbontracker: ... and ${issues.length - MAX_ISSUES_SHOWN} more notes (use --json to see each run's).\n`,
    );
  }
  const badInput = issues.some((i) => i.severity === "error");
  if (runs.length === 0 && (agentJobs.length === 0 || !options.by)) {
    io.stderr(
      `carbontracker: no carbontracker run found in ${options.paths.join(", ")}. Name a log folder (--log_dir of the runs) or a file holding carbontracker output.\n`,
    );
    return badInput ? 2 : 1;
  }

  const by = options.by;
  if (!by) {
    if (options.json) io.stdout(runsToJson(runs));
    else if (options.csv) io.stdout(runsToCsv(runs));
    else
      io.stdout(options.statement ? formatStatement(runs) : `${aggregateSentence(totalConsumption(runs))}\n`);
    return badInput ? 2 : 0;
  }
  const groups = groupTotals(runs, agentJobs, by);
  if (options.json) {
    const key = (run: (typeof runs)[number]) => runIdentity(run)[by];
    const perRun = runs.map((run) => runRecord(run, key(run)));
    io.stdout(
      `${JSON.stringify({ groups: groups.map((g) => groupRecord(g, by)), runs: perRun }, null, 2)}\n`,
    );
  } else if (options.csv) io.stdout(groupsToCsv(groups, by));
  else {
    io.stdout(`${formatGroups(groups, by).join("\n")}\n\n`);
    io.stdout(options.statement ? formatStatement(runs) : `${groupsSentence(groups)}\n`);
  }
  return badInput ? 2 : 0;
}
