"""Exit statuses of the ``symgeom`` command line: 0 when no claim is refuted, 1 when one is, 2 on bad input or
usage, 3 on an internal error, 128 + the signal when stopped.

>>> int(ExitCode.USAGE), ExitCode(141).name
(2, 'CLOSED_PIPE')
"""

from __future__ import annotations

import enum
import signal

__all__ = ["ExitCode", "EXIT_OK", "EXIT_REFUTED", "EXIT_USAGE", "EXIT_INTERNAL", "EXIT_INTERRUPTED",
           "EXIT_CLOSED_PIPE", "EXIT_TERMINATED"]


class ExitCode(enum.IntEnum):
    """What the exit status of a ``symgeom`` command says."""

    OK = 0
    """No claim of symgeom's own is refuted (the paper's statements may be, as written)."""
    REFUTED = 1
    """A claim of symgeom's own is refuted on the data."""
    USAGE = 2
    """Bad input or usage: one line on stderr says which input, what is wrong and what is expected."""
    INTERNAL = 3
    """An internal error: a bug in symgeom (the traceback with ``--debug``)."""
    INTERRUPTED = 130
    """128 + SIGINT, as a shell reports a command stopped by Ctrl-C."""
    CLOSED_PIPE = 141
    """128 + SIGPIPE, as a shell reports a command whose reader went away (``symgeom check | head``)."""
    TERMINATED = 128 + signal.SIGTERM
    """128 + SIGTERM: the run was ended by a termination signal (temporary files removed)."""


EXIT_OK, EXIT_REFUTED, EXIT_USAGE, EXIT_INTERNAL = ExitCode.OK, ExitCode.REFUTED, ExitCode.USAGE, ExitCode.INTERNAL
EXIT_INTERRUPTED, EXIT_CLOSED_PIPE, EXIT_TERMINATED = ExitCode.INTERRUPTED, ExitCode.CLOSED_PIPE, ExitCode.TERMINATED
