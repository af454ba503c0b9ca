"""``from carbontracker.tracker import CarbonTracker``: the original carbontracker's tracker, with
its parameters, defaults and meaning, measured by our TypeScript engine.

The engine is a Node process (``carbontracker engine``) started by the constructor and spoken to
over pipes; under the carbontracker CLI (``carbontracker python train.py``) the object attaches to
the CLI's tracker instead, so the run is measured once. No measurement happens in Python.
"""

from . import _options
from ._session import open_session


class CarbonTracker:
    """Tracks and predicts the energy use and carbon footprint of a training run.

    Args (the original's, same defaults and meaning):
        epochs (int): Total epochs of your training loop.
        epochs_before_pred (int): Epochs to monitor before printing the predicted consumption
            (0: no prediction, the actual block then titled "Actual consumption:"; -1: no
            prediction either, as in the original 2.4.3, whose docstring says "all epochs").
        monitor_epochs (int): Epochs to monitor; the actual consumption is printed when reached
            (-1: all epochs; not 0, not less than epochs_before_pred).
        update_interval (float): Seconds between power samples.
        interpretable (bool): Add "This is equivalent to: ... km travelled by car".
        stop_and_confirm (bool): After the prediction, ask "Continue training (y/n)?"; "n" ends the
            program (SystemExit(0)) after printing the actual consumption.
        ignore_errors (bool): On a measurement error, stop tracking and let training go on.
        components (str): "all", "gpu", "cpu" or "gpu,cpu".
        devices_by_pid (bool): Only GPUs running a process of this program.
        log_dir (str): Folder for the log files; None: no logs.
        log_file_prefix (str): Prefix of the log file names (None: "None", glued to the pid, as the
            original names them).
        verbose (int): 0 quiet, 1 the original's output, 2 more.
        decimal_precision (int): Digits after the point in the reports.
        api_keys (dict): e.g. {"electricitymaps": "KEY"}; sent to the engine over its pipe only.
        sim_cpu, sim_cpu_tdp, sim_cpu_util: A simulated CPU (name, TDP in W, utilisation 0-1).
        sim_gpu, sim_gpu_watts, sim_gpu_util: A simulated GPU (name, power in W, utilisation 0-1).

    Keyword-only extras of ours:
        pue (float): Power usage effectiveness of the data centre (1.58: Uptime Institute 2023).
        country (str): ISO 3166 alpha-2 country of the machine, e.g. "DK".
        zone (str): Electricity Maps zone of the machine, e.g. "DK-DK2".
        cpu_tdp (float): CPU TDP (W) for the estimate used where no energy counter is readable.

    Raises (bad values, each naming its parameter): ValueError (the original's checks, in its
    words), TypeError, carbontracker.exceptions.ComponentNameError (components) and
    FetcherNameError (api_keys). A missing or failing engine never raises: one warning, and the
    training runs untracked.

    Differences from the original, on purpose: several devices of one component are summed (the
    original averages them); an epoch shorter than a sample gets its real energy; stop() labels
    the actual with the epochs it counts; "n" at stop_and_confirm prints the actual first.
    """

    def __init__(
        self,
        epochs,
        epochs_before_pred=1,
        monitor_epochs=-1,
        update_interval=1,
        interpretable=True,
        stop_and_confirm=False,
        ignore_errors=False,
        components="all",
        devices_by_pid=False,
        log_dir=None,
        log_file_prefix="",
        verbose=1,
        decimal_precision=12,
        api_keys=None,
        sim_cpu=None,
        sim_cpu_tdp=None,
        sim_cpu_util=None,
        sim_gpu=None,
        sim_gpu_watts=None,
        sim_gpu_util=None,
        *,
        pue=1.58,
        country=None,
        zone=None,
        cpu_tdp=None
    ):
        given = dict(locals())
        del given["self"], given["epochs"]
        self._options = _options.engine_options(epochs, given)
        # The original's attributes, for scripts that read them.
        self.epochs = epochs
        for name, value in given.items():
            setattr(self, name, value)
        if monitor_epochs == -1:
            self.monitor_epochs = epochs  # as 2.4.3 sets it: "-1" monitors all epochs
        self.epoch_counter = 0
        self.deleted = False
        self._session = open_session(self._options)
        if self._session is None:
            self.deleted = True

    def _call(self, event, **fields):
        session = self._session
        if session is None or not session.active:
            self.deleted = True
            return None
        reply = session.call(event, **fields)
        if not session.active:
            self.deleted = True
        return reply

    def epoch_start(self):
        """Starts an epoch: the engine reads every device's energy counter now."""
        if self._call("epoch_start") is not None:
            self.epoch_counter += 1

    def epoch_end(self):
        """Ends the epoch; returns once the prediction (after epochs_before_pred epochs) or the
        actual consumption (after monitor_epochs) is printed."""
        self._call("epoch_end")

    def stop(self):
        """Ends tracking, e.g. on early stopping: prints the actual consumption of the epochs
        finished so far (the run is logged as interrupted) and returns after it."""
        if self._session is not None:
            self._session.stop()
        self.deleted = True

    def set_api_keys(self, api_keys):
        """Sets carbon intensity API keys, e.g. {"electricitymaps": "KEY"}. They apply to this run
        when set before the first epoch_start(); after it, a warning says they do not.
        Raises FetcherNameError for an unknown service, TypeError for a key that is not a str (None is
        skipped, as the original skips an empty key). None sets no keys and leaves the run's as
        they are, as in the original."""
        if api_keys is None:
            self.api_keys = None
            return
        keys = _options.check_api_keys(api_keys)
        self.api_keys = keys
        self._options = dict(self._options, apiKeys=keys)
        self._call("configure", options=self._options)
