// CPU models the upstream table lacks (recent Xeons and EPYCs, 12th-14th gen Core, Core Ultra,
// Ryzen 7000-9000, Ampere Altra, cloud-only SKUs) and the hardware threads per package of server
// models, which the VM share needs. Each row names its source; entered by hand from the vendors'
// published specifications, so a reviewer can check any row against the page cited.

/** Where an addition's figures come from. */
export const ADDITION_SOURCES = {
  "intel-ark":
    "Intel ARK product specifications (https://ark.intel.com): 'TDP', or 'Processor Base Power' from 12th gen on",
  amd: "AMD processor specifications (https://www.amd.com/en/products/specifications/processors): 'Default TDP'",
  ampere:
    "Ampere Altra / Altra Max product briefs (https://amperecomputing.com/products/processors): TDP per SKU",
  aws: "AWS EC2 instance types (https://aws.amazon.com/ec2/instance-types/): processor and vCPUs of the largest size; AWS publishes no TDP",
  azure:
    "Azure VM sizes (https://learn.microsoft.com/azure/virtual-machines/sizes): processor and vCPUs; no TDP published",
  gcp: "Google Cloud machine families (https://cloud.google.com/compute/docs/machine-resource): processor and vCPUs; no TDP published",
} as const;

/** A source key of ADDITION_SOURCES. */
export type AdditionSource = keyof typeof ADDITION_SOURCES;

/**
 * One added model. `tdpW` (W per package) is absent where the vendor publishes none (cloud-only
 * SKUs); `threads` is hardware threads per package, where known. A row without `tdpW` whose name
 * is in the upstream table only adds `threads` to it.
 */
export interface CpuAddition {
  name: string;
  tdpW?: number;
  threads?: number;
  source: AdditionSource;
}

type Row = readonly [name: string, tdpW: number | undefined, threads: number | undefined];

function rows(source: AdditionSource, list: readonly Row[]): CpuAddition[] {
  return list.map(([name, tdpW, threads]) => {
    const addition: CpuAddition = { name, source };
    if (tdpW !== undefined) addition.tdpW = tdpW;
    if (threads !== undefined) addition.threads = threads;
    return addition;
  });
}

