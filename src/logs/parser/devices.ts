// Reads "The following components were found: GPU with device(s) A, B. CPU with device(s) C."
// by the positions of "<COMPONENT> with device(s)", not by splitting at the first dot: the
// original splits there and crashes on names such as "RTX 3090 (rev. a1)" or "@ 2.90GHz".

const FOUND = /The following components were found:(.*)$/;
const COMPONENT = /\b([A-Za-z][A-Za-z0-9_-]*) with device\(s\)\s*/g;

/** Devices per component (lower-case) from a components line, or null if the line is not one. */
export function parseComponentsLine(line: string): Record<string, string[]> | null {
  const found = FOUND.exec(line);
  if (!found) return null;
  const text = found[1] as string;
  const matches = [...text.matchAll(COMPONENT)];
  const devices: Record<string, string[]> = {};
  matches.forEach((m, k) => {
    const from = (m.index ?? 0) + m[0].length;
    const next = matches[k + 1];
    const to = next ? (next.index ?? text.length) : text.length;
    const names = text
      .slice(from, to)
      .trim()
      .replace(/\.$/, "")
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name !== "");
    devices[(m[1] as string).toLowerCase()] = names;
  });
  return devices;
}
