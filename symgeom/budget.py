"""Sizes against a time budget: the running time of ``check``, ``report`` and ``construct`` estimated from
``(Q, L, N, kind)`` before any long work, and work predicted beyond the budget refused.

The cost model, with ``P = (L+1)(Q² + Q)`` parameters and ``s`` *settlings* (``check`` and ``report``:
2 for the claims T1–G4, plus one per stratum, ``2^Q − 1``, when N1/N2 run)::

    check, report:  T ≈ c_start + c_read · N (Q+1) + c_check · s N P Q + c_cube · s P³
    construct:      T ≈ c_start + c_read · N (Q+1) + c_construct · N P

``c_read`` is the time per number of the CSV reader; ``c_check`` of the work per point, parameter and
dimension in the claims (exact sign checks, costs, sufficient statistics, per stratum); ``c_cube`` of dense
linear algebra on ``P x P`` matrices (Hessian ranks and kernels); ``c_construct`` of the construction of a
minimizer, one certified pass (``construct`` builds no Hessian).

Provenance of :data:`CONSTANTS`: ``c_read`` from ``benchmarks/csv_read.py`` (10⁷ rows, ``Q = 2``: 12.7 s
float, 33.6 s exact, at a load average of 3.4); the others fitted by ``benchmarks/budget_calibration.py``
(least squares on the relative error; ten runs per kind: ``check`` at ``Q = 2, 3, 4``, ``L`` up to 6, ``N`` up
to 3·10⁴, ``construct`` at ``N`` up to 3·10⁶), on 2026-11-27, on the 2-core development machine shared with
other jobs (load average 5.4–7.7).  The fitted model is within a factor 2.3 of every calibration run (it
underestimates the smallest ``check`` runs, dominated by start-up, and overestimates none by more than
1.4×); on a quiet machine the estimates run high, which errs on the side of asking.

>>> features("check", 3, 3, 13)
(1.0, 52.0, 16848.0, 0.0, 995328.0)
>>> round(estimate("construct", 2, 2, 10**7, "float"))
16
"""

from __future__ import annotations

import argparse
import math

from ._errors import UsageError

__all__ = ["BUDGET_SECONDS", "CONSTANTS", "FEATURES", "NOTE_SECONDS", "check_command", "estimate", "features",
           "format_seconds", "parse_seconds", "require_within"]

BUDGET_SECONDS = 600.0
"""Default budget (``--max-seconds``): ten minutes."""
NOTE_SECONDS = 30.0
"""Estimates above this are printed on stderr before the work starts."""

FEATURES = ("start", "read", "check pass", "construct pass", "cube")
CONSTANTS = {
    "exact": {"start": 3.2, "read": 1.1e-6, "check pass": 6.9e-6, "construct pass": 1.3e-7, "cube": 9.8e-7},
    "float": {"start": 3.5, "read": 4.2e-7, "check pass": 1.0e-6, "construct pass": 0.0, "cube": 2.7e-7},
}
"""Seconds per unit of each feature, per number kind (see the module docstring for their provenance)."""


def settlings(command: str, Q: int, strata: bool) -> int:
    """``s``: how many times the work over the data and the parameters is done."""
    if command == "construct":
        return 1
    return 2 + (2**Q - 1 if strata else 0)


def features(command: str, Q: int, L: int, N: int, strata: bool = True) -> tuple:
    """What each constant of :data:`CONSTANTS` multiplies: ``(1, N(Q+1), s N P Q, 0, s P³)`` for ``check`` and
    ``report``, ``(1, N(Q+1), 0, N P, 0)`` for ``construct``."""
    P = (L + 1) * (Q * Q + Q)
    read = float(N * (Q + 1))
    if command == "construct":
        return (1.0, read, 0.0, float(N * P), 0.0)
    s = settlings(command, Q, strata)
    return (1.0, read, float(s * N * P * Q), 0.0, float(s * P**3))


def estimate(command: str, Q: int, L: int, N: int, kind: str, strata: bool = True) -> float:
    """Estimated seconds of ``command`` on ``N`` points in ``R^Q`` with ``L`` hidden layers."""
    c = CONSTANTS[str(kind)]
    return sum(c[name] * f for name, f in zip(FEATURES, features(command, Q, L, N, strata)))


def format_seconds(seconds: float) -> str:
    """``"0.5 s"``, ``"42 s"``, ``"12 min"``, ``"3.5 h"``, ``"2.1e+03 days"``: a duration for messages."""
    if seconds < 10:
        return f"{seconds:.2g} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.3g} days"


def require_within(command: str, source: str, Q: int, L: int, N: int, kind: str, budget: float,
                   strata: bool = True, note=None) -> float:
    """The estimate of :func:`estimate`; refuse (:class:`UsageError`) when it exceeds ``budget`` seconds
    (``0`` or ``inf``: no limit), and tell ``note`` (a callable taking a line) when it exceeds
    :data:`NOTE_SECONDS`."""
    seconds = estimate(command, Q, L, N, kind, strata)
    sizes = f"Q = {Q}, L = {L}, N = {N}, {kind}"
    if 0 < budget < math.inf and seconds > budget:
        twice = math.ceil(2 * seconds) if seconds < 1e9 else "inf"
        raise UsageError(f"{source}: {command} with {sizes} is estimated at {format_seconds(seconds)}, beyond the "
                         f"budget of {format_seconds(budget)}; give --max-seconds {twice} (or --max-seconds 0 for no "
                         f"limit) to run it anyway, or reduce L or the number of points")
    if seconds > NOTE_SECONDS and note is not None:
        note(f"estimated time {format_seconds(seconds)} for {sizes} (budget "
             f"{'none' if budget in (0, math.inf) else format_seconds(budget)})")
    return seconds


def parse_seconds(text: str) -> float:
    """``--max-seconds``: a number of seconds ``>= 0``; ``0`` and ``inf`` mean no limit."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"--max-seconds must be a number of seconds >= 0 (0 or inf: no limit), "
                                         f"got {text!r}")
    return value


def check_command(args, note) -> None:
    """Refuse, before the data are read, the work of a parsed command line (``check``, ``report``,
    ``construct``) estimated beyond ``--max-seconds``: ``Q`` and ``N`` from the data file's header and number
    of lines (:func:`~symgeom.datafiles.data_size`; the embedded data by default), ``L`` (default ``Q``) and
    the number kind; ``note`` hears a long estimate (:func:`require_within`)."""
    from importlib import resources

    from .data import MAX_Q
    from .datafiles import data_size

    if args.data is not None:
        Q, N = data_size(args.data)
    else:
        with resources.as_file(resources.files("symgeom") / "data" / "default.csv") as default:
            Q, N = data_size(default)
    if Q > MAX_Q:
        return  # refused with its own message when the data are read
    only = getattr(args, "only", None)
    require_within(args.command, args.data or "the embedded default data", Q, args.L if args.L is not None else Q, N,
                   args.kind, args.max_seconds, strata=only is None or only.startswith("N"), note=note)
