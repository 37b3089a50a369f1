"""Sizes against a time budget: the running time of ``check``, ``report`` and ``construct`` estimated from
``(Q, L, N, kind)`` before any long work, and work predicted beyond the budget refused.

The cost model follows the algorithms.  ``P = (L+1)(Q² + Q)`` parameters; ``n`` *settled strata*: the sets
``S`` of truncated clusters with ``|S| ≤ min(L, Q − 1)`` (N1/N2 construct, certify and measure one local
minimum per such stratum; a stratum with ``|S| > L`` is answered without work), none when only a T or G claim
runs; ``s = 2 + n`` *settlings* (the claims T1–G4 count as two: the global minimizer and its degeneracy)::

    check, report:  T ≈ start + read · N(Q+1) + claims + report · [report] + pass · s N L Q + step · s L² Q
                        + cube · s P³   (rational cube instead of cube when exact ranks run: exact, Q ≤ 4)
    construct:      T ≈ start + read · N(Q+1) + construct · N P

* ``start``: the interpreter and the imports;
* ``claims``: the fixed work of the claims (the symbolic proofs, the float samples), charged in full to
  ``--only`` of one claim too;
* ``read``: the CSV reader, per number;
* ``report``: what ``report`` adds to ``check`` (its files and figures);
* ``pass``: the forward passes over the data, per settling, point, layer and neuron (the certificates'
  signs and costs, the Jacobian factor's activation patterns); in exact mode one rational operation each;
* ``step``: the per-settling work in Python over the layers and neurons (gauge and kernel directions,
  ``L Q`` generators of ``L + 1`` blocks each);
* ``cube``: the dense linear algebra of a settling in ``P`` (the spectrum of the Jacobian factor, ranks of
  the tangent directions); ``rational cube``: the same as exact rational ranks of the ``P x P`` Gauss–Newton
  matrix (exact mode, ``Q ≤ 4``, :data:`~symgeom.global_minima.degeneracy.EXACT_RANK_MAX_Q`);
* ``construct``: the construction of a minimizer, one certified pass (``construct`` builds no Hessian).

The estimate is the largest model value over ``q = 1..Q`` at the same ``L`` and ``N``, so that it never
decreases when ``Q`` grows (exact mode switches from exact to float ranks above ``Q = 4``; the measured time
drops there too, from 12.6 s at ``Q = 4`` to 8.5 s at ``Q = 5`` on the ``example`` data).

Provenance of :data:`CONSTANTS`: ``read`` from ``benchmarks/csv_read.py`` (10⁷ rows, ``Q = 2``: 12.7 s float,
33.6 s exact, at a load average of 3.4); the others fitted with the non-negative least squares on the relative
error of ``benchmarks/budget_calibration.py`` on 2026-11-27, from 56 runs timed as it times them (its 25 runs
and more), each in a fresh subprocess, on the 2-core development machine shared with one other developer (load
average 1.5–2.8): ``check`` float at ``Q = 2..8``, ``L = Q`` and ``Q + 2``, ``N`` from the ``example`` data's
9–76 points to 10⁵; exact at ``Q = 2..6``, ``N`` up to 3·10⁴; ``--only`` of one claim; ``report`` at
``Q = 3..8``; ``construct`` up to ``N = 3·10⁶``.  The fitted model is within a factor 3.05 of every one of
them: it underestimates the smallest exact ``check`` runs (3.7 s and 6.6 s at ``Q = 2, 3`` on the ``example``
data) by up to 3.05× and overestimates ``--only`` of one claim (exact, ``Q = 5``) by up to 2.5×; ``check
--float`` at ``Q = L = 8``, ``N = 10⁴``: 29.0 s measured, 33 s estimated; exact ``check`` on the ``example --Q
6`` data: 34.8 s and 31 s; exact ``check`` at ``Q = 3``, ``N = 3·10⁴``: 109 s and 97 s.  Exact ``construct``
also depends on the data beyond ``(Q, L, N)``: at ``N = 3·10⁶``, 14.8 s on the data of ``csv_read.py`` (in the
fit) but 82 s, 7× the estimate, on those of ``benchmarks/check_scale.py`` (left out).  On a quiet machine the
estimates run high, which errs on the side of asking.

>>> features("check", 3, 3, 13)
(1.0, 52.0, 1.0, 0.0, 1053.0, 243.0, 995328.0, 0.0, 0.0)
>>> round(estimate("check", 8, 8, 10**4, "float"))
33
>>> round(estimate("construct", 2, 2, 10**7, "float"))
14
"""

