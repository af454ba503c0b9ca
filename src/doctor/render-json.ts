// The report for scripts: the report model itself, versioned, so fields only ever get added.
import type { DoctorReport } from "./report-model.js";

/** Version of the JSON shape; bumped only when a field changes meaning or goes away. */
const DOCTOR_JSON_VERSION = 1;

/** Renders the report as one JSON document (pretty-printed, newline-terminated). */
export function renderDoctorJson(report: DoctorReport): string {
  return `${JSON.stringify({ version: DOCTOR_JSON_VERSION, ...report }, null, 2)}\n`;
}
