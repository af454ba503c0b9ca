// The report page as drawing primitives in A4 points (595 x 842, origin top left), so the SVG
// (HTML) and the PDF renderers draw the very same page.
import { formatDuration } from "../../units/index.js";
import { VERSION } from "../../version.js";
import { energyUnit, massUnit, significant, withUnit, type DisplayUnit } from "../figures.js";
import type { Point, ReportModel } from "./report-model.js";

/** A4 in PostScript points. */
export const PAGE = { width: 595, height: 842 } as const;

/** Something to draw. Colours are CSS hex. */
export type Primitive =
  | {
      kind: "text";
      x: number;
      y: number;
      text: string;
      size: number;
      bold?: boolean;
      color?: string;
      anchor?: "start" | "middle" | "end";
    }
  | { kind: "rect"; x: number; y: number; w: number; h: number; fill: string }
  | { kind: "line"; x1: number; y1: number; x2: number; y2: number; color: string; width: number }
  | { kind: "polyline"; points: [number, number][]; color: string; width: number };

/** A chart's plot area on the page, in points (its title sits above, its axis labels below). */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const PALETTE = [
  "#1b6ca8",
  "#d1495b",
  "#edae49",
  "#00798c",
  "#66a182",
  "#8d5a97",
  "#7f7f7f",
  "#e377c2",
  "#8c564b",
  "#17becf",
];
const AXIS = "#555555";

function fmt(value: number | null | undefined, unit: DisplayUnit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
  return withUnit(value, unit);
}

/** Round tick values covering [min, max]. */
function ticks(min: number, max: number, count = 4): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(significant(v));
  return out;
}

