"""The ``symgeom`` command line: ``check``, ``report``, ``construct``, ``locate``, ``train`` and ``example``.

Exit status: 0 when no claim is refuted, 1 when one is, 2 on bad input or usage (one line
on stderr saying which input, what is wrong and what is expected), 3 on an internal error
(a bug: one line, the traceback only with ``--debug``), 130 when interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import traceback

from .. import __version__
from .._errors import SymgeomError, UsageError
from .exit_codes import ExitCode
from .parser import build_parser

__all__ = ["main", "build_parser", "one_line", "remedy_option", "OutputStream", "MAX_MESSAGE"]


def _internal_error(command: str, error: BaseException, debug: bool) -> int:
    """Report an unexpected exception (a bug) in one line; the traceback only with ``--debug``."""
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    what = one_line(f"{type(error).__name__}: {error}", 300)
    hint = "" if debug else "; rerun with --debug for the traceback"
    print(f"symgeom {command}: error: internal error ({what}); this is a bug in symgeom {__version__}, please report it "
          f"with the command line{hint}", file=sys.stderr)
    return ExitCode.INTERNAL


def remedy_option(error: SymgeomError) -> str:
    """The command-line option that sets what the library's ``error`` says would help (its ``remedy``), as a
    parenthesis to append to the message; ``""`` when it names none."""
    remedy, value = getattr(error, "remedy", None), getattr(error, "remedy_value", None)
    if remedy == "exact":
        return " (--exact)"
    if remedy == "force":
        return " (--force)"
    if remedy == "budget":
        return f" (--max-seconds {value}, or --max-seconds 0 for no limit)"
    return ""


MAX_MESSAGE = 1000
"""Longest error message printed, in characters (a value quoted in it is shortened to fit)."""


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` as one printable line of at most ``limit`` characters: control characters (newlines, NUL,
    the escape that starts a terminal colour code) shown as escapes, runs of blanks folded."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in " ".join(text.split(" ")))
    shown = " ".join(shown.split())
    return shown if len(shown) <= limit else shown[: limit - 30] + f"… ({len(shown)} characters)"


class OutputStream:
    """A standard stream as symgeom writes it: on stdout (``fatal``) a failed write -- a full device, a
    closed stream -- is a :class:`UsageError` with the reason (exit 2, never a lost result with exit 0);
    on stderr messages that cannot be written are dropped (they never move to stdout).  A reader that went
    away (``BrokenPipeError``) still ends the run quietly."""

    def __init__(self, stream, fatal: bool):
        self.stream, self.fatal = stream, fatal

    def _failed(self, error) -> None:
        if self.fatal:
            reason = "it is closed" if self.stream is None else (getattr(error, "strerror", None) or error)
            raise UsageError(f"cannot write the output to standard output ({reason})")

    def write(self, text: str) -> int:
        try:
            if self.stream is None:
                raise ValueError("closed")
            return self.stream.write(text)
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as e:
            self._failed(e)
            return len(text)

    def flush(self) -> None:
        try:
            if self.stream is not None:
                self.stream.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as e:
            _discard(self.stream)  # what was buffered is lost: the interpreter must not fail again at exit
            self._failed(e)

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _discard(stream) -> None:
    """Point ``stream``'s file descriptor at the null device, so that flushing it again succeeds."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (captured in tests)
        pass


def _closed_pipe() -> int:
    """The reader of stdout or stderr went away: stop quietly (both sent to the null device, so that flushing them
    at exit raises nothing more) with :data:`ExitCode.CLOSED_PIPE`."""
    null = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(null, stream.fileno())
        except (OSError, ValueError):  # not a real file (captured in tests)
            pass
    return ExitCode.CLOSED_PIPE


def _terminated(signum, frame):
    """SIGTERM ends the run as an exception would, so that temporary files and folders are removed."""
    raise SystemExit(ExitCode.TERMINATED)


def main(argv=None) -> int:
    """Entry point of the ``symgeom`` console script and of ``python -m symgeom``."""
    if threading.current_thread() is not threading.main_thread():
        return _main(argv)
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(argv) -> int:
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = OutputStream(sys.stdout, fatal=True), OutputStream(sys.stderr, fatal=False)
    try:
        return _run(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _run(argv) -> int:
    """Parse ``argv`` and run its subcommand (``args.run``); every error becomes one line
    ``symgeom SUBCOMMAND: error: …`` on stderr and its exit status."""
    prog = "symgeom"
    try:
        args = build_parser().parse_args(argv)
        prog = f"symgeom {args.command}"
        try:
            code = args.run(args)
            sys.stdout.flush()  # a full device or a closed stdout is reported here, not at exit
            return code
        except SymgeomError as e:
            print(f"{prog}: error: {one_line(str(e) + remedy_option(e))}", file=sys.stderr)
            return ExitCode.USAGE
        except BrokenPipeError:
            return _closed_pipe()
        except Exception as e:  # anything else is a bug in symgeom
            return _internal_error(args.command, e, args.debug)
    except KeyboardInterrupt:
        print(f"{prog}: error: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
