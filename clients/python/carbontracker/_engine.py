"""Where the engine is: our TypeScript tracker, run as ``carbontracker engine`` in a Node process.

Looked up, in order: ``CARBONTRACKER_ENGINE`` (the ``carbontracker`` executable, or a script of
it, ``dist/bundle/cli.cjs`` or ``dist/src/cli/main.js``, run with ``CARBONTRACKER_NODE`` or the
``node`` on PATH); the npm package this folder ships in; the npm package this copy was
pip-installed from; ``carbontracker`` on PATH. The bundled CLI starts fastest.
"""

import json
import os
import shutil
import subprocess

from .exceptions import EngineNotFoundError, LogParseError

ENGINE_ENV = "CARBONTRACKER_ENGINE"
NODE_ENV = "CARBONTRACKER_NODE"

INSTALL = (
    '`npm install -g .` in a clone of carbontracker (Node.js 20+; its README, "Install", has the other ways), '
    'or set CARBONTRACKER_ENGINE to its "carbontracker" executable'
)

_HERE = os.path.dirname(os.path.abspath(__file__))
# clients/python/carbontracker -> the npm package's root -> its CLI (the bundle, else tsc's output).
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(_HERE)))
_SIBLINGS = (
    os.path.join(_ROOT, "dist", "bundle", "cli.cjs"),
    os.path.join(_ROOT, "dist", "src", "cli", "main.js"),
)


def _origin():
    """The CLI of the npm package this copy was built from (pip install of its folder), if any."""
    try:
        from ._origin import ENGINE  # written by the build backend
    except ImportError:
        return None
    return ENGINE


def _command_for(path):
    if not os.path.isfile(path):
        return None
    if path.endswith((".js", ".mjs", ".cjs")):
        node = os.environ.get(NODE_ENV) or shutil.which("node")
        return [node, path] if node else None
    return [path] if os.access(path, os.X_OK) else None


def engine_command():
    """The command that runs the engine (a list), or raise EngineNotFoundError saying where we looked."""
    named = os.environ.get(ENGINE_ENV)
    if named:
        command = _command_for(named)
        if command is None:
            raise EngineNotFoundError(
                "%s=%s is not the carbontracker executable or a script of it (cli.cjs, main.js) that node can run. "
                "Point it at one, or unset it and install the engine: %s." % (ENGINE_ENV, named, INSTALL)
            )
        return command
    for candidate in _SIBLINGS + (_origin(),):
        command = candidate and _command_for(candidate)
        if command:
            return command
    found = shutil.which("carbontracker")
    if found:
        return [found]
    raise EngineNotFoundError(
        "No carbontracker engine found (not on PATH, %s unset). Install it: %s." % (ENGINE_ENV, INSTALL)
    )


def run_json(args, input_text=None):
    """Runs ``carbontracker <args>`` (``input_text`` on its stdin) to its end and returns the JSON
    document it printed."""
    command = engine_command() + list(args)
    stdin = None if input_text is None else input_text.encode("utf-8")
    done = subprocess.run(command, input=stdin, stdout=subprocess.PIPE, close_fds=True)
    try:
        document = json.loads(done.stdout.decode("utf-8"))
    except ValueError:
        document = None
    if done.returncode == 0 and isinstance(document, dict):
        return document
    if isinstance(document, dict) and "error" in document:
        raise LogParseError(document["error"])
    raise LogParseError(
        "`%s` failed (exit code %s); its messages are above." % (" ".join(args), done.returncode)
    )
