// Finds a /proc/cpuinfo brand string in the CPU model table. Both sides are normalised the same
// way ("Intel(R) Xeon(R) Gold 6226R CPU @ 2.90GHz" and "Intel Xeon Gold 6226R" both become
// "intel xeon gold 6226r"), and a model matches only when every token of it is in the brand and
// every token of the brand that carries a digit is in it: 6338 is never 6338N, i7-1165G7 never
// i7-1165G, E5-2686 v4 never E5-2686.
import { cpuTableRowsContaining, type CpuTableEntry } from "../../data/cpu-models/cpu-table.js";
import { hasDigit } from "../digits.js";

const NUMBER_WORDS = "dual|triple|quad|six|eight|ten|twelve|sixteen";
/** Trademark signs, as `(R)` or as symbols (in a lower-cased name). */
const TRADEMARKS = /\((?:r|tm|c)\)|[®™©]/g;
/** The trademark signs TRADEMARKS removes. */
const TRADEMARK_SIGNS = ["(r)", "(tm)", "(c)", "®", "™", "©"];
/** Core counts ("8-core processor", "quad-core"). */
const CORE_COUNT = new RegExp(`\\b(?:\\d+|${NUMBER_WORDS})-cores?(?:\\s+processor)?\\b`, "g");

/**
 * First-generation Core i3/i5/i7 (2008-2011) print the model number apart, after its suffix letter
 * ("i7 CPU Q 720" is the i7-720QM). Mobile suffixes end in M; X is the mobile 920XM and 940XM, but
 * the desktop Extreme Editions 980X and 990X.
 */
function firstGenCore(_match: string, series: string, letter: string | undefined, digits: string): string {
  let suffix = letter ?? "";
  if (letter === "q" || letter === "l" || letter === "u" || (letter === "x" && Number(digits) < 970)) {
    suffix += "m";
  }
  return `${series}-${digits}${suffix}`;
}

type Replacement = string | ((match: string, ...groups: string[]) => string);

/**
 * The steps of normalising, in order: each replaces its pattern, and runs only when one of its
 * literals (without which the pattern cannot match) is in the text. V8 compiles a regular
 * expression on its first use (tens of microseconds apiece, on every start), and most brand
 * strings need few of these steps.
 */
const STEPS: ReadonlyArray<
  readonly [literals: readonly string[], pattern: RegExp, replacement: Replacement]
> = [
  [TRADEMARK_SIGNS, TRADEMARKS, ""],
  [["("], /\([^)]*\)/g, " "],
  // Everything from the clock on ("@ 2.90GHz", "0000%@") says nothing about the model.
  [["@"], /@.*$/, " "],
  [["w/", "with"], /\b(?:w\/|with)\s.*$/, " "],
  [["radeon"], /\bradeon\b.*$/, " "],
  [["compute cores"], /,\s*\d+\s+compute cores.*$/, " "],
  [[" gen"], /\b\d+(?:st|nd|rd|th) gen\b/g, " "],
  [["-core"], CORE_COUNT, " "],
  [["core2"], /\bcore2\b/g, "core 2"],
  [["processor", "cpu", "mobile"], /\b(?:processor|cpu|mobile)\b/g, " "],
  [[" i3 ", " i5 ", " i7 "], /\b(i[357])\s+(?:([a-z])\s+)?(\d{3})\b/g, firstGenCore],
  // Intel's first generation of a Xeon line is printed as " 0" ("E5-2670 0").
  [[" 0"], / 0(?= |$)/g, " "],
];

/** The brand string in the table's terms: lower case, trademarks, clock, core counts and filler gone. */
export function normaliseBrand(brand: string): string {
  let text = brand.toLowerCase();
  for (const [literals, pattern, replacement] of STEPS) {
    if (!literals.some((literal) => text.includes(literal))) continue;
    // One call per overload of replace (a string or a function), which TypeScript will not unite.
    text =
      typeof replacement === "string"
        ? text.replace(pattern, replacement)
        : text.replace(pattern, replacement);
  }
  const squeezed = text.replace(/\s+/g, " ").trim();
  return ",.;:-".includes(squeezed.at(-1) ?? "") ? squeezed.replace(/[\s,.;:-]+$/, "") : squeezed;
}

/** Whitespace tokens of a normalised name. */
function tokens(normalised: string): string[] {
  return normalised.split(" ").filter(Boolean);
}

interface IndexedEntry {
  entry: CpuTableEntry;
  tokens: Set<string>;
  key: string;
}

/**
 * The entries whose normalised name holds `token`. Every token of a normalised name is in the
 * lower-cased name, unless a trademark sign sat inside it ("i7(tm)-1165"): normalising only
 * removes text or puts spaces in. So the table is searched for the token and for trademark
 * signs, and only the rows found are normalised.
 */
function candidatesFor(token: string): IndexedEntry[] {
  const found: IndexedEntry[] = [];
  for (const entry of cpuTableRowsContaining([token, ...TRADEMARK_SIGNS])) {
    const key = normaliseBrand(entry.name);
    const indexed: IndexedEntry = { entry, key, tokens: new Set(tokens(key)) };
    if (indexed.tokens.has(token)) found.push(indexed);
  }
  return found;
}

/** A brand string found in the table. */
export interface CpuModelMatch {
  entry: CpuTableEntry;
  /** The brand after normalisation, as compared. */
  normalised: string;
  /** `exact`: same tokens; `contained`: the brand has extra words without digits ("pro", "mobile"). */
  how: "exact" | "contained";
}

/**
 * The table entry for a brand string, or undefined when no model fits exactly. Among entries that
 * fit, the one with the most tokens wins (vendor-prefixed over bare names); entries that tie must
 * agree on the TDP, else the brand is ambiguous and unmatched.
 */
export function matchCpuModel(brand: string | undefined): CpuModelMatch | undefined {
  if (!brand) return undefined;
  const normalised = normaliseBrand(brand);
  const brandTokens = tokens(normalised);
  const digitTokens = brandTokens.filter(hasDigit);
  if (digitTokens.length === 0) return undefined;
  const brandSet = new Set(brandTokens);
  const candidates = candidatesFor(digitTokens[0] as string);
  let best: IndexedEntry[] = [];
  for (const candidate of candidates) {
    if (![...candidate.tokens].every((t) => brandSet.has(t))) continue;
    if (!digitTokens.every((t) => candidate.tokens.has(t))) continue;
    const size = candidate.tokens.size;
    const bestSize = best[0]?.tokens.size ?? 0;
    if (size > bestSize) best = [candidate];
    else if (size === bestSize) best.push(candidate);
  }
  const winner = best.find((c) => c.key === normalised) ?? best[0];
  if (!winner) return undefined;
  if (best.some((c) => c.entry.tdpW !== winner.entry.tdpW)) return undefined;
  return { entry: winner.entry, normalised, how: winner.key === normalised ? "exact" : "contained" };
}

/** The table entry with exactly this name (any case), or undefined. */
export function tableEntry(name: string): CpuTableEntry | undefined {
  const wanted = name.toLowerCase();
  return cpuTableRowsContaining([wanted]).find((e) => e.name.toLowerCase() === wanted);
}
