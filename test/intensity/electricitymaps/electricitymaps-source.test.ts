import { test } from "node:test";
import assert from "node:assert/strict";
import { createElectricityMapsSource } from "../../../src/intensity/electricitymaps/electricitymaps-source.js";
import { forecastCoverage } from "../../../src/intensity/forecast/forecast-mean.js";
import { IntensityFetchError } from "../../../src/errors/index.js";
import type { Location } from "../../../src/intensity/types.js";
import { FAST_HTTP, startLoopbackServer, type FakeAnswer, type SeenRequest } from "../loopback-server.js";

const KEY = "em-secret-key-123";
const LATEST = {
  zone: "DE",
  carbonIntensity: 418,
  datetime: "2024-11-28T15:00:00.000Z",
  updatedAt: "2024-11-28T14:46:10.233Z",
  createdAt: "2024-11-25T15:43:23.481Z",
  emissionFactorType: "lifecycle",
  isEstimated: true,
  estimationMethod: "TIME_SLICER_AVERAGE",
};
const BERLIN: Location = {
  country: "DE",
  latitude: 52.52,
  longitude: 13.405,
  description: "Berlin, Berlin, DE",
  method: "ip",
};

async function withSource(
  handler: (r: SeenRequest) => FakeAnswer | undefined,
  body: (
    source: ReturnType<typeof createElectricityMapsSource>,
    seen: SeenRequest[],
    messages: string[],
  ) => Promise<void>,
  apiKey: string | undefined = KEY,
  http = FAST_HTTP,
): Promise<void> {
  const server = await startLoopbackServer(handler);
  const messages: string[] = [];
  try {
    const source = createElectricityMapsSource({
      http,
      baseUrl: `${server.url}/v3/`,
      apiKey,
      onMessage: (level, text) => messages.push(`${level}: ${text}`),
    });
    await body(source, server.requests, messages);
  } finally {
    await server.close();
  }
}

test("latest by coordinates sends the key in auth-token and reads carbonIntensity", async () => {
  await withSource(
    () => ({ body: LATEST }),
    async (source, seen) => {
      assert.equal(source.supports(BERLIN), true);
      const reading = await source.current(BERLIN);
      assert.equal(reading.gPerKwh, 418);
      assert.equal(reading.source, "electricitymaps");
      assert.equal(reading.forecast, false);
      assert.equal(reading.location, "Berlin, Berlin, DE");
      assert.match(reading.message, /418 gCO2eq\/kWh .* hour from 2024-11-28T15:00:00.000Z, estimated/);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.url.pathname, "/v3/carbon-intensity/latest");
      assert.equal(seen[0]?.url.searchParams.get("lat"), "52.52");
      assert.equal(seen[0]?.url.searchParams.get("lon"), "13.405");
      assert.equal(seen[0]?.headers["auth-token"], KEY);
      assert.ok(!seen[0]?.path.includes(KEY), "the key never travels in the URL");
    },
  );
});

test("a failed coordinate lookup is retried by zone (DK-DK1 style keys kept as they are)", async () => {
  await withSource(
    (r) =>
      r.url.searchParams.has("zone")
        ? { body: { ...LATEST, zone: "DK-DK1", carbonIntensity: 97 } }
        : { status: 404, body: "" },
    async (source, seen) => {
      const reading = await source.current({ ...BERLIN, zone: "DK-DK1", description: "Aarhus, DK" });
      assert.equal(reading.gPerKwh, 97);
      assert.equal(reading.location, "Aarhus, DK (zone DK-DK1)");
      assert.deepEqual(
        seen.map((r) => r.url.searchParams.get("zone")),
        [null, "DK-DK1"],
      );
    },
  );
});