/** AMD EPYC 9004/8004/4004/9005 and Milan-X, Ryzen 7000-9000 and Threadripper 7000. */
const AMD: readonly Row[] = [
  // EPYC 9004 (Genoa, Genoa-X, Bergamo)
  ["AMD EPYC 9124", 200, 32],
  ["AMD EPYC 9174F", 320, 32],
  ["AMD EPYC 9224", 200, 48],
  ["AMD EPYC 9254", 200, 48],
  ["AMD EPYC 9274F", 320, 48],
  ["AMD EPYC 9334", 210, 64],
  ["AMD EPYC 9354", 280, 64],
  ["AMD EPYC 9354P", 280, 64],
  ["AMD EPYC 9374F", 320, 64],
  ["AMD EPYC 9454", 290, 96],
  ["AMD EPYC 9454P", 290, 96],
  ["AMD EPYC 9474F", 360, 96],
  ["AMD EPYC 9534", 280, 128],
  ["AMD EPYC 9554", 360, 128],
  ["AMD EPYC 9554P", 360, 128],
  ["AMD EPYC 9634", 290, 168],
  ["AMD EPYC 9654", 360, 192],
  ["AMD EPYC 9654P", 360, 192],
  ["AMD EPYC 9184X", 320, 32],
  ["AMD EPYC 9384X", 320, 64],
  ["AMD EPYC 9684X", 400, 192],
  ["AMD EPYC 9734", 340, 224],
  ["AMD EPYC 9754", 360, 256],
  ["AMD EPYC 9754S", 360, 128],
  ["AMD EPYC 9B14", 360, 192],
  // EPYC 8004 (Siena) and 4004
  ["AMD EPYC 8024P", 90, 16],
  ["AMD EPYC 8124P", 125, 32],
  ["AMD EPYC 8224P", 160, 48],
  ["AMD EPYC 8324P", 180, 64],
  ["AMD EPYC 8434P", 200, 96],
  ["AMD EPYC 8534P", 200, 128],
  ["AMD EPYC 4124P", 65, 8],
  ["AMD EPYC 4344P", 65, 16],
  ["AMD EPYC 4464P", 65, 24],
  ["AMD EPYC 4564P", 170, 32],
  ["AMD EPYC 4584PX", 120, 32],
  // EPYC 9005 (Turin, Turin dense)
  ["AMD EPYC 9115", 125, 32],
  ["AMD EPYC 9135", 200, 32],
  ["AMD EPYC 9355", 280, 64],
  ["AMD EPYC 9455", 300, 96],
  ["AMD EPYC 9555", 360, 128],
  ["AMD EPYC 9575F", 400, 128],
  ["AMD EPYC 9655", 400, 192],
  ["AMD EPYC 9755", 500, 256],
  ["AMD EPYC 9965", 500, 384],
  // EPYC 7003 with 3D V-Cache (Milan-X)
  ["AMD EPYC 7373X", 240, 32],
  ["AMD EPYC 7473X", 240, 48],
  ["AMD EPYC 7573X", 280, 64],
  ["AMD EPYC 7773X", 280, 128],
  // Ryzen desktop 5000 with 3D V-Cache (missing upstream), 7000 / 8000G / 9000
  ["AMD Ryzen 7 5800X3D", 105, 16],
  ["AMD Ryzen 5 7600", 65, 12],
  ["AMD Ryzen 5 7600X", 105, 12],
  ["AMD Ryzen 7 7700", 65, 16],
  ["AMD Ryzen 7 7700X", 105, 16],
  ["AMD Ryzen 7 7800X3D", 120, 16],
  ["AMD Ryzen 9 7900", 65, 24],
  ["AMD Ryzen 9 7900X", 170, 24],
  ["AMD Ryzen 9 7900X3D", 120, 24],
  ["AMD Ryzen 9 7950X", 170, 32],
  ["AMD Ryzen 9 7950X3D", 120, 32],
  ["AMD Ryzen 5 8500G", 65, 12],
  ["AMD Ryzen 5 8600G", 65, 12],
  ["AMD Ryzen 7 8700G", 65, 16],
  ["AMD Ryzen 5 9600X", 65, 12],
  ["AMD Ryzen 7 9700X", 65, 16],
  ["AMD Ryzen 7 9800X3D", 120, 16],
  ["AMD Ryzen 9 9900X", 120, 24],
  ["AMD Ryzen 9 9950X", 170, 32],
  ["AMD Ryzen 9 9950X3D", 170, 32],
  // Ryzen mobile 6000 / 7000 / 8000 / AI 300
  ["AMD Ryzen 5 6600U", 28, 12],
  ["AMD Ryzen 7 6800U", 28, 16],
  ["AMD Ryzen 7 6800HS", 35, 16],
  ["AMD Ryzen 7 6800H", 45, 16],
  ["AMD Ryzen 9 6900HX", 45, 16],
  ["AMD Ryzen 3 7320U", 15, 8],
  ["AMD Ryzen 5 7530U", 15, 12],
  ["AMD Ryzen 7 7730U", 15, 16],
  ["AMD Ryzen 5 7540U", 28, 12],
  ["AMD Ryzen 5 7640U", 28, 12],
  ["AMD Ryzen 5 7640HS", 35, 12],
  ["AMD Ryzen 7 7735U", 28, 16],
  ["AMD Ryzen 7 7735HS", 35, 16],
  ["AMD Ryzen 7 7840U", 28, 16],
  ["AMD Ryzen 7 7840HS", 35, 16],
  ["AMD Ryzen 9 7940HS", 35, 16],
  ["AMD Ryzen 7 7845HX", 55, 24],
  ["AMD Ryzen 9 7945HX", 55, 32],
  ["AMD Ryzen 5 8640U", 28, 12],
  ["AMD Ryzen 5 8645HS", 45, 12],
  ["AMD Ryzen 7 8840U", 28, 16],
  ["AMD Ryzen 7 8840HS", 28, 16],
  ["AMD Ryzen 7 8845HS", 45, 16],
  ["AMD Ryzen 9 8945HS", 45, 16],
  ["AMD Ryzen AI 9 365", 28, 20],
  ["AMD Ryzen AI 9 HX 370", 28, 24],
  // Threadripper 7000 and PRO 5000/7000
  ["AMD Ryzen Threadripper 7960X", 350, 48],
  ["AMD Ryzen Threadripper 7970X", 350, 64],
  ["AMD Ryzen Threadripper 7980X", 350, 128],
  ["AMD Ryzen Threadripper PRO 5965WX", undefined, 48],
  ["AMD Ryzen Threadripper PRO 5975WX", undefined, 64],
  ["AMD Ryzen Threadripper PRO 5995WX", undefined, 128],
  ["AMD Ryzen Threadripper PRO 7985WX", 350, 128],
  ["AMD Ryzen Threadripper PRO 7995WX", 350, 192],
];

