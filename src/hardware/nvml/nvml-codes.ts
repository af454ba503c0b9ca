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
