// The one wording of where an energy figure comes from: the statement for papers, the report,
// doctor and the parser's notes all say it this way, so a reader meets one vocabulary.
import type { Provenance } from "./types.js";

/** Every provenance, strongest first. */
const PROVENANCES: readonly Provenance[] = ["counter", "sampled", "estimate", "simulated"];

/** How a provenance obtains energy, as a phrase ("energy from <phrase>"). */
export const PROVENANCE_METHOD: Record<Provenance, string> = {
  counter: "hardware energy counters",
  sampled: "sampled power integrated over time",
  estimate: "estimates from TDP x utilisation (not measurements)",
  simulated: "simulated power (not measurements)",
};

/** A provenance named in a log, or undefined when the text is not one. */
export function asProvenance(text: unknown): Provenance | undefined {
  return PROVENANCES.find((p) => p === text);
}
