"""Exceptions: the original carbontracker's (same names, so ``except`` clauses keep working) and
the bindings' own."""


class NoComponentsAvailableError(Exception):
    def __init__(
        self,
        msg="No components were available. CarbonTracker supports Intel CPUs with the RAPL interface and NVIDIA GPUs.",
        *args,
        **kwargs
    ):
        super().__init__(msg, *args, **kwargs)


class UnitError(Exception):
    """Raised when the expected unit does not match the received unit."""

    def __init__(self, expected_unit, received_unit, message):
        super().__init__(message)
        self.expected_unit = expected_unit
        self.received_unit = received_unit
        self.message = message


class IntelRaplPermissionError(Exception):
    """Raised when an Intel RAPL permission error occurs."""

    def __init__(self, file_names):
        super().__init__(file_names)
        self.file_names = file_names


class GPUPowerUsageRetrievalError(Exception):
    """Raised when a GPU power usage retrieval error occurs."""


class CarbonIntensityFetcherError(Exception):
    pass


class IPLocationError(Exception):
    pass


class GPUError(Exception):
    pass


class CPUError(Exception):
    pass


class ComponentNameError(Exception):
    """``components`` names a component that does not exist."""


class FetcherNameError(Exception):
    """``api_keys`` names a carbon intensity service that does not exist."""


class MismatchedLogFilesError(Exception):
    pass


class MismatchedEpochsError(Exception):
    pass


class CarbonTrackerError(Exception):
    """Base of the bindings' own errors."""


class EngineNotFoundError(CarbonTrackerError):
    """No carbontracker engine (the npm package's CLI) to run; the message says how to install one."""


class LogParseError(CarbonTrackerError):
    """The engine could not parse a log folder or file; the message names it."""