/** Threads per package of EPYCs the upstream table has, for the VM share. */
const AMD_THREADS: readonly Row[] = [
  ["AMD EPYC 7452", undefined, 64],
  ["AMD EPYC 7502", undefined, 64],
  ["AMD EPYC 7542", undefined, 64],
  ["AMD EPYC 7543", undefined, 64],
  ["AMD EPYC 7551", undefined, 64],
  ["AMD EPYC 7601", undefined, 64],
  ["AMD EPYC 7642", undefined, 96],
  ["AMD EPYC 7643", undefined, 96],
  ["AMD EPYC 7663", undefined, 112],
  ["AMD EPYC 7702", undefined, 128],
  ["AMD EPYC 7713", undefined, 128],
  ["AMD EPYC 7742", undefined, 128],
  ["AMD EPYC 7763", undefined, 128],
  ["AMD EPYC 7B12", undefined, 128],
  ["AMD EPYC 7H12", undefined, 128],
];

/** Intel Xeon 4th/5th gen and Xeon 6, Core 12th-14th gen, Core Ultra, N-series. */
const INTEL: readonly Row[] = [
  // Xeon Scalable 4th gen (Sapphire Rapids) and Max
  ["Intel Xeon Bronze 3408U", 125, 8],
  ["Intel Xeon Silver 4410Y", 150, 24],
  ["Intel Xeon Silver 4416+", 165, 40],
  ["Intel Xeon Gold 5415+", 150, 16],
  ["Intel Xeon Gold 5418Y", 185, 48],
  ["Intel Xeon Gold 5420+", 205, 56],
  ["Intel Xeon Gold 6430", 270, 64],
  ["Intel Xeon Gold 6438Y+", 205, 64],
  ["Intel Xeon Gold 6442Y", 225, 48],
  ["Intel Xeon Gold 6448Y", 225, 64],
  ["Intel Xeon Gold 6454S", 270, 64],
  ["Intel Xeon Platinum 8452Y", 300, 72],
  ["Intel Xeon Platinum 8454H", 270, 64],
  ["Intel Xeon Platinum 8458P", 350, 88],
  ["Intel Xeon Platinum 8460Y+", 300, 80],
  ["Intel Xeon Platinum 8462Y+", 300, 64],
  ["Intel Xeon Platinum 8468", 350, 96],
  ["Intel Xeon Platinum 8470", 350, 104],
  ["Intel Xeon Platinum 8480+", 350, 112],
  ["Intel Xeon Platinum 8480CL", 350, 112],
  ["Intel Xeon Platinum 8490H", 350, 120],
  ["Intel Xeon Max 9480", 350, 112],
  // Xeon Scalable 5th gen (Emerald Rapids)
  ["Intel Xeon Silver 4514Y", 150, 32],
  ["Intel Xeon Gold 5520+", 205, 56],
  ["Intel Xeon Gold 6530", 270, 64],
  ["Intel Xeon Gold 6548Y+", 250, 64],
  ["Intel Xeon Platinum 8562Y+", 300, 64],
  ["Intel Xeon Platinum 8568Y+", 350, 96],
  ["Intel Xeon Platinum 8570", 350, 112],
  ["Intel Xeon Platinum 8580", 350, 120],
  ["Intel Xeon Platinum 8592+", 350, 128],
  // Xeon 6 (Granite Rapids P-cores, Sierra Forest E-cores)
  ["Intel Xeon 6766E", 250, 144],
  ["Intel Xeon 6780E", 330, 144],
  ["Intel Xeon 6960P", 500, 144],
  ["Intel Xeon 6972P", 500, 192],
  ["Intel Xeon 6980P", 500, 256],
  // Xeon E3 and E5 v3 missing upstream
  ["Intel Xeon E3-1225 v3", 84, 4],
  ["Intel Xeon E5-2670 v3", 120, 24],
  // Core 12th gen (Alder Lake)
  ["Intel Core i3-12100", 60, 8],
  ["Intel Core i5-12400", 65, 12],
  ["Intel Core i5-12400F", 65, 12],
  ["Intel Core i5-12500", 65, 12],
  ["Intel Core i5-12600", 65, 12],
  ["Intel Core i5-12600K", 125, 16],
  ["Intel Core i7-12700", 65, 20],
  ["Intel Core i7-12700F", 65, 20],
  ["Intel Core i7-12700K", 125, 20],
  ["Intel Core i9-12900", 65, 24],
  ["Intel Core i9-12900K", 125, 24],
  ["Intel Core i3-1215U", 15, 8],
  ["Intel Core i5-1235U", 15, 12],
  ["Intel Core i5-1245U", 15, 12],
  ["Intel Core i7-1255U", 15, 12],
  ["Intel Core i7-1265U", 15, 12],
  ["Intel Core i5-1240P", 28, 16],
  ["Intel Core i7-1260P", 28, 16],
  ["Intel Core i7-1270P", undefined, 16],
  ["Intel Core i5-12450H", 45, 12],
  ["Intel Core i5-12500H", 45, 16],
  ["Intel Core i7-12700H", 45, 20],
  ["Intel Core i7-12800H", 45, 20],
  ["Intel Core i9-12900H", 45, 20],
  ["Intel Core i9-12900HK", 45, 20],
  // Core 13th gen (Raptor Lake)
  ["Intel Core i3-13100", 60, 8],
  ["Intel Core i5-13400", 65, 16],
  ["Intel Core i5-13500", 65, 20],
  ["Intel Core i5-13600K", 125, 20],
  ["Intel Core i7-13700", 65, 24],
  ["Intel Core i7-13700K", 125, 24],
  ["Intel Core i9-13900", 65, 32],
  ["Intel Core i9-13900K", 125, 32],
  ["Intel Core i9-13900KF", 125, 32],
  ["Intel Core i5-1335U", 15, 12],
  ["Intel Core i7-1355U", 15, 12],
  ["Intel Core i7-1365U", 15, 12],
  ["Intel Core i5-1340P", 28, 16],
  ["Intel Core i7-1360P", undefined, 16],
  ["Intel Core i5-13420H", 45, 12],
  ["Intel Core i5-13500H", 45, 16],
  ["Intel Core i7-13620H", 45, 16],
  ["Intel Core i7-13700H", 45, 20],
  ["Intel Core i9-13900H", 45, 20],
  ["Intel Core i7-13650HX", 55, 20],
  ["Intel Core i7-13700HX", 55, 24],
  ["Intel Core i9-13900HX", 55, 32],
  ["Intel Core i9-13980HX", 55, 32],
  // Core 14th gen (Raptor Lake refresh)
  ["Intel Core i5-14400", 65, 16],
  ["Intel Core i5-14400F", 65, 16],
  ["Intel Core i5-14500", 65, 20],
  ["Intel Core i5-14600K", 125, 20],
  ["Intel Core i7-14700", 65, 28],
  ["Intel Core i7-14700K", 125, 28],
  ["Intel Core i9-14900", 65, 32],
  ["Intel Core i9-14900K", 125, 32],
  ["Intel Core i7-14650HX", 55, 24],
  ["Intel Core i7-14700HX", 55, 28],
  ["Intel Core i9-14900HX", 55, 32],
  // Core Ultra 100 (Meteor Lake), 200V (Lunar Lake), 200S/H/HX (Arrow Lake)
  ["Intel Core Ultra 5 125U", 15, 14],
  ["Intel Core Ultra 5 135U", 15, 14],
  ["Intel Core Ultra 7 155U", 15, 14],
  ["Intel Core Ultra 7 165U", 15, 14],
  ["Intel Core Ultra 5 125H", 28, 18],
  ["Intel Core Ultra 5 135H", 28, 18],
  ["Intel Core Ultra 7 155H", 28, 22],
  ["Intel Core Ultra 7 165H", 28, 22],
  ["Intel Core Ultra 9 185H", 45, 22],
  ["Intel Core Ultra 5 226V", 17, 8],
  ["Intel Core Ultra 5 238V", 17, 8],
  ["Intel Core Ultra 7 256V", 17, 8],
  ["Intel Core Ultra 7 258V", 17, 8],
  ["Intel Core Ultra 9 288V", 30, 8],
  ["Intel Core Ultra 5 225H", 28, 14],
  ["Intel Core Ultra 7 255H", 28, 16],
  ["Intel Core Ultra 9 275HX", 55, 24],
  ["Intel Core Ultra 5 245", 65, 14],
  ["Intel Core Ultra 5 245K", 125, 14],
  ["Intel Core Ultra 7 265", 65, 20],
  ["Intel Core Ultra 7 265K", 125, 20],
  ["Intel Core Ultra 9 285", 65, 24],
  ["Intel Core Ultra 9 285K", 125, 24],
  // N-series (Alder Lake-N)
  ["Intel Processor N100", 6, 4],
  ["Intel Processor N200", 6, 4],
  ["Intel Core i3-N305", 15, 8],
];

