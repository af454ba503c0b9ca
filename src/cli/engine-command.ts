// `carbontracker engine`: the internal command the Python bindings run. Without arguments it is a
// tracker session driven over stdin/stdout (see engine-session.ts); `engine parse DIR` prints our
// parser's results for a log folder in the original's shapes, as one JSON document, and `engine
// components DIR [STANDARD_LOG]` one run's components (the most recent without a file), `engine
// consumption` the first actual and predicted blocks of the output log text on stdin. Not listed
// in --help: users call the Python API, not this.
import { CarbonTrackerError } from "../errors/index.js";
import { parseAllLogs, parseLogs, type ParseIssue } from "../logs/parser/index.js";
import { consumptionOf, scanConsumptionBlocks } from "../logs/parser/consumption-blocks.js";
import { splitLines } from "../logs/parser/text-lines.js";
import { totalConsumption } from "../logs/parser/totals.js";
import { originalComponents, originalConsumptionPair, pythonParseDocument } from "../reports/python-shape.js";

/** Where the engine writes. */
export interface EngineIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE =
  "usage: carbontracker engine [parse LOG_DIR | components LOG_DIR [STANDARD_LOG] | consumption < OUTPUT_LOG] (internal: the Python bindings run it)\n";

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

/** The original's `get_consumption(output_log_data)`: its first actual and predicted blocks. */
async function consumptionCommand(input: NodeJS.ReadableStream, io: EngineIo): Promise<number> {
  let text = "";
  input.setEncoding("utf8");
  for await (const chunk of input) text += chunk as string;
  const { blocks } = scanConsumptionBlocks(splitLines(text));
  const actual = consumptionOf(blocks.find((b) => b.kind === "actual"));
  const pred = consumptionOf(blocks.find((b) => b.kind === "predicted"));
  io.stdout(`${JSON.stringify(originalConsumptionPair(actual, pred))}\n`);
  return 0;
}

/** Runs `carbontracker engine ...` and returns its exit code. */
export async function runEngineCommand(argv: string[], io: EngineIo): Promise<number> {
  if (argv[0] === "parse" || argv[0] === "components") return parseCommand(argv[0], argv.slice(1), io);
  if (argv[0] === "consumption" && argv.length === 1) return consumptionCommand(process.stdin, io);
  if (argv.length > 0) {
    io.stderr(USAGE);
    return 2;
  }
  const { runEngineSession } = await import("./engine-session.js");
  return runEngineSession(process.stdin, io);
}
