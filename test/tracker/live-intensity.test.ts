// The library with a live source (a loopback GB National Grid ESO): the live figure is used
// and written to the JSONL, the prediction uses the forecast, and a cleaner later start is advised.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CarbonTracker } from "../../src/index.js";
import { startLoopbackServer } from "../intensity/loopback-server.js";
import { tempDir } from "../helpers/cli-process.js";

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
    /Carbon intensity for the next 0:00:0\d is predicted to be 250\.00 gCO2\/kWh \(carbonintensity-uk/,
  );
  assert.match(
    out,
    /Starting the remaining 0:00:0\d of training in \d:\d\d:\d\d instead of now would save [\d.]+ g CO2eq \(250\.00 -> 50\.00 gCO2eq\/kWh/,
  );
  const jsonl = readdirSync(dir).find((n) => n.endsWith(".jsonl")) as string;
  const records = readFileSync(join(dir, jsonl), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(
    records.some((r) => r.type === "intensity" && r.source === "carbonintensity-uk" && r.g_per_kwh === 240),
  );
});
