// The live status line: on a terminal, the last row of the screen shows elapsed time, power by
// component, energy and CO2eq so far, intensity and the epoch, refreshed at most once a second.
// The rows above are a scroll region, so the child's output (which goes straight to the terminal)
// scrolls there and never lands on the status line.
import type { WriteStream } from "node:tty";
import type { Component, DeviceDescription } from "../hardware/types.js";
import type { RecordSink, TrackerRecord } from "../logs/schema.js";
import type { Snapshot } from "../sampling/reader-set.js";
import { formatDuration, joulesToKwh, samplePowerW } from "../units/index.js";

/** The figures the status line shows. */
export interface LiveFigures {
  elapsedS: number;
  /** Mean power since the previous refresh, by component (W). */
  powerW: Partial<Record<Component, number>>;
  /** Energy so far, after PUE (kWh). */
  energyKwh: number;
  /** CO2eq so far at the current intensity (g). */
  co2eqG: number;
  /** Current intensity (gCO2eq/kWh), when known. */
  gPerKwh: number | undefined;
  /** The epoch running or finished last (1-based). */
  epoch: number;
  /** Epochs the run is to have. */
  epochs: number;
}

/** Whether to show the live line: asked for (not --no-live) and stderr is a terminal. */
export function liveViewEnabled(live: boolean, stream: { isTTY?: boolean }): boolean {
  return live && stream.isTTY === true;
}

/** The status line for `figures`, cut to `columns` characters. */
export function formatStatusLine(figures: LiveFigures, columns = Infinity): string {
  const components = Object.entries(figures.powerW) as [Component, number][];
  const power = components.length
    ? components.map(([c, w]) => `${c.toUpperCase()} ${w.toFixed(1)} W`).join(", ")
    : "no devices";
  const parts = [
    `carbontracker ${formatDuration(figures.elapsedS)}`,
    power,
    `${figures.energyKwh.toFixed(6)} kWh`,
    `${figures.co2eqG.toFixed(3)} g CO2eq`,
    figures.gPerKwh === undefined ? "intensity ?" : `${figures.gPerKwh.toFixed(0)} gCO2eq/kWh`,
    `epoch ${figures.epoch}/${figures.epochs}`,
  ];
  const line = parts.join(" | ");
  return line.length > columns ? line.slice(0, Math.max(0, columns - 1)) : line;
}

/** Draws the status line on a terminal; fed by the sampler, the tracker's records and the epoch driver. */
export class LiveView implements RecordSink {
  private timer: NodeJS.Timeout | undefined;
  private latest: Snapshot | undefined;
  private previous: Snapshot | undefined;
  private devices: DeviceDescription[] = [];
  private pue = 1;
  private gPerKwh: number | undefined;
  private epoch = 1;
  private rows = 0;
  private readonly onResize = () => this.setRegion();

  constructor(
    private readonly stream: WriteStream,
    private readonly epochs: number,
    private readonly startMs = Date.now(),
  ) {}

  /** Reserves the last row and starts refreshing (once a second). */
  start(devices: DeviceDescription[]): void {
    this.devices = devices;
    // Make room so the cursor is above the last row, then keep the rest as the scroll region.
    this.stream.write("\n\x1b[1A");
    this.setRegion();
    this.stream.on("resize", this.onResize);
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
  }

  private setRegion(): void {
    this.rows = this.stream.rows ?? 0;
    // A terminal too small (or of unknown size) for a region above the line: no live line.
    if (this.rows < 3) return;
    this.stream.write(`\x1b7\x1b[1;${this.rows - 1}r\x1b8`);
    this.draw();
  }

  /** A sampler snapshot (cumulative energy per device). */
  sample(snapshot: Snapshot): void {
    this.latest = snapshot;
  }

  /** The epoch running or finished last. */
  setEpoch(epoch: number): void {
    this.epoch = Math.max(1, epoch);
  }

  write(record: TrackerRecord): void {
    if (record.type === "start") this.pue = record.pue;
    else if (record.type === "intensity" && !record.forecast) this.gPerKwh = record.g_per_kwh;
  }

  private figures(): LiveFigures {
    const latest = this.latest;
    const previous = this.previous;
    const powerW: Partial<Record<Component, number>> = {};
    let energyJ = 0;
    for (const device of this.devices) {
      const now = latest?.readings.find((r) => r.device === device.device);
      const before = previous?.readings.find((r) => r.device === device.device);
      energyJ += now?.energyJ ?? 0;
      const seconds = latest && previous ? (latest.tMs - previous.tMs) / 1000 : 0;
      const watts = samplePowerW(now?.powerW, now && before && now.energyJ - before.energyJ, seconds) ?? 0;
      powerW[device.component] = (powerW[device.component] ?? 0) + watts;
    }
    const energyKwh = joulesToKwh(energyJ) * this.pue;
    return {
      elapsedS: (Date.now() - this.startMs) / 1000,
      powerW,
      energyKwh,
      co2eqG: energyKwh * (this.gPerKwh ?? 0),
      gPerKwh: this.gPerKwh,
      epoch: this.epoch,
      epochs: this.epochs,
    };
  }

  private draw(): void {
    if (this.rows < 3) return;
    const line = formatStatusLine(this.figures(), this.stream.columns ?? 80);
    if (this.latest && this.latest !== this.previous) this.previous = this.latest;
    this.stream.write(`\x1b7\x1b[${this.rows};1H\x1b[2K${line}\x1b8`);
  }

  /** Stops refreshing, clears the line and gives the whole screen back. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stream.off("resize", this.onResize);
    if (this.rows >= 3) this.stream.write(`\x1b7\x1b[r\x1b[${this.rows};1H\x1b[2K\x1b8`);
  }
}
