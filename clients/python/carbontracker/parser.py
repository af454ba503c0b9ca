"""``from carbontracker import parser``: the original carbontracker's log tooling, with its
functions, arguments and return shapes (plain lists where it returns numpy arrays), and the
figures of our TypeScript parser (run as ``carbontracker engine parse``), so Python and the
CLI's ``--parse`` always agree. It reads the original's logs of every version since 1.1 and ours.

Fixed on purpose (the original's bugs; each has a test):
  * ``actual["epochs"]`` is the count its block states (the original always says 1, its regex
    expects "epochs" where the logs say "epoch(s)"), and ``aggregate_consumption`` therefore
    counts the actual, not the prediction, when both cover the whole run;
  * blocks written with ``interpretable=False`` are read (the original finds neither block);
  * a power the log gives as ``None`` (an epoch shorter than a sample) is ``None``, not 0.0;
  * device names are whole (a '.' in a name made the original raise KeyError) and trimmed;
  * the CLI's "Actual consumption:" block without an epoch count has ``"epochs": None``;
  * a log with a prediction but no actual (a killed run) counts its logged epochs, not the
    prediction for all epochs;
  * a standard log without an output log is its own run (``output_filename`` None), reported
    by name, instead of being paired with another run's output log or raising
    MismatchedLogFilesError;
  * ``parse_logs`` uses ``std_log_file`` whenever it is given.
"""

import json
import os
import sys

from ._engine import run_json


# The last folder's results, by its files' names, sizes and times: print_aggregate() after
# parse_all_logs() on an unchanged folder starts no second engine.
_last = {"key": None, "document": None}


def _document(log_dir):
    log_dir = os.fspath(log_dir)
    with os.scandir(log_dir) as entries:  # FileNotFoundError / NotADirectoryError, as the original
        files = sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in entries if e.is_file())
    key = (os.path.abspath(log_dir), tuple(files))
    if _last["key"] != key:
        _last.update(key=key, document=json.dumps(run_json(["engine", "parse", log_dir])))
    return json.loads(_last["document"])


def _joined(log_dir, path):
    return None if path is None else os.path.join(log_dir, os.path.basename(path))


def parse_all_logs(log_dir):
    """Every run in ``log_dir``: a list of dicts with ``output_filename``, ``standard_filename``
    (joined to ``log_dir``), ``components`` (see parse_logs), ``early_stop`` and ``actual`` /
    ``pred`` ({"epochs", "duration (s)", "energy (kWh)", "co2eq (g)", "equivalents"} or None)."""
    entries = _document(log_dir)["parse_all_logs"]
    for entry in entries:
        entry["output_filename"] = _joined(log_dir, entry["output_filename"])
        entry["standard_filename"] = _joined(log_dir, entry["standard_filename"])
    return entries


def parse_logs(log_dir, std_log_file=None, output_log_file=None):
    """Per component of one run (``std_log_file``, else the most recent run in ``log_dir``):
    {"avg_power_usages (W)": [[W per value] per epoch], "avg_energy_usages (J)": same in J
    (before PUE), "epoch_durations (s)": [s per epoch], "devices": [names]}."""
    args = ["engine", "components", os.fspath(log_dir)]
    if std_log_file is not None:
        args.append(os.fspath(std_log_file))
    else:
        os.listdir(log_dir)
    return run_json(args)["parse_logs"]


def get_consumption(output_log_data):
    """(actual, pred) of an output log's text: its first "Actual consumption" and "Predicted
    consumption" blocks, each {"epochs", "duration (s)", "energy (kWh)", "co2eq (g)",
    "equivalents"} (as in parse_all_logs) or None."""
    found = run_json(["engine", "consumption"], input_text=output_log_data)
    return found["actual"], found["pred"]


def aggregate_consumption(log_dir):
    """Total (energy in kWh after PUE, CO2eq in g, equivalents dict) of every run in ``log_dir``."""
    totals = _document(log_dir)["aggregate_consumption"]
    return totals["energy_kwh"], totals["co2eq_g"], totals["equivalents"]


def print_aggregate(log_dir):
    """Prints the original's sentence for papers: "The training of models in this work is
    estimated to use ... kWh of electricity contributing to ... kg of CO2eq. ..." """
    sys.stdout.write(_document(log_dir)["print_aggregate"] + "\n")