function tickLabel(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e6 || a < 0.01 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/** Axes, title and tick labels of a chart; returns the projector for its data. */
function axes(
  out: Primitive[],
  box: Box,
  title: string,
  xLabel: string,
  yLabel: string,
  xMax: number,
  yMax: number,
  numericX = true,
  headroom = 1.1,
) {
  out.push({ kind: "text", x: box.x, y: box.y - 8, text: title, size: 9, bold: true });
  out.push({
    kind: "line",
    x1: box.x,
    y1: box.y + box.h,
    x2: box.x + box.w,
    y2: box.y + box.h,
    color: AXIS,
    width: 0.7,
  });
  out.push({ kind: "line", x1: box.x, y1: box.y, x2: box.x, y2: box.y + box.h, color: AXIS, width: 0.7 });
  const yTop = yMax > 0 ? yMax * headroom : 1;
  const xRight = xMax > 0 ? xMax : 1;
  for (const v of ticks(0, yTop)) {
    const y = box.y + box.h - (v / yTop) * box.h;
    out.push({ kind: "line", x1: box.x - 3, y1: y, x2: box.x, y2: y, color: AXIS, width: 0.5 });
    out.push({ kind: "text", x: box.x - 5, y: y + 2.5, text: tickLabel(v), size: 6, anchor: "end" });
  }
  for (const v of numericX ? ticks(0, xRight) : []) {
    const x = box.x + (v / xRight) * box.w;
    out.push({
      kind: "line",
      x1: x,
      y1: box.y + box.h,
      x2: x,
      y2: box.y + box.h + 3,
      color: AXIS,
      width: 0.5,
    });
    out.push({ kind: "text", x, y: box.y + box.h + 11, text: tickLabel(v), size: 6, anchor: "middle" });
  }
  out.push({
    kind: "text",
    x: box.x + box.w / 2,
    y: box.y + box.h + 21,
    text: xLabel,
    size: 6.5,
    anchor: "middle",
  });
  out.push({ kind: "text", x: box.x, y: box.y - 1, text: yLabel, size: 6, color: AXIS });
  return (t: number, v: number): [number, number] => [
    box.x + (t / xRight) * box.w,
    box.y + box.h - (v / yTop) * box.h,
  ];
}

function emptyNote(out: Primitive[], box: Box, text: string): void {
  out.push({
    kind: "text",
    x: box.x + box.w / 2,
    y: box.y + box.h / 2,
    text,
    size: 7,
    color: "#888888",
    anchor: "middle",
  });
}

function bars(
  out: Primitive[],
  box: Box,
  title: string,
  yLabel: string,
  items: { label: string; value: number; color: string }[],
) {
  const max = Math.max(0, ...items.map((i) => i.value));
  const project = axes(out, box, title, "", yLabel, items.length, max, false);
  const slot = box.w / Math.max(1, items.length);
  // Label every k-th bar so labels never overlap (about 14 pt per epoch number, 60 per word).
  const widest = Math.max(1, ...items.map((i) => i.label.length));
  const every = Math.max(1, Math.ceil((widest * 3.5 + 4) / slot));
  const labelled = new Set(items.map((_, i) => i).filter((i) => i % every === 0));
  // The last bar is always labelled; the label before it gives way when too close.
  const last = items.length - 1;
  if (!labelled.has(last)) {
    if (last % every < every * 0.75) labelled.delete(last - (last % every));
    labelled.add(last);
  }
  items.forEach((item, i) => {
    const [, top] = project(0, item.value);
    const x = box.x + i * slot + slot * 0.15;
    out.push({ kind: "rect", x, y: top, w: slot * 0.7, h: box.y + box.h - top, fill: item.color });
    if (!labelled.has(i)) return;
    out.push({
      kind: "text",
      x: x + slot * 0.35,
      y: box.y + box.h + 11,
      text: item.label,
      size: 6,
      anchor: "middle",
    });
  });
  return out;
}

/**
 * At most two points (the lowest and the highest, in time order) per half point of chart width:
 * a long run's thousands of samples draw the same line at a fraction of the size.
 */
function thin(points: Point[], tMax: number, width: number): Point[] {
  const buckets = Math.max(1, Math.floor(width * 2));
  if (points.length <= buckets * 2 || !(tMax > 0)) return points;
  const out: Point[] = [];
  let bucket = -1;
  let low: Point | undefined;
  let high: Point | undefined;
  const flush = () => {
    if (!low || !high) return;
    if (low === high) out.push(low);
    else out.push(...(low.t <= high.t ? [low, high] : [high, low]));
  };
  for (const p of points) {
    const b = Math.min(buckets - 1, Math.floor((p.t / tMax) * buckets));
    if (b !== bucket) {
      flush();
      bucket = b;
      low = high = p;
    } else {
      if (p.v < (low as Point).v) low = p;
      if (p.v > (high as Point).v) high = p;
    }
  }
  flush();
  return out;
}

/** `text` in at most `chars` characters, cut in the middle so a device's index stays. */
function shorten(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const head = Math.ceil((chars - 3) / 2);
  return `${text.slice(0, head)}...${text.slice(text.length - (chars - 3 - head))}`;
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** The time unit a chart of `seconds` reads best in. */
function timeUnit(seconds: number): { label: string; per: number } {
  if (seconds > 3 * 3600) return { label: "h", per: 3600 };
  if (seconds > 180) return { label: "min", per: 60 };
  return { label: "s", per: 1 };
}

function lines(
  out: Primitive[],
  box: Box,
  title: string,
  yLabel: string,
  series: { name: string; points: Point[]; step?: boolean }[],
) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return false;
  const unit = timeUnit(all.reduce((m, p) => Math.max(m, p.t), 0));
  const scaled = series.map((s) => s.points.map((p) => ({ t: p.t / unit.per, v: p.v })));
  const tMax = all.reduce((m, p) => Math.max(m, p.t), 0) / unit.per;
  const vMax = all.reduce((m, p) => Math.max(m, p.v), 0);
  // The legend sits above the data (one column, two past five series), never over a line.
  const columns = series.length > 5 ? 2 : 1;
  const rows = Math.ceil(series.length / columns);
  const columnW = (box.w - 10) / columns;
  const legendShare = Math.min(0.6, (8 + rows * 9) / box.h);
  const project = axes(
    out,
    box,
    title,
    `time since start (${unit.label})`,
    yLabel,
    tMax,
    vMax,
    true,
    Math.max(1.1, 1 / (1 - legendShare)),
  );
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length] as string;
    const pts: [number, number][] = [];
    const source = scaled[i] as Point[];
    const points = s.step ? source : thin(source, tMax, box.w);
    points.forEach((p, k) => {
      if (s.step && k > 0) pts.push(project(p.t, points[k - 1]!.v));
      pts.push(project(p.t, p.v));
    });
    if (pts.length === 1) pts.push([pts[0]![0] + 2, pts[0]![1]]);
    out.push({ kind: "polyline", points: pts, color, width: 1.2 });
    const x = box.x + 10 + (columns === 1 ? box.w - 150 : Math.floor(i / rows) * columnW);
    const y = box.y + 4 + (i % rows) * 9;
    out.push({ kind: "rect", x, y, w: 6, h: 6, fill: color });
    const chars = Math.floor((columns === 1 ? 140 : columnW - 12) / 3.1);
    out.push({ kind: "text", x: x + 9, y: y + 5.5, text: shorten(s.name, chars), size: 6 });
  });
  return true;
}

