"""The ``symgeom`` command line: ``check``, ``report``, ``construct``, ``locate``, ``train`` and ``example``.

Exit status: 0 when no claim is refuted, 1 when one is, 2 on bad input or usage (one line
on stderr saying which input, what is wrong and what is expected), 3 on an internal error
(a bug: one line, the traceback only with ``--debug``), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import math
import os
import shlex
import signal
import sys
import threading
import traceback

from .. import __version__
from ..claims.budget import BUDGET_SECONDS, parse_seconds
from .._errors import SymgeomError, UsageError
from ..numbers.arith import Kind
from ..claims.registry import claim_ids
from ..calculus.cost import DEFAULT_COST, TRAINING_COST, Cost
from ..local_minima.locate import GAP_RTOL
from ..local_minima.training import DEFAULT_LR, OPTIMIZERS
from .exit_codes import EXIT_CLOSED_PIPE, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_USAGE
from .limits import DEFAULT_INITS, DEFAULT_STEPS, MAX_INITS, MAX_STEPS, TRAIN_STEPS
from . import certify_command, commands, train_command


_GIVEN = "_options_given"
"""Namespace attribute that records the options seen while parsing (removed afterwards)."""


def _given_once(base: type) -> type:
    """``base`` (an argparse action class) that refuses to be given twice on one command line."""

    class Once(base):
        def __call__(self, parser, namespace, values, option_string=None):
            given = namespace.__dict__.setdefault(_GIVEN, set())
            if self in given:
                raise argparse.ArgumentError(self, "given more than once; give each option once")
            given.add(self)
            super().__call__(parser, namespace, values, option_string)

    Once.__name__ = f"Once{base.__name__}"
    return Once


_ONCE_ACTIONS = {name: _given_once(base) for name, base in (
    (None, argparse._StoreAction), ("store", argparse._StoreAction), ("store_const", argparse._StoreConstAction),
    ("store_true", argparse._StoreTrueAction), ("store_false", argparse._StoreFalseAction))}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2, and whose options may be given once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, action in _ONCE_ACTIONS.items():
            self.register("action", name, action)

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        namespace.__dict__.pop(_GIVEN, None)
        return namespace, extras

    def error(self, message):
        print(f"{self.prog}: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _positive_int(name: str, lower: int = 1):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer >= {lower}, got {text!r}") from None
        if value < lower:
            raise argparse.ArgumentTypeError(f"{name} must be an integer >= {lower}, got {value}")
        return value

    return parse


def _label_list(text: str) -> tuple:
    """``"1,3"`` -> ``(1, 3)``: cluster labels for ``--truncate``."""
    try:
        labels = tuple(int(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--truncate takes cluster labels separated by commas (e.g. 1,3), got {text!r}") from None
    if not labels:
        raise argparse.ArgumentTypeError("--truncate needs at least one cluster label")
    return labels


def _positive_float(name: str):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a positive number, got {text!r}") from None
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"{name} must be a positive finite number, got {text!r}")
        return value

    return parse


def _cost_option(p: argparse.ArgumentParser, default) -> None:
    """``--cost paper|mean-squared``: the cost every claim, bound and value is stated for (:class:`symgeom.calculus.cost.Cost`)."""
    p.add_argument("--cost", type=_cost_choice, default=default, metavar="{paper,mean-squared}",
                   help="the cost: paper (the paper's norm C_N = (sum_j (1/N_j) sum_i |x_ji - y_j|^2)^(1/2), decided on "
                        "its square) or mean-squared (C = (1/2N) sum |x - y|^2, what PyTorch's MSELoss trains) "
                        + (f" (default {default.value})" if default is not None else
                           " (default paper; mean-squared for --handout, whose text is written for it)"))


def _cost_choice(text: str):
    """The :class:`~symgeom.calculus.cost.Cost` named ``text``."""
    try:
        return Cost(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--cost must be one of {', '.join(c.value for c in Cost)}, got {text!r}") from None


def _budget_option(p: argparse.ArgumentParser) -> None:
    """``--max-seconds S``: refuse work estimated beyond ``S`` seconds (:mod:`symgeom.claims.budget`)."""
    p.add_argument("--max-seconds", type=parse_seconds, default=BUDGET_SECONDS, metavar="S",
                   help=f"refuse work whose estimated time exceeds S seconds (default {BUDGET_SECONDS:g}; 0 or inf: "
                        "no limit)")


def _data_options(p: argparse.ArgumentParser, depth: bool = True, kind: bool = True,
                  seed: str | bool = "seed of the random parameters the checks use", quiet: bool = True) -> None:
    """``--data``, ``--targets`` and, as asked, ``--L``, ``--exact``/``--float``, ``--seed`` (``seed`` is its
    help text, ``False`` leaves it out) and ``--quiet``; an option left out reads as its default."""
    p.add_argument("--data", metavar="F", help="CSV file with header x1,...,xQ,cluster (default: the embedded data, Q = 3)")
    p.add_argument("--targets", metavar="F", help="CSV file with header y1,...,yQ, one row per cluster (default: y_j = e_j)")
    if depth:
        p.add_argument("--L", type=_positive_int("--L (the number of hidden layers)"), metavar="n",
                       help="number of hidden layers (default: L = Q)")
    if kind:
        group = p.add_mutually_exclusive_group()
        group.add_argument("--exact", dest="kind", action="store_const", const=Kind.EXACT,
                           help="exact rational arithmetic (default): decimals are read exactly")
        group.add_argument("--float", dest="kind", action="store_const", const=Kind.FLOAT, help="float64 arithmetic")
    if seed:
        p.add_argument("--seed", type=_positive_int("--seed", 0), default=0, help=seed)
    if quiet:
        p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(kind=Kind.EXACT)
    p.set_defaults(**{name: value for name, value, given in (("L", None, depth), ("seed", 0, seed), ("quiet", True, quiet))
                      if not given})


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand; each subcommand's options come from ``_<name>_options``."""
    parser = _Parser(prog="symgeom", description="Symbolic proof companion for arXiv:2309.10639 (Chen, Muñoz Ewald).")
    parser.add_argument("--version", action="version", version=f"symgeom {__version__}")
    parser.add_argument("--debug", action="store_true", help="on an internal error, print the traceback")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for options in (_check_options, _report_options, _construct_options, _certify_options, _locate_options,
                    _train_options, _example_options):
        options(sub)
    return parser


