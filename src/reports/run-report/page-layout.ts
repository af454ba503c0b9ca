// The report page as drawing primitives in A4 points (595 x 842, origin top left), so the SVG
// (HTML) and the PDF renderers draw the very same page.
import { formatDuration } from "../../units/index.js";
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

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const PALETTE = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d5a97"];
const AXIS = "#555555";

function fmt(value: number | null | undefined, digits = 6): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
  if (value !== 0 && Math.abs(value) < 10 ** -digits) return value.toExponential(3);
  return value.toFixed(digits);
}

/** Round tick values covering [min, max]. */
function ticks(min: number, max: number, count = 4): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

function tickLabel(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1000 || a < 0.01 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
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
  const yTop = yMax > 0 ? yMax * 1.1 : 1;
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
  items.forEach((item, i) => {
    const [, top] = project(0, item.value);
    const x = box.x + i * slot + slot * 0.15;
    out.push({ kind: "rect", x, y: top, w: slot * 0.7, h: box.y + box.h - top, fill: item.color });
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

function lines(
  out: Primitive[],
  box: Box,
  title: string,
  yLabel: string,
  series: { name: string; points: Point[]; step?: boolean }[],
) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return false;
  const project = axes(
    out,
    box,
    title,
    "time since start (s)",
    yLabel,
    Math.max(...all.map((p) => p.t)),
    Math.max(...all.map((p) => p.v)),
  );
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length] as string;
    const pts: [number, number][] = [];
    s.points.forEach((p, k) => {
      if (s.step && k > 0) pts.push(project(p.t, s.points[k - 1]!.v));
      pts.push(project(p.t, p.v));
    });
    if (pts.length === 1) pts.push([pts[0]![0] + 2, pts[0]![1]]);
    out.push({ kind: "polyline", points: pts, color, width: 1.2 });
    out.push({ kind: "rect", x: box.x + box.w - 110, y: box.y + 4 + i * 9, w: 6, h: 6, fill: color });
    out.push({ kind: "text", x: box.x + box.w - 101, y: box.y + 9.5 + i * 9, text: s.name, size: 6 });
  });
  return true;
}

/** Lays out the whole report page. */
export function layoutReport(model: ReportModel): Primitive[] {
  const out: Primitive[] = [];
  const left = 40;
  out.push({ kind: "text", x: left, y: 44, text: "carbontracker report", size: 16, bold: true });
  out.push({ kind: "text", x: left, y: 60, text: model.runId, size: 8, color: AXIS });

  const summary: [string, string][] = [
    ["Energy (kWh, incl. PUE)", fmt(model.energyKwh)],
    ["CO2eq (g)", fmt(model.co2eqG)],
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

  if (model.epochs.length > 0) {
    bars(
      out,
      row1,
      "Energy per epoch (kWh, before PUE)",
      "kWh",
      model.epochs.map((e, i) => ({
        label: String(e.epoch),
        value: e.energyKwh,
        color: PALETTE[i % 2 === 0 ? 0 : 3] as string,
      })),
    );
  } else {
    axes(out, row1, "Energy per epoch (kWh, before PUE)", "", "kWh", 1, 0);
    emptyNote(out, row1, "no finished epoch in the log");
  }
  const powerDrawn = lines(
    out,
    row1b,
    "Power over time per device (W)",
    "W",
    model.power.map((p) => ({ name: `${p.device} (${p.provenance})`.slice(0, 24), points: p.points })),
  );
  if (!powerDrawn) {
    axes(out, row1b, "Power over time per device (W)", "time since start (s)", "W", 1, 0);
    emptyNote(out, row1b, "needs the JSONL record (not in text logs)");
  }
  const intensityDrawn = lines(out, row2, "Carbon intensity over time (gCO2eq/kWh)", "g/kWh", [
    { name: model.intensitySource?.slice(0, 24) ?? "intensity", points: model.intensity, step: true },
  ]);
  if (!intensityDrawn) {
    axes(
      out,
      row2,
      "Carbon intensity over time (gCO2eq/kWh)",
      "time since start (s)",
      "g/kWh",
      1,
      model.gPerKwh ?? 0,
    );
    emptyNote(
      out,
      row2,
      model.gPerKwh === null ? "no intensity in the log" : `one figure: ${model.gPerKwh.toFixed(2)}`,
    );
  }
  const comparison = [
    ...(model.predicted
      ? [
          {
            label: `predicted (${model.predicted.epochs ?? "?"} ep.)`,
            value: model.predicted.energyKwh,
            color: "#edae49",
          },
        ]
      : []),
    ...(model.actual
      ? [
          {
            label: `actual (${model.actual.epochs ?? "?"} ep.)`,
            value: model.actual.energyKwh,
            color: "#1b6ca8",
          },
        ]
      : []),
  ];
  if (comparison.length > 0) bars(out, row2b, "Predicted against actual (kWh, incl. PUE)", "kWh", comparison);
  else {
    axes(out, row2b, "Predicted against actual (kWh, incl. PUE)", "", "kWh", 1, 0);
    emptyNote(out, row2b, "no consumption block in the log");
  }

  let y = 590;
  out.push({ kind: "text", x: left, y, text: "Where each figure comes from", size: 10, bold: true });
  y += 14;
  for (const row of model.provenance.slice(0, 12)) {
    out.push({ kind: "text", x: left, y, text: row.figure.slice(0, 40), size: 7.5, color: AXIS });
    out.push({ kind: "text", x: left + 150, y, text: row.how.slice(0, 90), size: 7.5 });
    y += 11;
  }
  if (model.notes.length > 0) {
    y += 6;
    out.push({ kind: "text", x: left, y, text: "Notes", size: 10, bold: true });
    y += 13;
    for (const note of model.notes.slice(0, 6)) {
      for (let i = 0; i < note.length && y < PAGE.height - 30; i += 110) {
        out.push({
          kind: "text",
          x: left,
          y,
          text: (i === 0 ? "- " : "  ") + note.slice(i, i + 110),
          size: 7,
        });
        y += 10;
      }
    }
  }
  out.push({
    kind: "text",
    x: left,
    y: PAGE.height - 20,
    text: `Energy is multiplied by PUE only in totals; per-epoch bars are before PUE. Written by carbontracker ${model.version ?? ""}`.trim(),
    size: 6.5,
    color: "#888888",
  });
  return out;
}
