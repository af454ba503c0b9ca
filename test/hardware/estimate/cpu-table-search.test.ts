// A run looks its CPU up by searching the table's text, not by parsing its 4,000 rows: the rows it
// finds and the model count it logs must be those of the whole parsed table. The searches run
// before anything in this file parses the whole table (which the search would then use).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  CODECARBON_CPU_ROW_COUNT,
  CODECARBON_CPU_CSV_PATH,
  cpuTable,
  cpuTableRowsContaining,
  parseCpuPowerCsv,
} from "../../../src/data/cpu-models/cpu-table.js";
import { packageFile } from "../../../src/data/package-file.js";
import { matchCpuModel, tableEntry } from "../../../src/hardware/estimate/cpu-model.js";

const FRAGMENTS = [["i7-1165g7"], ["epyc 9654"], ["8375c"], ["®"], ["2"], ["xeon", "(tm)"], ["no such cpu"]];

/** Every word of every upstream name, lower-cased (parsed here, so the module's table stays unparsed). */
function everyWord(): string[] {
  const csv = readFileSync(packageFile(CODECARBON_CPU_CSV_PATH), "utf8");
  const words = parseCpuPowerCsv(csv).flatMap((e) => e.name.toLowerCase().split(/\s+/));
  return [...new Set(words)].filter(Boolean);
}

test("searching the text finds the rows of the parsed table, merged additions included, in its order", () => {
  const words = everyWord();
  const byWord = words.map((word) => cpuTableRowsContaining([word]));
  const found = FRAGMENTS.map((fragments) => cpuTableRowsContaining(fragments));
  const brand = matchCpuModel("Intel(R) Core(TM) i7-1165G7 @ 2.80GHz");
  const altra = tableEntry("AMPERE ALTRA Q80-30");
  const table = cpuTable();
  FRAGMENTS.forEach((fragments, i) => {
    const expected = table.filter((e) => fragments.some((f) => e.name.toLowerCase().includes(f)));
    assert.deepEqual(found[i], expected, fragments.join(", "));
  });
  words.forEach((word, i) => {
    const expected = table.filter((e) => e.name.toLowerCase().includes(word));
    assert.deepEqual(byWord[i], expected, word);
  });
  assert.ok(words.length > 1000 && words.includes("surface®"), `${words.length} words`);
  assert.ok((found[1] as unknown[]).length > 0 && (found[4] as unknown[]).length > 1000);
  // An upstream row that an addition gives its threads: merged in the search too.
  assert.equal(found[2]?.find((e) => e.name === "Intel Xeon Platinum 8375C")?.threads, 64);
  assert.equal(brand?.entry.name, "Intel Core i7-1165G7");
  assert.equal(brand?.entry.tdpW, 28);
  assert.deepEqual(altra, { name: "Ampere Altra Q80-30", source: "ampere", tdpW: 210, threads: 80 });
});

test("the model count is the number of rows the parser keeps from the shipped table; odd rows are dropped", () => {
  assert.equal(CODECARBON_CPU_ROW_COUNT, cpuTable().filter((e) => e.source === "codecarbon").length);
  const odd = [
    "Name,TDP",
    "Intel Xeon E5-2670,115",
    "Intel Core i5-8250U,15\r",
    "  AMD Ryzen 5 3600 , 65 ",
    "Comma, In Name,45",
    "Zero Watts,0",
    "Zero Decimal,0.00",
    "Mangled Range,27.29.5",
    "Mangled Zero,1.0.0",
    "Blank Name ,  ,35",
    " ,12",
    ",12",
    "No TDP,",
    "Words,n/a",
    "No comma at all",
    "Trailing dot,12.",
    "",
  ].join("\n");
  assert.deepEqual(
    parseCpuPowerCsv(odd).map((e) => [e.name, e.tdpW]),
    [
      ["Intel Xeon E5-2670", 115],
      ["Intel Core i5-8250U", 15],
      ["AMD Ryzen 5 3600", 65],
      ["Comma, In Name", 45],
      ["Mangled Range", 29.5],
      ["Blank Name ,", 35],
    ],
  );
});
