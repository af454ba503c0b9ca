// powermetrics' text output, one line at a time: a sample header (with its elapsed time) and the
// power lines we integrate. Everything else in a sample (residencies, frequencies) is ignored.

/** The devices powermetrics reports, named as the original names them. */
export type PowermetricsDevice = "CPU" | "GPU" | "ANE";

/** What one line of powermetrics text means to us. */
export type PowermetricsLine =
  | { kind: "sample"; elapsedMs: number | null }
  | { kind: "power"; device: PowermetricsDevice; powerW: number; source: string }
  | { kind: "machine"; model: string }
  | { kind: "os"; version: string };

const SAMPLE_HEADER = /^\*\*\* Sampled system activity \(.*?\)(?: \(([\d.]+)\s*ms elapsed\))? \*\*\*/;
// Apple silicon, macOS 12 and 13+: "CPU Power: 6321 mW" (the per-cluster "E-Cluster Power" lines
// and "Combined Power (CPU + GPU + ANE)" do not start with these names).
const SOC_POWER_MW = /^(CPU|GPU|ANE) Power:\s*(\d+(?:\.\d+)?)\s*mW\b/;
// Intel Macs: package power in watts, CPU cores + integrated graphics + system agent.
const INTEL_PACKAGE_W = /^Intel energy model derived package power \(CPUs\+GT\+SA\):\s*(\d+(?:\.\d+)?)\s*W\b/;

/** Source label of the Intel-Mac package line, kept in device details. */
const INTEL_PACKAGE_SOURCE = "Intel energy model derived package power (CPUs+GT+SA)";

/** Parses one line of `powermetrics` text output (either format version); null for lines we ignore. */
export function parsePowermetricsLine(rawLine: string): PowermetricsLine | null {
  const line = rawLine.trim();
  if (line.length === 0) return null;
  const header = SAMPLE_HEADER.exec(line);
  if (header) {
    const elapsed = header[1] === undefined ? NaN : Number(header[1]);
    return { kind: "sample", elapsedMs: Number.isFinite(elapsed) ? elapsed : null };
  }
  const soc = SOC_POWER_MW.exec(line);
  if (soc) {
    const device = soc[1] as PowermetricsDevice;
    return { kind: "power", device, powerW: Number(soc[2]) / 1000, source: `${device} Power line (mW)` };
  }
  const intel = INTEL_PACKAGE_W.exec(line);
  if (intel) return { kind: "power", device: "CPU", powerW: Number(intel[1]), source: INTEL_PACKAGE_SOURCE };
  if (line.startsWith("Machine model:")) return { kind: "machine", model: line.slice(14).trim() };
  if (line.startsWith("OS version:")) return { kind: "os", version: line.slice(11).trim() };
  return null;
}

/** Cuts a stream of text chunks into whole lines, keeping a partial last line for the next chunk. */
export class LineSplitter {
  private pending = "";

  /** Adds a chunk; returns the lines it completed (without their line ends). */
  push(chunk: string): string[] {
    const text = this.pending + chunk;
    const lines = text.split(/\r?\n/);
    this.pending = lines.pop() ?? "";
    return lines;
  }

  /** Ends the stream; returns the partial last line, if any. */
  end(): string[] {
    const rest = this.pending;
    this.pending = "";
    return rest.length > 0 ? [rest] : [];
  }
}
