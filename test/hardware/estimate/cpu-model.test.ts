// The CPU model table and its matcher on real /proc/cpuinfo brand strings: every string finds
// exactly its model, never a neighbour (6338 is not 6338N), and the data keeps its provenance.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { matchCpuModel, normaliseBrand } from "../../../src/hardware/estimate/cpu-model.js";
import {
  cpuTableSource,
  cpuTable,
  parseCpuPowerCsv,
  parseTdpCell,
} from "../../../src/data/cpu-models/cpu-table.js";
import { ADDITION_SOURCES, cpuAdditions } from "../../../src/data/cpu-models/cpu-additions.js";
import { CODECARBON_CPU_CSV_PATH } from "../../../src/data/cpu-models/cpu-table.js";

const CODECARBON_CPU_POWER_CSV = readFileSync(CODECARBON_CPU_CSV_PATH, "utf8");
import { BRAND_STRINGS } from "./brand-strings.js";

test(`the table has 50 or more real brand strings, of servers, desktops and laptops`, () => {
  assert.ok(BRAND_STRINGS.length >= 50, `${BRAND_STRINGS.length} brand strings`);
  for (const kind of ["AWS", "Azure", "GCP", "server", "desktop", "laptop"]) {
    assert.ok(
      BRAND_STRINGS.some(([, , where]) => where.includes(kind)),
      kind,
    );
  }
});

for (const [brand, expected, where] of BRAND_STRINGS) {
  test(`brand string "${brand}" (${where}) -> ${expected ?? "no model"}`, () => {
    assert.equal(matchCpuModel(brand)?.entry.name ?? null, expected);
  });
}

test("the exact model wins over its neighbours: 6338 is not 6338N, i7-1165G7 is not i7-1165G", () => {
  for (const neighbour of ["Intel Xeon Gold 6338N", "Intel Xeon Gold 6338T", "6338P"]) {
    assert.ok(
      cpuTable().some((e) => e.name === neighbour),
      `${neighbour} is in the table`,
    );
  }
  assert.equal(matchCpuModel("Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz")?.entry.tdpW, 205);
  assert.equal(matchCpuModel("Intel(R) Xeon(R) Gold 6338N CPU @ 2.20GHz")?.entry.tdpW, 185);
  assert.equal(
    matchCpuModel("11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz")?.entry.name,
    "Intel Core i7-1165G7",
  );
  assert.equal(matchCpuModel("Intel(R) Core(TM) i7-1165G @ 2.80GHz"), undefined, "a prefix of i7-1165G7");
  assert.equal(matchCpuModel("AMD Opteron(TM) Processor 6338P")?.entry.name, "6338P");
  assert.equal(matchCpuModel("Intel(R) Xeon(R) Gold 6338X CPU @ 2.00GHz"), undefined, "an unknown suffix");
  assert.equal(matchCpuModel("Intel(R) Xeon(R) CPU E5-2686 v9 @ 2.30GHz"), undefined, "v9 is not v4");
});

test("the models added 2026-12-05 resolve from their /proc/cpuinfo brand strings to their vendors' TDPs, cited", () => {
  const added: [brand: string, tdpW: number, source: string][] = [
    ["Intel(R) Xeon(R) Platinum 8480CL", 350, "intel-ark"],
    ["13th Gen Intel(R) Core(TM) i9-13900KF", 125, "intel-ark"],
    ["Intel(R) Xeon(R) CPU E3-1225 v3 @ 3.20GHz", 84, "intel-ark"],
    ["AMD EPYC 9B14 96-Core Processor", 360, "amd"],
    ["AMD Ryzen 7 5800X3D 8-Core Processor", 105, "amd"],
  ];
  for (const [brand, tdpW, source] of added) {
    const entry = matchCpuModel(brand)?.entry;
    assert.deepEqual([entry?.tdpW, entry?.source], [tdpW, source], brand);
  }
  // Their neighbours keep their own rows: the upstream E3-1225 (95 W) and the 8480+.
  assert.equal(matchCpuModel("Intel(R) Xeon(R) CPU E3-1225 @ 3.10GHz")?.entry.tdpW, 95);
  assert.equal(matchCpuModel("Intel(R) Xeon(R) Platinum 8480+")?.entry.name, "Intel Xeon Platinum 8480+");
});

