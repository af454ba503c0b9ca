// What a run says about its devices once the sampler has found them: reader notices, every
// backend skipped and why (err log), the sampling interval chosen, and the original's "The
// following components were found" line; or why a requested component cannot be measured.
import { ComponentUnavailableError } from "../errors/index.js";
import type { Component, ReaderNotice } from "../hardware/types.js";
import type { SamplerDescription } from "../sampling/reader-set.js";
import type { Notice, TrackerEvent } from "./events.js";

/** A reader's notice as a run notice (an info line meant for the console is a banner). */
export function readerNotice(notice: ReaderNotice): Notice {
  const level = notice.level === "info" ? (notice.console ? "banner" : "info") : notice.level;
  return { level, text: notice.message };
}

/**
 * Emits the events that describe the devices found, in order. Throws ComponentUnavailableError
 * (after what it emitted) when a component asked for by name (not "all") has no device.
 */
export function reportDevices(
  description: SamplerDescription,
  notices: readonly ReaderNotice[],
  measured: readonly Component[],
  componentsExplicit: boolean,
  emit: (event: TrackerEvent) => void,
): void {
  for (const n of notices) emit({ type: "notice", ...readerNotice(n) });
  const notice = (level: Notice["level"], text: string) => emit({ type: "notice", level, text });
  for (const skip of description.skipped) {
    notice(
      "debug",
      `${skip.component} backend ${skip.backend} skipped: ${skip.reason}${skip.fix ? ` Fix: ${skip.fix}` : ""}`,
    );
  }
  if (description.intervalReason) notice("info", description.intervalReason);
  const has = (c: Component) => description.devices.some((d) => d.component === c);
  if (measured.includes("gpu") && !has("gpu")) notice("info", "No GPU(s) available.");
  for (const component of measured) {
    if (has(component) || !componentsExplicit) continue;
    const reasons = description.skipped
      .filter((s) => s.component === component)
      .map((s) => `${s.backend}: ${s.reason}`)
      .join("; ");
    throw new ComponentUnavailableError(
      component,
      `No ${component.toUpperCase()} available to measure (${reasons || "no backend"}). Run 'carbontracker doctor' to see why, or choose other components.`,
    );
  }
  if (!measured.some(has)) {
    notice(
      "warning",
      "No components found: nothing can be measured on this machine. Training goes on untracked; run 'carbontracker doctor' to see why.",
    );
  } else {
    emit({ type: "devices-found", devices: description.devices, components: [...measured] });
  }
}
