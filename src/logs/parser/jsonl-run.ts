// One run from our JSONL (DESIGN.md "Logs"): exact per-device energies, provenance, intensity
// and samples. A run killed mid-write leaves a last line cut short; every complete line counts.
import { facilityKwh } from "../../units/index.js";
import { CAR_GRAMS_PER_KM } from "../format.js";
import type {
  ActualRecord,
  EpochRecord,
  JobRecord,
  IntensityRecord,
  PredictionRecord,
  SampleRecord,
  SlurmIdentity,
  StartRecord,
} from "../schema.js";
import { decideCounted } from "./counted.js";
import { splitLines } from "./text-lines.js";
import type { ComponentMeasurements, Consumption, DeviceEpoch, ParsedRun, RunFilePaths } from "./types.js";

/** The JSONL text of one run and where it came from. */
export interface JsonlRunInput {
  runId: string;
  files: RunFilePaths;
  text: string;
  owner?: string | null;
}

const CAR_KEY = "km travelled by car";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function carEquivalent(co2eqG: number | null): Record<string, number> | null {
  return co2eqG === null ? null : { [CAR_KEY]: co2eqG / CAR_GRAMS_PER_KM };
}

function consumptionOf(record: PredictionRecord | ActualRecord): Consumption | null {
  const energyKwh = num(record.energy_kwh);
  if (energyKwh === null) return null;
  const co2eqG = num(record.co2eq_g);
  return {
    epochs: num(record.epochs),
    durationS: num(record.duration_s),
    energyKwh,
    co2eqG,
    equivalents: carEquivalent(co2eqG),
  };
}

/** Records of the text; complete lines only, with a note for each line that is not a record. */
export function readJsonlRecords(text: string): { records: Record<string, unknown>[]; problems: string[] } {
  const lines = splitLines(text, Infinity);
  const records: Record<string, unknown>[] = [];
  const problems: string[] = [];
  const last = lines.length - 1;
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(
        i === last
          ? `line ${i + 1} is cut short (the run was killed while writing it?): ignored`
          : `line ${i + 1} is not JSON: skipped`,
      );
      return;
    }
    if (!isObject(value) || typeof value.type !== "string") {
      problems.push(`line ${i + 1} is not a record (no "type"): skipped`);
      return;
    }
    records.push(value);
  });
  return { records, problems };
}

function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

function componentsOf(
  start: StartRecord | undefined,
  epochs: EpochRecord[],
): Record<string, ComponentMeasurements> {
  const components: Record<string, ComponentMeasurements> = {};
  const provenances = new Map<string, Set<string>>();
  const devicesOf = new Map<string, string[]>();
  for (const d of start?.devices ?? []) {
    if (!isObject(d) || typeof d.component !== "string" || typeof d.device !== "string") continue;
    entry(devicesOf, d.component, () => []).push(d.device);
    if (typeof d.provenance === "string")
      entry(provenances, d.component, () => new Set<string>()).add(d.provenance);
  }
  for (const e of epochs) {
    for (const d of Array.isArray(e.devices) ? e.devices : []) {
      if (!isObject(d) || typeof d.component !== "string" || typeof d.device !== "string") continue;
      const list = entry(devicesOf, d.component, () => []);
      if (!list.includes(d.device)) list.push(d.device);
    }
  }
  for (const [component, devices] of devicesOf) {
    const durations = epochs.map((e) => num(e.duration_s) ?? 0);
    const energyJ = epochs.map((e) =>
      devices.map((device) => {
        const found = (Array.isArray(e.devices) ? e.devices : []).find(
          (d) => isObject(d) && d.component === component && d.device === device,
        );
        return found ? num(found.energy_j) : null;
      }),
    );
    components[component] = {
      devices,
      energyJ,
      powerW: energyJ.map((values, i) =>
        values.map((j) => (j === null || !(durations[i] as number) ? null : j / (durations[i] as number))),
      ),
      epochDurationsS: durations,
      provenance: [...(provenances.get(component) ?? ["unknown"])].sort().join("+"),
    };
  }
  return components;
}

