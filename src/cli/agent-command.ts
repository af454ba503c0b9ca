// `carbontracker agent`: measures the whole node continuously, attributes its energy to the
// running SLURM jobs, appends one record per finished job and serves Prometheus metrics. Runs
// until SIGTERM/SIGINT (a systemd unit) or --duration; returns the exit code, never exits.
import { BACKENDS } from "../hardware/registry.js";
import { hostname } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AgentMetrics } from "../cluster/agent/agent-metrics.js";
import { JobDiscovery } from "../cluster/agent/job-discovery.js";
import { serveMetrics } from "../cluster/agent/metrics-server.js";
import { NodeAgent } from "../cluster/agent/node-agent.js";
import { InvalidOptionError } from "../errors/index.js";
import { createIntensityProvider } from "../intensity/live-provider.js";
import { fileTimestamp } from "../logs/format.js";
import { parseComponents } from "../tracker/options.js";
import { joulesToKwh } from "../units/index.js";
import { releaseMappedFilePagesLater } from "./release-mapped-pages.js";

/** Where the command writes: lines for people. */
export interface AgentIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const HELP = `Usage: carbontracker agent [options]

Measure this node continuously, attribute its energy to running SLURM jobs and serve
Prometheus metrics.

Options:
  --listen <host:port>  Serve metrics at http://<host:port>/metrics (default 127.0.0.1:9464).
  --interval <s>        Attribute energy every <s> seconds (default 5).
  --log-dir <dir>       Append job records to <dir>/agent_<node>_<time>_carbontracker.jsonl (default ./logs).
  --components <list>   Measure "all", "cpu", "gpu" or "gpu,cpu" (default all).
  --pue <n>             Power usage effectiveness of the data centre (default 1.58).
  --country <cc>        ISO 3166 alpha-2 country of the node (overrides detection).
  --zone <zone>         Electricity Maps zone of the node.
  --node <name>         Node name in records and metrics (default SLURMD_NODENAME or the host name).
  --duration <s>        Stop after <s> seconds (default: run until SIGTERM or SIGINT).
  -h, --help            Show this help.

Seams: CARBONTRACKER_CGROUP_ROOT (/sys/fs/cgroup), CARBONTRACKER_PROC_ROOT (/proc),
CARBONTRACKER_SCONTROL (scontrol), and the hardware seams of the tracker.
`;

function positiveNumber(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidOptionError(option, `--${option} must be a positive number of seconds, got "${value}".`);
  return n;
}

function listenAddress(value: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new InvalidOptionError(
      "listen",
      `--listen must be host:port (e.g. 127.0.0.1:9464 or [::1]:9464), got "${value}".`,
    );
  }
  return { host: match[1] || "127.0.0.1", port };
}

/** Runs the agent until a signal or --duration; 0 on a clean stop, 2 on bad usage, 1 on failure. */
export async function runAgentCommand(
  argv: string[],
  io: AgentIo,
  env: Record<string, string | undefined>,
): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        listen: { type: "string", default: "127.0.0.1:9464" },
        interval: { type: "string" },
        "log-dir": { type: "string", default: "./logs" },
        components: { type: "string", default: "all" },
        pue: { type: "string" },
        country: { type: "string" },
        zone: { type: "string" },
        node: { type: "string" },
        duration: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`carbontracker agent: ${message.replace(/\.?\s*$/, "")}; see 'carbontracker help agent'.\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  let agent: NodeAgent;
  let intervalMs: number;
  let durationMs: number | undefined;
  let server;
  const node = values.node ?? env.SLURMD_NODENAME ?? hostname().split(".")[0]!;
  try {
    intervalMs = positiveNumber("interval", values.interval, 5) * 1000;
    durationMs =
      values.duration === undefined ? undefined : positiveNumber("duration", values.duration, 0) * 1000;
    const pue = values.pue === undefined ? 1.58 : Number(values.pue);
    if (!Number.isFinite(pue) || pue < 1)
      throw new InvalidOptionError("pue", `--pue must be at least 1, got "${values.pue}".`);
    const { host, port } = listenAddress(values.listen!);
    const metrics = new AgentMetrics(node);
    const logFile = join(
      values["log-dir"]!,
      `agent_${node}_${fileTimestamp(new Date())}_carbontracker.jsonl`,
    );
    agent = await NodeAgent.open({
      node,
      components: parseComponents(values.components!),
      context: { env, pid: process.pid, devicesByPid: false },
      backends: BACKENDS,
      procRoot: env.CARBONTRACKER_PROC_ROOT ?? "/proc",
      discovery: new JobDiscovery({
        cgroupRoot: env.CARBONTRACKER_CGROUP_ROOT ?? "/sys/fs/cgroup",
        procRoot: env.CARBONTRACKER_PROC_ROOT ?? "/proc",
        scontrol: env.CARBONTRACKER_SCONTROL ?? "scontrol",
      }),
      intensity: createIntensityProvider({ country: values.country, zone: values.zone, env, apiKeys: {} }),
      metrics,
      pue,
      logFile,
      onMessage: (text) => io.stdout(`${new Date().toISOString()} ${text}\n`),
    });
    const devices = agent.devices.map((d) => `${d.device} (${d.component}, ${d.provenance})`).join(", ");
    io.stdout(
      `CarbonTracker agent on ${node}: measuring ${devices || "no device"}; job records in ${logFile}.\n`,
    );
    try {
      server = await serveMetrics(metrics.registry, host, port);
    } catch (error) {
      await agent.close();
      throw new InvalidOptionError(
        "listen",
        `Cannot listen on ${values.listen}: ${error instanceof Error ? error.message : String(error)}. Choose another --listen address.`,
      );
    }
    io.stdout(`Metrics at ${server.url}\n`);
  } catch (error) {
    io.stderr(`carbontracker agent: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof InvalidOptionError ? 2 : 1;
  }
  const stepMs = Math.min(intervalMs, agent.readIntervalMs(intervalMs));
  releaseMappedFilePagesLater();
  await new Promise<void>((resolve) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      agent.tick().finally(() => (busy = false));
    }, stepMs);
    const stop = (): void => {
      clearInterval(timer);
      if (deadline) clearTimeout(deadline);
      process.removeListener("SIGTERM", stop);
      process.removeListener("SIGINT", stop);
      const wait = (): void => (busy ? void setTimeout(wait, 20) : resolve());
      wait();
    };
    const deadline = durationMs === undefined ? undefined : setTimeout(stop, durationMs);
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  const summary = await agent.close();
  await server.close();
  io.stdout(
    `CarbonTracker agent stopped: ${summary.energyJ.toFixed(1)} J (${joulesToKwh(summary.energyJ).toFixed(6)} kWh) measured, ${summary.unattributedJ.toFixed(1)} J not attributed to a job, ${summary.jobsFinished} job(s) finished.\n`,
  );
  return 0;
}
