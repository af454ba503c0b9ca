// One error tree: each subclass is a thing a caller can act on, and every message says what
// failed, on which input, and what to do next. Only cli/ turns these into exit codes.

/** Base class of every error carbontracker throws on purpose. */
export class CarbonTrackerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An option or CLI argument has a wrong type, range or combination. */
export class InvalidOptionError extends CarbonTrackerError {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/** A requested component (cpu, gpu) has no usable device on this machine. */
export class ComponentUnavailableError extends CarbonTrackerError {
  constructor(
    readonly component: string,
    message: string,
  ) {
    super(message);
  }
}

/** A hardware interface (sysfs file, shared library, tool) could not be read. */
export class HardwareReadError extends CarbonTrackerError {
  constructor(
    readonly backend: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A carbon-intensity or location service failed or answered something unusable. */
export class IntensityFetchError extends CarbonTrackerError {
  constructor(
    readonly source: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A log file could not be read or understood. */
export class LogParseError extends CarbonTrackerError {
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The tracker was used out of order (epochEnd before epochStart, use after stop). */
export class TrackerStateError extends CarbonTrackerError {}
