// Public API: re-exports only.
export * from "./units/index.js";
export * from "./errors/index.js";
export type * from "./hardware/types.js";
