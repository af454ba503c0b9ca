import { test } from "node:test";
import assert from "node:assert/strict";
import {
  createCarbonIntensityUkSource,
  outwardCode,
} from "../../../src/intensity/gb/carbonintensity-uk-source.js";
import { forecastCoverage } from "../../../src/intensity/forecast/forecast-mean.js";
import type { Location } from "../../../src/intensity/types.js";
import { FAST_HTTP, startLoopbackServer, type FakeAnswer, type SeenRequest } from "../loopback-server.js";

const REGIONAL_NOW = {
  data: [
    {
      regionid: 11,
      dnoregion: "WPD South West",
      shortname: "South West England",
      postcode: "BS7",
      data: [
        {
          from: "2024-05-20T12:00Z",
          to: "2024-05-20T12:30Z",
          intensity: { forecast: 95, index: "low" },
          generationmix: [
            { fuel: "gas", perc: 18.5 },
            { fuel: "wind", perc: 35.1 },
          ],
        },
      ],
    },
  ],
};
const NATIONAL_NOW = {
  data: [
    {
      from: "2024-05-20T12:00Z",
      to: "2024-05-20T12:30Z",
      intensity: { forecast: 121, actual: 118, index: "low" },
    },
  ],
};
const REGIONAL_RANGE = {
  data: {
    regionid: 11,
    dnoregion: "WPD South West",
    shortname: "South West England",
    postcode: "BS7",
    data: [
      {
        from: "2022-12-31T23:30Z",
        to: "2023-01-01T00:00Z",
        intensity: { forecast: 152, index: "moderate" },
        generationmix: [],
      },
      {
        from: "2023-01-01T00:00Z",
        to: "2023-01-01T00:30Z",
        intensity: { forecast: 181, index: "moderate" },
        generationmix: [],
      },
    ],
  },
};
const BRISTOL: Location = {
  country: "GB",
  postcode: "BS7 8AA",
  description: "Bristol, England, GB",
  method: "ip",
};

async function withSource(
  handler: (r: SeenRequest) => FakeAnswer | undefined,
  body: (source: ReturnType<typeof createCarbonIntensityUkSource>, seen: SeenRequest[]) => Promise<void>,
): Promise<void> {
  const server = await startLoopbackServer(handler);
  try {
    await body(createCarbonIntensityUkSource({ http: FAST_HTTP, baseUrl: server.url }), server.requests);
  } finally {
    await server.close();
  }
}

test("outward codes of GB postcodes", () => {
  assert.equal(outwardCode("bs7 8aa"), "BS7");
  assert.equal(outwardCode("SW1A1AA"), "SW1A");
  assert.equal(outwardCode("EC1A"), "EC1A");
});

test("Great Britain only: not Northern Ireland, not elsewhere", async () => {
  await withSource(
    () => undefined,
    async (source) => {
      assert.equal(source.supports(BRISTOL), true);
      assert.equal(
        source.supports({ country: "GB", postcode: "BT1 1AA", description: "Belfast", method: "ip" }),
        false,
      );
      assert.equal(
        source.supports({ zone: "GB-NIR", country: "GB", description: "NI", method: "override" }),
        false,
      );
      assert.equal(source.supports({ country: "DE", description: "DE", method: "ip" }), false);
    },
  );
});

test("regional by outward postcode (array form)", async () => {
  await withSource(
    (r) => (r.url.pathname === "/regional/postcode/BS7" ? { body: REGIONAL_NOW } : undefined),
    async (source, seen) => {
      const reading = await source.current(BRISTOL);
      assert.equal(reading.gPerKwh, 95);
      assert.equal(reading.source, "carbonintensity-uk");
      assert.equal(reading.location, "South West England (BS7)");
      assert.equal(reading.forecast, false);
      assert.match(
        reading.message,
        /95 gCO2\/kWh at South West England \(BS7\) for 2024-05-20T12:00Z–2024-05-20T12:30Z/,
      );
      assert.equal(seen[0]?.headers.accept, "application/json");
    },
  );
});

test("a regional 200 with body {} falls back to national, which prefers the settled actual", async () => {
  await withSource(
    (r) =>
      r.url.pathname.startsWith("/regional")
        ? { body: {} }
        : r.url.pathname === "/intensity"
          ? { body: NATIONAL_NOW }
          : undefined,
    async (source, seen) => {
      const reading = await source.current(BRISTOL);
      assert.equal(reading.gPerKwh, 118);
      assert.equal(reading.location, "Great Britain");
      assert.deepEqual(
        seen.map((r) => r.url.pathname),
        ["/regional/postcode/BS7", "/intensity"],
      );
    },
  );
});

test("the documented 500 error body is a failure", async () => {
  await withSource(
    () => ({
      status: 500,
      body: { error: { code: "500 Internal Server Error", message: "Requested resource not found." } },
    }),
    async (source, seen) => {
      await assert.rejects(
        source.current({ country: "GB", description: "GB", method: "override" }),
        /HTTP 500 \(Requested resource not found\.\)/,
      );
      assert.equal(seen.length, 3, "one try and two retries");
    },
  );
});

test("the regional 48 h forecast (object form), asked with minute-precision UTC times", async () => {
  await withSource(
    (r) => (r.url.pathname.startsWith("/regional/intensity/") ? { body: REGIONAL_RANGE } : undefined),
    async (source, seen) => {
      const from = Date.parse("2022-12-31T23:45:00Z");
      const to = Date.parse("2023-01-01T00:30:00Z");
      const periods = await (source.forecast?.(BRISTOL, from, to) ?? Promise.resolve([]));
      assert.equal(seen[0]?.url.pathname, "/regional/intensity/2022-12-31T23:45Z/fw48h/postcode/BS7");
      assert.deepEqual(
        periods.map((p) => [p.gPerKwh, p.validFrom, p.validTo, p.forecast]),
        [
          [152, Date.parse("2022-12-31T23:30Z"), Date.parse("2023-01-01T00:00Z"), true],
          [181, Date.parse("2023-01-01T00:00Z"), Date.parse("2023-01-01T00:30Z"), true],
        ],
      );
      // 15 min at 152, 30 min at 181.
      assert.equal(forecastCoverage(periods, from, to)?.gPerKwh, (152 * 15 + 181 * 30) / 45);
    },
  );
});

test("national forecast when no postcode is known; future periods have actual null", async () => {
  const fw = {
    data: [
      {
        from: "2024-05-20T20:30Z",
        to: "2024-05-20T21:00Z",
        intensity: { forecast: 146, actual: 151, index: "low" },
      },
      {
        from: "2024-05-20T21:00Z",
        to: "2024-05-20T21:30Z",
        intensity: { forecast: 148, actual: null, index: "low" },
      },
    ],
  };
  await withSource(
    (r) => (r.url.pathname.endsWith("/fw48h") ? { body: fw } : undefined),
    async (source, seen) => {
      const from = Date.parse("2024-05-20T21:00:00Z");
      const periods = await (source.forecast?.(
        { country: "GB", description: "GB", method: "override" },
        from,
        from + 1_800_000,
      ) ?? Promise.resolve([]));
      assert.equal(seen[0]?.url.pathname, "/intensity/2024-05-20T21:00Z/fw48h");
      assert.deepEqual(
        periods.map((p) => p.gPerKwh),
        [148],
      );
    },
  );
});
