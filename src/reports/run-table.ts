// One record per run for `--parse --json` and `--csv`: who and where ran it, what it counted and
// why, energy by component, CO2eq, the intensity behind it and the provenance of every figure.
import type { CountedBasis, ParsedRun, RunFilePaths, RunSource } from "../logs/parser/types.js";
import { csvText } from "./csv.js";
import { decimals, DURATION_DECIMALS, INTENSITY_DECIMALS, significant } from "./figures.js";

/**
 * A run as a row of plain values (JSON field names are the CSV column names). Figures are rounded
 * (energy and CO2eq to 12 significant digits, intensity to 2 decimals, durations to ms); totals
 * over runs are summed from the parsed runs, never from these.
 */
export interface RunRecord {
  run_id: string;
  source: RunSource;
  start: string | null;
  host: string | null;
  node: string | null;
  slurm_job: string | null;
  user: string | null;
  duration_s: number | null;
  epochs: number | null;
  /** kWh after PUE that the aggregate counts for this run. */
  energy_kwh: number;
  /** The counted kWh split in the proportion the logged epochs measured per component. */
  energy_kwh_by_component: Record<string, number | null>;
  co2eq_g: number | null;
  intensity_g_per_kwh: number | null;
  intensity_source: string | null;
  intensity_location: string | null;
  provenance: Record<string, string>;
  /** "Training was interrupted" logged, or the run ended before its planned epochs; null if unknown. */
  early_stop: boolean | null;
  counted: CountedBasis;
  counted_reason: string;
  predicted_epochs: number | null;
  predicted_energy_kwh: number | null;
  pue: number | null;
  version: string | null;
  files: RunFilePaths;
  warnings: string[];
  group?: string;
}

function componentShares(run: ParsedRun): Record<string, number | null> {
  const names = Object.keys(run.components);
  const joules: Record<string, number> = {};
  let total = 0;
  for (const name of names) {
    let j = 0;
    for (const epoch of run.components[name]?.energyJ ?? []) for (const v of epoch) if (v !== null) j += v;
    joules[name] = j;
    total += j;
  }
  const energy = run.counted.energyKwh;
  const shares: Record<string, number | null> = {};
  for (const name of names) {
    if (total > 0) shares[name] = significant(energy * ((joules[name] as number) / total));
    else shares[name] = names.length === 1 ? significant(energy) : null;
  }
  return shares;
}

/** The record of one run; `group` is added when runs are grouped. */
export function runRecord(run: ParsedRun, group?: string): RunRecord {
  const c = run.counted;
  const provenance: Record<string, string> = {};
  for (const [name, component] of Object.entries(run.components)) provenance[name] = component.provenance;
  const intensity =
    c.co2eqG !== null && c.energyKwh > 0 && c.co2eqG > 0 ? c.co2eqG / c.energyKwh : run.intensity.gPerKwh;
  const record: RunRecord = {
    run_id: run.runId,
    source: run.source,
    start: run.start,
    host: run.host,
    node: typeof run.slurm?.node === "string" ? run.slurm.node : run.host,
    slurm_job: typeof run.slurm?.job_id === "string" ? run.slurm.job_id : null,
    user: typeof run.slurm?.user === "string" ? run.slurm.user : run.owner,
    duration_s: decimals(c.durationS, DURATION_DECIMALS),
    epochs: c.epochs,
    energy_kwh: significant(c.energyKwh),
    energy_kwh_by_component: componentShares(run),
    co2eq_g: significant(c.co2eqG),
    intensity_g_per_kwh: decimals(intensity, INTENSITY_DECIMALS),
    intensity_source: run.intensity.source,
    intensity_location: run.intensity.location,
    provenance,
    // A run that ended without its final report stopped early too, marker or not.
    early_stop: c.basis === "epochs" && (run.pred?.epochs ?? 0) > (c.epochs ?? 0) ? true : run.earlyStop,
    counted: c.basis,
    counted_reason: c.reason,
    predicted_epochs: run.pred?.epochs ?? null,
    predicted_energy_kwh: significant(run.pred?.energyKwh ?? null),
    pue: significant(run.pue),
    version: run.version,
    files: run.files,
    warnings: run.warnings,
  };
  if (group !== undefined) record.group = group;
  return record;
}

/** Runs as a JSON array of records, one per run. */
export function runsToJson(runs: readonly ParsedRun[], groupOf?: (run: ParsedRun) => string): string {
  const records = runs.map((run) => runRecord(run, groupOf?.(run)));
  return `${JSON.stringify(records, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2)}\n`;
}

/** Runs as CSV, one row per run; one `energy_kwh_<component>` column per component seen. */
export function runsToCsv(runs: readonly ParsedRun[], groupOf?: (run: ParsedRun) => string): string {
  const records = runs.map((run) => runRecord(run, groupOf?.(run)));
  const components = [
    ...new Set(["cpu", "gpu", ...records.flatMap((r) => Object.keys(r.energy_kwh_by_component))]),
  ];
  const header = [
    ...(groupOf ? ["group"] : []),
    "run_id",
    "source",
    "start",
    "host",
    "node",
    "slurm_job",
    "user",
    "duration_s",
    "epochs",
    "energy_kwh",
    ...components.map((c) => `energy_kwh_${c}`),
    "co2eq_g",
    "intensity_g_per_kwh",
    "intensity_source",
    "provenance",
    "early_stop",
    "counted",
    "predicted_epochs",
    "predicted_energy_kwh",
    "pue",
    "version",
    "file",
    "warnings",
  ];
  const rows = records.map((r) => [
    ...(groupOf ? [r.group] : []),
    r.run_id,
    r.source,
    r.start,
    r.host,
    r.node,
    r.slurm_job,
    r.user,
    r.duration_s,
    r.epochs,
    r.energy_kwh,
    ...components.map((c) => r.energy_kwh_by_component[c]),
    r.co2eq_g,
    r.intensity_g_per_kwh,
    r.intensity_source,
    Object.entries(r.provenance)
      .map(([c, p]) => `${c}=${p}`)
      .join(";"),
    r.early_stop,
    r.counted,
    r.predicted_epochs,
    r.predicted_energy_kwh,
    r.pue,
    r.version,
    r.files.jsonl ?? r.files.output ?? r.files.standard ?? r.files.capture,
    r.warnings.join(" | "),
  ]);
  return csvText([header, ...rows]);
}
