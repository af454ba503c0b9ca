// The sample recorder (src/native/sample-recorder.c, built to dist/native by `npm install` where a
// C compiler is found): a small process that reads the run's counter files (and asks NVML for
// the GPUs' power) every interval and keeps their bytes in a ring, so the tracker's Node process
// wakes once a batch instead of once a sample (issue 16: on the build VM a Node wake-up costs 5x
// one of this loop). The ring is a file unlinked as soon as it is opened, handed to the recorder
// as its descriptor 3: nothing is left behind, whatever ends either process. See the C file for
// the slot layout.
import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { closeSync, ftruncateSync, openSync, readSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signalChild } from "../children/signal-child.js";
import { CarbonTrackerError } from "../errors/index.js";
import type {
  RecordedNvmlPower,
  RecordedRead,
  RecordedReads,
  TracedFile,
  TracedNvmlPower,
} from "../hardware/recorded-reads.js";

/**
 * node:child_process, loaded when a recorder starts: the sampler thread's bundle holds this
 * module, and loading child_process (with net and streams) cost every sampler thread 1.6-5 ms and
 * 0.5-0.8 MB (see powermetrics/session.ts), including the library's, which never starts one.
 */
function spawnChild(): typeof import("node:child_process").spawn {
  return (createRequire(import.meta.url)("node:child_process") as typeof import("node:child_process")).spawn;
}

/** Bytes recorded of a file its reader reads whole (a counter's decimal text is 20 at most). */
const WHOLE_FILE_HEAD_BYTES = 64;

const SEQUENCE_BYTES = 8;
const TIME_BYTES = 8;
const LENGTH_BYTES = 4;
/** A GPU's power call in a slot: i32 nvmlReturn_t, u32 milliwatts. */
const NVML_POWER_BYTES = 8;

/** One recorded sample: when it was taken, what each file read, what each GPU's power call answered. */
export interface RecordedSample extends RecordedReads {
  tMs: number;
}

/** A file's recorded bytes in a slot: a view of the ring, updated in place. */
type RecordedBytes = Extract<RecordedRead, { bytes: Uint8Array }>;

/** A slot's sample, updated in place at each read of the slot. */
interface SlotSample extends RecordedSample {
  reads: Map<string, RecordedRead>;
  nvmlPower: Map<number, RecordedNvmlPower>;
  fileReads: RecordedBytes[];
  gpuPowers: RecordedNvmlPower[];
}

/** The recorder could not be started (its binary, the ring file, the spawn). */
export class SampleRecorderError extends CarbonTrackerError {}

/** What a recorder reads, and how often. */
export interface RecorderPlan {
  /** The recorder's executable. */
  binary: string;
  intervalMs: number;
  /** Slots in the ring: the samples it holds before overwriting the oldest. */
  slots: number;
  files: TracedFile[];
  /** GPUs whose power the recorder asks NVML for (all from one library). */
  nvmlPower?: TracedNvmlPower[];
  /** Called when the recorder ends by itself (killed, failed): its caller samples itself then. */
  onExit?: () => void;
}

/**
 * A folder for the ring: TMPDIR where the user set one, else /dev/shm where there is one (memory,
 * never written back to a disk), else the temp folder.
 */
function ringFolder(): string {
  if (process.env.TMPDIR) return tmpdir();
  try {
    if (statSync("/dev/shm").isDirectory()) return "/dev/shm";
  } catch {
    // No /dev/shm (macOS): the temp folder.
  }
  return tmpdir();
}

/** A running recorder; `take` reads the samples it recorded since the last take. */
export class SampleRecorder {
  private readonly ring: Buffer;
  private readonly slotBytes: number;
  private lastSequence = 0;
  private exited = false;
  /** Each slot's sample, made at its first read (see parseSlot). */
  private readonly slotSamples: SlotSample[] = [];