from __future__ import annotations

import argparse
import math

from .._errors import UsageError
from ..numbers.arith import MAX_DIGITS, Kind
from ..data.clusters import MAX_Q
from ..data.files import data_size

__all__ = ["BUDGET_SECONDS", "CONSTANTS", "DIGIT_SECONDS", "FEATURES", "NOTE_SECONDS", "check_command",
           "digit_features", "estimate", "features",
           "format_seconds", "parse_seconds", "require_within", "settled_strata"]

BUDGET_SECONDS = 600.0
"""Default budget (``--max-seconds``): ten minutes."""
NOTE_SECONDS = 30.0
"""Estimates above this are printed on stderr before the work starts."""
EXACT_RANK_MAX_Q = 4
"""Exact mode computes exact rational ranks up to this ``Q`` (:data:`symgeom.global_minima.degeneracy.EXACT_RANK_MAX_Q`)."""

FEATURES = ("start", "read", "claims", "report", "pass", "step", "rational cube", "cube", "construct")
CONSTANTS = {
    "exact": {"start": 1.3, "read": 1.1e-6, "claims": 0.18, "report": 4.1, "pass": 3.9e-5, "step": 9.5e-4,
              "rational cube": 4.2e-7, "cube": 7.4e-9, "construct": 1.1e-8},
    "float": {"start": 1.1, "read": 4.2e-7, "claims": 0.64, "report": 1.9, "pass": 1.1e-7, "step": 1.0e-4,
              "rational cube": 0.0, "cube": 0.0, "construct": 0.0},
}
"""Seconds per unit of each feature, per number kind (see the module docstring for their provenance)."""


def settled_strata(Q: int, L: int, strata: bool = True) -> int:
    """``n``: how many strata N1/N2 settle, the ``S ⊊ {1..Q}`` with ``|S| ≤ L`` (none without ``strata``)."""
    if not strata:
        return 0
    return sum(math.comb(Q, m) for m in range(min(L, Q - 1) + 1))


def features(command: str, Q: int, L: int, N: int, kind: str = "exact", strata: bool = True) -> tuple:
    """What each constant of :data:`CONSTANTS` multiplies, in the order of :data:`FEATURES`."""
    P = (L + 1) * (Q * Q + Q)
    read = float(N * (Q + 1))
    if command == "construct":
        return (1.0, read, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, float(N * P))
    s = 2 + settled_strata(Q, L, strata)
    cube = float(s) * P**3
    rational = Kind(kind).is_exact and Q <= EXACT_RANK_MAX_Q
    return (1.0, read, 1.0, float(command == "report"), float(s * N * L * Q), float(s * L * L * Q),
            cube if rational else 0.0, 0.0 if rational else cube, 0.0)


SHORT_DIGITS = 40
"""Numbers of up to this many characters cost exact arithmetic about the same (a few machine words)."""
DIGIT_SECONDS = 6e-4
"""Seconds per settling, point, layer and neuron and per ``((d − SHORT_DIGITS)/100)²`` for numbers of ``d``
characters: rational arithmetic on ``d``-digit numbers costs about ``d²``.  Fitted on 2026-12-02 to exact
``check`` at ``Q = L = 2``, ``N = 20``, with every number of ``d = 16, 64, 200, 600, 1000, 1990`` digits (CPU
4.4, 4.3, 5.6, 9.5, 25.6 and more than 92 s: the last did not finish in five minutes on a loaded machine)."""


