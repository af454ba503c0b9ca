// What `carbontracker doctor` found, as plain data: the text and JSON renderers read only this,
// so a script sees exactly what a person sees.
import type { Component, Provenance, SkipReason } from "../hardware/types.js";

/** How a component will be measured: the weakest provenance among its devices, or `none`. */
export type MeasuredAs = Provenance | "none";

/** One device a backend opened. */
export interface DoctorDevice {
  device: string;
  name: string;
  provenance: Provenance;
  /** Backend facts (UUID, driver, sysfs path, ...). */
  details?: Record<string, unknown>;
}

/** A fact checked beside the backends (file modes, library version, sudo rights, ...). */
export interface DoctorCheck {
  /** Short label (`kernel`, `NVML library`, `intel-rapl:0/energy_uj`). */
  label: string;
  /** `ok`: nothing to do; `warn`: measurement suffers; `info`: context only. */
  status: "ok" | "warn" | "info";
  detail: string;
  /** The exact next step, where there is one. */
  fix?: string;
}

/** One requested component: who measures it and why every earlier backend did not. */
export interface ComponentDiagnosis {
  component: Component;
  /** The backend that opened, or null when none did. */
  backend: string | null;
  measuredAs: MeasuredAs;
  devices: DoctorDevice[];
  /** Every backend skipped before the one that opened (all of them when none did). */
  skipped: SkipReason[];
  /** What the backends said while opening. */
  notices: string[];
  checks: DoctorCheck[];
}

/** A service the intensity side calls, and whether it answered. */
export interface ServiceCheck {
  /** `geolocation`, `electricitymaps`, `carbonintensity-uk`, `energidataservice`. */
  service: string;
  url: string;
  /** `answered` (any HTTP status), `no-answer` (time-out or network error), `not-checked` (offline). */
  state: "answered" | "no-answer" | "not-checked";
  detail: string;
  /** HTTP status when it answered. */
  status?: number;
  /** Time to the answer or the failure, in milliseconds. */
  elapsedMs?: number;
  /** Context that is not reachability (an API key set or not; never the key). */
  note?: string;
}

/** Location facts known without a lookup. */
export interface LocationDiagnosis {
  /** The user's override (CARBONTRACKER_COUNTRY, _ZONE, ...), or null. */
  override: string | null;
  /** The cache file for this host. */
  cacheFile: string;
  /** The cached location, or null with why in `cacheDetail`. */
  cached: { description: string; method: string; savedAt: string } | null;
  cacheDetail: string;
}

/** Everything doctor reports. */
export interface DoctorReport {
  components: ComponentDiagnosis[];
  /** Kernel, container, and other facts that explain the components. */
  system: DoctorCheck[];
  offline: boolean;
  services: ServiceCheck[];
  location: LocationDiagnosis;
  /** 0: every requested component has counters; 1: something is sampled, estimated or unmeasured. */
  exitCode: 0 | 1;
}