def _check_options(sub) -> None:
    check = sub.add_parser("check", help="derive and check every claim on the data; print a table or JSON")
    _data_options(check)
    check.add_argument("--only", metavar="ID", help=f"check one claim ({', '.join(claim_ids())})")
    check.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    check.add_argument("--certificates", metavar="DIR",
                       help="also write the exact verdicts' certificates and verify.py into DIR (a new or empty folder), "
                            "as symgeom certify does; the output names each file and its SHA-256")
    _cost_option(check, DEFAULT_COST)
    _budget_option(check)


def _report_options(sub) -> None:
    report = sub.add_parser("report", help="write a LaTeX report of every claim (DIR/report.tex)")
    _data_options(report)
    report.add_argument("--only", metavar="ID", help="report one claim")
    report.add_argument("--out", metavar="DIR", default="symgeom-report", help="output folder (default: symgeom-report)")
    report.add_argument("--force", action="store_true", help="write into an existing non-empty folder")
    report.add_argument("--pdf", action="store_true", help="also compile the PDF (needs pdflatex)")
    report.add_argument("--certificates", metavar="DIR",
                        help="also write the certificates and verify.py into DIR (a new or empty folder); the report's "
                             "appendix lists them with their SHA-256 and the command that re-checks them")
    report.add_argument("--handout", action="store_true",
                        help="write a teaching handout (DIR/handout.tex) instead: a worked example (Q = 2 unless --data), "
                             "figures, exercises")
    report.add_argument("--no-solutions", action="store_true", help="with --handout: leave out the solutions")
    report.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper size (default: a4)")
    _cost_option(report, None)
    _budget_option(report)
    report.add_argument("--train", type=_positive_int("--train"), metavar="K",
                        help=f"add 'Where gradient descent ends up': K training runs ({TRAIN_STEPS} steps of gradient "
                             "descent from PyTorch's default initialization), each located in the stratum picture")


def _construct_options(sub) -> None:
    construct = sub.add_parser("construct", help="write an explicit minimizer's weights and biases: a global minimizer "
                               "(L >= Q by cones; L = Q - 1 with Q - 1 truncations; L >= 2 from disjoint "
                               "intervals along a direction) or a stratum's local minimum (--truncate)")
    _data_options(construct)
    construct.add_argument("--truncate", metavar="K,...", type=_label_list,
                           help="the truncated clusters S (labels, comma-separated): write the local minimum of the "
                                "stratum R_S, of cost B_U (needs L >= |S|)")
    construct.add_argument("--out", metavar="FILE", required=True,
                           help="output file: .json (exact values as strings), .npz (float64 arrays) or .pt/.pth "
                                "(a PyTorch state_dict of nn.Sequential(Linear, ReLU, ..., Linear), float64; needs the "
                                "extra 'torch')")
    construct.add_argument("--force", action="store_true", help="overwrite an existing file")
    _cost_option(construct, DEFAULT_COST)
    _budget_option(construct)


def _certify_options(sub) -> None:
    certify = sub.add_parser("certify", help="write self-contained certificates of the exact verdicts (a zero-cost "
                             "point, every stratum's local minimum, every empty stratum) and verify.py, a checker that "
                             "needs only Python's standard library: cd DIR && python3 -I -S verify.py")
    _data_options(certify, kind=False, seed=False)
    certify.add_argument("--out", metavar="DIR", required=True, help="folder for the certificates and verify.py")
    certify.add_argument("--force", action="store_true", help="write into an existing non-empty folder")
    _cost_option(certify, DEFAULT_COST)
    _budget_option(certify)