test("first-generation Core i3/i5/i7 print the number apart, after the suffix letter: i7 CPU Q 720 is the i7-720QM", () => {
  const tdp = (brand: string) => matchCpuModel(brand)?.entry.tdpW;
  assert.equal(tdp("Intel(R) Core(TM) i7 CPU         920  @ 2.67GHz"), 130, "desktop i7-920");
  assert.equal(
    tdp("Intel(R) Core(TM) i7 CPU       X 920  @ 2.00GHz"),
    55,
    "mobile i7-920XM, not the desktop 920",
  );
  assert.equal(tdp("Intel(R) Core(TM) i7 CPU       X 980  @ 3.33GHz"), 130, "desktop i7-980X");
  assert.equal(tdp("Intel(R) Core(TM) i7 CPU       Q 720  @ 1.60GHz"), 45, "i7-720QM");
  assert.equal(tdp("Intel(R) Core(TM) i5 CPU       M 520  @ 2.40GHz"), 35, "i5-520M");
  assert.equal(tdp("Intel(R) Core(TM) i7 CPU       U 640  @ 1.20GHz"), 18, "i7-640UM");
  assert.equal(tdp("Intel(R) Core(TM) i7 CPU       K 875  @ 2.93GHz"), 95, "i7-875K");
  assert.equal(tdp("Intel(R) Core(TM) i3 CPU         540  @ 3.07GHz"), 73, "i3-540");
});

test("normalisation drops trademarks, clock, generation, core counts and graphics, on both sides", () => {
  assert.equal(normaliseBrand("Intel(R) Xeon(R) Gold 6226R CPU @ 2.90GHz"), "intel xeon gold 6226r");
  assert.equal(normaliseBrand("Intel Xeon Gold 6226R"), "intel xeon gold 6226r");
  assert.equal(normaliseBrand("AMD EPYC 7763 64-Core Processor"), "amd epyc 7763");
  assert.equal(normaliseBrand("11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz"), "intel core i7-1165g7");
  assert.equal(normaliseBrand("AMD Ryzen 7 7840U w/ Radeon  780M Graphics"), "amd ryzen 7 7840u");
  assert.equal(normaliseBrand("AMD FX(tm)-8350 Eight-Core Processor"), "amd fx-8350");
  assert.equal(normaliseBrand("AMD Ryzen 5 3500 Processor (OEM Only)"), "amd ryzen 5 3500");
  assert.equal(matchCpuModel("AMD Ryzen 7 PRO 7840U w/ Radeon 780M Graphics")?.how, "contained");
  assert.equal(matchCpuModel("AMD EPYC 7763 64-Core Processor")?.how, "exact");
  assert.equal(matchCpuModel(""), undefined);
  assert.equal(matchCpuModel(undefined), undefined);
});

test("the upstream table is shipped verbatim with its provenance, ranges read as their upper end", () => {
  const upstream = parseCpuPowerCsv(CODECARBON_CPU_POWER_CSV);
  assert.equal(upstream.length, 3924);
  assert.ok(upstream.some((e) => e.name === "Intel Xeon Gold 6226R" && e.tdpW === 150));
  assert.ok(
    upstream.some((e) => e.name === "Intel Xeon Silver 4208" && e.tdpW === 85),
    "' 85' trimmed",
  );
  assert.equal(parseTdpCell("27.29.5"), 29.5);
  assert.equal(parseTdpCell("45.0"), 45);
  assert.equal(parseTdpCell("n/a"), undefined);
  assert.match(cpuTableSource(), /codecarbon cpu_power\.csv \(MIT\).*carbontracker 2\.4\.3 \(3924 models\)/);
  assert.match(cpuTableSource(), new RegExp(`additions .* \\(${cpuAdditions().length} rows`));
});

test("additions are additions: new names with a TDP, or threads for an upstream model; every source cited", () => {
  const upstream = new Map(parseCpuPowerCsv(CODECARBON_CPU_POWER_CSV).map((e) => [e.name.toLowerCase(), e]));
  const seen = new Set<string>();
  for (const addition of cpuAdditions()) {
    const key = addition.name.toLowerCase();
    assert.ok(!seen.has(key), `${addition.name} is added twice`);
    seen.add(key);
    assert.ok(ADDITION_SOURCES[addition.source], `${addition.name} cites ${addition.source}`);
    if (addition.tdpW !== undefined)
      assert.ok(!upstream.has(key), `${addition.name} would override upstream`);
    else assert.ok(addition.threads !== undefined, `${addition.name} adds nothing`);
    if (addition.threads !== undefined) assert.ok(Number.isInteger(addition.threads) && addition.threads > 0);
  }
  const merged = cpuTable().find((e) => e.name === "Intel Xeon Platinum 8375C");
  assert.deepEqual(merged, {
    name: "Intel Xeon Platinum 8375C",
    tdpW: 300,
    threads: 64,
    source: "codecarbon",
  });
});