/** Threads per package of Xeons the upstream table has, for the VM share. */
const INTEL_THREADS: readonly Row[] = [
  ["Intel Xeon E5-2670", undefined, 16],
  ["Intel Xeon E5-2680 v2", undefined, 20],
  ["Intel Xeon E5-2680 v3", undefined, 24],
  ["Intel Xeon E5-2630 v4", undefined, 20],
  ["Intel Xeon E5-2650 v4", undefined, 24],
  ["Intel Xeon E5-2680 v4", undefined, 28],
  ["Intel Xeon E5-2686 v4", undefined, 36],
  ["Intel Xeon E5-2690 v4", undefined, 28],
  ["Intel Xeon E5-2697 v4", undefined, 36],
  ["Intel Xeon E5-2699 v4", undefined, 44],
  ["Intel Xeon Gold 6130", undefined, 32],
  ["Intel Xeon Gold 6148", undefined, 40],
  ["Intel Xeon Gold 6154", undefined, 36],
  ["Intel Xeon Gold 6226R", undefined, 32],
  ["Intel Xeon Gold 6230", undefined, 40],
  ["Intel Xeon Gold 6230R", undefined, 52],
  ["Intel Xeon Gold 6240", undefined, 36],
  ["Intel Xeon Gold 6248", undefined, 40],
  ["Intel Xeon Gold 6248R", undefined, 48],
  ["Intel Xeon Gold 6254", undefined, 36],
  ["Intel Xeon Gold 6338", undefined, 64],
  ["Intel Xeon Gold 6342", undefined, 48],
  ["Intel Xeon Gold 6348", undefined, 56],
  ["Intel Xeon Platinum 8124M", undefined, 36],
  ["Intel Xeon Platinum 8160", undefined, 48],
  ["Intel Xeon Platinum 8168", undefined, 48],
  ["Intel Xeon Platinum 8171M", undefined, 52],
  ["Intel Xeon Platinum 8175M", undefined, 48],
  ["Intel Xeon Platinum 8259CL", undefined, 48],
  ["Intel Xeon Platinum 8268", undefined, 48],
  ["Intel Xeon Platinum 8272CL", undefined, 52],
  ["Intel Xeon Platinum 8275CL", undefined, 48],
  ["Intel Xeon Platinum 8276", undefined, 56],
  ["Intel Xeon Platinum 8280", undefined, 56],
  ["Intel Xeon Platinum 8352Y", undefined, 64],
  ["Intel Xeon Platinum 8358", undefined, 64],
  ["Intel Xeon Platinum 8360Y", undefined, 72],
  ["Intel Xeon Platinum 8368", undefined, 76],
  ["Intel Xeon Platinum 8375C", undefined, 64],
  ["Intel Xeon Platinum 8380", undefined, 80],
];