def _locate_options(sub) -> None:
    locate = sub.add_parser("locate", help="place a parameter point in the stratum picture: per cluster kept, collapsed "
                            "(in which layer) or mixed; the stratum S, the cost, the bound B_U, the gap and a verdict")
    locate.add_argument("--params", metavar="FILE", required=True,
                        help="parameters: .json or .npz (as construct writes them), or a PyTorch state_dict (.pt, .pth) "
                             "of nn.Sequential(Linear(Q, Q), ReLU(), ..., Linear(Q, Q)) saved with torch.save")
    _data_options(locate, depth=False, seed=False, quiet=False)
    locate.add_argument("--rtol", type=_positive_float("--rtol"), default=GAP_RTOL,
                        help=f"float input: a gap within rtol x max(1, max|y|)^2 counts as 0, computed in the working units "
                             f"(float mode's y' = y/t when the data need a change of units) (default {GAP_RTOL:g})")
    locate.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    _cost_option(locate, DEFAULT_COST)


def _train_options(sub) -> None:
    train = sub.add_parser("train", help="train K networks from PyTorch's default initialization (float64, vectorized "
                           "over runs) and locate where each ends in the stratum picture")
    _data_options(train, kind=False, seed="seed of the first run; run i starts from seed + i (default 0)")
    train.set_defaults(kind="float")  # training runs in float64
    train.add_argument("--inits", type=_positive_int("--inits"), default=DEFAULT_INITS, metavar="K",
                       help=f"number of runs (default {DEFAULT_INITS}, at most {MAX_INITS})")
    train.add_argument("--steps", type=_positive_int("--steps", 0), default=DEFAULT_STEPS, metavar="T",
                       help=f"optimizer steps per run (default {DEFAULT_STEPS}, at most {MAX_STEPS})")
    train.add_argument("--lr", type=_positive_float("--lr"), metavar="ETA",
                       help="step size (default: " + ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LR.items()) + ")")
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="gd", help="gd (plain gradient descent, default) or adam")
    train.add_argument("--rtol", type=_positive_float("--rtol"), default=GAP_RTOL,
                       help=f"a final gap within rtol x max(1, max|y|)^2 counts as 0, computed in the working units "
                            f"(float mode's y' = y/t when the data need a change of units) (default {GAP_RTOL:g})")
    train.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    train.add_argument("--out", metavar="DIR", help="also write DIR/final_costs.pdf and DIR/runs.npz")
    train.add_argument("--force", action="store_true", help="write into an existing non-empty folder")
    _cost_option(train, TRAINING_COST)


def _example_options(sub) -> None:
    example = sub.add_parser("example", help="write a reproducible well-clustered data set as CSV")
    example.add_argument("--Q", type=_positive_int("--Q"), default=3, help="dimension and number of clusters (default 3)")
    example.add_argument("--seed", type=_positive_int("--seed", 0), default=0, help="random seed (default 0)")
    example.add_argument("--out", metavar="F", required=True, help="CSV file to write")
    example.add_argument("--force", action="store_true", help="overwrite an existing file")


def _internal_error(command: str, error: BaseException, debug: bool) -> int:
    """Report an unexpected exception (a bug) in one line; the traceback only with ``--debug``."""
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    what = one_line(f"{type(error).__name__}: {error}", 300)
    hint = "" if debug else "; rerun with --debug for the traceback"
    print(f"symgeom {command}: internal error ({what}); this is a bug in symgeom {__version__}, please report it "
          f"with the command line{hint}", file=sys.stderr)
    return EXIT_INTERNAL


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
    at exit raises nothing more) with :data:`EXIT_CLOSED_PIPE`."""
    null = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(null, stream.fileno())
        except (OSError, ValueError):  # not a real file (captured in tests)
            pass
    return EXIT_CLOSED_PIPE


def _terminated(signum, frame):
    """SIGTERM ends the run as an exception would, so that temporary files and folders are removed."""
    raise SystemExit(EXIT_TERMINATED)


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
    try:
        args = build_parser().parse_args(argv)
        try:
            name = f"cmd_{args.command}"
            code = (getattr(commands, name, None) or getattr(train_command, name, None)
                    or getattr(certify_command, name))(args)
            sys.stdout.flush()  # a full device or a closed stdout is reported here, not at exit
            return code
        except SymgeomError as e:
            print(f"symgeom {args.command}: error: {one_line(str(e))}", file=sys.stderr)
            return EXIT_USAGE
        except BrokenPipeError:
            return _closed_pipe()
        except Exception as e:  # anything else is a bug in symgeom
            return _internal_error(args.command, e, args.debug)
    except KeyboardInterrupt:
        print("symgeom: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
