"""Progress of long commands on stderr: numbered steps, notes with the elapsed time, and the path notes of the
float Gauss–Newton matrix (the ``symgeom.calculus.hessian`` logger) shown once per path and command."""

from __future__ import annotations

import logging
import sys

__all__ = ["Progress", "PathNotes", "show_path_notes"]


class Progress:
    """Progress lines on stderr (never stdout, so --json stays clean), silenced by --quiet."""

    def __init__(self, quiet: bool):
        import time

        self.quiet, self.clock, self.start = quiet, time.perf_counter, time.perf_counter()

    def __call__(self, i: int, n: int, what: str) -> None:
        if not self.quiet:
            print(f"symgeom: [{i}/{n}] {what} ({self.clock() - self.start:.1f} s)", file=sys.stderr, flush=True)

    def note(self, what: str) -> None:
        if not self.quiet:
            print(f"symgeom: {what} ({self.clock() - self.start:.1f} s)", file=sys.stderr, flush=True)


class PathNotes(logging.Handler):
    """Shows which path the float Gauss–Newton matrix took (the ``symgeom.calculus.hessian`` logger) as a progress
    line, once per path and command."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.progress, self.seen = None, set()

    def emit(self, record):
        path = getattr(record, "path", None)
        if self.progress is not None and path not in self.seen:
            self.seen.add(path)
            self.progress.note(record.getMessage())


_PATH_NOTES = PathNotes()


def show_path_notes(progress) -> None:
    """Route the Gauss–Newton path notes of the coming command to ``progress`` (a :class:`Progress`)."""
    logger = logging.getLogger("symgeom.calculus.hessian")
    if _PATH_NOTES not in logger.handlers:
        logger.addHandler(_PATH_NOTES)
        logger.setLevel(logging.INFO)
    _PATH_NOTES.progress, _PATH_NOTES.seen = progress, set()
