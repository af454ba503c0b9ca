// The report as a one-page A4 PDF drawn with pdfkit from the same primitives as the HTML.
import PDFDocument from "pdfkit";
import { layoutReport, PAGE } from "./page-layout.js";
import type { ReportModel } from "./report-model.js";

/** Renders the report as PDF bytes. */
export function renderPdf(model: ReportModel): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margin: 0,
    info: { Title: model.title, Creator: "carbontracker" },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  for (const p of layoutReport(model)) {
    if (p.kind === "text") {
      doc
        .font(p.bold ? "Helvetica-Bold" : "Helvetica")
        .fontSize(p.size)
        .fillColor(p.color ?? "#000000");
      const width = doc.widthOfString(p.text);
      const x = p.anchor === "middle" ? p.x - width / 2 : p.anchor === "end" ? p.x - width : p.x;
      // SVG places text by its baseline; pdfkit by its top: move up by the ascent.
      doc.text(p.text, x, p.y - p.size * 0.78, { lineBreak: false });
    } else if (p.kind === "rect") {
      doc.rect(p.x, p.y, p.w, Math.max(0, p.h)).fill(p.fill);
    } else if (p.kind === "line") {
      doc.moveTo(p.x1, p.y1).lineTo(p.x2, p.y2).lineWidth(p.width).stroke(p.color);
    } else {
      const [first, ...rest] = p.points;
      if (!first) continue;
      doc.moveTo(first[0], first[1]);
      for (const [x, y] of rest) doc.lineTo(x, y);
      doc.lineWidth(p.width).stroke(p.color);
    }
  }
  if (doc.bufferedPageRange().count !== 1 || PAGE.width !== 595)
    throw new Error("report must be one A4 page");
  doc.end();
  return done;
}
