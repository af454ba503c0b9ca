// Cloud Carbon Footprint's power per vCPU by microarchitecture: the server's power at 0 % and 100 %
// load in the SPECpower results, divided by its hardware threads. What a VM's share of a host is
// worth when the host CPU's own TDP and threads are not known.
import type { Watts } from "../../units/index.js";

/** The CCF microarchitectures that have coefficients. */
export type CcfMicroarchitecture =
  | "Sandy Bridge"
  | "Ivy Bridge"
  | "Haswell"
  | "Broadwell"
  | "Skylake"
  | "Cascade Lake"
  | "Coffee Lake"
  | "EPYC 1st Gen"
  | "EPYC 2nd Gen"
  | "EPYC 3rd Gen"
  | "Graviton2";

/** Power of one vCPU at 0 % and at 100 % utilisation (W). */
export interface VcpuWatts {
  minW: Watts;
  maxW: Watts;
}

/** Where the coefficients come from. */
export const CCF_SOURCE =
  "Cloud Carbon Footprint coefficients (cloud-carbon-footprint/cloud-carbon-coefficients, output/coefficients-azure-use.csv at 2ecb2f6, from SPECpower; Sandy/Ivy Bridge as in its GCP output)";

/**
 * W per vCPU at 0 % and 100 % load. Graviton2 has none of its own: CCF applies the lowest it has,
 * EPYC 2nd Gen's ("likely more efficient ... we apply the lowest min/max watts", CCF methodology,
 * Appendix II note).
 */
export const CCF_VCPU_WATTS: Readonly<Record<CcfMicroarchitecture, VcpuWatts>> = {
  "Sandy Bridge": { minW: 2.1694411458333334, maxW: 8.575357663690477 },
  "Ivy Bridge": { minW: 3.0369270833333335, maxW: 8.248611111111112 },
  Haswell: { minW: 1.9005681818181814, maxW: 6.012910353535353 },
  Broadwell: { minW: 0.7128342245989304, maxW: 3.6853275401069516 },
  Skylake: { minW: 0.6446044454253452, maxW: 4.193436438541878 },
  "Cascade Lake": { minW: 0.6389493581523519, maxW: 3.9673047343937564 },
  "Coffee Lake": { minW: 1.138425925925926, maxW: 5.421759259259258 },
  "EPYC 1st Gen": { minW: 0.82265625, maxW: 2.553125 },
  "EPYC 2nd Gen": { minW: 0.4742621527777778, maxW: 1.6929615162037037 },
  "EPYC 3rd Gen": { minW: 0.44538981119791665, maxW: 2.0193277994791665 },
  Graviton2: { minW: 0.4742621527777778, maxW: 1.6929615162037037 },
};

/**
 * CCF's figure when the microarchitecture is unknown: the average over AWS's microarchitectures,
 * 0.74 W to 3.5 W per vCPU (CCF methodology, Appendix I, AWS).
 */
export const CCF_UNKNOWN_VCPU_WATTS: VcpuWatts = { minW: 0.74, maxW: 3.5 };