  private constructor(
    private readonly plan: RecorderPlan,
    /** The bytes recorded of each file, in the plan's order. */
    private readonly heads: number[],
    private readonly fd: number,
    private readonly child: ChildProcess,
  ) {
    this.slotBytes = slotBytesOf(heads, plan.nvmlPower?.length ?? 0);
    this.ring = Buffer.alloc(this.slotBytes * plan.slots);
    // 'error': the binary could not run (gone, another architecture); 'exit': it ended.
    const ended = () => {
      if (this.exited) return;
      this.exited = true;
      plan.onExit?.();
    };
    child.once("error", ended);
    child.once("exit", ended);
  }

  /** Starts a recorder; throws SampleRecorderError when it cannot. */
  static start(plan: RecorderPlan): SampleRecorder {
    const heads = plan.files.map((file) => file.headBytes ?? WHOLE_FILE_HEAD_BYTES);
    const gpus = plan.nvmlPower ?? [];
    const library = gpus[0]?.library;
    const libraries = new Set(gpus.map((gpu) => gpu.library));
    if (libraries.size > 1) {
      throw new SampleRecorderError(
        `the sample recorder loads one NVML library, not ${[...libraries].join(", ")}`,
      );
    }
    const path = join(ringFolder(), `carbontracker-samples-${process.pid}-${Date.now()}`);
    let fd: number;
    try {
      fd = openSync(path, "wx+", 0o600);
    } catch (error) {
      throw new SampleRecorderError(`cannot create the sample ring ${path}: ${String(error)}`, {
        cause: error,
      });
    }
    try {
      unlinkSync(path);
      ftruncateSync(fd, slotBytesOf(heads, gpus.length) * plan.slots);
      const args = [
        String(process.pid),
        String(Math.round(plan.intervalMs)),
        String(plan.slots),
        ...plan.files.map((file, i) => `${heads[i]}:${file.path}`),
        ...(library === undefined ? [] : [`nvml-library:${library}`]),
        ...gpus.map((gpu) => `nvml-power:${gpu.nvmlIndex}`),
      ];
      const child = spawnChild()(plan.binary, args, { stdio: ["ignore", "ignore", "ignore", fd] });
      child.unref();
      // A binary that cannot run fails asynchronously, with an 'error' the recorder listens to.
      return new SampleRecorder(plan, heads, fd, child);
    } catch (error) {
      closeSync(fd);
      throw new SampleRecorderError(`cannot start the sample recorder ${plan.binary}: ${String(error)}`, {
        cause: error,
      });
    }
  }

  /** The recorder's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** False once the recorder has ended (it failed, or was killed): its caller samples itself then. */
  get running(): boolean {
    return !this.exited;
  }

  /**
   * The samples recorded since the last take, oldest first; they are the ring's slots, valid
   * until the next take (which reads them anew). A slot caught while being written is
   * left for the next take; samples overwritten before a take (the ring was not read for
   * `slots` intervals) are lost, which costs a sample record, never energy: boundaries read live.
   */
  take(): RecordedSample[] {
    const length = readSync(this.fd, this.ring, 0, this.ring.length, 0);
    // The file is the ring's size (ftruncate): a short read, never seen, is taken as nothing new.
    if (length < this.ring.length) return [];
    const slots = this.plan.slots;
    // The samples since the last take follow its slot, in order: only they are looked at (this
    // runs on a cold wake-up, in V8's interpreter). A slot that holds a later sample than the
    // next one means the ring went round since the last take: every slot is looked at then.
    const taken: RecordedSample[] = [];
    for (;;) {
      const next = this.lastSequence + 1;
      const at = ((next - 1) % slots) * this.slotBytes;
      const sequence = this.sequenceAt(at);
      if (sequence > next && taken.length === 0) return this.takeAfterLap();
      if (sequence !== next || this.sequenceAt(at + this.slotBytes - SEQUENCE_BYTES) !== next) return taken;
      taken.push(this.parseSlot(at));
      this.lastSequence = next;
    }
  }

