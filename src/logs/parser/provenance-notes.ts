// How a component's energy was obtained, from what the logs say: our tracker notes estimates and
// simulated devices in the output log ("Energy of cpu X is an ESTIMATE ..."); the original's
// GenericCPU fallback names its device "Unknown CPU"; the original otherwise samples power.

const NOTE = /Energy of (\w+) (.+) is (?:an )?(ESTIMATE|SIMULATED)/;

/** A function naming each component's provenance, given the output log's or console's lines. */
export function provenanceFrom(lines: readonly string[]): (component: string, devices: string[]) => string {
  const notes = new Map<string, string>();
  for (const line of lines) {
    if (!line.includes("Energy of ")) continue;
    const m = NOTE.exec(line);
    if (m) notes.set((m[1] as string).toLowerCase(), m[3] === "ESTIMATE" ? "estimate" : "simulated");
  }
  return (component, devices) =>
    notes.get(component) ??
    (component === "cpu" && devices.length === 1 && devices[0] === "Unknown CPU" ? "estimate" : "sampled");
}
