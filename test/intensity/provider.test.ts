import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIntensityProvider } from "../../src/intensity/live-provider.js";
import type { IntensityProviderOptions } from "../../src/intensity/provider.js";
import { IntensityTimeline } from "../../src/tracker/emissions.js";
import type { IntensityReading } from "../../src/intensity/types.js";
import {
  loopbackEnv,
  startLoopbackServer,
  waitFor,
  type FakeAnswer,
  type SeenRequest,
} from "./loopback-server.js";

const KEY = "em-secret-key-456";

async function withProvider(
  handler: (r: SeenRequest) => FakeAnswer | undefined,
  options: Partial<IntensityProviderOptions> & { extraEnv?: Record<string, string> },
  body: (ctx: {
    provider: ReturnType<typeof createIntensityProvider>;
    seen: SeenRequest[];
    messages: string[];
    readings: IntensityReading[];
  }) => Promise<void>,
): Promise<void> {
  const server = await startLoopbackServer(handler);
  const cacheDir = mkdtempSync(join(tmpdir(), "ct-prov-"));
  const messages: string[] = [];
  const readings: IntensityReading[] = [];
  const { extraEnv, ...rest } = options;
  const provider = createIntensityProvider({
    env: loopbackEnv(server.url, extraEnv),
    apiKeys: {},
    cacheDir,
    timeZone: "UTC",
    cloudTimeoutS: 1.5,
    timeoutS: 2,
    retryDelayS: 0.01,
    onMessage: (level, text) => messages.push(`${level}: ${text}`),
    ...rest,
  });
  try {
    await body({ provider, seen: server.requests, messages, readings });
  } finally {
    provider.stop();
    await server.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

test("CARBONTRACKER_OFFLINE=1: embedded figure, no request to any service", async () => {
  await withProvider(
    () => ({ body: {} }),
    {
      extraEnv: { CARBONTRACKER_OFFLINE: "1", ELECTRICITYMAPS_API_KEY: KEY },
      timeZone: "Europe/Copenhagen",
      refreshIntervalS: 0.05,
    },
    async ({ provider, seen, messages, readings }) => {
      const first = provider.initial(Date.now());
      assert.equal(first.source, "static");
      assert.equal(provider.location.method, "timezone-guess");
      assert.match(
        first.message,
        /Location DK \(guessed from time zone Europe\/Copenhagen\): a guess \(offline \(CARBONTRACKER_OFFLINE=1\)\); set --country or CARBONTRACKER_COUNTRY to be sure\.$/,
      );
      assert.equal(provider.liveExpected?.(), false, "offline: the default is said at once");
      provider.start((r) => readings.push(r));
      await waitFor(() => messages.length > 0);
      assert.equal(await provider.forecastFor?.(Date.now(), Date.now() + 3_600_000), undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(seen.length, 0, "no network call at all");
      assert.deepEqual(readings, [], "the same embedded figure is not repeated");
    },
  );
});

test("a live figure that changes mid-run: each reading covers its own period, back to before the run", async () => {
  const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  let point = { carbonIntensity: 300, datetime: new Date(hourStart).toISOString() };
  await withProvider(
    (r) =>
      r.url.pathname === "/em/v3/carbon-intensity/latest"
        ? { body: { zone: "DE", ...point, isEstimated: true } }
        : undefined,
    { country: "DE", apiKeys: { electricitymaps: KEY }, refreshIntervalS: 0.15 },
    async ({ provider, seen, messages, readings }) => {
      const t0 = Date.now();
      const timeline = new IntensityTimeline(provider.initial(t0));
      assert.equal(provider.liveExpected?.(), true);
      provider.start((r) => {
        readings.push(r);
        timeline.add(r);
      });
      await waitFor(() => readings.length >= 2);
      // A newer period begins now (a real source would give the next hour).
      const switchAt = Date.now();
      point = { carbonIntensity: 500, datetime: new Date(switchAt).toISOString() };
      await waitFor(() => readings.some((r) => r.gPerKwh === 500));
      await new Promise((resolve) => setTimeout(resolve, 100));
      provider.stop();
      const t1 = Date.now();
      assert.ok(readings.every((r) => r.source === "electricitymaps" && !r.forecast && r.location === "DE"));
      assert.equal(readings[0]?.validFrom, hourStart, "validFrom is the start of the hour the figure is for");
      assert.equal(readings[0]?.validTo, hourStart + 3_600_000);
      assert.ok(seen.every((r) => r.headers["auth-token"] === KEY && !r.path.includes(KEY)));
      assert.ok(messages.some((m) => m === "info: Location: DE, as set by the user."));
      // The 300 covers from the run's start (its hour began before it), the 500 from its own start;
      // the embedded figure covers nothing.
      const expected = (300 * (switchAt - t0) + 500 * (t1 - switchAt)) / (t1 - t0);
      assert.ok(Math.abs(timeline.meanOver(t0, t1) - expected) < 1e-6);
      timeline.account(1000, t0, t1);
      assert.deepEqual(
        timeline.shares().map((x) => [x.source, Number(x.energyShare.toFixed(6))]),
        [["electricitymaps", 1]],
      );
    },
  );
});

test("an invalid key: one warning for the whole run, key never shown, embedded figure kept", async () => {
  await withProvider(
    () => ({ status: 401, body: { error: "Invalid auth-token" } }),
    { country: "DE", extraEnv: { ELECTRICITYMAPS_API_KEY: KEY }, refreshIntervalS: 0.05 },
    async ({ provider, seen, messages, readings }) => {
      provider.initial(Date.now());
      provider.start((r) => readings.push(r));
      await new Promise((resolve) => setTimeout(resolve, 400));
      const warnings = messages.filter((m) => m.startsWith("warning:"));
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0] ?? "",
        /Electricity Maps refused the API key \(HTTP 401 \(Invalid auth-token\)\)/,
      );
      assert.ok(!messages.join("\n").includes(KEY));
      assert.equal(seen.length, 1, "a refused key is not tried again");
      assert.deepEqual(readings, []);
    },
  );
});

test("detected by IP: the location updates, the GB regional source answers, forecastFor averages the forecast", async () => {
  const now = Date.now();
  const half = 1_800_000;
  const slot = Math.floor(now / half) * half;
  const iso = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16)}Z`;
  const periods = [0, 1, 2, 3].map((i) => ({
    from: iso(slot + i * half),
    to: iso(slot + (i + 1) * half),
    intensity: { forecast: 100 + 20 * i, index: "low" },
  }));
  await withProvider(
    (r) => {
      const p = r.url.pathname;
      if (p === "/ipinfo/json") {
        return {
          body: {
            ip: "81.2.69.142",
            city: "London",
            region: "England",
            country: "GB",
            loc: "51.5085,-0.1257",
            postal: "EC1A",
          },
        };
      }
      if (p === "/uk/regional/postcode/EC1A") {
        return {
          body: {
            data: [
              {
                regionid: 13,
                shortname: "London",
                postcode: "EC1A",
                data: [{ ...periods[0], generationmix: [] }],
              },
            ],
          },
        };
      }
      if (p.startsWith("/uk/regional/intensity/") && p.endsWith("/fw48h/postcode/EC1A")) {
        return { body: { data: { regionid: 13, shortname: "London", postcode: "EC1A", data: periods } } };
      }
      return undefined;
    },
    {},
    async ({ provider, messages, readings }) => {
      assert.equal(provider.initial(now).source, "static");
      provider.start((r) => readings.push(r));
      await waitFor(() => readings.length >= 1);
      assert.equal(provider.location.description, "London, England, GB");
      assert.equal(readings[0]?.source, "carbonintensity-uk");
      assert.equal(readings[0]?.location, "London (EC1A)");
      assert.equal(readings[0]?.gPerKwh, 100);
      assert.ok(messages.includes("info: Location: London, England, GB, from IP geolocation."));
      const from = slot + half;
      const prediction = await provider.forecastFor?.(from, from + 2 * half);
      assert.equal(prediction?.gPerKwh, 130);
      assert.equal(prediction?.forecast, true);
      assert.equal(prediction?.source, "carbonintensity-uk");
      assert.match(prediction?.message ?? "", /130\.00 gCO2eq\/kWh on average over the next 1:00:00\.$/);
      const partial = await provider.forecastFor?.(from, from + 10 * half);
      assert.equal(partial?.gPerKwh, (120 + 140 + 160) / 3);
      assert.match(partial?.message ?? "", /over the 1:30:00 of the next 5:00:00 that the forecast covers/);
    },
  );
});

test("every service failing (500, slow, garbage): the embedded figure for the guessed place, said once", async () => {
  await withProvider(
    (r) =>
      r.url.pathname.startsWith("/ipinfo")
        ? { status: 500, body: "" }
        : r.url.pathname.startsWith("/eds")
          ? { body: "{garbage", delayMs: 50 }
          : { body: "", delayMs: 3000 },
    { timeZone: "Europe/Copenhagen", timeoutS: 0.3, refreshIntervalS: 0.1 },
    async ({ provider, messages, readings }) => {
      const first = provider.initial(Date.now());
      provider.start((r) => readings.push(r));
      await waitFor(() => messages.some((m) => m.includes("Falling back")));
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(provider.location.method, "timezone-guess");
      assert.deepEqual(readings, [], "same embedded figure as the first: not repeated");
      assert.equal(first.source, "static");
      assert.equal(messages.filter((m) => m.includes("energidataservice: answer is not JSON")).length, 1);
      assert.equal(await provider.forecastFor?.(Date.now(), Date.now() + 3_600_000), undefined);
    },
  );
});

test("stop() ends background work: no request afterwards", async () => {
  await withProvider(
    () => ({ body: { zone: "DE", carbonIntensity: 400, datetime: "2024-11-28T15:00:00.000Z" } }),
    { zone: "DE", apiKeys: { electricitymaps: KEY }, refreshIntervalS: 0.05 },
    async ({ provider, seen, readings }) => {
      provider.initial(Date.now());
      provider.start((r) => readings.push(r));
      await waitFor(() => readings.length >= 2);
      provider.stop();
      const count = seen.length;
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.equal(seen.length, count);
    },
  );
});

test("the time-zone guess reads TZ from the environment the provider is given, not the process's", () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "ct-prov-"));
  try {
    const provider = createIntensityProvider({
      env: {
        CARBONTRACKER_OFFLINE: "1",
        TZ: process.env.TZ === "Asia/Tokyo" ? "Europe/Copenhagen" : "Asia/Tokyo",
      },
      apiKeys: {},
      cacheDir,
    });
    const expected = process.env.TZ === "Asia/Tokyo" ? "DK" : "JP";
    assert.equal(provider.location.country, expected);
    assert.equal(provider.initial(Date.now()).location, expected);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
