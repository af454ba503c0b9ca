// The library with a live source (a loopback GB National Grid ESO): the live figure is used
// and written to the JSONL, the prediction uses the forecast, and a cleaner later start is advised.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker } from "../../src/index.js";
import { startLoopbackServer, waitFor } from "../intensity/loopback-server.js";
import { tempDir } from "../helpers/cli-process.js";
import { jsonlRecords } from "../helpers/jsonl-records.js";

const HALF_HOUR = 30 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16) + "Z";

test("live GB intensity: used for CO2eq, forecast in the prediction, later start advised", async () => {
  const start = Math.floor(Date.now() / HALF_HOUR) * HALF_HOUR;
  const periods = Array.from({ length: 96 }, (_, i) => ({
    from: iso(start + i * HALF_HOUR),
    to: iso(start + (i + 1) * HALF_HOUR),
    intensity: { forecast: i >= 12 && i < 20 ? 50 : 250, actual: null, index: "moderate" },
  }));
  const server = await startLoopbackServer((r) => {
    if (r.url.pathname.endsWith("/fw48h")) return { body: { data: periods } };
    if (r.url.pathname === "/intensity") {
      return {
        body: {
          data: [
            {
              from: iso(start),
              to: iso(start + HALF_HOUR),
              intensity: { forecast: 250, actual: 240, index: "high" },
            },
          ],
        },
      };
    }
    return undefined;
  });
  const dir = tempDir();
  let out = "";
  try {
    const tracker = new CarbonTracker({
      epochs: 20,
      country: "GB",
      verbose: 2,
      logDir: dir,
      stdout: (s) => (out += s),
      simCpu: "cpu",
      simCpuTdp: 200,
      env: {
        CARBONTRACKER_CARBONINTENSITY_UK_URL: server.url,
        CARBONTRACKER_CACHE_DIR: join(dir, "cache"),
        CARBONTRACKER_GEOLOCATION_URL: "http://127.0.0.1:9",
      },
    });
    await sleep(500); // live figure and forecast arrive in the background
    tracker.epochStart();
    await sleep(200);
    await tracker.epochEnd();
    const result = await tracker.stop();
    assert.ok(result);
    assert.ok(Math.abs(result.gPerKwh - 240) < 1e-6, `live 240 g/kWh used, got ${result.gPerKwh}`);
  } finally {
    await server.close();
  }
  assert.match(
    out,
    /Carbon intensity for the next \d:\d\d:\d\d is predicted to be 250\.00 gCO2\/kWh \(carbonintensity-uk/,
  );
  assert.match(
    out,
    /Starting the remaining \d:\d\d:\d\d of training in \d:\d\d:\d\d instead of now would save [\d.]+ g CO2eq \(250\.00 -> 50\.00 gCO2eq\/kWh/,
  );
  const records = jsonlRecords(dir);
  assert.ok(
    records.some((r) => r.type === "intensity" && r.source === "carbonintensity-uk" && r.g_per_kwh === 240),
  );
});

/**
 * A library run against a loopback service: the epoch starts before the live reading arrives (it
 * comes in the background), ends once it has, and the run stops.
 */
async function liveRun(options: {
  handler: Parameters<typeof startLoopbackServer>[0];
  country: string;
  env: (url: string) => Record<string, string>;
  apiKeys?: Record<string, string>;
}) {
  const server = await startLoopbackServer(options.handler);
  const dir = tempDir();
  let out = "";
  try {
    const tracker = new CarbonTracker(
      {
        epochs: 1,
        country: options.country,
        logDir: dir,
        stdout: (s) => (out += s),
        simCpu: "cpu",
        simCpuTdp: 100,
        env: {
          ...options.env(server.url),
          CARBONTRACKER_CACHE_DIR: join(dir, "cache"),
          CARBONTRACKER_GEOLOCATION_URL: "http://127.0.0.1:9",
        },
        ...(options.apiKeys ? { apiKeys: options.apiKeys } : {}),
      },
      {},
    );
    const startedMs = Date.now();
    tracker.epochStart();
    await waitFor(() => jsonlRecords(dir).some((r) => r.type === "intensity" && r.source !== "static"));
    const arrivedAfterMs = Date.now() - startedMs;
    await sleep(300);
    await tracker.epochEnd();
    const result = await tracker.stop();
    assert.ok(result);
    return { result, out, records: jsonlRecords(dir), arrivedAfterMs };
  } finally {
    await server.close();
  }
}

/** The run's intensity is the live figure to 0.1 %, and every record and line says so. */
function assertLiveThroughout(
  t: TestContext,
  run: Awaited<ReturnType<typeof liveRun>>,
  live: number,
  source: string,
) {
  assert.ok(run.arrivedAfterMs > 0);
  const error = Math.abs(run.result.gPerKwh - live) / live;
  t.diagnostic(
    `${source}: run ${run.result.gPerKwh.toFixed(3)} g/kWh vs live ${live} (${(error * 100).toFixed(4)} %), live reading arrived ${run.arrivedAfterMs} ms after the epoch began`,
  );
  assert.ok(
    error < 0.001,
    `run intensity ${run.result.gPerKwh} vs live ${live} (${(error * 100).toFixed(3)} %)`,
  );
  const actual = run.records.find((r) => r.type === "actual") as Record<string, unknown>;
  assert.equal(actual.intensity_source, source);
  const sources = actual.intensity_sources as { source: string; energy_share: number; g_per_kwh: number }[];
  assert.equal(sources[0]?.source, source);
  assert.ok((sources[0]?.energy_share ?? 0) > 0.999, JSON.stringify(sources));
  assert.equal(run.result.intensity.source, source);
  assert.doesNotMatch(
    run.out,
    /Defaulted to average carbon intensity/,
    "no default warning once live arrived",
  );
  assert.match(
    run.out,
    new RegExp(
      `CarbonTracker: Current carbon intensity is ${live.toFixed(2)} gCO2eq/kWh at detected location: .* \\(${source}\\)\\.`,
    ),
  );
}

test("GB: a half-hour that began before the run covers all of it; valid_from/valid_to in the JSONL", async (t) => {
  const from = Math.floor(Date.now() / HALF_HOUR) * HALF_HOUR;
  const run = await liveRun({
    country: "GB",
    env: (url) => ({ CARBONTRACKER_CARBONINTENSITY_UK_URL: url }),
    handler: (r) =>
      r.url.pathname === "/intensity"
        ? {
            body: {
              data: [
                {
                  from: iso(from),
                  to: iso(from + HALF_HOUR),
                  intensity: { forecast: 185, actual: 180, index: "low" },
                },
              ],
            },
          }
        : undefined,
  });
  assertLiveThroughout(t, run, 180, "carbonintensity-uk");
  const live = run.records.find((r) => r.type === "intensity" && r.source === "carbonintensity-uk");
  assert.equal(live?.valid_from, from);
  assert.equal(live?.valid_to, from + HALF_HOUR);
});

test("Denmark: the newest 5-minute slot, begun before the run, covers it to 0.1 %", async (t) => {
  const slot = Math.floor(Date.now() / 300_000) * 300_000 - 300_000;
  const at = new Date(slot).toISOString().slice(0, 19);
  const run = await liveRun({
    country: "DK",
    env: (url) => ({ CARBONTRACKER_ENERGIDATASERVICE_URL: url }),
    handler: (r) =>
      r.url.pathname === "/dataset/CO2Emis"
        ? {
            body: {
              total: 2,
              limit: 4,
              dataset: "CO2Emis",
              records: [
                { Minutes5UTC: at, Minutes5DK: at, PriceArea: "DK1", CO2Emission: 150 },
                { Minutes5UTC: at, Minutes5DK: at, PriceArea: "DK2", CO2Emission: 130 },
              ],
            },
          }
        : undefined,
  });
  assertLiveThroughout(t, run, 140, "energidataservice");
  const live = run.records.find((r) => r.type === "intensity" && r.source === "energidataservice");
  assert.equal(live?.valid_from, slot);
  assert.equal(live?.valid_to, slot + 300_000);
});

test("Electricity Maps: the hour the latest figure is for covers the run to 0.1 %", async (t) => {
  const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const run = await liveRun({
    country: "DE",
    apiKeys: { electricitymaps: "em-test-key-789" },
    env: (url) => ({ CARBONTRACKER_ELECTRICITYMAPS_URL: url }),
    handler: (r) =>
      r.url.pathname === "/carbon-intensity/latest"
        ? {
            body: {
              zone: "DE",
              carbonIntensity: 418,
              datetime: new Date(hour).toISOString(),
              updatedAt: new Date(hour).toISOString(),
              isEstimated: true,
            },
          }
        : undefined,
  });
  assertLiveThroughout(t, run, 418, "electricitymaps");
  const live = run.records.find((r) => r.type === "intensity" && r.source === "electricitymaps");
  assert.equal(live?.valid_from, hour);
  assert.equal(live?.valid_to, hour + 3_600_000);
});

test("no live reading before the run ends: the default warning is shown (once), and actual names static", async () => {
  const server = await startLoopbackServer(() => ({ status: 503, body: { error: "down" } }));
  const dir = tempDir();
  let out = "";
  try {
    const tracker = new CarbonTracker({
      epochs: 1,
      country: "GB",
      logDir: dir,
      stdout: (s) => (out += s),
      simCpu: "cpu",
      simCpuTdp: 100,
      env: {
        CARBONTRACKER_CARBONINTENSITY_UK_URL: server.url,
        CARBONTRACKER_CACHE_DIR: join(dir, "cache"),
        CARBONTRACKER_GEOLOCATION_URL: "http://127.0.0.1:9",
      },
    });
    assert.doesNotMatch(out, /Defaulted/, "not at start: a live reading may still come");
    tracker.epochStart();
    await sleep(200);
    await tracker.epochEnd();
    await tracker.stop();
  } finally {
    await server.close();
  }
  assert.equal(out.match(/WARNING - Defaulted to average carbon intensity for GB/g)?.length, 1, out);
  assert.ok(
    out.indexOf("Defaulted to average") < out.indexOf("Average carbon intensity during training"),
    "the warning comes before the actual",
  );
  const actual = jsonlRecords(dir).find((r) => r.type === "actual") as Record<string, unknown>;
  assert.equal(actual.intensity_source, "static");
  assert.deepEqual(
    (actual.intensity_sources as { source: string; energy_share: number }[]).map((s) => [
      s.source,
      Number(s.energy_share.toFixed(9)),
    ]),
    [["static", 1]],
  );
});
