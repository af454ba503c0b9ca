// Reads a PDF as the report tests check it, with pdfjs-dist (Mozilla's PDF reader, pure JS): page
// count and size, the text, and every path drawn with where it lies. No poppler on the machine.
import { readFile } from "node:fs/promises";
import { getDocument, OPS } from "pdfjs-dist/legacy/build/pdf.mjs";

/** A filled or stroked path and its bounding box, in the page's points from the top left. */
export interface DrawnPath {
  paint: "fill" | "stroke";
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Path operators (move, line, rect...): a line through n points has n. */
  segments: number;
}

/** What the first page of a PDF shows. */
export interface PdfPage {
  pages: number;
  widthPt: number;
  heightPt: number;
  /** The page's text runs in drawing order, one a line. */
  text: string;
  paths: DrawnPath[];
}

const PAINT = new Map<number, DrawnPath["paint"]>([
  [OPS.fill, "fill"],
  [OPS.eoFill, "fill"],
  [OPS.fillStroke, "fill"],
  [OPS.eoFillStroke, "fill"],
  [OPS.stroke, "stroke"],
  [OPS.closeStroke, "stroke"],
]);

/**
 * Reads page 1 of the PDF at `file`. Path boxes are in the coordinates the drawing used; for
 * pdfkit's pages (which flip the y axis once, up front) that is points from the top left.
 */
export async function readPdf(file: string): Promise<PdfPage> {
  const data = new Uint8Array(await readFile(file));
  const doc = await getDocument({ data, verbosity: 0, isEvalSupported: false }).promise;
  try {
    const page = await doc.getPage(1);
    const [left, bottom, right, top] = page.view as [number, number, number, number];
    const content = await page.getTextContent();
    const text = content.items
      .map((item) => ("str" in item ? item.str : ""))
      .filter((s) => s.trim() !== "")
      .join("\n");
    const list = await page.getOperatorList();
    const paths: DrawnPath[] = [];
    let pending: Omit<DrawnPath, "paint"> | undefined;
    list.fnArray.forEach((fn, i) => {
      if (fn === OPS.constructPath) {
        const [ops, , box] = list.argsArray[i] as [number[], number[], number[]];
        const [x0, y0, x1, y1] = box as [number, number, number, number];
        pending = { x0, y0, x1, y1, segments: ops.length };
        return;
      }
      const paint = PAINT.get(fn);
      if (paint && pending) {
        paths.push({ paint, ...pending });
        pending = undefined;
      }
    });
    return { pages: doc.numPages, widthPt: right - left, heightPt: top - bottom, text, paths };
  } finally {
    await doc.destroy();
  }
}

/** The paths of one kind lying wholly inside a box of the page. */
export function pathsIn(
  page: PdfPage,
  paint: DrawnPath["paint"],
  box: { x: number; y: number; w: number; h: number },
): DrawnPath[] {
  const slack = 0.5;
  return page.paths.filter(
    (p) =>
      p.paint === paint &&
      p.x0 >= box.x - slack &&
      p.x1 <= box.x + box.w + slack &&
      p.y0 >= box.y - slack &&
      p.y1 <= box.y + box.h + slack,
  );
}