def digit_features(command: str, Q: int, L: int, N: int, digits: int, strata: bool = True) -> float:
    """What :data:`DIGIT_SECONDS` multiplies in exact mode: ``s N L Q ((d − SHORT_DIGITS)/100)²`` with ``s``
    the settlings (``N P`` for ``construct``)."""
    excess = (max(min(digits, MAX_DIGITS) - SHORT_DIGITS, 0) / 100) ** 2  # longer numbers are refused when read
    if command == "construct":
        return excess * N * (L + 1) * (Q * Q + Q)
    return excess * (2 + settled_strata(Q, L, strata)) * N * L * Q


def _model(command: str, Q: int, L: int, N: int, kind: str, strata: bool, digits: int) -> float:
    c = CONSTANTS[str(kind)]
    base = sum(c[name] * f for name, f in zip(FEATURES, features(command, Q, L, N, kind, strata)))
    if str(kind) != "exact":
        return base
    return base + DIGIT_SECONDS * digit_features(command, Q, L, N, digits, strata)


def estimate(command: str, Q: int, L: int, N: int, kind: str, strata: bool = True, digits: int = 0) -> float:
    """Estimated seconds of ``command`` on ``N`` points in ``R^Q`` with ``L`` hidden layers and numbers of about
    ``digits`` characters: the cost model's largest value over ``q = 1..Q`` (non-decreasing in ``Q``, ``L``,
    ``N`` and ``digits``)."""
    return max(_model(command, q, L, N, kind, strata, digits) for q in range(1, max(Q, 1) + 1))


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
                   strata: bool = True, note=None, digits: int = 0) -> float:
    """The estimate of :func:`estimate`; refuse (:class:`UsageError`) when it exceeds ``budget`` seconds
    (``0`` or ``inf``: no limit), and tell ``note`` (a callable taking a line) when it exceeds
    :data:`NOTE_SECONDS`."""
    seconds = estimate(command, Q, L, N, kind, strata, digits)
    long = f", numbers of {digits} digits" if Kind(kind).is_exact and digits > SHORT_DIGITS else ""
    sizes = f"Q = {Q}, L = {L}, N = {N}, {kind}{long}"
    if 0 < budget < math.inf and seconds > budget:
        twice = math.ceil(2 * seconds) if seconds < 1e9 else "inf"
        raise UsageError(f"{source}: {command} with {sizes} is estimated at {format_seconds(seconds)}, beyond the "
                         f"budget of {format_seconds(budget)}; give a budget of {twice} s (or no limit) to run it "
                         f"anyway, or reduce L or the number of points", remedy="budget", remedy_value=twice)
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
        raise argparse.ArgumentTypeError(f"a time budget must be a number of seconds >= 0 (0 or inf: no limit), "
                                         f"got {text!r}")
    return value


def check_command(args, note) -> None:
    """Refuse, before the data are read, the work of a parsed command line (``check``, ``report``,
    ``construct``) estimated beyond ``--max-seconds``: ``Q`` and ``N`` from the data file's header and number
    of lines (:func:`~symgeom.data.files.data_size`; the embedded data by default), ``L`` (default ``Q``) and
    the number kind; ``note`` hears a long estimate (:func:`require_within`)."""
    from importlib import resources


    if args.data is not None:
        Q, N, digits = data_size(args.data)
    else:
        with resources.as_file(resources.files("symgeom") / "data" / "default.csv") as default:
            Q, N, digits = data_size(default)
    if Q > MAX_Q:
        return  # refused with its own message when the data are read
    only = getattr(args, "only", None)
    require_within(args.command, args.data or "the embedded default data", Q, args.L if args.L is not None else Q, N,
                   args.kind, args.max_seconds, strata=only is None or only.startswith("N"), note=note, digits=digits)
