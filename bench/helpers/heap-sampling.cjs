// Preloaded into a measured CLI (node --require): V8's sampling heap profiler, objects already
// collected included, from HEAP_SAMPLING_FROM_MS to HEAP_SAMPLING_TO_MS after the process's
// start, when it writes the profile to HEAP_SAMPLING_OUT: what the process allocated in between,
// by function. (Timers, not signals: SIGUSR1 would start Node's debugger.)
"use strict";
const { Session } = require("node:inspector");
const { writeFileSync } = require("node:fs");

const session = new Session();
session.connect();
session.post("HeapProfiler.enable");
const start = () =>
  session.post("HeapProfiler.startSampling", {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
const stop = () =>
  session.post("HeapProfiler.stopSampling", (error, result) => {
    if (!error) writeFileSync(process.env.HEAP_SAMPLING_OUT, JSON.stringify(result.profile));
  });
setTimeout(start, Number(process.env.HEAP_SAMPLING_FROM_MS)).unref();
setTimeout(stop, Number(process.env.HEAP_SAMPLING_TO_MS)).unref();
