// `carbontracker dashboard`: serves the web dashboard at once (loopback unless --listen says
// otherwise, with a token then) while it indexes the log folders, and runs until SIGINT or
// SIGTERM; returns the exit code, never exits.
import { stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createToken } from "../dashboard/access-token.js";
import {
  DEFAULT_LISTEN,
  hostPort,
  isLoopback,
  parseListen,
  type ListenAddress,
} from "../dashboard/listen-address.js";
import { RunIndex } from "../dashboard/run-index.js";
import { startDashboardServer, type DashboardServer } from "../dashboard/server.js";
import { InvalidOptionError } from "../errors/index.js";

/** Where the command writes: lines for people. */
export interface DashboardIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const HELP = `Usage: carbontracker dashboard [options]

Serve a web dashboard of the runs in the log folders: every run in a table that sorts and
filters, each run's charts and reports, the runs still going (live), totals by job, node and
user, and the sentence for papers. Everything is served from this package: it works offline.

Options:
  --log-dir <dir>       Read the runs logged to <dir> (repeat for more folders; default ./logs).
  --listen <host:port>  Serve at http://<host:port>/ (default ${DEFAULT_LISTEN}; port 0 picks a free
                        port). Any address but loopback needs the token printed at start, since
                        job names and users are private.
  --poll                Watch the folders by polling only (a folder on NFS written by other nodes).
  -h, --help            Show this help.

Stop it with Ctrl-C (SIGINT) or SIGTERM.
`;

const USAGE = 2;

function listenFailure(listen: ListenAddress, error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const address = hostPort(listen.host, listen.port);
  const why =
    code === "EADDRINUSE"
      ? "the address is already in use"
      : code === "EACCES"
        ? "permission denied (ports below 1024 need root)"
        : code === "EADDRNOTAVAIL"
          ? "this machine has no such address"
          : (code ?? String(error));
  return `cannot listen on ${address}: ${why}. Choose another with --listen, e.g. --listen 127.0.0.1:${listen.port === 8787 ? 8788 : 8787} (or --listen 127.0.0.1:0 for any free port).`;
}

async function checkFolders(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory()) {
      throw new InvalidOptionError(
        "log-dir",
        `--log-dir ${dir}: ${info ? "not a folder" : "no such folder"}. Name the folder your runs log to (their --log-dir; default ./logs).`,
      );
    }
  }
}

/** Serves the dashboard until a signal; 0 on a clean stop, 2 on bad usage or an address in use. */
export async function runDashboardCommand(argv: string[], io: DashboardIo): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        "log-dir": { type: "string", multiple: true },
        log_dir: { type: "string", multiple: true },
        listen: { type: "string", default: DEFAULT_LISTEN },
        poll: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(
      `carbontracker dashboard: ${message.replace(/\.?\s*$/, "")}; see 'carbontracker help dashboard'.\n`,
    );
    return USAGE;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const dirs = [...(values["log-dir"] ?? []), ...(values.log_dir ?? [])];
  if (dirs.length === 0) dirs.push("./logs");
  let listen: ListenAddress;
  try {
    listen = parseListen(values.listen as string);
    await checkFolders(dirs);
  } catch (error) {
    io.stderr(`carbontracker dashboard: ${error instanceof Error ? error.message : String(error)}\n`);
    return USAGE;
  }
  const token = isLoopback(listen.host) ? undefined : createToken();
  // The server answers at once; the index fills behind it, newest runs first, a progress line on
  // every page until every log is read.
  const index = RunIndex.start(dirs, {
    watch: values.poll ? "poll" : "fs",
    onFallback: (dir, reason) =>
      io.stderr(`carbontracker dashboard: cannot watch ${dir} (${reason}); polling it instead.\n`),
  });
  let server: DashboardServer;
  try {
    server = await startDashboardServer({
      index,
      host: listen.host,
      port: listen.port,
      token,
      onError: (error) =>
        io.stderr(
          `carbontracker dashboard: a request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        ),
    });
  } catch (error) {
    index.close();
    io.stderr(`carbontracker dashboard: ${listenFailure(listen, error)}\n`);
    return USAGE;
  }
  io.stdout(`Open ${server.openUrl}\n`);
  if (token) {
    io.stdout(
      `This address is reachable from other machines: the token above is shown only now, and every request needs it.\n`,
    );
  }
  io.stdout("Stop with Ctrl-C.\n");
  index.ready.then(
    () => {
      const { done, runs, seconds } = index.progress;
      if (done)
        io.stdout(
          `carbontracker dashboard: ${runs} run(s) in ${index.dirs.join(", ")} (read in ${seconds.toFixed(2)} s)\n`,
        );
    },
    (error: unknown) =>
      io.stderr(
        `carbontracker dashboard: reading ${index.dirs.join(", ")} failed: ${error instanceof Error ? error.message : String(error)}\n`,
      ),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  index.close();
  await server.close();
  io.stdout("carbontracker dashboard: stopped.\n");
  return 0;
}