test("an invalid key gives one clear warning without the key, and the source steps aside", async () => {
  await withSource(
    () => ({ status: 401, body: { error: "Invalid auth-token" } }),
    async (source, seen, messages) => {
      await assert.rejects(source.current(BERLIN), IntensityFetchError);
      assert.equal(source.supports(BERLIN), false);
      await assert.rejects(source.current(BERLIN), IntensityFetchError);
      assert.equal(messages.length, 1);
      assert.match(
        messages[0] ?? "",
        /^warning: Electricity Maps refused the API key \(HTTP 401 \(Invalid auth-token\)\)/,
      );
      assert.ok(!messages.join("\n").includes(KEY));
      assert.equal(seen.length, 1, "no zone retry and no second call after a refused key");
    },
  );
});

test("403 text/plain 'Access denied' is also a refused key", async () => {
  await withSource(
    () => ({ status: 403, body: "Access denied" }),
    async (source, _seen, messages) => {
      await assert.rejects(source.current(BERLIN));
      assert.match(messages[0] ?? "", /HTTP 403 \(Access denied\)/);
    },
  );
});

test("without a key the source declines and makes no request", async () => {
  await withSource(
    () => ({ body: LATEST }),
    async (source, seen) => {
      assert.equal(source.supports(BERLIN), false);
      await assert.rejects(source.current(BERLIN), /no usable API key/);
      assert.equal(seen.length, 0);
    },
    "",
  );
});

test("429 and 500 are retried with back-off, then answered", async () => {
  let calls = 0;
  await withSource(
    () => {
      calls++;
      if (calls === 1) return { status: 429, body: "" };
      if (calls === 2) return { status: 500, body: { status: "error", message: "Unknown error occured" } };
      return { body: LATEST };
    },
    async (source, seen) => {
      const reading = await source.current({ country: "DE", description: "DE", method: "override" });
      assert.equal(reading.gPerKwh, 418);
      assert.equal(seen.length, 3);
      assert.equal(seen[2]?.url.searchParams.get("zone"), "DE");
    },
  );
});

test("a 500 that persists fails after the retries, with the service's message", async () => {
  await withSource(
    () => ({ status: 500, body: { status: "error", message: "Unknown error occured..." } }),
    async (source, seen) => {
      await assert.rejects(
        source.current({ zone: "DE", description: "DE", method: "override" }),
        /HTTP 500 \(Unknown error occured\.\.\.\)/,
      );
      assert.equal(seen.length, 3);
    },
  );
});

test("garbage bodies and answers past the time-out are failures, not crashes", async () => {
  await withSource(
    () => ({ body: "<html>oops" }),
    async (source) => {
      await assert.rejects(source.current({ zone: "DE", description: "DE", method: "override" }), /not JSON/);
    },
  );
  await withSource(
    () => ({ body: LATEST, delayMs: 3000 }),
    async (source) => {
      const started = Date.now();
      await assert.rejects(
        source.current({ zone: "DE", description: "DE", method: "override" }),
        /no answer within 0.2 s/,
      );
      assert.ok(Date.now() - started < 2500, "gave up at the time-out, not when the server answered");
    },
    KEY,
    { ...FAST_HTTP, timeoutS: 0.2 },
  );
});

test("a latest point without a figure falls back to the newest history figure", async () => {
  const history = {
    zone: "DE",
    history: [
      { zone: "DE", carbonIntensity: 599, datetime: "2024-03-05T20:00:00.000Z", isEstimated: false },
      { zone: "DE", carbonIntensity: 607, datetime: "2024-03-05T21:00:00.000Z", isEstimated: false },
      { zone: "DE", carbonIntensity: null, datetime: "2024-03-06T19:00:00.000Z", isEstimated: true },
    ],
  };
  await withSource(
    (r) =>
      r.url.pathname.endsWith("/history")
        ? { body: history }
        : { body: { ...LATEST, carbonIntensity: null } },
    async (source) => {
      const reading = await source.current({ zone: "DE", description: "DE", method: "override" });
      assert.equal(reading.gPerKwh, 607);
      assert.equal(reading.forecast, false);
      const points = await source.history({ zone: "DE", description: "DE", method: "override" });
      assert.deepEqual(
        points.map((p) => p.gPerKwh),
        [599, 607],
      );
      assert.equal(points[0]?.validFrom, Date.parse("2024-03-05T20:00:00.000Z"));
    },
  );
});

