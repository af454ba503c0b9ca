// Fake /proc trees (CARBONTRACKER_PROC_ROOT) and DMI folders (CARBONTRACKER_DMI_ROOT) in the
// formats the kernel writes: cpuinfo blocks per logical CPU (x86 or arm64), stat with its
// aggregate `cpu` line and one `cpuN` line each.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../helpers/cli-process.js";

/** An x86 machine: brand, sockets x threads per socket, CPUID identity, flags. */
export interface X86Machine {
  brand: string;
  sockets: number;
  threadsPerSocket: number;
  vendorId?: string;
  family?: number;
  model?: number;
  stepping?: number;
  hypervisor?: boolean;
}

const X86_FLAGS =
  "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm constant_tsc rep_good nopl xtopology cpuid pni ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand";

/** /proc/cpuinfo of an x86 machine, one block per logical CPU as the kernel writes it. */
export function x86Cpuinfo(m: X86Machine): string {
  const blocks: string[] = [];
  const total = m.sockets * m.threadsPerSocket;
  for (let cpu = 0; cpu < total; cpu++) {
    blocks.push(
      [
        `processor\t: ${cpu}`,
        `vendor_id\t: ${m.vendorId ?? "GenuineIntel"}`,
        `cpu family\t: ${m.family ?? 6}`,
        `model\t\t: ${m.model ?? 85}`,
        `model name\t: ${m.brand}`,
        `stepping\t: ${m.stepping ?? 7}`,
        `cpu MHz\t\t: 2900.000`,
        `physical id\t: ${Math.floor(cpu / m.threadsPerSocket)}`,
        `siblings\t: ${m.threadsPerSocket}`,
        `core id\t\t: ${Math.floor((cpu % m.threadsPerSocket) / 2)}`,
        `cpu cores\t: ${m.threadsPerSocket / 2}`,
        `flags\t\t: ${X86_FLAGS}${m.hypervisor ? " hypervisor" : ""} lahf_lm abm`,
      ].join("\n"),
    );
  }
  return `${blocks.join("\n\n")}\n\n`;
}

/** /proc/cpuinfo of an arm64 machine (no brand string, no physical id). */
export function armCpuinfo(cpus: number, implementer: string, part: string): string {
  const blocks: string[] = [];
  for (let cpu = 0; cpu < cpus; cpu++) {
    blocks.push(
      [
        `processor\t: ${cpu}`,
        `BogoMIPS\t: 243.75`,
        `Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs`,
        `CPU implementer\t: ${implementer}`,
        `CPU architecture: 8`,
        `CPU variant\t: 0x3`,
        `CPU part\t: ${part}`,
        `CPU revision\t: 1`,
      ].join("\n"),
    );
  }
  return `${blocks.join("\n\n")}\n\n`;
}

/** /proc/stat for `cpus` logical CPUs with these aggregate busy (user) and idle jiffies. */
export function procStat(cpus: number, busy: number, idle: number): string {
  const perCpu = Array.from({ length: cpus }, (_, i) => `cpu${i} 0 0 0 0 0 0 0 0 0 0`).join("\n");
  return `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\n${perCpu}\nintr 1\nctxt 1\nbtime 1\nprocesses 1\n`;
}

/** A fake /proc tree: writes cpuinfo and a first stat; `stat()` rewrites stat later. */
export function fakeProc(
  cpuinfo: string,
  cpus: number,
): { root: string; stat(busy: number, idle: number): void } {
  const root = tempDir("ct-proc-");
  writeFileSync(join(root, "cpuinfo"), cpuinfo);
  const stat = (busy: number, idle: number): void =>
    writeFileSync(join(root, "stat"), procStat(cpus, busy, idle));
  stat(0, 0);
  return { root, stat };
}

/** A fake DMI folder with sys_vendor and product_name. */
export function fakeDmi(sysVendor: string, productName: string): string {
  const root = tempDir("ct-dmi-");
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "sys_vendor"), `${sysVendor}\n`);
  writeFileSync(join(root, "product_name"), `${productName}\n`);
  return root;
}

/** A fake /proc tree of an x86 machine (cpuinfo and stat for all its logical CPUs). */
export function x86Proc(machine: X86Machine): ReturnType<typeof fakeProc> {
  return fakeProc(x86Cpuinfo(machine), machine.sockets * machine.threadsPerSocket);
}
