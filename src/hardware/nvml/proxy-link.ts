// A session's way to the NVML proxy for the whole run. A proxy whose process ends while the run
// goes on (killed, or crashed in a driver call) is started again, at most MAX_RESTARTS times a
// run: at once when its end is seen on the event loop, else at the next call, which waits for the
// new one as a call waits for an answer (CALL_TIMEOUT_MS, then not again until it answers). The
// handles the session holds name the same devices in the new proxy (StableHandles). A GPU's
// energy counter runs on in the driver, so its first read after a restart covers the gap.
import type { ReaderNotice } from "../types.js";
import { NVML_SUCCESS } from "./nvml-codes.js";
import { CALL_TIMEOUT_MS, ENDED, endingText, Op, type Answer, type Exchange } from "./proxy-exchange.js";
import { StableHandles } from "./proxy-handles.js";
import { settleBy, startFailure, type ProxyLaunch } from "./proxy-launch.js";

/** How many times a run starts its proxy again: a proxy that crashes at every call is given up. */
const MAX_RESTARTS = 3;

/** The calls that answer a device handle. */
const FINDS_HANDLE: ReadonlySet<Op> = new Set([
  Op.HandleByIndex,
  Op.HandleByUuid,
  Op.MigParent,
  Op.MigByIndex,
]);

/** nvmlReturn_t's INVALID_ARGUMENT: a handle never given out. */
const INVALID_ARGUMENT: Answer = { rc: 2, value: 0n, bytes: Buffer.alloc(0) };

/** Starts a proxy again; `onExit` to be called once its process ends. */
type Relaunch = (onExit: (exchange: Exchange) => void) => ProxyLaunch | { error: string };

export class ProxyLink {
  private current: Exchange;
  /** A proxy started again, until it has answered its start. */
  private next: ProxyLaunch | undefined;
  private restarts = 0;
  /** The proxy ended once more than the run may start it again, or could not be spawned. */
  private gaveUp = false;
  /** The proxy whose end was told. */
  private toldEnd: Exchange | undefined;
  private closed = false;
  /** A call waited CALL_TIMEOUT_MS for the next proxy in vain: later calls look, but do not wait. */
  private waitedInVain = false;
  private readonly handles = new StableHandles();
  private notices: ReaderNotice[] = [];

  /** Over the proxy `first`, on the library at `path`; `relaunch` starts another. */
  constructor(
    first: Exchange,
    private readonly path: string,
    private readonly relaunch: Relaunch,
  ) {
    this.current = first;
  }

  /** A proxy's process ended (its exit event): the current one's end starts the next at once. */
  readonly onExit = (exchange: Exchange): void => {
    if (exchange === this.current) this.restartIfEnded();
  };

  /** False once the proxy has ended for good, or a call missed its deadline (a hung driver). */
  get answersInTime(): boolean {
    return !this.closed && this.current.answersInTime;
  }

  /** Words for a call's failure while no proxy answers; undefined while one does. */
  get absence(): string | undefined {
    if (!this.current.ended && !this.closed) return undefined;
    return this.next ? "the NVML proxy ended and is being started again" : "the NVML proxy has ended";
  }

  /** Makes one call, naming a stable handle (0 for none); a handle it answers is a stable one. */
  call(op: Op, stable = 0, argument = 0, text = ""): Answer {
    if (!this.proxyAnswers()) return ENDED;
    let proxyHandle = 0;
    if (stable !== 0) {
      const found = this.resolve(stable);
      if (typeof found !== "number") return found;
      proxyHandle = found;
    }
    const answer = this.current.call(op, proxyHandle, argument, text);
    // Ended during the call (seen in /proc before its exit event): the next one starts now.
    this.restartIfEnded();
    if (answer.rc !== NVML_SUCCESS || !FINDS_HANDLE.has(op)) return answer;
    const adopted = this.handles.adopt(Number(answer.value), { op, parent: stable, argument, text });
    return { ...answer, value: BigInt(adopted) };
  }

  drainNotices(): ReaderNotice[] {
    const drained = this.notices;
    this.notices = [];
    return drained;
  }

  close(): void {
    this.closed = true;
    this.current.close();
    this.next?.exchange.close();
    this.next = undefined;
  }

  /** Whether a proxy answers calls now: the current one, or one started again (waited for). */
  private proxyAnswers(): boolean {
    if (this.closed) return false;
    if (!this.current.ended) return true;
    this.restartIfEnded();
    const next = this.next;
    if (!next) return false;
    const outcome = this.waitedInVain ? next.settle() : settleBy(next, Date.now() + CALL_TIMEOUT_MS);
    this.waitedInVain = outcome === undefined;
    if (!outcome) return false;
    this.next = undefined;
    const failure = startFailure(this.path, outcome);
    if (!failure) {
      this.current.close();
      this.current = next.exchange;
      this.handles.newProxy();
      this.notices.push({
        level: "info",
        message: `The NVML proxy answers again (started again at ${new Date().toISOString()}): GPUs read through it are read again.`,
      });
      return true;
    }
    next.exchange.close();
    this.notices.push({
      level: "warning",
      message: `The NVML proxy could not be started again: ${failure.reason}.${this.restarts < MAX_RESTARTS ? " It is tried again at the next read." : ""}`,
    });
    return false;
  }

  /** Starts the proxy again, if it ended and the run may start it again. */
  private restartIfEnded(): void {
    if (this.closed || !this.current.ended || this.next || this.gaveUp) return;
    // An end is told once: a start that failed is tried again without a new notice.
    const told = this.toldEnd === this.current;
    this.toldEnd = this.current;
    const ended = `The NVML proxy ended (${this.current.ending ? endingText(this.current.ending) : "how, unknown"}) at ${new Date().toISOString()}`;
    if (this.restarts >= MAX_RESTARTS) {
      this.gaveUp = true;
      this.notices.push({
        level: "error",
        message: told
          ? `The NVML proxy is not started again (${MAX_RESTARTS} starts this run): GPUs read through it keep their last readings.`
          : `${ended}, after it was started again ${MAX_RESTARTS} times this run: it is not started again, and GPUs read through it keep their last readings.`,
      });
      return;
    }
    this.restarts += 1;
    const launched = this.relaunch(this.onExit);
    if ("error" in launched) {
      this.gaveUp = true;
      this.notices.push({
        level: "error",
        message: `${told ? "The NVML proxy" : `${ended}, and it`} could not be started again (${launched.error}): GPUs read through it keep their last readings.`,
      });
      return;
    }
    this.next = launched;
    if (told) return;
    this.notices.push({
      level: "warning",
      message: `${ended}: it is started again. A GPU's energy counter covers the time without it; a GPU without one keeps its last reading over that time.`,
    });
  }

  /** The current proxy's handle for `stable`: found again, by the call that first found it, after a restart. */
  private resolve(stable: number): number | Answer {
    const known = this.handles.proxyHandle(stable);
    if (known !== undefined) return known;
    const recipe = this.handles.recipe(stable);
    if (!recipe) return INVALID_ARGUMENT;
    let parent = 0;
    if (recipe.parent !== 0) {
      const found = this.resolve(recipe.parent);
      if (typeof found !== "number") return found;
      parent = found;
    }
    const answer = this.current.call(recipe.op, parent, recipe.argument, recipe.text);
    if (answer.rc !== NVML_SUCCESS) return answer;
    this.handles.bind(stable, Number(answer.value));
    return Number(answer.value);
  }
}
