// Public API: re-exports only.
export * from "./units/index.js";
export * from "./errors/index.js";
export type * from "./hardware/types.js";
export { CarbonTracker, type TrackerInternals } from "./library/carbon-tracker.js";
export { OPTION_SCHEMA, type TrackerOptions, type OptionSpec } from "./tracker/option-schema.js";
export type * from "./tracker/results.js";
export type * from "./logs/schema.js";
export type * from "./intensity/types.js";
export { VERSION } from "./version.js";
export {
  carbonTrackerCallback,
  type TfjsCarbonCallback,
  type TfjsCallbackOptions,
} from "./frameworks/tfjs-callback.js";
export {
  parseAllLogs,
  parseLogs,
  aggregateConsumption,
  printAggregate,
  readLogs,
  type ParsedRun,
  type ParseResult,
  type ConsumptionTotals,
} from "./logs/parser/index.js";