/** Cloud-only SKUs: no published TDP, so they add threads (and a name the matcher can find). */
const AWS_ONLY: readonly Row[] = [
  ["Intel Xeon E5-2676 v3", undefined, 24],
  ["Intel Xeon Platinum 8151", undefined, 24],
  ["Intel Xeon Platinum 8488C", undefined, 96],
  ["AMD EPYC 7571", undefined, 64],
  ["AMD EPYC 7R32", undefined, 96],
  ["AMD EPYC 7R13", undefined, 96],
  // m7a/c7a/r7a run without SMT: one vCPU is one of the 96 cores.
  ["AMD EPYC 9R14", undefined, 96],
  ["AWS Graviton", undefined, 16],
  ["AWS Graviton2", undefined, 64],
  ["AWS Graviton3", undefined, 64],
  ["AWS Graviton4", undefined, 96],
];
const AZURE_ONLY: readonly Row[] = [
  ["Intel Xeon E5-2673 v3", undefined, 24],
  ["Intel Xeon E5-2673 v4", undefined, 40],
  ["Intel Xeon Platinum 8370C", undefined, 64],
  ["AMD EPYC 7V12", undefined, 128],
  ["AMD EPYC 7V73X", undefined, 128],
];
const GCP_ONLY: readonly Row[] = [
  ["Intel Xeon Platinum 8481C", undefined, 112],
  ["AMD EPYC 7B13", undefined, 128],
];

