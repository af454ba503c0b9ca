// IP geolocation (ipinfo-style JSON, as the original's `geocoder.ip("me")`; ip-api's fields are
// read too): the country, coordinates and postcode that pick and feed the live sources.
import { IntensityFetchError } from "../../errors/index.js";
import { httpGet, parseJson, statusError, type HttpConfig } from "../http/http-get.js";
import type { Location } from "../types.js";

/** Default geolocation URL (DESIGN.md seam CARBONTRACKER_GEOLOCATION_URL). */
export const GEOLOCATION_DEFAULT_URL = "https://ipinfo.io/json";

const SOURCE = "ip-geolocation";

/** `"City, Region, CC"`, as geocoder builds its address (fewer parts when some are missing). */
function addressOf(city?: string, region?: string, country?: string): string {
  if (city) return [city, region, country].filter(Boolean).join(", ");
  if (region) return [region, country].filter(Boolean).join(", ");
  return country ?? "";
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;

const coordinate = (value: unknown): number | undefined => {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : NaN;
  return typeof value !== "undefined" && value !== "" && Number.isFinite(n) ? n : undefined;
};

/**
 * Turns an ipinfo (`loc: "lat,lng"`, `country`, `postal`) or ip-api (`countryCode`, `lat`, `lon`,
 * `zip`) body into a Location; throws when it names no country (bogon, fail, garbage).
 */
export function locationFromGeolocation(body: unknown): Location {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  if (b.status === "fail") {
    throw new IntensityFetchError(
      SOURCE,
      `${SOURCE}: lookup failed (${text(b.message) ?? "no reason given"}).`,
    );
  }
  const country = (text(b.countryCode) ?? text(b.country))?.toUpperCase();
  if (!country || !/^[A-Z]{2}$/.test(country)) {
    throw new IntensityFetchError(
      SOURCE,
      `${SOURCE}: answer names no country${b.bogon === true ? " (private address)" : ""}.`,
    );
  }
  let latitude = coordinate(b.lat);
  let longitude = coordinate(b.lon);
  const loc = text(b.loc)?.split(",");
  if (loc && loc.length === 2) {
    latitude = coordinate(loc[0]);
    longitude = coordinate(loc[1]);
  }
  const city = text(b.city);
  const region = text(b.regionName) ?? text(b.region);
  const location: Location = {
    country,
    description: addressOf(city, region, country),
    method: "ip",
  };
  if (latitude !== undefined && longitude !== undefined) {
    location.latitude = latitude;
    location.longitude = longitude;
  }
  const postcode = text(b.postal) ?? text(b.zip);
  if (postcode) location.postcode = postcode;
  return location;
}

/** Looks up the caller's location by IP at `url`; rejects with IntensityFetchError on any failure. */
export async function geolocateByIp(http: HttpConfig, url: string, signal?: AbortSignal): Promise<Location> {
  const answer = await httpGet(http, {
    url,
    headers: { accept: "application/json" },
    source: SOURCE,
    signal,
  });
  if (!answer.ok) throw statusError(SOURCE, answer);
  return locationFromGeolocation(parseJson(SOURCE, answer));
}
