// `carbontracker plan --duration 3h [--within 24h]`: when, in the grid's forecast window, a job
// of that length would emit least, and how much that saves against starting now.
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { bestStart } from "../intensity/forecast/best-start.js";
import { createIntensityProvider } from "../intensity/live-provider.js";
import { isOffline } from "../intensity/settings.js";
import { formatDuration } from "../units/index.js";
import { apiKeys, commanderProblem, numberIn } from "./values.js";
import { commanderParser } from "./commander-parser.js";

/** Parses `3h`, `90m`, `45s`, `1h30m` or plain hours (`2.5`) into seconds. */
export function parseDuration(raw: string): number {
  const text = raw.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 3600;
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
  if (!match || text === "")
    throw new InvalidArgumentError(`expected a duration such as 3h, 90m or 1h30m, got '${raw}'.`);
  const seconds = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  if (seconds <= 0) throw new InvalidArgumentError(`the duration must be longer than 0, got '${raw}'.`);
  return seconds;
}

interface PlanFlags {
  duration: number;
  within?: number;
  energyKwh?: number;
  country?: string;
  zone?: string;
  postcode?: string;
  apiKeys?: Record<string, string>;
}

function localTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Runs `carbontracker plan`; returns 0 with advice, 1 when no forecast covers the job, 2 on bad input. */
export async function runPlanCommand(
  argv: string[],
  io: { stdout: (s: string) => void; stderr: (s: string) => void },
  env: Record<string, string | undefined>,
  now: () => number = Date.now,
): Promise<number> {
  const program = new Command("carbontracker plan")
    .description("Find the start time with the lowest forecast carbon intensity for a job of a given length.")
    .requiredOption("--duration <time>", "How long the job runs (3h, 90m, 1h30m).", parseDuration)
    .option("--within <time>", "Latest start to consider, from now (default 24h).", parseDuration)
    .option("--energy-kwh <kwh>", "The job's energy, to give the grams saved.", commanderParser(numberIn(0)))
    .option("--country <code>", "Grid country (ISO alpha-2).")
    .option("--zone <zone>", "Electricity Maps zone.")
    .option("--postcode <postcode>", "GB postcode (regional forecast).")
    .option(
      "--api-keys <json>",
      `API keys as JSON, e.g. '{"electricitymaps": "KEY"}'.`,
      commanderParser(apiKeys),
    )
    .helpOption("-h, --help", "Show this help and exit.")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} });
  let flags: PlanFlags;
  try {
    program.parse(
      argv.map((a) => a.replace(/^--([a-z]+)_/, "--$1-")),
      { from: "user" },
    );
    flags = program.opts<PlanFlags>();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      io.stderr(`carbontracker plan: ${commanderProblem(error)}\n`);
      return 2;
    }
    throw error;
  }
  const provider = createIntensityProvider({
    country: flags.country?.toUpperCase(),
    zone: flags.zone,
    postcode: flags.postcode,
    env,
    apiKeys: flags.apiKeys ?? {},
  });
  const start = now();
  const durationMs = flags.duration * 1000;
  const within = flags.within ?? 24 * 3600;
  const withinMs = within * 1000;
  const periods = (await provider.forecastPeriods?.(start, start + withinMs + durationMs)) ?? [];
  provider.stop();
  const advice = bestStart(periods, start, durationMs, withinMs, flags.energyKwh ?? 0);
  if (!advice) {
    const sources = "Electricity Maps (with an API key), GB National Grid ESO and Energi Data Service (DK)";
    io.stdout(
      `No carbon-intensity forecast covers the next ${formatDuration(flags.duration)} for ${provider.location.description}: ` +
        (isOffline(env)
          ? `offline mode (CARBONTRACKER_OFFLINE=${env.CARBONTRACKER_OFFLINE}) asked no service, and forecasts come only from ${sources}. Unset CARBONTRACKER_OFFLINE to ask them.\n`
          : `forecasts come from ${sources}.\n`),
    );
    return 1;
  }
  const savedShare = advice.nowGPerKwh > 0 ? (1 - advice.bestGPerKwh / advice.nowGPerKwh) * 100 : 0;
  io.stdout(`Forecast: ${advice.source} for ${advice.location}\n`);
  io.stdout(
    `Start now: ${advice.nowGPerKwh.toFixed(2)} gCO2eq/kWh on average over ${formatDuration(flags.duration)}\n`,
  );
  if (advice.bestStartMs === start) {
    io.stdout(
      `Best start within ${formatDuration(within)}: now; no later start in the forecast is cleaner.\n`,
    );
    return 0;
  }
  io.stdout(
    `Best start within ${formatDuration(within)}: ${localTime(advice.bestStartMs)} (in ${formatDuration((advice.bestStartMs - start) / 1000)}), ${advice.bestGPerKwh.toFixed(2)} gCO2eq/kWh on average\n`,
  );
  io.stdout(
    `Starting then saves ${savedShare.toFixed(1)} % of the emissions` +
      (flags.energyKwh ? `: ${advice.gramsSaved.toFixed(1)} g CO2eq for ${flags.energyKwh} kWh.\n` : ".\n"),
  );
  return 0;
}
