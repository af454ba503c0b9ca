// How a component's energy was obtained, from what the logs say: our tracker notes estimates and
// simulated devices in the output log ("Energy of cpu X is an ESTIMATE ..."); the original's
// GenericCPU fallback names its device "Unknown CPU"; the original otherwise samples power.
import { readUnmeasuredNote } from "../provenance-note.js";

/** A function naming each component's provenance, given the output log's or console's lines. */
export function provenanceFrom(lines: readonly string[]): (component: string, devices: string[]) => string {
  const notes = new Map<string, string>();
  for (const line of lines) {
    const note = readUnmeasuredNote(line);
    if (note) notes.set(note.component, note.provenance);
  }
  return (component, devices) =>
    notes.get(component) ??
    (component === "cpu" && devices.length === 1 && devices[0] === "Unknown CPU" ? "estimate" : "sampled");
}
