"""The conversation with a tracker: one JSON line out, one JSON reply line back.

Two transports: the pipes of our own engine process (``carbontracker engine``, spawned here) and
the Unix socket of the carbontracker CLI that runs this program (``CARBONTRACKER_IPC``). A process
forked from this one (a PyTorch DataLoader worker) closes its inherited copies at once, so it
never drives the tracker and never keeps the engine's input open after the program is gone.
"""

import json
import os
import select
import socket
import subprocess
import weakref

# Longest wait for one reply (s): the engine's start on a loaded machine, a hung device read.
REPLY_TIMEOUT_S = 120.0

_open_channels = weakref.WeakSet()
_state = {"forked": False}


class ChannelClosed(Exception):
    """The other side is gone or did not answer; the message says how."""


def in_forked_child():
    """True in a process forked from one that had a tracker channel."""
    return _state["forked"]


def _after_fork_in_child():
    _state["forked"] = True
    for channel in list(_open_channels):
        channel.forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class _LineChannel:
    """Sends JSON lines and reads JSON reply lines over a pair of file descriptors."""

    def __init__(self, read_fd, write_fd):
        self._read_fd = read_fd
        self._write_fd = write_fd
        self._buffer = b""
        self.closed = False
        _open_channels.add(self)

    def send(self, message):
        """Writes one message. Raises ChannelClosed."""
        if self.closed:
            raise ChannelClosed("the connection is closed")
        data = (json.dumps(message) + "\n").encode("utf-8")
        try:
            while data:
                data = data[os.write(self._write_fd, data):]
        except OSError as error:
            raise ChannelClosed("cannot write to it (%s)" % error)

    def receive(self, timeout=REPLY_TIMEOUT_S):
        """Reads one reply (a dict). Raises ChannelClosed at end of input or after ``timeout`` s."""
        while b"\n" not in self._buffer:
            if self.closed:
                raise ChannelClosed("the connection is closed")
            ready, _, _ = select.select([self._read_fd], [], [], timeout)
            if not ready:
                raise ChannelClosed("no answer within %d s" % timeout)
            try:
                chunk = os.read(self._read_fd, 65536)
            except OSError as error:
                raise ChannelClosed("cannot read from it (%s)" % error)
            if not chunk:
                raise ChannelClosed("it closed the connection")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            reply = json.loads(line.decode("utf-8"))
        except ValueError:
            raise ChannelClosed("it sent a line that is not JSON: %r" % line[:200])
        if not isinstance(reply, dict):
            raise ChannelClosed("it sent %r instead of a reply" % line[:200])
        return reply

    def _close_fds(self):
        for fd in {self._read_fd, self._write_fd}:
            try:
                os.close(fd)
            except OSError:
                pass

    def close(self):
        """Closes our end; the other side sees end of input."""
        if not self.closed:
            self.closed = True
            self._close_fds()

    def forget(self):
        """In a forked child: drops the inherited descriptors without a word to the other side."""
        self.close()

    def __del__(self):
        # A tracker dropped without stop() (a notebook cell run again): the engine sees end of
        # input and closes its run, instead of living on until the interpreter exits.
        if not getattr(self, "closed", True):
            self.closed = True
            self._close_fds()


class EngineChannel(_LineChannel):
    """The stdin/stdout pipes of an engine process started here."""

    def __init__(self, command, env=None):
        to_engine_r, to_engine_w = os.pipe()
        from_engine_r, from_engine_w = os.pipe()
        try:
            # A session of its own: a Ctrl-C for the program is not one for the engine, which
            # closes the run when the program's end of the pipe closes.
            self.process = subprocess.Popen(
                command,
                stdin=to_engine_r,
                stdout=from_engine_w,
                close_fds=True,
                start_new_session=True,
                env=env,
            )
        except OSError:
            for fd in (to_engine_r, to_engine_w, from_engine_r, from_engine_w):
                os.close(fd)
            raise
        os.close(to_engine_r)
        os.close(from_engine_w)
        super().__init__(from_engine_r, to_engine_w)

    def close(self, wait_s=5.0):
        """Closes the pipes and waits (at most ``wait_s``) for the engine to close its run and exit."""
        if self.closed:
            return
        super().close()
        try:
            self.process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            pass

    def forget(self):
        if not self.closed:
            self.closed = True
            self._close_fds()
            # Not our child: the forking process waits for it.
            self.process.returncode = 0

    def __del__(self):
        if not getattr(self, "closed", True):
            self.close(wait_s=2.0)


class SocketChannel(_LineChannel):
    """The carbontracker CLI's epoch socket (the program runs under ``carbontracker ...``)."""

    def __init__(self, path):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
        except OSError:
            sock.close()
            raise
        self._socket = sock
        fd = sock.fileno()
        super().__init__(fd, fd)

    def _close_fds(self):
        try:
            self._socket.close()
        except OSError:
            pass

    def forget(self):
        if not self.closed:
            self.closed = True
            # Close the inherited descriptor without shutting the connection down for the parent.
            try:
                os.close(self._socket.detach())
            except OSError:
                pass