  /** `take` where the ring went round: the oldest sample still there and those after it. */
  private takeAfterLap(): RecordedSample[] {
    const found: { sequence: number; at: number }[] = [];
    for (let at = 0; at < this.ring.length; at += this.slotBytes) {
      const sequence = this.sequenceAt(at);
      if (sequence <= this.lastSequence) continue;
      if (this.sequenceAt(at + this.slotBytes - SEQUENCE_BYTES) !== sequence) continue;
      found.push({ sequence, at });
    }
    found.sort((a, b) => a.sequence - b.sequence);
    // Only samples without a torn slot before them count: a torn slot is taken next time, and the
    // ones after it then too.
    const taken: RecordedSample[] = [];
    for (const { sequence, at } of found) {
      if (taken.length > 0 && sequence !== this.lastSequence + 1) break;
      taken.push(this.parseSlot(at));
      this.lastSequence = sequence;
    }
    return taken;
  }

  /** A slot's u64 sequence, read as two u32 (no BigInt: this runs on a cold wake-up). */
  private sequenceAt(at: number): number {
    return this.ring.readUInt32LE(at) + this.ring.readUInt32LE(at + 4) * 2 ** 32;
  }

  /**
   * The sample in the slot at `at`. Each slot's sample, with its views of the ring and its maps,
   * is made the first time the slot is read and updated in place afterwards: a harvest of a
   * minute's samples then allocates nothing per sample here (on the build VM, a wake-up's cost
   * grows with the fresh memory it touches).
   */
  private parseSlot(at: number): RecordedSample {
    const index = at / this.slotBytes;
    const sample = (this.slotSamples[index] ??= this.slotSample(at));
    sample.tMs = this.ring.readDoubleLE(at + SEQUENCE_BYTES);
    let offset = at + SEQUENCE_BYTES + TIME_BYTES;
    const files = this.plan.files;
    for (let i = 0; i < files.length; i += 1) {
      const length = this.ring.readInt32LE(offset);
      const path = (files[i] as TracedFile).path;
      if (length < 0) {
        sample.reads.set(path, { errno: -length });
      } else {
        const read = sample.fileReads[i] as RecordedBytes;
        read.length = length;
        read.truncated = (files[i] as TracedFile).headBytes === undefined && length === this.heads[i];
        sample.reads.set(path, read);
      }
      offset += LENGTH_BYTES + (this.heads[i] as number);
    }
    const powers = sample.gpuPowers;
    for (let g = 0; g < powers.length; g += 1) {
      const power = powers[g] as RecordedNvmlPower;
      power.rc = this.ring.readInt32LE(offset);
      power.milliwatts = this.ring.readUInt32LE(offset + LENGTH_BYTES);
      offset += NVML_POWER_BYTES;
    }
    return sample;
  }

  /** A slot's sample, its file reads viewing the ring (see parseSlot). */
  private slotSample(at: number): SlotSample {
    const fileReads: RecordedBytes[] = [];
    let offset = at + SEQUENCE_BYTES + TIME_BYTES;
    for (const head of this.heads) {
      const start = offset + LENGTH_BYTES;
      fileReads.push({ bytes: this.ring.subarray(start, start + head), length: 0, truncated: false });
      offset += LENGTH_BYTES + head;
    }
    const nvmlPower = new Map<number, RecordedNvmlPower>();
    const gpuPowers: RecordedNvmlPower[] = [];
    for (const gpu of this.plan.nvmlPower ?? []) {
      const power = { rc: 0, milliwatts: 0 };
      gpuPowers.push(power);
      nvmlPower.set(gpu.nvmlIndex, power);
    }
    return { tMs: 0, reads: new Map(), nvmlPower, fileReads, gpuPowers };
  }

  /** Stops the recorder and closes the ring. */
  close(): void {
    if (!this.exited) {
      this.exited = true;
      signalChild(this.child, "SIGTERM");
    }
    closeSync(this.fd);
  }
}

function slotBytesOf(heads: number[], gpus: number): number {
  const fileBytes = heads.reduce((sum, head) => sum + LENGTH_BYTES + head, 0);
  return 2 * SEQUENCE_BYTES + TIME_BYTES + fileBytes + gpus * NVML_POWER_BYTES;
}
