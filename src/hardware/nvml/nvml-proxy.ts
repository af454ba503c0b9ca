// NVML through the NVML proxy (src/native/nvml-proxy.c), a process of its own: the same NvmlApi
// as the koffi binding, each call a request to the proxy whose answer this thread waits for up to
// a deadline (proxy-exchange.ts), so a driver call that hangs leaves the proxy stuck, never this
// thread. A proxy that ends during the run is started again (proxy-link.ts). The CLI uses it
// instead of a sampler worker, which cost about 12 MB of memory (issue 16).
import type { ReaderNotice } from "../types.js";
import { NVML_SUCCESS, nvmlReturnName } from "./nvml-codes.js";
import { cString, type AcquireResult, type NvmlApi, type NvmlHandle } from "./nvml-library.js";
import { decodeProcessInfos } from "./process-info.js";
import { Op, type Answer, type Exchange } from "./proxy-exchange.js";
import { launchProxy, settleBy, startFailure, type ProxyLaunch, type StartOutcome } from "./proxy-launch.js";
import { ProxyLink } from "./proxy-link.js";

type NvmlResult<T> = { ok: true; value: T } | { ok: false; rc: number };

/** A started proxy: wait for its initialisation, with or without blocking this thread. */
export interface StartedNvmlProxy {
  /** Resolves once the proxy has loaded and initialised NVML (or could not). */
  initialized(): Promise<AcquireResult>;
  /** The same, blocking this thread until then. */
  initializedNow(): AcquireResult;
  /** What happened to the proxy since last asked (it ended, it was started again). */
  drainNotices(): ReaderNotice[];
  /** Ends the proxy (a session it gave is then over too). */
  close(): void;
}

function apiOver(link: ProxyLink, path: string): NvmlApi {
  const scalar = <T>(answer: Answer, convert: (value: bigint) => T): NvmlResult<T> =>
    answer.rc === NVML_SUCCESS ? { ok: true, value: convert(answer.value) } : { ok: false, rc: answer.rc };
  const text = (answer: Answer): NvmlResult<string> =>
    answer.rc === NVML_SUCCESS ? { ok: true, value: cString(answer.bytes) } : { ok: false, rc: answer.rc };
  const handle = (value: NvmlHandle): number => (typeof value === "number" ? value : 0);
  const device = (answer: Answer): NvmlResult<NvmlHandle> => scalar(answer, Number);
  return {
    path,
    describe(rc) {
      const absence = link.absence;
      if (absence) return `${nvmlReturnName(rc)} (code ${rc}; ${absence})`;
      // NVML's words, asked of the proxy only while it answers in time: a hung driver must not
      // slow every notice down.
      const answer = link.answersInTime ? link.call(Op.ErrorString, 0, rc) : undefined;
      const words =
        answer?.rc === NVML_SUCCESS && answer.bytes.length > 0 ? cString(answer.bytes) : undefined;
      return `${words ?? nvmlReturnName(rc)} (code ${rc})`;
    },
    deviceCount: () => scalar(link.call(Op.Count), Number),
    handleByIndex: (index) => device(link.call(Op.HandleByIndex, 0, index)),
    handleByUuid: (uuid) => device(link.call(Op.HandleByUuid, 0, 0, uuid)),
    name: (h) => text(link.call(Op.Name, handle(h))),
    uuid: (h) => text(link.call(Op.Uuid, handle(h))),
    powerMw: (h) => scalar(link.call(Op.Power, handle(h)), Number),
    energyMj: (h) => {
      const answer = link.call(Op.Energy, handle(h));
      const result = scalar(answer, (v) => v);
      return answer.callUs === undefined ? result : { ...result, cpuMs: answer.callUs / 1000 };
    },
    powerLimitMw(h) {
      const enforced = scalar(link.call(Op.EnforcedLimit, handle(h)), Number);
      return enforced.ok ? enforced : scalar(link.call(Op.ManagementLimit, handle(h)), Number);
    },
    processes(h, kind) {
      const answer = link.call(kind === "compute" ? Op.ComputeProcesses : Op.GraphicsProcesses, handle(h));
      if (answer.rc !== NVML_SUCCESS) return { ok: false, rc: answer.rc };
      return { ok: true, value: decodeProcessInfos(answer.bytes, Number(answer.value)) };
    },
    isMigHandle: (h) => scalar(link.call(Op.IsMig, handle(h)), (v) => v !== 0n),
    migParent: (h) => device(link.call(Op.MigParent, handle(h))),
    maxMigDeviceCount: (h) => scalar(link.call(Op.MaxMig, handle(h)), Number),
    migHandleByIndex: (h, index) => device(link.call(Op.MigByIndex, handle(h), index)),
    driverVersion: () => text(link.call(Op.DriverVersion)),
    nvmlVersion: () => text(link.call(Op.NvmlVersion)),
  };
}

/** What the proxy's first answer means: a session over it, or why NVML is not there. */
function initOutcome(
  exchange: Exchange,
  path: string,
  started: StartOutcome,
  link: () => ProxyLink,
): AcquireResult {
  const failure = startFailure(path, started);
  if (failure) {
    exchange.close();
    return { ok: false, ...failure };
  }
  const session = link();
  // ProxyLink.close() is idempotent, so release() is too.
  return { ok: true, session: { api: apiOver(session, path), release: () => session.close() } };
}

/**
 * Starts the proxy `binary` on the NVML library at `path`, in `env` (the one detection reads). It
 * loads and initialises NVML while this thread goes on; initialized() or initializedNow() tell the
 * outcome. Never throws.
 */
export function startNvmlProxy(
  binary: string,
  path: string,
  env: Record<string, string | undefined> = process.env,
): StartedNvmlProxy {
  let link: ProxyLink | undefined;
  const launched = launchProxy(binary, path, env, (exchange) => link?.onExit(exchange));
  if ("error" in launched) {
    const failed: AcquireResult = {
      ok: false,
      reason: `the NVML proxy could not start: ${launched.error}`,
      stage: "proxy",
    };
    return {
      initialized: () => Promise.resolve(failed),
      initializedNow: () => failed,
      drainNotices: () => [],
      close: () => {},
    };
  }
  const first: ProxyLaunch = launched;
  let outcome: AcquireResult | undefined;
  let closed = false;
  const settled = (started: StartOutcome | undefined): AcquireResult | undefined => {
    if (outcome) return outcome;
    if (closed) return (outcome = { ok: false, reason: "the NVML proxy was closed", stage: "init" });
    if (!started) return undefined;
    outcome = initOutcome(first.exchange, path, started, () => {
      link = new ProxyLink(first.exchange, path, (onExit) => launchProxy(binary, path, env, onExit));
      return link;
    });
    return outcome;
  };
  return {
    initialized: async () => {
      for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 20)) {
        const result = settled(outcome || closed ? undefined : first.settle());
        if (result) return result;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    },
    initializedNow: () => settled(outcome || closed ? undefined : settleBy(first, Infinity)) as AcquireResult,
    drainNotices: () => link?.drainNotices() ?? [],
    close: () => {
      closed = true;
      if (link) link.close();
      else first.exchange.close();
    },
  };
}
