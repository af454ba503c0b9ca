// The run's intensity provider: the embedded figure at once, then, in the background, the
// location and the first live source that answers for it, refreshed every 15 min; the
// embedded figure again whenever every live source fails. Never throws into the tracker.
import { createElectricityMapsSource } from "./electricitymaps/electricitymaps-source.js";
import { createCarbonIntensityUkSource } from "./gb/carbonintensity-uk-source.js";
import { createEnergiDataServiceSource } from "./dk/energidataservice-source.js";
import { forecastCoverage } from "./forecast/forecast-mean.js";
import type { HttpConfig, MessageSink } from "./http/http-get.js";
import { nodeFetch } from "./http/node-fetch.js";
import { locationFromOverrides } from "./location/overrides.js";
import { defaultCacheDir } from "./location/location-cache.js";
import { quickLocation, resolveLocation } from "./location/resolve-location.js";
import { systemTimeZone } from "./location/timezone-guess.js";
import type { IntensityProvider, IntensityProviderOptions } from "./provider.js";
import {
  DEFAULT_CLOUD_TIMEOUT_S,
  DEFAULT_REFRESH_INTERVAL_S,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_DELAY_S,
  DEFAULT_TIMEOUT_S,
  electricityMapsKey,
  isOffline,
  serviceUrls,
} from "./settings.js";
import { staticReading } from "./static/static-source.js";
import { redact } from "../secrets/redact.js";
import type { IntensityReading, IntensitySource, Location } from "./types.js";
import { formatDuration } from "../units/index.js";

/** Whether two readings say the same thing (same source, place and figure). */
function sameFigure(a: IntensityReading | undefined, b: IntensityReading): boolean {
  return a !== undefined && a.source === b.source && a.location === b.location && a.gPerKwh === b.gPerKwh;
}

