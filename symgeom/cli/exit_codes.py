"""Exit statuses of the ``symgeom`` command line: 0 when no claim is refuted, 1 when one is, 2 on bad input or
usage, 3 on an internal error, 128 + the signal when stopped.
"""

from __future__ import annotations

import signal

__all__ = [
    "EXIT_OK", "EXIT_REFUTED", "EXIT_USAGE", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_CLOSED_PIPE",
    "EXIT_TERMINATED",
]


EXIT_OK, EXIT_REFUTED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

EXIT_INTERRUPTED = 130
"""128 + SIGINT, as a shell reports a command stopped by Ctrl-C."""

EXIT_CLOSED_PIPE = 141
"""128 + SIGPIPE, as a shell reports a command whose reader went away (``symgeom check | head``)."""

EXIT_TERMINATED = 128 + signal.SIGTERM
