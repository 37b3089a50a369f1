"""The data and context of a command, from its parsed arguments: the depth and budget checked first, float
data read in the units float64 computes in (exactly first when a float reading may round digits away); and the
limits and defaults of the command line's options (a mistyped size would otherwise run for hours).
"""

from __future__ import annotations

import argparse
import shlex
import sys

from ..claims.budget import BUDGET_SECONDS, check_command
from .._errors import DataError, UsageError
from ..numbers.arith import Kind
from ..claims.registry import Context
from ..calculus.cost import DEFAULT_COST
from .progress import Progress, show_path_notes
from ..data.clusters import ClusterData
from ..data.embedded import default_data
from ..data.files import read_csv, read_targets
from ..model.units import float_units, needs_exact_reading

__all__ = ["STDIN", "load_data", "require_float_computable", "exact_data", "make_context", "regenerate_command"]


MAX_L = 64
"""Deepest network the commands accept (``--L``): the exact Hessians and ranks of G3 grow with
``P = (L+1)(Q²+Q)`` parameters, so a mistyped depth would otherwise run for hours or exhaust memory."""

DEFAULT_INITS, MAX_INITS = 64, 100_000

DEFAULT_STEPS, MAX_STEPS = 2000, 10_000_000
"""``train``: runs and steps by default, and the most accepted (a mistyped count would run for days)."""

TRAIN_STEPS = 2000
"""Steps of each training run in ``report --train``."""


STDIN = "-"
"""The conventional name of standard input, which ``--data`` and ``--targets`` do not read."""


def _refuse_stdin(args) -> None:
    """``--data -`` and ``--targets -`` would read standard input, which symgeom does not."""
    for flag, value in (("--data", args.data), ("--targets", args.targets)):
        if value == STDIN:
            raise UsageError(f"{flag} {STDIN}: reading standard input is not supported; save the CSV text to a file "
                             f"and give its name (a file named '-' is './-')")


def _check_depth(args) -> None:
    """Refuse ``--L`` beyond :data:`MAX_L` before any work starts."""
    if args.L is not None and args.L > MAX_L:
        raise UsageError(f"--L {args.L}: too many hidden layers; symgeom checks networks with L <= {MAX_L} "
                         f"(the exact Hessian has (L+1)(Q^2+Q) rows)")


def load_data(args) -> ClusterData:
    """The data named by ``--data``/``--targets`` (or the embedded default) in the chosen kind; float data
    in the units float64 computes in (:func:`require_float_computable`)."""
    if args.kind is not None and not Kind(args.kind).is_exact:
        return require_float_computable(args)
    return _read_data(args)


def require_float_computable(args) -> ClusterData:
    """The float data in units where float64 computes (:func:`symgeom.model.units.float_units`: ``x' = (x − c)/s``,
    ``y' = y/t``), the change reported on stderr.  The file is read in float64 first; when that read fails, or
    may have rounded away digits the units would keep (:func:`symgeom.model.units.needs_exact_reading`: an offset that
    dominates, a cluster thinner than float64 holds), it is read again exactly and the exact data are
    transformed and rounded once.  Data float64 cannot hold even then are refused with the reason."""
    failure = None
    try:
        data = _read_data(args)
        exact = needs_exact_reading(data)
    except DataError as e:
        failure, exact = e, True  # a float64 reading error stands unless the exact values show it was rounding
    if exact:
        try:
            data = exact_data(args)
        except DataError:
            if failure is None:
                raise
            raise failure from None
    data = float_units(data, args.targets)
    if data.units is not None and not data.units.is_identity:
        print(f"symgeom: --float computes in units {data.units}", file=sys.stderr, flush=True)
    return data


def exact_data(args) -> ClusterData:
    """The data named by ``--data``/``--targets`` read exactly, as given (whatever ``--float``/``--exact`` says)."""
    return _read_data(argparse.Namespace(**{**vars(args), "kind": Kind.EXACT}))


def _read_data(args) -> ClusterData:
    """The data named by ``--data``/``--targets`` (or the embedded default) in the chosen kind."""
    _refuse_stdin(args)
    if args.data is None:
        if args.targets is not None:
            data = default_data(args.kind)

            targets = read_targets(args.targets, data.Q, args.kind)
            points = data.X.T
            return ClusterData.from_arrays(points, data.labels, targets, kind=args.kind, source="embedded default data")
        return default_data(args.kind)
    return read_csv(args.data, args.targets, kind=args.kind)


def make_context(args, progress=None) -> Context:
    """The context of a command: the depth and the time budget checked first, then the data loaded;
    ``progress`` (a :class:`Progress`) hears about long work inside the claims, including which path the
    float Gauss–Newton matrix took."""
    show_path_notes(progress)
    _check_depth(args)
    if getattr(args, "max_seconds", None) is not None:
        _refuse_stdin(args)
        check_command(args, Progress(args.quiet).note)
    data = load_data(args)
    exact = None if data.kind.is_exact else (lambda: exact_data(args))  # a float refutation is re-decided on these
    return Context(data, args.L if args.L is not None else data.Q, seed=args.seed,
                   progress=progress.note if progress is not None else None, cost=getattr(args, "cost", DEFAULT_COST),
                   exact_data=exact)


def regenerate_command(args) -> str:
    """The canonical command line that reproduces a report."""
    words = ["symgeom", "report"]
    for flag, value in (("--data", args.data), ("--targets", args.targets)):
        if value is not None:
            words += [flag, value]
    if args.L is not None:
        words += ["--L", str(args.L)]
    if args.kind == Kind.FLOAT:
        words.append("--float")
    if args.seed:
        words += ["--seed", str(args.seed)]
    if args.only:
        words += ["--only", args.only]
    if getattr(args, "cost", None) not in (None, DEFAULT_COST) and not getattr(args, "handout", False):
        words += ["--cost", args.cost.value]
    if getattr(args, "handout", False):
        words.append("--handout")
    if getattr(args, "no_solutions", False):
        words.append("--no-solutions")
    if getattr(args, "train", None):
        words += ["--train", str(args.train)]
    if getattr(args, "paper", "a4") != "a4":
        words += ["--paper", args.paper]
    if getattr(args, "max_seconds", BUDGET_SECONDS) != BUDGET_SECONDS:
        words += ["--max-seconds", f"{args.max_seconds:g}"]
    return shlex.join(words)