/** Ampere Altra (80 Neoverse N1 cores) and Altra Max (128), one thread per core. */
const AMPERE: readonly Row[] = [
  ["Ampere Altra Q80-30", 210, 80],
  ["Ampere Altra Q80-33", 250, 80],
  ["Ampere Altra Max M128-30", 250, 128],
];

/** The lists above with their sources, in the table's order. */
const GROUPS: readonly (readonly [AdditionSource, readonly Row[]])[] = [
  ["amd", AMD],
  ["amd", AMD_THREADS],
  ["intel-ark", INTEL],
  ["intel-ark", INTEL_THREADS],
  ["aws", AWS_ONLY],
  ["azure", AZURE_ONLY],
  ["gcp", GCP_ONLY],
  ["ampere", AMPERE],
];

let additions: readonly CpuAddition[] | undefined;

/**
 * Every addition, with its source: built on first use (only a CPU without a readable energy
 * counter needs the table), not at every start.
 */
export function cpuAdditions(): readonly CpuAddition[] {
  return (additions ??= GROUPS.flatMap(([source, list]) => rows(source, list)));
}

/** How many additions there are, without building them (for provenance lines). */
export function cpuAdditionCount(): number {
  return GROUPS.reduce((count, [, list]) => count + list.length, 0);
}
