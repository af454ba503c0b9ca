import { test } from "node:test";
import assert from "node:assert/strict";
import {
  createEnergiDataServiceSource,
  priceAreas,
} from "../../../src/intensity/dk/energidataservice-source.js";
import { forecastCoverage } from "../../../src/intensity/forecast/forecast-mean.js";
import type { Location } from "../../../src/intensity/types.js";
import { FAST_HTTP, startLoopbackServer, type FakeAnswer, type SeenRequest } from "../loopback-server.js";

const CO2EMIS = {
  total: 1903306,
  limit: 4,
  dataset: "CO2Emis",
  records: [
    {
      Minutes5UTC: "2026-01-20T16:30:00",
      Minutes5DK: "2026-01-20T17:30:00",
      PriceArea: "DK1",
      CO2Emission: 160.0,
    },
    {
      Minutes5UTC: "2026-01-20T16:30:00",
      Minutes5DK: "2026-01-20T17:30:00",
      PriceArea: "DK2",
      CO2Emission: 121.0,
    },
    {
      Minutes5UTC: "2026-01-20T16:25:00",
      Minutes5DK: "2026-01-20T17:25:00",
      PriceArea: "DK1",
      CO2Emission: 158.0,
    },
    {
      Minutes5UTC: "2026-01-20T16:25:00",
      Minutes5DK: "2026-01-20T17:25:00",
      PriceArea: "DK2",
      CO2Emission: 122.0,
    },
  ],
};
const PROG = {
  total: 108,
  limit: 3,
  dataset: "CO2EmisProg",
  records: [
    {
      Minutes5UTC: "2024-05-20T12:05:00",
      Minutes5DK: "2024-05-20T14:05:00",
      PriceArea: "DK1",
      CO2Emission: 88.0,
    },
    {
      Minutes5UTC: "2024-05-20T12:10:00",
      Minutes5DK: "2024-05-20T14:10:00",
      PriceArea: "DK1",
      CO2Emission: 87.0,
    },
    {
      Minutes5UTC: "2024-05-20T12:15:00",
      Minutes5DK: "2024-05-20T14:15:00",
      PriceArea: "DK1",
      CO2Emission: 87.0,
    },
  ],
};
const DENMARK: Location = { country: "DK", description: "DK", method: "override" };

async function withSource(
  handler: (r: SeenRequest) => FakeAnswer | undefined,
  body: (source: ReturnType<typeof createEnergiDataServiceSource>, seen: SeenRequest[]) => Promise<void>,
): Promise<void> {
  const server = await startLoopbackServer(handler);
  try {
    await body(createEnergiDataServiceSource({ http: FAST_HTTP, baseUrl: server.url }), server.requests);
  } finally {
    await server.close();
  }
}

test("price areas from zone, longitude, or both", () => {
  assert.deepEqual(priceAreas({ zone: "DK-DK2", description: "", method: "override" }), ["DK2"]);
  assert.deepEqual(
    priceAreas({ country: "DK", latitude: 56.15, longitude: 10.2, description: "Aarhus", method: "ip" }),
    ["DK1"],
  );
  assert.deepEqual(
    priceAreas({ country: "DK", latitude: 55.68, longitude: 12.57, description: "Copenhagen", method: "ip" }),
    ["DK2"],
  );
  assert.deepEqual(priceAreas(DENMARK), ["DK1", "DK2"]);
});

test("current CO2Emis: newest record per area, mean of both areas when the area is unknown", async () => {
  await withSource(
    (r) => (r.url.pathname === "/dataset/CO2Emis" ? { body: CO2EMIS } : undefined),
    async (source, seen) => {
      const reading = await source.current(DENMARK);
      assert.equal(reading.gPerKwh, (160 + 121) / 2);
      assert.equal(reading.source, "energidataservice");
      assert.equal(reading.location, "Denmark (DK1, DK2)");
      assert.equal(seen[0]?.url.searchParams.get("filter"), '{"PriceArea":["DK1","DK2"]}');
      assert.equal(seen[0]?.url.searchParams.get("sort"), "Minutes5UTC desc");
    },
  );
});

test("current for DK-DK2 reads DK2 only", async () => {
  await withSource(
    () => ({ body: { ...CO2EMIS, records: CO2EMIS.records.filter((r) => r.PriceArea === "DK2") } }),
    async (source) => {
      const reading = await source.current({
        zone: "DK-DK2",
        country: "DK",
        description: "DK-DK2",
        method: "override",
      });
      assert.equal(reading.gPerKwh, 121);
      assert.equal(reading.location, "Denmark DK2");
    },
  );
});

test("CO2EmisProg forecast in UTC, 5-minute periods; an empty prognosis is no forecast, not NaN", async () => {
  await withSource(
    (r) =>
      r.url.searchParams.get("start") === "2024-05-20T12:05"
        ? { body: PROG }
        : { body: { total: 0, dataset: "CO2EmisProg", records: [] } },
    async (source, seen) => {
      const from = Date.parse("2024-05-20T12:05:00Z");
      const to = Date.parse("2024-05-20T12:20:00Z");
      const where: Location = { zone: "DK-DK1", country: "DK", description: "DK-DK1", method: "override" };
      const periods = await (source.forecast?.(where, from, to) ?? Promise.resolve([]));
      assert.equal(seen[0]?.url.pathname, "/dataset/CO2EmisProg");
      assert.equal(seen[0]?.url.searchParams.get("timezone"), "UTC");
      assert.equal(seen[0]?.url.searchParams.get("end"), "2024-05-20T12:20");
      assert.equal(periods.length, 3);
      assert.equal(periods[0]?.validFrom, from);
      assert.equal(periods[0]?.validTo, from + 300_000);
      assert.equal(forecastCoverage(periods, from, to)?.gPerKwh, (88 + 87 + 87) / 3);
      const none = await (source.forecast?.(where, from + 86_400_000, to + 86_400_000) ??
        Promise.resolve([]));
      assert.deepEqual(none, []);
      assert.equal(forecastCoverage(none, from, to), undefined);
    },
  );
});

test("429 with EDS's text body is retried, then reported", async () => {
  await withSource(
    () => ({
      status: 429,
      body: "Max allowed requests per 10 seconds from each unique IP is max up to 40 only.",
    }),
    async (source, seen) => {
      await assert.rejects(source.current(DENMARK), /HTTP 429 \(Max allowed requests/);
      assert.equal(seen.length, 3);
    },
  );
});

test("current CO2Emis records out of order (oldest first): still the newest slot per area", async () => {
  await withSource(
    () => ({ body: { ...CO2EMIS, records: [...CO2EMIS.records].reverse() } }),
    async (source) => {
      const reading = await source.current(DENMARK);
      assert.equal(reading.gPerKwh, (160 + 121) / 2);
      assert.equal(reading.validFrom, Date.parse("2026-01-20T16:30:00Z"));
      assert.match(reading.message, /from 2026-01-20T16:30:00 UTC/);
    },
  );
});

test("current for all of Denmark when only DK1 has a figure: labelled DK1, not both areas", async () => {
  await withSource(
    () => ({ body: { ...CO2EMIS, records: CO2EMIS.records.filter((r) => r.PriceArea === "DK1") } }),
    async (source) => {
      const reading = await source.current(DENMARK);
      assert.equal(reading.gPerKwh, 160);
      assert.equal(reading.location, "Denmark DK1");
      assert.match(reading.message, /in Denmark DK1 for/);
    },
  );
});
