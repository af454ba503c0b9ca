"""CarbonTracker's arguments: checked as the original checks them (its ValueError messages word for
word where it has them), with every other bad value named by its parameter, and turned into the
engine's options (camelCase). Only values that differ from the original's defaults are sent, so
under the CLI a flag on its command line can win over a default here."""

import numbers
import os

from .exceptions import ComponentNameError, FetcherNameError

# The original's defaults, in its order.
DEFAULTS = {
    "epochs_before_pred": 1,
    "monitor_epochs": -1,
    "update_interval": 1,
    "interpretable": True,
    "stop_and_confirm": False,
    "ignore_errors": False,
    "components": "all",
    "devices_by_pid": False,
    "log_dir": None,
    "log_file_prefix": "",
    "verbose": 1,
    "decimal_precision": 12,
    "api_keys": None,
    "sim_cpu": None,
    "sim_cpu_tdp": None,
    "sim_cpu_util": None,
    "sim_gpu": None,
    "sim_gpu_watts": None,
    "sim_gpu_util": None,
    "pue": 1.58,
    "country": None,
    "zone": None,
    "cpu_tdp": None,
}

# Services the original takes keys for (2.4.3's provider ids, any case).
API_NAMES = ("electricitymaps", "carbonintensitygb", "energidataservice")
COMPONENTS = ("all", "cpu", "gpu")


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _integer(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError("%s must be an int, got %r (%s)" % (name, value, type(value).__name__))
    if not isinstance(value, numbers.Integral):
        if value != int(value):
            raise TypeError("%s must be a whole number, got %r" % (name, value))
    value = int(value)
    if value < minimum:
        raise ValueError("%s must be >= %d, got %d" % (name, minimum, value))
    return value


def _number(name, value, minimum, maximum=None, allow_minimum=True):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError("%s must be a number, got %r (%s)" % (name, value, type(value).__name__))
    value = float(value)
    if value != value or value < minimum or (value == minimum and not allow_minimum):
        raise ValueError("%s must be %s %g, got %r" % (name, ">=" if allow_minimum else ">", minimum, value))
    if maximum is not None and value > maximum:
        raise ValueError("%s must be between %g and %g, got %r" % (name, minimum, maximum, value))
    return int(value) if value.is_integer() else value


def _text(name, value):
    if not isinstance(value, str) or not value.strip():
        raise TypeError("%s must be a non-empty str, got %r" % (name, value))
    return value


def _components(value):
    if not isinstance(value, str):
        raise TypeError("components must be a str such as \"gpu,cpu\", got %r" % (value,))
    names = value.strip().replace(" ", "").lower()
    for name in names.split(","):
        if name not in COMPONENTS:
            raise ComponentNameError(
                "components: No component found with name '%s'. Use \"all\", \"cpu\", \"gpu\" or \"gpu,cpu\"."
                % name
            )
    return names


def _api_keys(value):
    if not isinstance(value, dict):
        raise TypeError('api_keys must be a dict such as {"electricitymaps": "KEY"}, got %s' % type(value).__name__)
    keys = {}
    for name, key in value.items():
        if not isinstance(name, str) or name.lower() not in API_NAMES:
            raise FetcherNameError(
                "api_keys: Invalid API name '%s' given. Use one of: electricitymaps, carbonintensityGB, "
                "energidataservice." % (name,)
            )
        if key is None:
            continue  # an unset environment variable: the original skips an empty key
        if not isinstance(key, str):
            raise TypeError("api_keys: the key for %r must be a str" % name)
        keys[name] = key
    return keys


def check_api_keys(value):
    """Checks a set_api_keys() argument; returns a copy."""
    return _api_keys(value)


def engine_options(epochs, given):
    """Checks CarbonTracker's arguments and returns the engine's options.

    ``given``: every parameter but ``epochs``, by name. Raises TypeError, ValueError,
    ComponentNameError or FetcherNameError naming the parameter.
    """
    epochs = _integer("epochs", epochs, 1)
    v = dict(given)
    # The original's checks and messages (2.4.3).
    monitor_epochs = _integer("monitor_epochs", v["monitor_epochs"], -1)
    epochs_before_pred = _integer("epochs_before_pred", v["epochs_before_pred"], -1)
    if monitor_epochs != -1:
        if monitor_epochs < epochs_before_pred:
            raise ValueError("monitor_epochs cannot be less than epochs_before_pred")
        if monitor_epochs == 0:
            raise ValueError("monitor_epochs cannot be zero")
    if v["sim_cpu"] is not None and v["sim_cpu_tdp"] is None:
        raise ValueError("When using simulated CPU (sim_cpu), you must also specify the CPU TDP (sim_cpu_tdp)")
    if v["sim_gpu"] is not None and v["sim_gpu_watts"] is None:
        raise ValueError(
            "When using simulated GPU (sim_gpu), you must also specify the GPU power consumption (sim_gpu_watts)"
        )
    # Sent as the original's value: -1 never predicts in 2.4.3 (it predicts when the epoch count
    # equals epochs_before_pred), although its docstring says "Set to -1 for all epochs".
    v["epochs_before_pred"] = epochs_before_pred
    v["monitor_epochs"] = monitor_epochs
    v["update_interval"] = _number("update_interval", v["update_interval"], 0, allow_minimum=False)
    for flag in ("interpretable", "stop_and_confirm", "ignore_errors", "devices_by_pid"):
        v[flag] = bool(v[flag])
    v["components"] = _components(v["components"])
    if v["log_dir"] is not None:
        v["log_dir"] = os.fspath(v["log_dir"])
    # None is taken as the original takes it: its file names then begin "None<pid>." (sent as null).
    if v["log_file_prefix"] is not None and not isinstance(v["log_file_prefix"], str):
        raise TypeError("log_file_prefix must be a str or None, got %r" % (v["log_file_prefix"],))
    if isinstance(v["verbose"], bool):
        v["verbose"] = int(v["verbose"])  # the original compares it with 0: True is 1, False 0
    v["verbose"] = min(_integer("verbose", v["verbose"], 0), 2)
    v["decimal_precision"] = _integer("decimal_precision", v["decimal_precision"], 0)
    if v["decimal_precision"] > 100:
        raise ValueError("decimal_precision must be <= 100, got %d" % v["decimal_precision"])
    if v["api_keys"] is not None:
        v["api_keys"] = _api_keys(v["api_keys"])
    for name in ("sim_cpu", "sim_gpu", "zone"):
        if v[name] is not None:
            v[name] = _text(name, v[name])
    for name in ("sim_cpu_tdp", "sim_gpu_watts"):
        if v[name] is not None:
            v[name] = _number(name, v[name], 0)
    for name in ("sim_cpu_util", "sim_gpu_util"):
        if v[name] is not None:
            v[name] = _number(name, v[name], 0, 1)
    v["pue"] = _number("pue", v["pue"], 1)
    if v["cpu_tdp"] is not None:
        v["cpu_tdp"] = _number("cpu_tdp", v["cpu_tdp"], 0, allow_minimum=False)
    if v["country"] is not None:
        country = _text("country", v["country"])
        if len(country) != 2 or not country.isalpha():
            raise ValueError("country must be an ISO 3166 alpha-2 code such as \"DK\", got %r" % country)
        v["country"] = country.upper()
    options = {"epochs": epochs}
    for name, value in v.items():
        if value != DEFAULTS[name]:
            options[_camel(name)] = value
    return options
