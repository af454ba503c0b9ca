// The run's charts as inline SVG, drawn by the report's own chart functions (the same axes,
// bars, lines and empty-chart notes as the HTML and PDF report), one chart per picture.
import {
  drawEpochEnergy,
  drawIntensity,
  drawPower,
  drawPredictedActual,
  type Box,
  type Primitive,
} from "../reports/run-report/page-layout.js";
import type { ReportModel } from "../reports/run-report/report-model.js";
import { svgOf } from "../reports/run-report/render-html.js";
import { escapeHtml } from "./html.js";

/** The charts of a run detail page, by id. */
export const CHARTS = {
  power: { label: "Power per device over time", draw: drawPower },
  "epoch-energy": { label: "Energy per epoch", draw: drawEpochEnergy },
  intensity: { label: "Carbon intensity over time", draw: drawIntensity },
  "predicted-actual": { label: "Prediction against actual", draw: drawPredictedActual },
} as const;

/** Size of one chart picture in the report's points; the plot box sits inside it. */
const VIEW = { width: 310, height: 172 };
const BOX: Box = { x: 44, y: 24, w: 250, h: 118 };

/** One chart as an `<svg>` element. */
export function chartSvg(id: keyof typeof CHARTS, model: ReportModel): string {
  const out: Primitive[] = [];
  CHARTS[id].draw(out, BOX, model);
  return `<svg class="chart" id="chart-${id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${VIEW.width} ${VIEW.height}" font-family="system-ui, sans-serif" role="img" aria-label="${escapeHtml(CHARTS[id].label)}">
<rect x="0" y="0" width="${VIEW.width}" height="${VIEW.height}" fill="#ffffff"/>
${out.map(svgOf).join("\n")}
</svg>`;
}
