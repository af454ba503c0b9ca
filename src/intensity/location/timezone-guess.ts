// Offline, or when every lookup fails, the system time zone still says roughly where we are.
// It is only a guess (a laptop may keep its home zone abroad) and is always reported as one.
import { readFileSync } from "node:fs";

/** The tz database's zone → country table, where the system has one (Linux, macOS). */
const ZONE_TAB = "/usr/share/zoneinfo/zone.tab";

/** Common zones, for systems without zone.tab (Windows). */
const EMBEDDED: Record<string, string> = {
  "Europe/London": "GB",
  "Europe/Dublin": "IE",
  "Europe/Lisbon": "PT",
  "Europe/Madrid": "ES",
  "Europe/Paris": "FR",
  "Europe/Brussels": "BE",
  "Europe/Amsterdam": "NL",
  "Europe/Luxembourg": "LU",
  "Europe/Berlin": "DE",
  "Europe/Zurich": "CH",
  "Europe/Vienna": "AT",
  "Europe/Rome": "IT",
  "Europe/Copenhagen": "DK",
  "Europe/Oslo": "NO",
  "Europe/Stockholm": "SE",
  "Europe/Helsinki": "FI",
  "Europe/Tallinn": "EE",
  "Europe/Riga": "LV",
  "Europe/Vilnius": "LT",
  "Europe/Warsaw": "PL",
  "Europe/Prague": "CZ",
  "Europe/Bratislava": "SK",
  "Europe/Budapest": "HU",
  "Europe/Ljubljana": "SI",
  "Europe/Zagreb": "HR",
  "Europe/Belgrade": "RS",
  "Europe/Bucharest": "RO",
  "Europe/Sofia": "BG",
  "Europe/Athens": "GR",
  "Europe/Istanbul": "TR",
  "Europe/Kiev": "UA",
  "Europe/Kyiv": "UA",
  "Europe/Moscow": "RU",
  "Atlantic/Reykjavik": "IS",
  "America/New_York": "US",
  "America/Chicago": "US",
  "America/Denver": "US",
  "America/Phoenix": "US",
  "America/Los_Angeles": "US",
  "America/Anchorage": "US",
  "Pacific/Honolulu": "US",
  "America/Toronto": "CA",
  "America/Vancouver": "CA",
  "America/Edmonton": "CA",
  "America/Winnipeg": "CA",
  "America/Halifax": "CA",
  "America/Mexico_City": "MX",
  "America/Sao_Paulo": "BR",
  "America/Argentina/Buenos_Aires": "AR",
  "America/Santiago": "CL",
  "America/Bogota": "CO",
  "America/Lima": "PE",
  "Asia/Tokyo": "JP",
  "Asia/Seoul": "KR",
  "Asia/Shanghai": "CN",
  "Asia/Hong_Kong": "HK",
  "Asia/Taipei": "TW",
  "Asia/Singapore": "SG",
  "Asia/Kolkata": "IN",
  "Asia/Calcutta": "IN",
  "Asia/Jakarta": "ID",
  "Asia/Bangkok": "TH",
  "Asia/Manila": "PH",
  "Asia/Kuala_Lumpur": "MY",
  "Asia/Dubai": "AE",
  "Asia/Jerusalem": "IL",
  "Asia/Riyadh": "SA",
  "Australia/Sydney": "AU",
  "Australia/Melbourne": "AU",
  "Australia/Brisbane": "AU",
  "Australia/Perth": "AU",
  "Australia/Adelaide": "AU",
  "Pacific/Auckland": "NZ",
  "Africa/Johannesburg": "ZA",
  "Africa/Cairo": "EG",
  "Africa/Lagos": "NG",
  "Africa/Nairobi": "KE",
};

/** The system's IANA time zone (honours TZ), or undefined. */
export function systemTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

/** Parses zone.tab lines (`CC<TAB>coords<TAB>Zone/Name`) into zone → country. */
export function parseZoneTab(text: string): Map<string, string> {
  const table = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const [country, , zone] = line.split("\t");
    if (country && zone && /^[A-Z]{2}$/.test(country)) table.set(zone.trim(), country);
  }
  return table;
}

/**
 * The country a time zone belongs to (`Europe/Copenhagen` → `DK`): the system's zone.tab first,
 * then the embedded table; undefined for UTC, `Etc/*` and unknown zones. Reads one small local
 * file, no network.
 */
export function countryOfTimeZone(timeZone: string, zoneTabPath = ZONE_TAB): string | undefined {
  if (!timeZone || timeZone === "UTC" || timeZone.startsWith("Etc/")) return undefined;
  try {
    const fromSystem = parseZoneTab(readFileSync(zoneTabPath, "utf8")).get(timeZone);
    if (fromSystem) return fromSystem;
  } catch {
    // No zone.tab here: the embedded table answers.
  }
  return EMBEDDED[timeZone];
}
