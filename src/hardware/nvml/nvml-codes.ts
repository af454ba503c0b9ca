// NVML's return codes (nvmlReturn_t, a C int): logic switches on the number, never on the text,
// because drivers word the same code differently and newer drivers add codes.

/** Success. */
export const NVML_SUCCESS = 0;
/** The process may not use this device. */
export const NVML_ERROR_NO_PERMISSION = 4;
/** The caller's buffer is too small; the needed size was written back. */
export const NVML_ERROR_INSUFFICIENT_SIZE = 7;
/** The library lacks the symbol (older driver); produced by our binding, not by NVML. */
export const NVML_ERROR_FUNCTION_NOT_FOUND = 13;

/**
 * Codes after which a device will not answer again in this process: the GPU is gone or reset,
 * the call is unsupported or refused, the driver or library is missing or was replaced under us
 * (only a new nvmlInit, new handles or a new process could help), or the arguments, which never
 * change between reads, are invalid. Every other code (TIMEOUT, IRQ_ISSUE, IN_USE, MEMORY,
 * NO_DATA, NOT_READY, UNKNOWN, codes of newer drivers...) may pass.
 */
const LASTING = new Set([
  1, // UNINITIALIZED
  2, // INVALID_ARGUMENT
  3, // NOT_SUPPORTED
  4, // NO_PERMISSION
  9, // DRIVER_NOT_LOADED
  12, // LIBRARY_NOT_FOUND
  13, // FUNCTION_NOT_FOUND
  15, // GPU_IS_LOST
  16, // RESET_REQUIRED
  18, // LIB_RM_VERSION_MISMATCH
  28, // GPU_NOT_FOUND
]);

/** Whether a call that returned `rc` may succeed if made again. */
export function nvmlErrorMayHeal(rc: number): boolean {
  return !LASTING.has(rc);
}

const NAMES: Record<number, string> = {
  0: "NVML_SUCCESS",
  1: "NVML_ERROR_UNINITIALIZED",
  2: "NVML_ERROR_INVALID_ARGUMENT",
  3: "NVML_ERROR_NOT_SUPPORTED",
  4: "NVML_ERROR_NO_PERMISSION",
  5: "NVML_ERROR_ALREADY_INITIALIZED",
  6: "NVML_ERROR_NOT_FOUND",
  7: "NVML_ERROR_INSUFFICIENT_SIZE",
  8: "NVML_ERROR_INSUFFICIENT_POWER",
  9: "NVML_ERROR_DRIVER_NOT_LOADED",
  10: "NVML_ERROR_TIMEOUT",
  11: "NVML_ERROR_IRQ_ISSUE",
  12: "NVML_ERROR_LIBRARY_NOT_FOUND",
  13: "NVML_ERROR_FUNCTION_NOT_FOUND",
  14: "NVML_ERROR_CORRUPTED_INFOROM",
  15: "NVML_ERROR_GPU_IS_LOST",
  16: "NVML_ERROR_RESET_REQUIRED",
  17: "NVML_ERROR_OPERATING_SYSTEM",
  18: "NVML_ERROR_LIB_RM_VERSION_MISMATCH",
  19: "NVML_ERROR_IN_USE",
  20: "NVML_ERROR_MEMORY",
  21: "NVML_ERROR_NO_DATA",
  22: "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED",
  23: "NVML_ERROR_INSUFFICIENT_RESOURCES",
  24: "NVML_ERROR_FREQ_NOT_SUPPORTED",
  25: "NVML_ERROR_ARGUMENT_VERSION_MISMATCH",
  26: "NVML_ERROR_DEPRECATED",
  27: "NVML_ERROR_NOT_READY",
  28: "NVML_ERROR_GPU_NOT_FOUND",
  29: "NVML_ERROR_INVALID_STATE",
  30: "NVML_ERROR_RESET_TYPE_NOT_SUPPORTED",
  999: "NVML_ERROR_UNKNOWN",
};

/** The header's name of a return code; unknown codes (newer drivers) get a generic name. */
export function nvmlReturnName(rc: number): string {
  return NAMES[rc] ?? `NVML_ERROR_${rc}`;
}
