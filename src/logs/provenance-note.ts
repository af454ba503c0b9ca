// The line a run writes for each device whose energy is not measured ("Energy of cpu X is an
// ESTIMATE (TDP x utilisation), not a measurement."), and the parser's reading of it: one
// module, so the writer and the parser cannot drift apart.
import type { Provenance } from "../hardware/types.js";

type Unmeasured = Extract<Provenance, "estimate" | "simulated">;

const HOW: Record<Unmeasured, string> = {
  estimate: "an ESTIMATE (TDP x utilisation), not a measurement",
  simulated: "SIMULATED (rated power x utilisation)",
};

const NOTE = /Energy of (\w+) (.+) is (?:an )?(ESTIMATE|SIMULATED)/;

/**
 * The note for one device (without the "CarbonTracker: " prefix). An estimate's `label` (the
 * estimate reader's `estimate_label`, e.g. a VM's share of its host) replaces "TDP x utilisation".
 */
export function unmeasuredNote(
  component: string,
  device: string,
  provenance: Unmeasured,
  label?: unknown,
): string {
  const how =
    provenance === "estimate" && typeof label === "string" && label !== ""
      ? `an ESTIMATE (${label}), not a measurement`
      : HOW[provenance];
  return `Energy of ${component} ${device} is ${how}.`;
}

/** The component and provenance a line's note states, or null when the line is not a note. */
export function readUnmeasuredNote(line: string): { component: string; provenance: Unmeasured } | null {
  if (!line.includes("Energy of ")) return null;
  const m = NOTE.exec(line);
  if (!m) return null;
  return {
    component: (m[1] as string).toLowerCase(),
    provenance: m[3] === "ESTIMATE" ? "estimate" : "simulated",
  };
}
