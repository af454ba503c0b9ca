// Offline, or when every lookup fails, the system time zone still says roughly where we are.
// It is only a guess (a laptop may keep its home zone abroad) and is always reported as one.
import { readFileSync, readlinkSync } from "node:fs";

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

/** Names ICU gives some zone.tab zones (its CLDR ids); every other zone.tab name it keeps. */
const ICU_NAMES: Record<string, string> = {
  "Africa/Asmara": "Africa/Asmera",
  "America/Argentina/Buenos_Aires": "America/Buenos_Aires",
  "America/Argentina/Catamarca": "America/Catamarca",
  "America/Argentina/Cordoba": "America/Cordoba",
  "America/Argentina/Jujuy": "America/Jujuy",
  "America/Argentina/Mendoza": "America/Mendoza",
  "America/Atikokan": "America/Coral_Harbour",
  "America/Indiana/Indianapolis": "America/Indianapolis",
  "America/Kentucky/Louisville": "America/Louisville",
  "America/Nuuk": "America/Godthab",
  "Asia/Ho_Chi_Minh": "Asia/Saigon",
  "Asia/Kathmandu": "Asia/Katmandu",
  "Asia/Kolkata": "Asia/Calcutta",
  "Asia/Yangon": "Asia/Rangoon",
  "Atlantic/Faroe": "Atlantic/Faeroe",
  "Europe/Kyiv": "Europe/Kiev",
  "Pacific/Chuuk": "Pacific/Truk",
  "Pacific/Kanton": "Pacific/Enderbury",
  "Pacific/Pohnpei": "Pacific/Ponape",
};

/** Names of UTC that ICU reports as "UTC". */
const UTC_NAMES = new Set(
  ["UTC", "UCT", "Universal", "Zulu", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich"].flatMap((n) => [
    n,
    `Etc/${n}`,
  ]),
);

/**
 * The zone named by TZ or the /etc/localtime link, as ICU names it, when that is certain (a UTC
 * name or a zone.tab zone); undefined otherwise.
 */
function linkedTimeZone(env: Record<string, string | undefined>, localtime: string, zoneTabPath: string) {
  let name: string | undefined;
  if (env.TZ !== undefined) {
    name = env.TZ.replace(/^:/, "");
  } else {
    try {
      const target = readlinkSync(localtime);
      const at = target.lastIndexOf("zoneinfo/");
      if (at >= 0) name = target.slice(at + "zoneinfo/".length);
    } catch {
      return undefined;
    }
  }
  if (!name) return undefined;
  if (UTC_NAMES.has(name)) return "UTC";
  if (ICU_NAMES[name]) return ICU_NAMES[name];
  return zoneTab(zoneTabPath)?.has(name) ? name : undefined;
}

/**
 * The system's IANA time zone (honours TZ), or undefined: read from TZ or the /etc/localtime
 * link where that is certain, else asked of ICU through Intl (whose first use costs some 15 ms
 * of CPU and 9 MB of memory).
 */
export function systemTimeZone(
  env: Record<string, string | undefined> = process.env,
  localtime = "/etc/localtime",
  zoneTabPath = ZONE_TAB,
): string | undefined {
  const linked = linkedTimeZone(env, localtime, zoneTabPath);
  if (linked) return linked;
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

const zoneTabs = new Map<string, Map<string, string> | undefined>();

/** The parsed zone.tab at `path` (read once), or undefined where there is none. */
function zoneTab(path: string): Map<string, string> | undefined {
  if (!zoneTabs.has(path)) {
    try {
      zoneTabs.set(path, parseZoneTab(readFileSync(path, "utf8")));
    } catch {
      zoneTabs.set(path, undefined);
    }
  }
  return zoneTabs.get(path);
}

/** Parses zone.tab lines (`CC<TAB>coords<TAB>Zone/Name`) into zone → country. */
function parseZoneTab(text: string): Map<string, string> {
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
  // No zone.tab here: the embedded table answers.
  return zoneTab(zoneTabPath)?.get(timeZone) ?? EMBEDDED[timeZone];
}
