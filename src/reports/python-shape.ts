// Parsed runs in the shape of the original's `carbontracker.parser` results (its dict keys, plain
// lists for its numpy arrays), so the Python bindings hand out our parser's figures 1:1 and both
// languages always agree. Where we fix the original's bugs the fixed values stay (see the
// Python docstrings): actual epochs read from the block, null for a power the log says None,
// device names trimmed, orphan logs kept as their own runs.
import type {
  ComponentMeasurements,
  Consumption,
  ConsumptionTotals,
  ParsedRun,
} from "../logs/parser/types.js";
import { aggregateSentence } from "../logs/parser/aggregate-sentence.js";

/** One component as the original's `parse_logs` gives it. */
export interface OriginalComponent {
  "avg_power_usages (W)": (number | null)[][] | null;
  "avg_energy_usages (J)": (number | null)[][] | null;
  "epoch_durations (s)": number[] | null;
  devices: string[];
}

/** A consumption block as the original's `parse_all_logs` gives it. */
interface OriginalConsumption {
  epochs: number | null;
  "duration (s)": number | null;
  "energy (kWh)": number;
  "co2eq (g)": number | null;
  equivalents: Record<string, number> | null;
}

/** One entry of the original's `parse_all_logs`. */
interface OriginalEntry {
  output_filename: string | null;
  standard_filename: string | null;
  components: Record<string, OriginalComponent>;
  early_stop: boolean;
  actual: OriginalConsumption | null;
  pred: OriginalConsumption | null;
}

/** Components keyed by name, each in the original's shape (None where it has no epochs). */
export function originalComponents(
  components: Record<string, ComponentMeasurements>,
): Record<string, OriginalComponent> {
  const out: Record<string, OriginalComponent> = {};
  for (const [name, c] of Object.entries(components)) {
    const powers = c.powerW.length > 0 ? c.powerW : null;
    const durations = c.epochDurationsS.length > 0 ? c.epochDurationsS : null;
    out[name] = {
      "avg_power_usages (W)": powers,
      "avg_energy_usages (J)": powers && durations ? c.energyJ : null,
      "epoch_durations (s)": durations,
      devices: c.devices,
    };
  }
  return out;
}

function originalConsumption(c: Consumption | null): OriginalConsumption | null {
  if (!c) return null;
  return {
    epochs: c.epochs,
    "duration (s)": c.durationS,
    "energy (kWh)": c.energyKwh,
    "co2eq (g)": c.co2eqG,
    equivalents: c.equivalents,
  };
}

/** `(actual, pred)` as the original's `get_consumption` gives them. */
export function originalConsumptionPair(actual: Consumption | null, pred: Consumption | null) {
  return { actual: originalConsumption(actual), pred: originalConsumption(pred) };
}

/** A run as an entry of the original's `parse_all_logs` (paths as our parser found them). */
function originalEntry(run: ParsedRun): OriginalEntry {
  return {
    output_filename: run.files.output ?? null,
    standard_filename: run.files.standard ?? run.files.jsonl ?? null,
    components: originalComponents(run.components),
    early_stop: run.earlyStop ?? false,
    actual: originalConsumption(run.actual),
    pred: originalConsumption(run.pred),
  };
}

/** Everything the Python parser functions need about one log folder, in one document. */
export function pythonParseDocument(runs: ParsedRun[], totals: ConsumptionTotals) {
  return {
    parse_all_logs: runs.map(originalEntry),
    aggregate_consumption: {
      energy_kwh: totals.energyKwh,
      co2eq_g: totals.co2eqG,
      equivalents: totals.equivalents,
    },
    print_aggregate: aggregateSentence(totals),
  };
}
