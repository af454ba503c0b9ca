// What the user told us beats anything we could detect: country, zone, coordinates, postcode,
// from options first, then the environment.
import type { Location } from "../types.js";

/** The location fields a user may set. */
export interface LocationOverrides {
  country?: string;
  zone?: string;
  latitude?: number;
  longitude?: number;
  postcode?: string;
}

/** Reads a coordinate from an option or env string; a bad one is reported and ignored (never fatal). */
function coordinate(
  name: string,
  value: number | string | undefined,
  limit: number,
  warn: (text: string) => void,
): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n) || Math.abs(n) > limit) {
    warn(`Ignoring ${name} ${String(value)}: it must be a number between -${limit} and ${limit}.`);
    return undefined;
  }
  return n;
}

/**
 * Codes ISO 3166-1 reserves for a country whose code is another, which people type as its code:
 * "UK" finds Great Britain's figures (the GB grid source and the embedded table) as "GB" does.
 */
const ISO_RESERVED_ALIASES: Readonly<Record<string, string>> = { UK: "GB", EL: "GR" };

/**
 * The location from explicit overrides (options, then CARBONTRACKER_COUNTRY, _ZONE, _LATITUDE,
 * _LONGITUDE, _POSTCODE), or undefined when none is set. A postcode alone means Great Britain.
 */
export function locationFromOverrides(
  options: LocationOverrides,
  env: Record<string, string | undefined>,
  warn: (text: string) => void = () => {},
): Location | undefined {
  const zone = (options.zone ?? env.CARBONTRACKER_ZONE) || undefined;
  const postcode = ((options.postcode ?? env.CARBONTRACKER_POSTCODE) || undefined)?.trim().toUpperCase();
  const latitude = coordinate("latitude", options.latitude ?? env.CARBONTRACKER_LATITUDE, 90, warn);
  const longitude = coordinate("longitude", options.longitude ?? env.CARBONTRACKER_LONGITUDE, 180, warn);
  let country = ((options.country ?? env.CARBONTRACKER_COUNTRY) || undefined)?.trim().toUpperCase();
  if (country !== undefined) country = ISO_RESERVED_ALIASES[country] ?? country;
  if (!country && zone) country = (zone.split("-")[0] as string).toUpperCase();
  if (!country && postcode) country = "GB";
  const hasCoordinates = latitude !== undefined && longitude !== undefined;
  if (!zone && !country && !hasCoordinates) return undefined;
  const parts = [
    zone ?? country,
    postcode,
    hasCoordinates ? `${latitude.toFixed(4)},${longitude.toFixed(4)}` : undefined,
  ].filter(Boolean);
  const location: Location = { description: parts.join(" "), method: "override" };
  if (country) location.country = country;
  if (zone) location.zone = zone;
  if (postcode) location.postcode = postcode;
  if (hasCoordinates) {
    location.latitude = latitude;
    location.longitude = longitude;
  }
  return location;
}