/** The unit the epochs' energies read best in (their largest decides): the chart's and the table's. */
export function epochEnergyUnit(model: ReportModel): DisplayUnit {
  return energyUnit(Math.max(0, ...model.epochs.map((e) => e.energyKwh)));
}

/** Energy per epoch as bars (before PUE), or a note when no epoch finished. */
export function drawEpochEnergy(out: Primitive[], box: Box, model: ReportModel): void {
  const epochUnit = epochEnergyUnit(model);
  const epochTitle = `Energy per epoch (${epochUnit.label}, before PUE)`;
  if (model.epochs.length > 0) {
    bars(
      out,
      box,
      epochTitle,
      epochUnit.label,
      model.epochs.map((e, i) => ({
        label: String(e.epoch),
        value: e.energyKwh * epochUnit.perBase,
        color: PALETTE[i % 2 === 0 ? 0 : 3] as string,
      })),
    );
  } else {
    axes(out, box, epochTitle, "", epochUnit.label, 1, 0, false);
    emptyNote(out, box, "no finished epoch in the log");
  }
}

/** Power over time, one line per device (W), or a note when the run has no JSONL. */
export function drawPower(out: Primitive[], box: Box, model: ReportModel): void {
  const drawn = lines(
    out,
    box,
    "Power over time per device (W)",
    "W",
    model.power.map((p) => ({
      // Estimates and simulated devices say so beside their line; measured ones in the table.
      name:
        p.provenance === "estimate" || p.provenance === "simulated"
          ? `${p.device} (${p.provenance})`
          : p.device,
      points: p.points,
    })),
  );
  if (!drawn) {
    axes(out, box, "Power over time per device (W)", "time since start (s)", "W", 1, 0);
    emptyNote(out, box, "recorded only in the JSONL, which this run lacks");
  }
}

/** Carbon intensity over time as steps (g/kWh), or the one figure the log states. */
export function drawIntensity(out: Primitive[], box: Box, model: ReportModel): void {
  const drawn = lines(out, box, "Carbon intensity over time (gCO2eq/kWh)", "g/kWh", [
    { name: model.intensitySource ?? "intensity", points: model.intensity, step: true },
  ]);
  if (!drawn) {
    axes(
      out,
      box,
      "Carbon intensity over time (gCO2eq/kWh)",
      "time since start (s)",
      "g/kWh",
      1,
      model.gPerKwh ?? 0,
    );
    emptyNote(
      out,
      box,
      model.gPerKwh === null ? "no intensity in the log" : `one figure: ${model.gPerKwh.toFixed(2)}`,
    );
  }
}

/** Predicted against actual energy as bars (incl. PUE), or a note without either. */
export function drawPredictedActual(out: Primitive[], box: Box, model: ReportModel): void {
  const compared = energyUnit(Math.max(0, model.predicted?.energyKwh ?? 0, model.actual?.energyKwh ?? 0));
  const comparedTitle = `Predicted against actual (${compared.label}, incl. PUE)`;
  const comparison: { label: string; value: number; color: string }[] = [];
  const { predicted: p, actual: a } = model;
  const bar = (label: string, kwh: number, color: string) => ({
    label,
    value: kwh * compared.perBase,
    color,
  });
  if (p) comparison.push(bar(`predicted (${p.epochs ?? "?"} ep.)`, p.energyKwh, "#edae49"));
  if (a) comparison.push(bar(`actual (${a.epochs ?? "?"} ep.)`, a.energyKwh, "#1b6ca8"));
  if (comparison.length > 0) bars(out, box, comparedTitle, compared.label, comparison);
  else {
    axes(out, box, comparedTitle, "", compared.label, 1, 0, false);
    emptyNote(out, box, "no consumption block in the log");
  }
}

