// The report as one self-contained HTML file: inline CSS and one inline SVG page (the same
// layout as the PDF), plus the figures as a table for screen readers and copy-paste.
import { energyUnit, massUnit, readable, withUnit } from "../figures.js";
import { epochEnergyUnit, layoutReport, PAGE, type Primitive } from "./page-layout.js";
import type { ReportModel } from "./report-model.js";

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One drawing primitive as an SVG element (the dashboard draws the report's charts with it too). */
export function svgOf(primitive: Primitive): string {
  switch (primitive.kind) {
    case "text":
      return `<text x="${primitive.x.toFixed(1)}" y="${primitive.y.toFixed(1)}" font-size="${primitive.size}"${primitive.bold ? ' font-weight="bold"' : ""} fill="${primitive.color ?? "#000000"}" text-anchor="${primitive.anchor ?? "start"}">${escape(primitive.text)}</text>`;
    case "rect":
      return `<rect x="${primitive.x.toFixed(1)}" y="${primitive.y.toFixed(1)}" width="${primitive.w.toFixed(1)}" height="${Math.max(0, primitive.h).toFixed(1)}" fill="${primitive.fill}"/>`;
    case "line":
      return `<line x1="${primitive.x1.toFixed(1)}" y1="${primitive.y1.toFixed(1)}" x2="${primitive.x2.toFixed(1)}" y2="${primitive.y2.toFixed(1)}" stroke="${primitive.color}" stroke-width="${primitive.width}"/>`;
    case "polyline":
      return `<polyline fill="none" stroke="${primitive.color}" stroke-width="${primitive.width}" points="${primitive.points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")}"/>`;
  }
}

/** Renders the report as a self-contained HTML document (no network, no scripts). */
export function renderHtml(model: ReportModel): string {
  const svg = layoutReport(model).map(svgOf).join("\n");
  const epochUnit = epochEnergyUnit(model);
  const rows = model.epochs
    .map(
      (e) =>
        `<tr><td>${e.epoch}</td><td>${e.durationS.toFixed(2)}</td><td>${readable(e.energyKwh * epochUnit.perBase)}</td></tr>`,
    )
    .join("");
  const energy = withUnit(model.energyKwh, energyUnit(model.energyKwh));
  const co2eq = model.co2eqG === null ? "n/a" : withUnit(model.co2eqG, massUnit(model.co2eqG));
  const intensity = model.gPerKwh === null ? "n/a" : `${model.gPerKwh.toFixed(2)} gCO2eq/kWh`;
  const provenance = model.provenance
    .map((p) => `<tr><td>${escape(p.figure)}</td><td>${escape(p.how)}</td></tr>`)
    .join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(model.title)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 0; background: #f4f4f4; color: #111; }
main { max-width: 860px; margin: 0 auto; padding: 16px; }
svg { background: #fff; width: 100%; height: auto; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
table { border-collapse: collapse; margin: 12px 0; font-size: 13px; background: #fff; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
@media print { body { background: #fff; } svg { box-shadow: none; } .figures { display: none; } }
</style>
</head>
<body>
<main>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${PAGE.width} ${PAGE.height}" font-family="Helvetica, Arial, sans-serif" role="img" aria-label="${escape(model.title)}">
<rect x="0" y="0" width="${PAGE.width}" height="${PAGE.height}" fill="#ffffff"/>
${svg}
</svg>
<section class="figures">
<h2>Figures</h2>
<table><tr><th>Energy (incl. PUE)</th><td>${energy}</td></tr>
<tr><th>CO2eq</th><td>${co2eq}</td></tr>
<tr><th>Carbon intensity</th><td>${intensity}</td></tr></table>
<table><tr><th>Epoch</th><th>Duration (s)</th><th>Energy (${epochUnit.label}, before PUE)</th></tr>${rows}</table>
<table><tr><th>Figure</th><th>Provenance</th></tr>${provenance}</table>
</section>
</main>
</body>
</html>
`;
}