/** The provider for a run: the embedded figure at once, then live sources for the detected location (offline: every network step skipped). */
export function createIntensityProvider(options: IntensityProviderOptions): IntensityProvider {
  const env = options.env;
  const offline = isOffline(env);
  const key = electricityMapsKey(options.apiKeys, env);
  const secrets = [...Object.values(options.apiKeys), key ?? ""].filter(Boolean);
  const onMessage: MessageSink = (level, text) => options.onMessage?.(level, redact(text, secrets));
  const urls = serviceUrls(env);
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const timeZone = options.timeZone ?? systemTimeZone(env);
  const refreshMs = Math.max(0.05, options.refreshIntervalS ?? DEFAULT_REFRESH_INTERVAL_S) * 1000;
  const http: HttpConfig = {
    fetch: options.fetch ?? nodeFetch,
    timeoutS: options.timeoutS ?? DEFAULT_TIMEOUT_S,
    retries: options.retries ?? DEFAULT_RETRIES,
    retryDelayS: options.retryDelayS ?? DEFAULT_RETRY_DELAY_S,
  };
  const overrides = locationFromOverrides(options, env, (text) => onMessage("warning", text));
  // Aborts the requests in flight at stop(); offline there are none (and no AbortController to load).
  const controller = offline ? undefined : new AbortController();
  const sources: IntensitySource[] = offline
    ? []
    : [
        createElectricityMapsSource({ http, baseUrl: urls.electricityMaps, apiKey: key, onMessage }),
        createCarbonIntensityUkSource({ http, baseUrl: urls.carbonIntensityUk }),
        createEnergiDataServiceSource({ http, baseUrl: urls.energiDataService }),
      ];

  let location: Location | undefined;
  let resolving: Promise<Location> | undefined;
  let last: IntensityReading | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let busy = false;
  let stopped = false;
  const failing = new Set<string>();
  let forecastCache: { atMs: number; fromMs: number; toMs: number; periods: IntensityReading[] } | undefined;

  const known = (): Location =>
    (location ??= quickLocation(overrides, cacheDir, Date.now(), timeZone, offline));

  const ensureLocation = (): Promise<Location> =>
    (resolving ??= resolveLocation(overrides, {
      http,
      offline,
      cacheDir,
      geolocationUrl: urls.geolocation,
      cloudUrls: urls.cloud,
      cloudTimeoutS: options.cloudTimeoutS ?? DEFAULT_CLOUD_TIMEOUT_S,
      timeZone,
      now: Date.now,
      onMessage,
      signal: controller?.signal,
    }).then((found) => (location = found)));

  /** The first live source that answers, else the embedded figure. */
  const currentReading = async (where: Location): Promise<IntensityReading> => {
    for (const source of sources) {
      if (stopped) break;
      if (!source.supports(where)) continue;
      try {
        const reading = await source.current(where, controller?.signal);
        if (failing.delete(source.id)) onMessage("info", `${source.id} answers again.`);
        return reading;
      } catch (error) {
        if (stopped) break;
        if (!failing.has(source.id)) {
          failing.add(source.id);
          onMessage(
            "info",
            `${error instanceof Error ? error.message : String(error)} Falling back to the next source.`,
          );
        }
      }
    }
    return staticReading(where, Date.now());
  };

  const tick = async (onReading: (reading: IntensityReading) => void): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      const reading = await currentReading(await ensureLocation());
      // The embedded figure is repeated only when it changes (e.g. the location became known).
      if (stopped || (reading.source === "static" && sameFigure(last, reading))) return;
      last = reading;
      onReading(reading);
    } catch {
      // Never let a source break the run.
    } finally {
      busy = false;
    }
  };

  const periodsFor = async (fromMs: number, toMs: number): Promise<IntensityReading[]> => {
    if (offline || stopped || toMs <= fromMs) return [];
    const cached = forecastCache;
    if (cached && Date.now() - cached.atMs < refreshMs && cached.fromMs <= fromMs && cached.toMs >= toMs) {
      return cached.periods.filter((p) => (p.validTo ?? Infinity) > fromMs && p.validFrom < toMs);
    }
    try {
      const where = await ensureLocation();
      for (const source of sources) {
        if (stopped || !source.forecast || !source.supports(where)) continue;
        try {
          const periods = await source.forecast(where, fromMs, toMs, controller?.signal);
          if (periods.length > 0) {
            forecastCache = { atMs: Date.now(), fromMs, toMs, periods };
            return periods;
          }
        } catch (error) {
          if (stopped) break;
          onMessage(
            "info",
            `${error instanceof Error ? error.message : String(error)} No forecast from ${source.id}.`,
          );
        }
      }
    } catch {
      // Location resolution never rejects; this is belt and braces.
    }
    return [];
  };

  return {
    get location() {
      return known();
    },

    initial(nowMs) {
      last = staticReading(known(), nowMs);
      return last;
    },

    liveExpected: () => sources.length > 0,

    fallback: (nowMs) => staticReading(known(), nowMs),

    start(onReading) {
      if (timer || stopped) return;
      void tick(onReading);
      timer = setInterval(() => void tick(onReading), refreshMs);
      timer.unref?.();
    },

    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      controller?.abort();
    },

    forecastPeriods: periodsFor,

    async forecastFor(fromMs, toMs) {
      const periods = await periodsFor(fromMs, toMs);
      const coverage = forecastCoverage(periods, fromMs, toMs);
      const first = periods[0];
      if (!coverage || !first) return undefined;
      const window = formatDuration((toMs - fromMs) / 1000);
      const covered = formatDuration(coverage.coveredMs / 1000);
      const value = coverage.gPerKwh.toFixed(2);
      return {
        gPerKwh: coverage.gPerKwh,
        source: first.source,
        location: first.location,
        forecast: true,
        validFrom: coverage.coveredFrom,
        validTo: coverage.coveredTo,
        message:
          covered === window
            ? `Forecast carbon intensity from ${first.source} at ${first.location}: ${value} gCO2eq/kWh on average over the next ${window}.`
            : `Forecast carbon intensity from ${first.source} at ${first.location}: ${value} gCO2eq/kWh on average over the ${covered} of the next ${window} that the forecast covers.`,
        fallback: false,
      };
    },
  };
}
