// `carbontracker engine`: the internal command the Python bindings run. Without arguments it is a
// tracker session driven over stdin/stdout (see engine-session.ts); `engine parse DIR` prints our
// parser's results for a log folder in the original's shapes, as one JSON document, and `engine
// components DIR [STANDARD_LOG]` one run's components (the most recent without a file); `engine
// consumption|standard|time|equivalents` read a text on stdin (engine-text.ts). Not listed in
// --help: users call the Python API, not this.
import { CarbonTrackerError } from "../errors/index.js";
import { parseAllLogs, parseLogs, type ParseIssue } from "../logs/parser/index.js";
import { totalConsumption } from "../logs/parser/totals.js";
import { originalComponents, pythonParseDocument } from "../reports/python-shape.js";
import { isTextCommand, runTextCommand } from "./engine-text.js";

/** Where the engine writes. */
export interface EngineIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE =
  "usage: carbontracker engine [parse LOG_DIR | components LOG_DIR [STANDARD_LOG] | consumption|standard|time|equivalents < TEXT] (internal: the Python bindings run it)\n";

async function parseCommand(what: string, args: string[], io: EngineIo): Promise<number> {
  const [logDir, std] = args;
  if (logDir === undefined || args.length > (what === "components" ? 2 : 1)) {
    io.stderr(USAGE);
    return 2;
  }
  const onIssue = (issue: ParseIssue) => io.stderr(`carbontracker: ${issue.file}: ${issue.message}\n`);
  try {
    if (what === "components") {
      const components = await parseLogs(logDir, std, { onIssue });
      io.stdout(`${JSON.stringify({ parse_logs: originalComponents(components) })}\n`);
    } else {
      const runs = await parseAllLogs(logDir, { onIssue });
      io.stdout(`${JSON.stringify(pythonParseDocument(runs, totalConsumption(runs)))}\n`);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof CarbonTrackerError)) throw error;
    io.stdout(`${JSON.stringify({ error: error.message })}\n`);
    return 1;
  }
}

/** Runs `carbontracker engine ...` and returns its exit code. */
export async function runEngineCommand(argv: string[], io: EngineIo): Promise<number> {
  if (argv[0] === "parse" || argv[0] === "components") return parseCommand(argv[0], argv.slice(1), io);
  if (isTextCommand(argv[0]) && argv.length === 1) return runTextCommand(argv[0], process.stdin, io.stdout);
  if (argv.length > 0) {
    io.stderr(USAGE);
    return 2;
  }
  const { runEngineSession } = await import("./engine-session.js");
  return runEngineSession(process.stdin, io);
}
