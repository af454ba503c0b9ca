// The report for people: per component what measures it and how, every backend skipped with its
// reason and fix, then the system, location and services, and the verdict behind the exit code.
import { PROVENANCE_METHOD } from "../hardware/provenance.js";
import type { DoctorCheck, DoctorReport, MeasuredAs } from "./report-model.js";

const HEADLINE: Record<MeasuredAs, string> = {
  counter: `measured by ${PROVENANCE_METHOD.counter}`,
  sampled: `measured by ${PROVENANCE_METHOD.sampled} (less exact than a counter)`,
  estimate: `NOT MEASURED: ${PROVENANCE_METHOD.estimate}`,
  simulated: `NOT MEASURED: ${PROVENANCE_METHOD.simulated}`,
  none: "NOT MEASURED: no backend could open it",
};

const VERDICT: Record<MeasuredAs, string> = {
  counter: "counter",
  sampled: "sampled",
  estimate: "estimate",
  simulated: "simulated",
  none: "not measured",
};

/** Whether a component's estimate is a virtual machine's share of its host (the estimate reader's `vm`). */
function isVmEstimate(c: DoctorReport["components"][number]): boolean {
  return c.measuredAs === "estimate" && c.devices.some((d) => d.details?.vm === true);
}

const VM_HEADLINE =
  "NOT MEASURED: estimates for a virtual machine, its share of the host CPU x utilisation (not measurements)";

/** Prefixes the first line; later lines line up under it. */
function indent(text: string, prefix: string): string[] {
  const pad = " ".repeat(prefix.length);
  return text.split("\n").map((line, i) => `${i === 0 ? prefix : pad}${line}`);
}

function checkLines(check: DoctorCheck): string[] {
  const lines = [`  [${check.status}] ${check.label}: ${check.detail}`];
  if (check.fix) lines.push(...indent(check.fix, "         fix: "));
  return lines;
}

/** Renders the report as the lines `carbontracker doctor` prints (each ends with a newline). */
export function renderDoctorText(report: DoctorReport): string {
  const out: string[] = ["carbontracker doctor", "", "System"];
  for (const check of report.system) out.push(...checkLines(check));
  for (const c of report.components) {
    out.push(
      "",
      `${c.component.toUpperCase()}: ${isVmEstimate(c) ? VM_HEADLINE : HEADLINE[c.measuredAs]}${c.backend ? ` (${c.backend})` : ""}`,
    );
    for (const d of c.devices) {
      const label = d.provenance === "estimate" ? d.details?.estimate_label : undefined;
      out.push(
        `  [${d.provenance === "counter" ? "ok" : "warn"}] ${d.device}${d.name !== d.device ? ` (${d.name})` : ""}: ${d.provenance}${typeof label === "string" ? ` (${label})` : ""}`,
      );
      if (typeof label === "string" && typeof d.details?.tdp_source === "string") {
        out.push(...indent(d.details.tdp_source, "         how: "));
      }
    }
    for (const s of c.skipped) {
      out.push(`  [skip] ${s.backend}: ${s.reason}`);
      if (s.fix) out.push(...indent(s.fix, "         fix: "));
    }
    for (const check of c.checks) out.push(...checkLines(check));
    for (const notice of c.notices) out.push(...indent(notice, "  note: "));
  }
  out.push("", "Location and intensity");
  out.push(
    `  location override: ${report.location.override ?? "none (CARBONTRACKER_COUNTRY, CARBONTRACKER_ZONE)"}`,
  );
  out.push(
    `  cached location: ${report.location.cacheDetail}`,
    `    cache file: ${report.location.cacheFile}`,
  );
  for (const s of report.services) {
    out.push(
      `  [${s.state === "answered" ? "ok" : s.state === "no-answer" ? "warn" : "info"}] ${s.service} ${s.url}: ${s.detail}`,
    );
    if (s.note) out.push(`         ${s.note}`);
  }
  const summary = report.components
    .map((c) => `${c.component.toUpperCase()} ${isVmEstimate(c) ? "VM estimate" : VERDICT[c.measuredAs]}`)
    .join(", ");
  out.push(
    "",
    report.exitCode === 0
      ? `Verdict: ${summary}. Every requested component is measured by a counter (exit 0).`
      : `Verdict: ${summary}. Not every requested component is measured by a counter (exit 1).`,
  );
  return `${out.join("\n")}\n`;
}