test("the hourly forecast becomes periods whose time-weighted mean covers a window", async () => {
  const forecast = {
    zone: "DK-DK2",
    forecast: [
      { carbonIntensity: 142, datetime: "2024-03-18T04:00:00.000Z" },
      { carbonIntensity: 151, datetime: "2024-03-18T05:00:00.000Z" },
      { carbonIntensity: 163, datetime: "2024-03-18T06:00:00.000Z" },
    ],
    updatedAt: "2024-03-18T03:47:12.000Z",
  };
  await withSource(
    () => ({ body: forecast }),
    async (source, seen) => {
      const from = Date.parse("2024-03-18T04:30:00Z");
      const to = Date.parse("2024-03-18T06:30:00Z");
      const location: Location = { zone: "DK-DK2", description: "DK-DK2", method: "override" };
      const periods = await (source.forecast?.(location, from, to) ?? Promise.resolve([]));
      assert.equal(seen[0]?.url.pathname, "/v3/carbon-intensity/forecast");
      assert.equal(periods.length, 3);
      assert.ok(periods.every((p) => p.forecast && p.source === "electricitymaps"));
      // 30 min at 142, 60 at 151, 30 at 163.
      assert.equal(forecastCoverage(periods, from, to)?.gPerKwh, (142 * 30 + 151 * 60 + 163 * 30) / 120);
    },
  );
});

test("a key without forecast access gives no forecast and says so once", async () => {
  await withSource(
    () => ({ status: 403, body: "Access denied" }),
    async (source, seen, messages) => {
      const location: Location = { zone: "DE", description: "DE", method: "override" };
      assert.deepEqual(await source.forecast?.(location, 0, 3_600_000), []);
      assert.deepEqual(await source.forecast?.(location, 0, 3_600_000), []);
      assert.equal(seen.length, 1);
      assert.equal(messages.length, 1);
      assert.equal(source.supports(location), true, "the key may still be good for latest");
    },
  );
});

test("an error answer that quotes the key: neither the error nor the warning shows it", async () => {
  await withSource(
    (r) => ({ status: 400, body: { error: `Bad request for token ${String(r.headers["auth-token"])}` } }),
    async (source) => {
      const location: Location = { zone: "DE", description: "DE", method: "override" };
      await assert.rejects(source.current(location), (error: Error) => {
        assert.match(error.message, /^electricitymaps: HTTP 400 \(Bad request for token \*\*\*\)\.$/);
        return true;
      });
      await assert.rejects(source.forecast?.(location, 0, 3_600_000) ?? Promise.resolve(), (error: Error) => {
        assert.ok(!error.message.includes(KEY), error.message);
        return true;
      });
    },
  );
  await withSource(
    (r) => ({ status: 401, body: { error: `Invalid auth-token ${String(r.headers["auth-token"])}` } }),
    async (source, _seen, messages) => {
      await assert.rejects(source.current(BERLIN));
      assert.match(messages[0] ?? "", /HTTP 401 \(Invalid auth-token \*\*\*\)/);
      assert.ok(!messages.join("\n").includes(KEY));
    },
  );
});

test("an error answer that quotes the key where the detail is cut short: no part of it shows", async () => {
  // The detail is cut to 120 characters: masked after the cut, the key's first characters showed.
  const padding = "x".repeat(100);
  await withSource(
    (r) => ({ status: 400, body: { error: `${padding} token ${String(r.headers["auth-token"])} refused` } }),
    async (source) => {
      const location: Location = { zone: "DE", description: "DE", method: "override" };
      await assert.rejects(source.current(location), (error: Error) => {
        assert.ok(!error.message.includes(KEY.slice(0, 4)), error.message);
        assert.ok(error.message.endsWith(" token *** refused)."), error.message);
        return true;
      });
    },
  );
});