/** Lays out the whole report page. */
export function layoutReport(model: ReportModel): Primitive[] {
  const out: Primitive[] = [];
  const left = 40;
  out.push({ kind: "text", x: left, y: 44, text: "carbontracker report", size: 16, bold: true });
  out.push({ kind: "text", x: left, y: 60, text: model.runId, size: 8, color: AXIS });

  const summary: [string, string][] = [
    ["Energy (incl. PUE)", fmt(model.energyKwh, energyUnit(model.energyKwh))],
    ["CO2eq", fmt(model.co2eqG, massUnit(model.co2eqG ?? 0))],
    ["Duration", model.durationS === null ? "n/a" : formatDuration(model.durationS)],
    ["Epochs counted", model.epochsCounted === null ? "n/a" : String(model.epochsCounted)],
    ["Carbon intensity (gCO2eq/kWh)", model.gPerKwh === null ? "n/a" : model.gPerKwh.toFixed(2)],
    ["Intensity source", model.intensitySource ?? "n/a"],
    ["PUE", model.pue === null ? "n/a" : String(model.pue)],
    ["Interrupted", model.interrupted === null ? "n/a" : model.interrupted ? "yes" : "no"],
    ["Started", model.start ?? "n/a"],
    ["Host / version", `${model.host ?? "n/a"} / ${model.version ?? "n/a"}`],
  ];
  summary.forEach(([label, value], i) => {
    const y = 82 + i * 12;
    out.push({ kind: "text", x: left, y, text: label, size: 8, color: AXIS });
    out.push({ kind: "text", x: left + 150, y, text: value.slice(0, 70), size: 8, bold: i < 2 });
  });

  const chartW = 230;
  const chartH = 120;
  const col2 = 325;
  const row1: Box = { x: left + 20, y: 230, w: chartW, h: chartH };
  const row1b: Box = { x: col2, y: 230, w: chartW, h: chartH };
  const row2: Box = { x: left + 20, y: 410, w: chartW, h: chartH };
  const row2b: Box = { x: col2, y: 410, w: chartW, h: chartH };

  drawEpochEnergy(out, row1, model);
  drawPower(out, row1b, model);
  drawIntensity(out, row2, model);
  drawPredictedActual(out, row2b, model);

  let y = 590;
  out.push({ kind: "text", x: left, y, text: "Where each figure comes from", size: 10, bold: true });
  y += 14;
  for (const row of model.provenance.slice(0, 16)) {
    out.push({ kind: "text", x: left, y, text: row.figure.slice(0, 40), size: 7.5, color: AXIS });
    for (const text of wrap(row.how, 92).slice(0, 2)) {
      out.push({ kind: "text", x: left + 150, y, text, size: 7.5 });
      y += 10;
    }
    y += 1;
  }
  if (model.notes.length > 0) {
    y += 6;
    out.push({ kind: "text", x: left, y, text: "Notes", size: 10, bold: true });
    y += 13;
    for (const note of model.notes.slice(0, 6)) {
      wrap(note, 120).forEach((text, i) => {
        if (y >= PAGE.height - 30) return;
        out.push({ kind: "text", x: left, y, text: (i === 0 ? "- " : "  ") + text, size: 7 });
        y += 10;
      });
    }
  }
  out.push({
    kind: "text",
    x: left,
    y: PAGE.height - 20,
    text: `Energy is multiplied by PUE only in totals; per-epoch bars are before PUE. Report by carbontracker ${VERSION}; log written by carbontracker ${model.version ?? "(version not logged)"}.`,
    size: 6.5,
    color: "#888888",
  });
  return out;
}
