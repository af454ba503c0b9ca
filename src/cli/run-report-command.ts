// `carbontracker --report LOG --output report.pdf|.html`: one run's report, self-contained.
import { writeFile } from "node:fs/promises";
import { extname } from "node:path";
import { CarbonTrackerError } from "../errors/index.js";
import { buildReportModel } from "../reports/run-report/report-model.js";
import { renderHtml } from "../reports/run-report/render-html.js";
import { renderPdf } from "../reports/run-report/render-pdf.js";

/** Writes the report; 0 on success, 2 on bad input (one line naming the file and the fix). */
export async function runReportCommand(
  options: { log: string; output: string },
  io: { stdout: (s: string) => void; stderr: (s: string) => void },
): Promise<number> {
  const kind = extname(options.output).toLowerCase();
  if (kind !== ".pdf" && kind !== ".html" && kind !== ".htm") {
    io.stderr(`carbontracker: --output ${options.output}: name a .pdf or .html file.\n`);
    return 2;
  }
  let bytes: Buffer | string;
  try {
    const model = await buildReportModel(options.log);
    bytes = kind === ".pdf" ? await renderPdf(model) : renderHtml(model);
  } catch (error) {
    if (error instanceof CarbonTrackerError) {
      io.stderr(
        `carbontracker: ${error.message} Give --report one of a run's log files (e.g. logs/<run>_carbontracker.log).\n`,
      );
      return 2;
    }
    throw error;
  }
  try {
    await writeFile(options.output, bytes);
  } catch (error) {
    io.stderr(
      `carbontracker: cannot write ${options.output} (${(error as NodeJS.ErrnoException).code ?? String(error)}): choose a writable path.\n`,
    );
    return 2;
  }
  io.stdout(`Report written to ${options.output}\n`);
  return 0;
}
