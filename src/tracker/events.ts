// What a run tells the world, in order, as typed events: the console, the original's text logs
// and the JSONL are sinks of this one stream, each rendering what it needs. The run decides
// what happened; the sinks decide the words (the original's, to the character).
import type { Component, DeviceDescription } from "../hardware/types.js";
import type { IntensityReading } from "../intensity/types.js";
import type { TrackerRecord } from "../logs/schema.js";
import type { ConsumptionResult, EpochResult, PredictionResult } from "./results.js";

/**
 * A message that is not a block: why a backend was skipped, a device lost, a fallback taken.
 * `level` decides where it goes: `debug` only into the err log; `info` into the standard log;
 * `warning`/`error` onto the console and into the err log; `banner` onto the console alone
 * (the original prints the simulated devices' lines with a bare print()).
 */
export interface Notice {
  level: "debug" | "info" | "warning" | "error" | "banner";
  text: string;
}

/** The run started: the version and PUE lines of the standard log. */
interface RunStartedEvent {
  type: "run-started";
  version: string;
  pue: number;
  /** Who said so, when the PUE is the default. */
  pueSource: string | undefined;
}

/** A message from the run, a reader, the intensity side or the cluster election. */
interface NoticeEvent extends Notice {
  type: "notice";
}

/** The devices that will be measured, by component in the order measured. */
interface DevicesFoundEvent {
  type: "devices-found";
  devices: DeviceDescription[];
  /** Components that were asked for, in order. */
  components: Component[];
}

/**
 * The embedded figure in force (`initial`: a warning, as the original words it, given when no
 * live reading came within a few seconds) or a newer reading.
 */
interface IntensityEvent {
  type: "intensity";
  reading: IntensityReading;
  initial: boolean;
  /** The run's first live reading: its line is shown at default verbosity, later ones at 2. */
  firstLive?: boolean;
}

/** Sampling runs: the original's "Monitoring thread started." */
interface MonitoringStartedEvent {
  type: "monitoring-started";
}

/** An epoch finished and was counted. */
interface EpochFinishedEvent {
  type: "epoch-finished";
  epoch: EpochResult;
  /** Components in the order the original lists their average power. */
  components: Component[];
}

/** An epoch was cut short by stop(): logged, not counted. */
interface EpochCutEvent {
  type: "epoch-cut";
  epoch: number;
  durationS: number;
}

/** The forecast used for the prediction's remaining time. */
export interface ForecastEvent {
  type: "forecast";
  remainingS: number;
  gPerKwh: number;
  source: string;
  coveredS: number;
}

/** Carbon-aware advice: starting the rest later would emit less. */
export interface AdviceEvent {
  type: "advice";
  remainingS: number;
  waitS: number;
  gramsSaved: number;
  nowGPerKwh: number;
  bestGPerKwh: number;
  source: string;
  location: string;
}

/** The predicted total after `epochsBeforePred` epochs. */
interface PredictionEvent {
  type: "prediction";
  prediction: PredictionResult;
  /** Epochs the range was drawn from. */
  epochsSeen: number;
}

/** The "Continue training (y/n)?" exchange, line by line. */
export interface PromptEvent {
  type: "prompt";
  step: "question" | "continuing" | "quitting" | "unrecognised" | "end-of-input";
}

/** Training was interrupted before every monitored epoch finished. */
interface InterruptedEvent {
  type: "interrupted";
  monitorEpochs: number;
}

/** The measured consumption, when monitoring ends. */
interface ActualEvent {
  type: "actual";
  actual: ConsumptionResult;
  /** The title without an epoch count (the CLI wrapping one command). */
  withoutEpochCount: boolean;
  /** The live and embedded figures (not forecasts) in force during the run. */
  readings: readonly IntensityReading[];
  location: string;
  /** Devices whose energy is not a measurement. */
  unmeasured: DeviceDescription[];
}

/** Monitoring ended: the original's last lines. */
interface MonitoringEndedEvent {
  type: "monitoring-ended";
}

/** A JSONL record (the precise account; exporters read these too). */
interface RecordEvent {
  type: "record";
  record: TrackerRecord;
}

/** Everything a run emits. */
export type TrackerEvent =
  | RunStartedEvent
  | NoticeEvent
  | DevicesFoundEvent
  | IntensityEvent
  | MonitoringStartedEvent
  | EpochFinishedEvent
  | EpochCutEvent
  | ForecastEvent
  | AdviceEvent
  | PredictionEvent
  | PromptEvent
  | InterruptedEvent
  | ActualEvent
  | MonitoringEndedEvent
  | RecordEvent;

/** Something that receives the run's events (console, text logs, JSONL, exporters). */
export interface EventSink {
  handle(event: TrackerEvent): void;
  /** Called once when the run is over. */
  close?(): void;
}
