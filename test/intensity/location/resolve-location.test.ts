import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveLocation, type LocationContext } from "../../../src/intensity/location/resolve-location.js";
import { locationFromOverrides } from "../../../src/intensity/location/overrides.js";
import { locationFromGeolocation } from "../../../src/intensity/location/ip-geolocation.js";
import { FAST_HTTP, startLoopbackServer, type FakeAnswer, type SeenRequest } from "../loopback-server.js";

const IPINFO_DK = {
  ip: "87.62.100.12",
  hostname: "0x573e640c.cpe.dhcp.tdc.dk",
  city: "Copenhagen",
  region: "Capital Region",
  country: "DK",
  loc: "55.6759,12.5655",
  org: "AS3292 TDC Holding A/S",
  postal: "1050",
  timezone: "Europe/Copenhagen",
  readme: "https://ipinfo.io/missingauth",
};
const IPINFO_429 = {
  status: 429,
  error: { title: "Rate limit exceeded", message: "You've hit the daily limit for the unauthenticated API." },
};

async function resolveWith(
  handler: (r: SeenRequest) => FakeAnswer | undefined,
  tweak: Partial<LocationContext> = {},
  overrides?: Parameters<typeof resolveLocation>[0],
): Promise<{
  location: Awaited<ReturnType<typeof resolveLocation>>;
  seen: SeenRequest[];
  messages: string[];
  cacheDir: string;
}> {
  const server = await startLoopbackServer(handler);
  const cacheDir = tweak.cacheDir ?? mkdtempSync(join(tmpdir(), "ct-loc-"));
  const messages: string[] = [];
  try {
    const location = await resolveLocation(overrides, {
      http: FAST_HTTP,
      offline: false,
      cacheDir,
      geolocationUrl: `${server.url}/ipinfo/json`,
      cloudUrls: { aws: `${server.url}/aws`, gcp: `${server.url}/gcp`, azure: `${server.url}/azure` },
      cloudTimeoutS: 1.5,
      timeZone: "Europe/Copenhagen",
      now: Date.now,
      onMessage: (level, text) => messages.push(`${level}: ${text}`),
      ...tweak,
    });
    return { location, seen: server.requests, messages, cacheDir };
  } finally {
    await server.close();
  }
}

test("overrides win and nothing is asked", async () => {
  const overrides = locationFromOverrides({ postcode: "bs7 8aa" }, {});
  assert.equal(overrides?.country, "GB");
  const { location, seen, messages } = await resolveWith(() => ({ body: IPINFO_DK }), {}, overrides);
  assert.equal(location.method, "override");
  assert.equal(location.postcode, "BS7 8AA");
  assert.equal(seen.length, 0);
  assert.deepEqual(messages, ["info: Location: GB BS7 8AA, as set by the user."]);
});

test("overrides from the environment, a bad coordinate ignored with a warning", () => {
  const warnings: string[] = [];
  const location = locationFromOverrides(
    {},
    { CARBONTRACKER_ZONE: "DK-DK1", CARBONTRACKER_LATITUDE: "56.1", CARBONTRACKER_LONGITUDE: "999" },
    (t) => warnings.push(t),
  );
  assert.deepEqual(location, { description: "DK-DK1", method: "override", country: "DK", zone: "DK-DK1" });
  assert.match(warnings[0] ?? "", /Ignoring longitude 999/);
});

