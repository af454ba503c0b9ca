// The CLI's sampler on a GPU machine where the NVML proxy was built (src/native/nvml-proxy.c):
// the hardware is read on this thread, files as always and the GPU through the proxy, a process
// whose calls this thread waits for only up to a deadline. So no sampler worker is needed to keep
// a hung driver away from the event loop (a worker costs about 12 MB, issue 16). The proxy
// initialises NVML while this thread goes on; detection follows on the event loop, or at once
// when description() is asked for before then. It takes over from a HandoffSampler's file
// readers as a worker would (TakeoverSampler), or samples alone when every device is waited for.
// A proxy that cannot run at all (not NVML failing: the program itself) leaves the sampling to a
// sampler worker, as where the proxy was not built.
import { detectReadersNow } from "../hardware/detect.js";
import { nvmlBackendOver, nvmlLibraryOf } from "../hardware/nvml/nvml-backend.js";
import type { AcquireResult } from "../hardware/nvml/nvml-library.js";
import { startNvmlProxy, type StartedNvmlProxy } from "../hardware/nvml/nvml-proxy.js";
import type { Backend, Component, ReaderNotice } from "../hardware/types.js";
import { HardwareReadError } from "../errors/index.js";
import type { TakeoverSampler } from "./handoff-sampler.js";
import type { SamplerDescription, Snapshot } from "./reader-set.js";
import { InThreadSampler, type Sampler, type SampleListener, type SamplerConfig } from "./sampler.js";
import { WorkerSampler } from "./worker-sampler.js";

/** Samples on this thread, the GPU through the NVML proxy (or, if it cannot run, a worker). */
export class NvmlProxySampler implements Sampler, TakeoverSampler {
  private inner: InThreadSampler | undefined;
  /** The sampler worker that samples instead where the proxy could not run. */
  private fallback: WorkerSampler | undefined;
  private failure: HardwareReadError | undefined;
  private closed = false;
  private readonly proxy: StartedNvmlProxy;
  private readonly detecting: Promise<void>;
  private readonly listeners: SampleListener[] = [];
  private notices: ReaderNotice[] = [];

  /**
   * Starts the proxy `binary`; detection follows once it has initialised NVML, with `backends`
   * (the registry: its NVML backend is replaced by one over the proxy). `onDetected` is called
   * on the event loop once detection is done, if it was not done by a call before.
   */
  constructor(
    private readonly config: SamplerConfig,
    onSample: SampleListener,
    private readonly backends: Record<Component, Backend[]>,
    binary: string,
    private readonly onDetected?: () => void,
  ) {
    this.listeners.push(onSample);
    this.proxy = startNvmlProxy(binary, nvmlLibraryOf(config.context.env), config.context.env);
    this.detecting = this.proxy.initialized().then((acquired) => {
      if (this.started || this.closed) return;
      this.detect(acquired);
      // A fallback worker says so itself once it has detected.
      if (!this.fallback) onDetected?.();
    });
  }

  /** Whether detection was made (or failed), or handed to a fallback worker. */
  private get started(): boolean {
    return this.inner !== undefined || this.failure !== undefined || this.fallback !== undefined;
  }

  get detected(): boolean {
    return this.fallback ? this.fallback.detected : this.inner !== undefined || this.failure !== undefined;
  }

  get firstReading(): Snapshot | undefined {
    return this.fallback ? this.fallback.firstReading : this.inner?.firstReading;
  }

  private emit(snapshot: Snapshot): void {
    for (const listener of this.listeners) listener(snapshot);
  }

  /** Detects with NVML as the proxy answered; a failure is kept, and thrown by description(). */
  private detect(acquired: AcquireResult): void {
    if (this.closed) {
      if (acquired.ok) acquired.session.release();
      return;
    }
    if (!acquired.ok && acquired.stage === "proxy") {
      this.notices.push({
        level: "info",
        message: `${acquired.reason}: NVML is asked from a sampler thread instead.`,
      });
      this.fallback = new WorkerSampler(this.config, (snapshot) => this.emit(snapshot), this.onDetected);
      return;
    }
    const backends = {
      ...this.backends,
      gpu: this.backends.gpu.map((backend) => (backend.id === "nvml" ? nvmlBackendOver(acquired) : backend)),
    };
    try {
      const detection = detectReadersNow(this.config.components, this.config.context, backends);
      if (!detection) throw new Error("a backend could not be opened at once");
      this.inner = InThreadSampler.fromDetection(detection, this.config, (snapshot) => this.emit(snapshot));
    } catch (error) {
      if (acquired.ok) acquired.session.release();
      this.failure = new HardwareReadError(
        "sampler",
        `detection through the NVML proxy failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async ready(): Promise<void> {
    await this.detecting;
    if (this.fallback) return this.fallback.ready();
    this.description();
  }

  description(): SamplerDescription {
    if (!this.started) this.detect(this.proxy.initializedNow());
    if (this.fallback) return this.fallback.description();
    if (this.closed && !this.inner)
      throw new HardwareReadError("sampler", "sampler closed before it had detected");
    if (this.failure) throw this.failure;
    return (this.inner as InThreadSampler).description();
  }

  readNow(): Snapshot {
    this.description();
    return this.fallback ? this.fallback.readNow() : (this.inner as InThreadSampler).readNow();
  }

  drainNotices(): ReaderNotice[] {
    const own = this.notices;
    this.notices = [];
    // The proxy's own (it ended, it was started again) come before the readers' that it caused.
    return [
      ...own,
      ...this.proxy.drainNotices(),
      ...(this.fallback?.drainNotices() ?? this.inner?.drainNotices() ?? []),
    ];
  }

  addListener(listener: SampleListener): void {
    this.listeners.push(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inner?.close();
    this.fallback?.close();
    this.proxy.close();
  }
}
