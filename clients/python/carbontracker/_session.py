"""One tracked run as the Python object sees it: a channel to a tracker, the console text its
replies carry (printed here, on sys.stdout, so it lands in order with the program's own prints),
and the rule that nothing here ever stops the training: a missing or dead engine is one warning,
then every call does nothing. Warnings go where the original's go: its logger writes them to
sys.stdout (loggerutil.Logger._setup, the console handler of its error logger); under the CLI,
whose lines are all on stderr, beside them."""

import os
import sys

from . import _channel
from ._engine import engine_command
from .exceptions import EngineNotFoundError

IPC_ENV = "CARBONTRACKER_IPC"

_warned = set()


def warn(text, attached, once_key=None):
    """Writes one warning line, on sys.stdout as the original does (on stderr when ``attached`` to
    the CLI), once per process for ``once_key``."""
    if once_key is not None:
        if once_key in _warned:
            return
        _warned.add(once_key)
    stream = sys.stderr if attached else sys.stdout
    try:
        stream.write("CarbonTracker: WARNING - %s\n" % text)
        stream.flush()
    except (OSError, ValueError):
        pass  # the stream is closed or gone: the program's own prints fail, not ours


class Session:
    """Sends the tracker's messages and prints what it says. Never raises but SystemExit(0)
    after the user answered "n" to "Continue training (y/n)?", as the original."""

    def __init__(self, channel, attached):
        self._channel = channel
        # Under the CLI the blocks go to the CLI's stderr; ours only needs flushing before each mark.
        self._attached = attached
        self._pending = True  # the reply to `configure` is read with the next call's
        self.finished = False

    @property
    def active(self):
        return self._channel is not None and not self._channel.closed and not self.finished

    def _print(self, reply):
        text = reply.get("text")
        if text:
            try:
                sys.stdout.write(text)
                sys.stdout.flush()
            except (OSError, ValueError):
                pass  # the program's stdout is closed or gone: its own prints fail, not ours

    def _failed(self, error):
        channel, self._channel = self._channel, None
        if channel is not None and not channel.closed:
            channel.close()
        if not _channel.in_forked_child():
            who = "CLI" if self._attached else "engine"
            text = "the carbontracker %s stopped answering (%s); training goes on untracked." % (who, error)
            warn(text, self._attached)

    def _read(self):
        reply = self._channel.receive()
        self._print(reply)
        while reply.get("ask"):
            try:
                answer = input()
            except EOFError:
                answer = None
            self._channel.send({"event": "answer", "answer": answer})
            reply = self._channel.receive()
            self._print(reply)
        return reply

    def _settle(self):
        """Reads the reply to `configure`: a refusal switches tracking off with its reason."""
        self._pending = False
        reply = self._read()
        if not reply.get("ok"):
            self._end()
            warn("%s Training goes on untracked." % reply.get("error", "the tracker did not start."), self._attached)
            return False
        return True

    def call(self, event, **fields):
        """Sends one message and prints its reply's text; returns the reply (None when inactive)."""
        if not self.active:
            return None
        if self._attached:
            sys.stdout.flush()
        try:
            if self._pending and not self._settle():
                return None
            self._channel.send(dict(fields, event=event))
            reply = self._read()
        except _channel.ChannelClosed as error:
            self._failed(error)
            return None
        if not reply.get("ok") and reply.get("error"):
            warn(reply["error"], self._attached)
        if reply.get("finished"):
            self._end()
        if reply.get("stop"):
            # The user answered "n": the original ends the program here.
            raise SystemExit(0)
        return reply

    def _end(self):
        self.finished = True
        channel, self._channel = self._channel, None
        if channel is not None:
            channel.close()

    def stop(self):
        """Ends the run (the actual consumption is printed before this returns)."""
        if self.active:
            self.call("stop")
        self._end()


def open_session(options):
    """Starts tracking with ``options`` (the engine's): attached to the CLI that runs this program,
    else in an engine process of our own. Returns None (after one warning) when neither is possible."""
    if _channel.in_forked_child():
        return None  # a DataLoader worker or the like: the parent's tracker measures it
    path = os.environ.get(IPC_ENV)
    try:
        if path:
            channel, attached = _channel.SocketChannel(path), True
        else:
            channel, attached = _channel.EngineChannel(engine_command() + ["engine"]), False
    except EngineNotFoundError as error:
        warn("%s Training runs untracked." % error, bool(path), once_key="no-engine")
        return None
    except OSError as error:
        where = "the carbontracker CLI's socket %s" % path if path else "the carbontracker engine"
        warn("cannot reach %s (%s); training runs untracked." % (where, error), bool(path), once_key="no-engine")
        return None
    session = Session(channel, attached)
    try:
        channel.send({"event": "configure", "options": options})
    except _channel.ChannelClosed as error:
        session._failed(error)
    return session
