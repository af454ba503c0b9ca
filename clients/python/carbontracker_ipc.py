"""Mark epochs for the carbontracker CLI from a wrapped Python program (standard library only).

Under ``carbontracker --epochs N python train.py`` the CLI sets CARBONTRACKER_IPC to a Unix
socket and puts this folder on PYTHONPATH, so a training script writes::

    from carbontracker_ipc import epoch

    for _ in range(N):
        with epoch():
            train_one_epoch()

Each call sends one JSON line and waits for the CLI's reply line, so the CLI has the mark before
the script goes on or exits. Without CARBONTRACKER_IPC every call does nothing.
"""

import contextlib
import json
import os
import socket
import sys

__all__ = ["epoch_start", "epoch_end", "epoch"]

_ENV = "CARBONTRACKER_IPC"
_state = {"sock": None, "file": None, "pid": None, "broken": False}


def _connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    _state.update(sock=sock, file=sock.makefile("r", encoding="utf-8"), pid=os.getpid())


def _send(event):
    path = os.environ.get(_ENV)
    if not path or _state["broken"]:
        return None
    try:
        # A forked child (e.g. a data-loader worker) must not share its parent's connection.
        if _state["sock"] is None or _state["pid"] != os.getpid():
            _connect(path)
        _state["sock"].sendall((json.dumps({"event": event}) + "\n").encode("utf-8"))
        line = _state["file"].readline()
        if not line:
            raise ConnectionError("the carbontracker CLI closed the connection")
        return json.loads(line)
    except (OSError, ValueError) as error:
        _state["broken"] = True
        sys.stderr.write(
            "carbontracker_ipc: cannot reach the carbontracker CLI at %s (%s); "
            "epochs are no longer marked.\n" % (path, error)
        )
        return None


def epoch_start():
    """Mark the start of an epoch. Returns the CLI's reply, or None when not under the CLI."""
    return _send("epoch_start")


def epoch_end():
    """Mark the end of an epoch; waits until the CLI has accounted it (and, with
    --stop-and-confirm, until the user answered). Returns the CLI's reply (``"stop": True`` when
    the user chose to stop), or None when not under the CLI."""
    return _send("epoch_end")


@contextlib.contextmanager
def epoch():
    """One epoch: start on entry, end on a normal exit. An epoch that raises is not ended; the
    CLI records it as cut short."""
    epoch_start()
    yield
    epoch_end()
