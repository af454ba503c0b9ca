// Writes data/grid-intensity/annual.json: the annual grid intensities of @tgwf/co2 (Electricity
// Maps' yearly averages, Ember's by country) in the one shape a lookup needs, the newest year of
// each zone only. Loading co2.js's own tables (400 kB of JavaScript, five years) took 30-40 ms at
// a run's start; this extract parses in well under a millisecond. co2.js stays the one source:
// test/data/grid-intensity.test.ts fails when the extract differs from the installed package.
// Run after updating @tgwf/co2: node scripts/extract-grid-intensity.mjs (--check: exit 1 when
// the shipped extract differs, writing nothing).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as prettier from "prettier";

const require = createRequire(import.meta.url);

/** The extract's content, from the installed @tgwf/co2. */
export function gridIntensityExtract() {
  const maps = require("@tgwf/co2/data/electricity-maps");
  const { averageIntensity } = require("@tgwf/co2/data");
  // Its package.json is not exported: it sits above dist/cjs/data.js.
  const manifest = new URL("../../package.json", `file://${require.resolve("@tgwf/co2/data")}`);
  const version = JSON.parse(readFileSync(manifest, "utf8")).version;
  const years = Object.keys(maps)
    .map((name) => /^yearly(\d{4})$/.exec(name))
    .filter(Boolean)
    .map((match) => Number(match[1]))
    .sort((a, b) => b - a);
  /** zone -> [year, gCO2eq/kWh, zone name], the newest year with a figure. */
  const zones = {};
  for (const year of years) {
    for (const [zone, entry] of Object.entries(maps[`yearly${year}`].data)) {
      const value = entry?.carbonIntensity?.value;
      if (zone in zones || typeof value !== "number" || !Number.isFinite(value)) continue;
      zones[zone] = entry?.zone?.zoneName ? [year, value, entry.zone.zoneName] : [year, value];
    }
  }
  const sorted = (table) => Object.fromEntries(Object.entries(table).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    source: `@tgwf/co2 ${version}: data/electricity-maps (yearly${years.join(", yearly")}) and data averageIntensity (Ember)`,
    electricityMaps: sorted(zones),
    ember: sorted(averageIntensity.data),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL("../data/grid-intensity/annual.json", import.meta.url);
  // Formatted as the repository's prettier settings format it, so format:check agrees.
  const options = await prettier.resolveConfig(path.pathname);
  const text = await prettier.format(JSON.stringify(gridIntensityExtract()), { ...options, parser: "json" });
  if (process.argv.includes("--check")) {
    if (readFileSync(path, "utf8") !== text) {
      console.error(
        `${path.pathname} differs from the installed @tgwf/co2: run node scripts/extract-grid-intensity.mjs`,
      );
      process.exit(1);
    }
    console.log(`${path.pathname} is the installed @tgwf/co2's`);
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${path.pathname}`);
  }
}
