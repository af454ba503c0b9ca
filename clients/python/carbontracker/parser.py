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
  * ``parse_logs`` uses ``std_log_file`` whenever it is given;
  * ``get_all_logs`` pairs each run's own logs (by the name before "_carbontracker") and leaves
    out a run that lacks one, and ``get_most_recent_logs`` gives the newest standard log with
    its own output log (the original takes the newest of each, which may be two runs');
  * ``get_time`` counts the days of "N days, h:mm:ss" (1.x logs), and ``parse_equivalents``
    leaves out a line it cannot read instead of raising IndexError.
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


def _log_pairs(log_dir):
    """(output log, standard log) of every run in ``log_dir`` that has both, joined to it."""
    pairs = []
    for entry in _document(log_dir)["parse_all_logs"]:
        output, standard = entry["output_filename"], entry["standard_filename"]
        if output is None or standard is None or not standard.endswith("_carbontracker.log"):
            continue  # a run without one of them (an orphan, or our JSONL alone)
        pairs.append((_joined(log_dir, output), _joined(log_dir, standard)))
    return sorted(pairs)


def _size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def get_all_logs(log_dir):
    """(output_logs, std_logs): the paths (joined to ``log_dir``) of every run's non-empty output
    and standard logs, sorted, the two lists in the same run order."""
    pairs = [(output, standard) for output, standard in _log_pairs(log_dir) if _size(output) and _size(standard)]
    return [output for output, _ in pairs], [standard for _, standard in pairs]


def get_most_recent_logs(log_dir):
    """(std_log, output_log) of the run whose standard log was modified last. Raises IndexError
    when ``log_dir`` holds no run with both, as the original does."""
    pairs = _log_pairs(log_dir)
    if not pairs:
        raise IndexError("no carbontracker standard and output logs in %s" % os.fspath(log_dir))
    output, standard = max(pairs, key=lambda pair: os.path.getmtime(pair[1]))
    return standard, output


# The last standard log text read: get_devices(), get_epoch_durations() ... on one text start
# one engine.
_last_standard = {"text": None, "document": None}


def _standard(std_log_data):
    if _last_standard["text"] != std_log_data:
        document = json.dumps(run_json(["engine", "standard"], input_text=std_log_data))
        _last_standard.update(text=std_log_data, document=document)
    return json.loads(_last_standard["document"])


def get_devices(std_log_data):
    """{component: [device names]} from a standard log's text ("The following components were
    found: ..."), e.g. {"cpu": ["cpu:0"]}; {} without that line."""
    return _standard(std_log_data)["devices"]


def get_epoch_durations(std_log_data):
    """Each epoch's duration (s) from a standard log's text, in log order."""
    return _standard(std_log_data)["epoch_durations"]


def get_avg_power_usages(std_log_data):
    """{component: [[W per value] per epoch]} from a standard log's text; a power the log gives
    as None is None."""
    return _standard(std_log_data)["avg_power_usages"]


def get_early_stop(std_log_data):
    """Whether a standard log's text says the training was interrupted (stop() before
    monitor_epochs)."""
    return _standard(std_log_data)["early_stop"]


def get_time(time_str):
    """Seconds of the first "h:mm:ss" or "h:mm:ss.ff" in ``time_str`` (float), or None."""
    return run_json(["engine", "time"], input_text=time_str)["seconds"]


def parse_equivalents(lines):
    """{unit: value} of "This is equivalent to" lines, e.g. "0.000026 km travelled by car"."""
    return run_json(["engine", "equivalents"], input_text=lines)["equivalents"]


def get_stats(groups):
    """(energy kWh, CO2eq g, equivalents or None) from the groups of a match of the original's
    block expressions: time at 1, energy at 2, CO2eq at 3, equivalent lines at 4."""
    energy = float(groups[2])
    co2eq = float(groups[3])
    equivalents = parse_equivalents(groups[4]) if len(groups) >= 5 and groups[4] is not None else None
    return energy, co2eq, equivalents


def extract_measurements(match):
    """The block dict of get_consumption from a match of the original's block expressions (four
    groups: epochs 1, as the original reads its actual block; five: epochs first), or None."""
    if not match:
        return None
    groups = list(match.groups())
    if len(groups) == 4:
        groups = [1] + groups
    energy, co2eq, equivalents = get_stats(groups)
    return {
        "epochs": int(groups[0]),
        "duration (s)": get_time(groups[1]),
        "energy (kWh)": energy,
        "co2eq (g)": co2eq,
        "equivalents": equivalents,
    }


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
