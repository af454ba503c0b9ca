// The import rules of DESIGN.md, checked on every `npm run lint`: dependencies point down towards
// units/ and errors/; each folder of src/ may import only the folders listed for it; only the
// composition roots (cli/, the library's library/, the sampler thread's threads/) know the
// concrete backends; nothing imports the entry points; and no file imports itself through a cycle.
/** Folder of src/ → the folders it may import (its own always). */
const MAY_IMPORT = {
  units: [],
  errors: [],
  secrets: [],
  ipc: [],
  files: [],
  children: [],
  data: ["units"],
  prediction: ["units"],
  hardware: ["units", "errors", "data", "children"],
  intensity: ["units", "errors", "data", "secrets", "files"],
  sampling: ["hardware", "units", "errors", "children"],
  logs: ["units", "errors", "secrets", "hardware", "tracker", "files"],
  cluster: ["units", "errors", "hardware", "intensity", "logs", "sampling", "files"],
  tracker: [
    "units",
    "errors",
    "secrets",
    "hardware",
    "intensity",
    "prediction",
    "sampling",
    "logs",
    "cluster",
  ],
  reports: ["units", "errors", "hardware", "logs"],
  doctor: ["units", "errors", "hardware", "intensity", "files"],
  dashboard: ["units", "errors", "logs", "reports", "hardware"],
  library: [
    "units",
    "errors",
    "secrets",
    "data",
    "hardware",
    "intensity",
    "sampling",
    "logs",
    "cluster",
    "tracker",
  ],
  frameworks: ["library", "tracker"],
  threads: ["hardware", "sampling"],
  // C only (the sample recorder, built by scripts/build-native.mjs): no TypeScript to import anything.
  native: [],
  cli: ["*"],
};

const layerRules = Object.entries(MAY_IMPORT)
  .filter(([, allowed]) => !allowed.includes("*"))
  .map(([folder, allowed]) => ({
    name: `layer-${folder}`,
    comment: `src/${folder} may import only: ${allowed.join(", ") || "nothing outside itself"} (DESIGN.md layers).`,
    severity: "error",
    from: { path: `^src/${folder}/` },
    to: {
      path: "^src/",
      pathNot: [`^src/${folder}/`, "^src/version\\.ts$", ...allowed.map((a) => `^src/${a}/`)],
    },
  }));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No file may import itself through others: cycles hide which module owns what.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "registry-only-at-the-roots",
      comment:
        "Only the composition roots (cli/, library/, threads/) know the concrete backends; the rest gets them handed in.",
      severity: "error",
      // library/ composes the library's tracker: it reads file-based hardware on the caller's
      // thread until its sampler thread has started (sampling/handoff-sampler.ts).
      from: { path: "^src/", pathNot: ["^src/cli/", "^src/threads/", "^src/library/"] },
      to: { path: "^src/hardware/registry\\.ts$" },
    },
    {
      name: "nothing-imports-a-root",
      comment: "cli/ and threads/ are entry points: nothing imports them.",
      severity: "error",
      from: { path: "^src/", pathNot: ["^src/cli/"] },
      to: { path: ["^src/cli/", "^src/threads/"] },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