test("AWS IMDSv2: token PUT, then region with the token; cached for the next run", async () => {
  const handler = (r: SeenRequest): FakeAnswer | undefined => {
    if (r.method === "PUT" && r.url.pathname === "/aws/latest/api/token") {
      return r.headers["x-aws-ec2-metadata-token-ttl-seconds"] === "21600"
        ? { body: "AQAEAHvtvD0bYk3oOGn1n0ZvzmE3oBr8==" }
        : { status: 400, body: "" };
    }
    if (r.url.pathname === "/aws/latest/meta-data/placement/region") {
      return r.headers["x-aws-ec2-metadata-token"] === "AQAEAHvtvD0bYk3oOGn1n0ZvzmE3oBr8=="
        ? { body: "eu-north-1" }
        : { status: 401, body: "" };
    }
    return undefined;
  };
  const first = await resolveWith(handler);
  assert.equal(first.location.method, "cloud");
  assert.equal(first.location.zone, "SE-SE3");
  assert.equal(first.location.country, "SE");
  assert.ok(
    first.messages.includes("info: Location: cloud instance in aws region eu-north-1, grid zone SE-SE3."),
  );
  assert.ok(
    !first.seen.some((r) => r.url.pathname.startsWith("/ipinfo")),
    "no IP lookup once the cloud answered",
  );
  assert.equal(readdirSync(first.cacheDir).filter((f) => f.startsWith("location-")).length, 1);

  const second = await resolveWith(handler, { cacheDir: first.cacheDir });
  assert.equal(second.location.zone, "SE-SE3");
  assert.equal(second.seen.length, 0, "a day-old answer is reused without any request");
  assert.match(second.messages[0] ?? "", /found by cloud lookup at .* \(cached for a day in /);
  rmSync(first.cacheDir, { recursive: true, force: true });
});

test("GCP zone needs the Metadata-Flavor answer header; region is the zone less its letter", async () => {
  const { location } = await resolveWith((r) =>
    r.url.pathname === "/gcp/computeMetadata/v1/instance/zone" && r.headers["metadata-flavor"] === "Google"
      ? { body: "projects/123456789012/zones/europe-west4-a", headers: { "Metadata-Flavor": "Google" } }
      : undefined,
  );
  assert.equal(location.description, "gcp europe-west4 (zone NL)");
  const impostor = await resolveWith((r) =>
    r.url.pathname.startsWith("/gcp/")
      ? { body: "projects/1/zones/europe-west4-a" }
      : r.url.pathname.startsWith("/ipinfo")
        ? { body: IPINFO_DK }
        : undefined,
  );
  assert.equal(impostor.location.method, "ip", "an answer without Metadata-Flavor: Google is not GCP");
});

test("Azure compute location as text with the Metadata: true header", async () => {
  const { location } = await resolveWith((r) =>
    r.url.pathname === "/azure/metadata/instance/compute/location" &&
    r.headers.metadata === "true" &&
    r.url.searchParams.get("format") === "text"
      ? { body: "WestEurope" }
      : undefined,
  );
  assert.equal(location.zone, "NL");
  assert.equal(location.description, "azure westeurope (zone NL)");
});

test("off-cloud (404s or a hanging metadata host): IP geolocation, within the probe time-out", async () => {
  const started = Date.now();
  const { location, messages } = await resolveWith((r) =>
    r.url.pathname.startsWith("/ipinfo")
      ? { body: IPINFO_DK }
      : r.url.pathname.startsWith("/aws")
        ? { body: "", delayMs: 5000 }
        : undefined,
  );
  assert.ok(Date.now() - started < 4000, "the hanging AWS probe was cut at its time-out");
  assert.deepEqual(location, {
    country: "DK",
    description: "Copenhagen, Capital Region, DK",
    method: "ip",
    latitude: 55.6759,
    longitude: 12.5655,
    postcode: "1050",
  });
  assert.deepEqual(messages, ["info: Location: Copenhagen, Capital Region, DK, from IP geolocation."]);
});

test("ipinfo 429 and garbage: the time-zone guess, stated as one with what failed; nothing cached", async () => {
  const limited = await resolveWith((r) =>
    r.url.pathname.startsWith("/ipinfo") ? { status: 429, body: IPINFO_429 } : undefined,
  );
  assert.equal(limited.location.method, "timezone-guess");
  assert.equal(limited.location.country, "DK");
  // Logged (info); the console says it once, in the default figure's warning, from the note.
  assert.match(
    limited.messages.at(-1) ?? "",
    /^info: Location: IP geolocation failed \(ip-geolocation: HTTP 429 \(You've hit the daily limit for the unauthenticated API\.\)\); guessed DK from the system time zone Europe\/Copenhagen\.$/,
  );
  assert.match(limited.location.note ?? "", /^IP geolocation failed \(ip-geolocation: HTTP 429/);
  assert.deepEqual(readdirSync(limited.cacheDir), []);
  const garbage = await resolveWith(
    (r) =>
      r.url.pathname.startsWith("/ipinfo")
        ? { body: "Rate limit exceeded. Subscribe to a paid plan" }
        : undefined,
    {
      timeZone: "UTC",
    },
  );
  assert.equal(garbage.location.method, "unknown");
  assert.match(
    garbage.messages.at(-1) ?? "",
    /^info: Location: .*not JSON.*, and the time zone \(UTC\) names no country; the location is unknown\.$/,
  );
  assert.match(garbage.location.note ?? "", /not JSON.*, and the time zone \(UTC\) names no country$/);
});

test("offline: no request at all, straight to the guess", async () => {
  const { location, seen, messages } = await resolveWith(() => ({ body: IPINFO_DK }), { offline: true });
  assert.equal(seen.length, 0);
  assert.equal(location.method, "timezone-guess");
  assert.match(messages[0] ?? "", /offline \(CARBONTRACKER_OFFLINE=1\); guessed DK/);
});

test("geolocation bodies: bogon, ip-api success and fail, UK outward postcode", () => {
  assert.throws(
    () => locationFromGeolocation({ ip: "10.0.0.7", bogon: true }),
    /names no country \(private address\)/,
  );
  assert.throws(
    () => locationFromGeolocation({ status: "fail", message: "private range", query: "10.0.0.7" }),
    /private range/,
  );
  const ipApi = locationFromGeolocation({
    status: "success",
    country: "Denmark",
    countryCode: "DK",
    region: "84",
    regionName: "Capital Region",
    city: "Copenhagen",
    zip: "1050",
    lat: 55.6759,
    lon: 12.5655,
  });
  assert.equal(ipApi.description, "Copenhagen, Capital Region, DK");
  assert.equal(ipApi.longitude, 12.5655);
  const uk = locationFromGeolocation({
    city: "London",
    region: "England",
    country: "GB",
    loc: "51.5085, -0.1257",
    postal: "EC1A",
  });
  assert.equal(uk.longitude, -0.1257);
  assert.equal(uk.postcode, "EC1A");
  const noLoc = locationFromGeolocation({ country: "DE" });
  assert.equal("latitude" in noLoc, false, "missing loc must not become NaN");
});

test("a country set as UK (or EL) is Great Britain (Greece), as the embedded figures know them", () => {
  assert.equal(locationFromOverrides({ country: "uk" }, {})?.country, "GB");
  assert.equal(locationFromOverrides({}, { CARBONTRACKER_COUNTRY: "EL" })?.country, "GR");
  assert.equal(locationFromOverrides({ country: "DE" }, {})?.country, "DE");
});
