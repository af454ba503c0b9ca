"""``python -m carbontracker ...``: runs the carbontracker CLI, as the original's console entry."""

import os
import sys

from ._engine import engine_command
from .exceptions import EngineNotFoundError


def main(argv=None):
    """Replaces this process with the CLI (same arguments, exit code and signals)."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        command = engine_command()
    except EngineNotFoundError as error:
        sys.stderr.write("carbontracker: %s\n" % error)
        return 127
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command + args)


if __name__ == "__main__":
    sys.exit(main())