/** Each device's energy in each counted epoch, with the GPU's UUID where the start record has it. */
function deviceEpochsOf(start: StartRecord | undefined, epochs: EpochRecord[]): DeviceEpoch[] {
  const uuids = new Map<string, string>();
  for (const d of start?.devices ?? []) {
    if (isObject(d) && typeof d.device === "string" && typeof d.uuid === "string")
      uuids.set(d.device, d.uuid);
  }
  const out: DeviceEpoch[] = [];
  for (const e of epochs) {
    const epochJ = num(e.energy_j) ?? 0;
    const epochG = num(e.co2eq_g) ?? 0;
    const startMs = num(e.start_t);
    const endMs = num(e.end_t);
    if (startMs === null || endMs === null) continue;
    for (const d of Array.isArray(e.devices) ? e.devices : []) {
      const energyJ = isObject(d) ? num(d.energy_j) : null;
      if (energyJ === null || typeof d.component !== "string" || typeof d.device !== "string") continue;
      out.push({
        component: d.component,
        device: d.device,
        uuid: uuids.get(d.device) ?? null,
        energyJ,
        co2eqG: epochJ > 0 ? (epochG * energyJ) / epochJ : 0,
        startMs,
        endMs,
        provenance: typeof d.provenance === "string" ? d.provenance : "unknown",
      });
    }
  }
  return out;
}

/** The node agent's job records among a JSONL's records (an agent's log holds only these). */
export function jobRecordsOf(text: string): JobRecord[] {
  return readJsonlRecords(text).records.filter((r) => r.type === "job") as unknown as JobRecord[];
}

/** The run its JSONL describes, or null when the text holds no record at all. */
export function buildJsonlRun(input: JsonlRunInput): ParsedRun | null {
  const { records, problems } = readJsonlRecords(input.text);
  if (records.length === 0) return null;
  const warnings = problems.map((p) => `JSONL ${p}`);
  const of = <T>(type: string) => records.filter((r) => r.type === type) as unknown as T[];
  const start = of<StartRecord>("start")[0];
  const epochs = of<EpochRecord>("epoch").filter((e) => e.partial !== true && num(e.energy_j) !== null);
  const intensities = of<IntensityRecord>("intensity");
  const predRecord = of<PredictionRecord>("prediction").at(-1);
  const actualRecord = of<ActualRecord>("actual").at(-1);
  const end = of<{ reason?: unknown }>("end").at(-1);
  const samples = of<SampleRecord>("sample");
  if (!start) warnings.push("JSONL has no start record (its first lines are missing?)");
  if (!end) warnings.push("JSONL has no end record: the run was killed or is still running");

  const pue = num(start?.pue) ?? null;
  const actual = actualRecord ? consumptionOf(actualRecord) : null;
  const pred = predRecord ? consumptionOf(predRecord) : null;
  let measured: (Consumption & { epochs: number }) | null = null;
  if (epochs.length > 0) {
    const joules = epochs.reduce((s, e) => s + (num(e.energy_j) ?? 0), 0);
    const co2 = epochs.reduce((s, e) => s + (num(e.co2eq_g) ?? 0), 0);
    measured = {
      epochs: epochs.length,
      durationS: epochs.reduce((s, e) => s + (num(e.duration_s) ?? 0), 0),
      energyKwh: facilityKwh(joules, pue ?? 1),
      co2eqG: co2,
      equivalents: carEquivalent(co2),
    };
    if (pue === null) warnings.push("JSONL start record states no PUE: epochs counted without one");
  }
  const decision = decideCounted({
    actual,
    pred,
    measured,
    earlyStop: actualRecord ? actualRecord.interrupted === true : null,
    loggedEpochs: epochs.length,
    exactEpochs: true,
  });
  warnings.push(...decision.warnings);

  const live = intensities.filter((r) => r.forecast !== true);
  const first = live[0] ?? intensities[0];
  const meanGPerKwh =
    num(actualRecord?.g_per_kwh) ??
    (live.length > 0 ? live.reduce((s, r) => s + (num(r.g_per_kwh) ?? 0), 0) / live.length : null);
  const slurm = isObject(start?.slurm) ? (start.slurm as SlurmIdentity) : null;
  const endReason = typeof end?.reason === "string" ? end.reason : null;
  return {
    runId: input.runId,
    source: "jsonl",
    files: input.files,
    version: typeof start?.version === "string" ? start.version : null,
    host: typeof start?.host === "string" ? start.host : null,
    pid: num(start?.pid),
    slurm,
    owner: input.owner ?? null,
    start: num(start?.t) !== null ? new Date(start?.t as number).toISOString() : null,
    pue,
    components: componentsOf(start, epochs),
    earlyStop: actualRecord ? actualRecord.interrupted === true : endReason !== "finished",
    actual,
    pred,
    measured,
    counted: decision.counted,
    intensity: {
      gPerKwh: meanGPerKwh,
      source: typeof first?.source === "string" ? first.source : null,
      location: typeof first?.location === "string" ? first.location : null,
      year: num(first?.year),
    },
    samples,
    command: Array.isArray(start?.command) ? start.command.filter((a) => typeof a === "string") : null,
    endReason,
    deviceEpochs: deviceEpochsOf(start, epochs),
    warnings,
  };
}
