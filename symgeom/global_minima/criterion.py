"""The sufficient condition for the construction of G1 (docs/mathematics/global-minima.md): ``ρ < c(γ, κ, Q)``, derived by
SymPy from the strict sign conditions of one collapsing layer, and evaluated on data.

>>> from symgeom.data.embedded import default_data
>>> clustering_criterion(default_data()).holds
True
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ..numbers import arith
from .._errors import ConstructionError
from ..data.clusters import ClusterData

__all__ = ["Criterion", "criterion_constant", "clustering_criterion", "criterion_implications",
           "gamma_in_unit_interval"]


# -- the sufficient condition ----------------------------------------------------------
@lru_cache(maxsize=None)
def criterion_constant():
    """``(c, bounds)``: SymPy derivation of the constant ``c(γ, κ, Q)`` with ``ρ < c`` sufficient.

    The apex offset ``s`` must satisfy (I1) ``s(1−γ) > δ(1+γ)`` (collapsed cluster inside the open
    backward cone), (I2) ``h − 2s > γ(D + 2s)`` (other clusters and earlier apexes inside the open
    forward cone: ``v·(z−p) ≥ h − 2s`` and ``|z−p| ≤ D + 2s`` for ``s ≥ δ``) and (I3) ``s < h/Q``
    (the apexes stay affinely independent: their barycentric matrix ``I − s G`` has
    ``‖sG‖_∞ ≤ sQ/h < 1``).  Such ``s`` exists iff ``δ`` is below the solution of
    ``s_min(δ) = min(s_I2, s_I3)``.  The geometric steps (cone membership, the bounds on ``v·(z−p)`` and
    ``|z−p|``, the barycentric matrix) are proved in :mod:`symgeom.global_minima.cone_lemmas`.
    """
    g, k, Q, d, h, s = sp.symbols("gamma kappa Q delta h s", positive=True)
    s_min = d * (1 + g) / (1 - g)
    s_i2 = sp.solve(sp.Eq(h - 2 * s, g * (k * h + 2 * s)), s)[0]
    s_i3 = h / Q
    c_i2, c_i3 = (sp.factor(sp.simplify(sp.solve(sp.Eq(s_min, upper), d)[0] / h)) for upper in (s_i2, s_i3))
    return sp.Min(c_i2, c_i3), {"s_min": s_min, "s_I2": s_i2, "s_I3": s_i3, "c_I2": c_i2, "c_I3": c_i3,
                                "symbols": (g, k, Q, d, h)}


def criterion_implications() -> list:
    """``[(name, slack, factor, premise)]``: each strict sign condition of the construction, or each
    step from ``ρ < c`` to them, as ``slack = factor · premise`` with ``factor > 0`` for ``0 < γ < 1``
    (SymPy's assumptions decide it with ``γ = g/(1+g)``, ``g > 0``), so ``premise > 0`` implies
    ``slack > 0``.  With ``δ = ρh``:

    * (c_I2) ``s_I2 − s_min`` from ``c_I2 − ρ``; (c_I3) ``s_I3 − s_min`` from ``c_I3 − ρ``: so ``ρ < c``
      makes the interval ``(s_min, min(s_I2, s_I3))`` of apex offsets non-empty;
    * (I1) ``s(1−γ) − δ(1+γ)`` from ``s − s_min``; (I2) ``h − 2s − γ(κh + 2s)`` from ``s_I2 − s``;
      (I3) ``h/Q − s`` from ``s_I3 − s``: every offset in the interval meets the three conditions."""
    c, b = criterion_constant()
    g, k, Q, d, h = b["symbols"]
    s, rho = sp.symbols("s rho", positive=True)
    s_min, s_i2, s_i3 = (b[n].subs(d, rho * h) for n in ("s_min", "s_I2", "s_I3"))
    return [
        ("rho < c_I2 gives s_min < s_I2", s_i2 - s_min, h * (1 + g) / (1 - g), b["c_I2"] - rho),
        ("rho < c_I3 gives s_min < s_I3", s_i3 - s_min, h * (1 + g) / (1 - g), b["c_I3"] - rho),
        ("s > s_min gives (I1) s(1-gamma) > delta(1+gamma)", s * (1 - g) - rho * h * (1 + g), 1 - g, s - s_min),
        ("s < s_I2 gives (I2) h - 2s > gamma(kappa h + 2s)", h - 2 * s - g * (k * h + 2 * s), 2 * (1 + g), s_i2 - s),
        ("s < s_I3 gives (I3) s < h/Q", h / Q - s, sp.Integer(1), s_i3 - s),
    ]


def gamma_in_unit_interval():
    """``γ = g/(1+g)`` with ``g > 0``: the substitution that tells SymPy ``0 < γ < 1``."""
    _, b = criterion_constant()
    gp = sp.Symbol("g", positive=True)
    return {b["symbols"][0]: gp / (1 + gp)}


@dataclass(frozen=True)
class Criterion:
    """The closed-form test ``ρ < c`` for the data, with the numbers behind it."""

    gamma: object
    """Bound on the opening of every cone (rational)."""
    kappa: object
    """``κ = D / h``."""
    constant: object
    """``c(γ, κ, Q)``."""
    rho: object
    """The data's ``ρ``."""
    holds: bool
    """Whether ``ρ < c``."""
    s_min: object
    """Smallest admissible apex offset ``δ(1+γ)/(1−γ)``."""
    s_max: object
    """Largest admissible apex offset ``min((h − γD)/(2(1+γ)), h/Q)``."""


_DEFAULT_CRITERIA: "weakref.WeakKeyDictionary[ClusterData, Criterion]" = weakref.WeakKeyDictionary()
"""The criterion with the default ``γ`` of each live data set: the SymPy evaluation is done once per data set."""


def clustering_criterion(data: ClusterData, gamma=None) -> Criterion:
    """Evaluate the sufficient condition ``ρ < c`` on the data (exactly for exact data); with the default
    ``γ`` the result is kept for the lifetime of ``data`` (both are immutable)."""
    if gamma is not None:
        return _evaluate(data, gamma)
    if data not in _DEFAULT_CRITERIA:
        _DEFAULT_CRITERIA[data] = _evaluate(data, None)
    return _DEFAULT_CRITERIA[data]


def _evaluate(data: ClusterData, gamma) -> Criterion:
    """:func:`clustering_criterion` without the cache."""
    c, b = criterion_constant()
    g, k, Q, d, h = b["symbols"]
    exact = data.kind.is_exact
    if data.Q == 1:
        kappa = sp.Integer(0) if exact else 0.0
    elif exact:
        kappa = sp.sqrt(arith.to_sympy(data.diameter_squared) / arith.to_sympy(min(data.altitudes_squared)))
    else:
        kappa = math.sqrt(float(data.diameter_squared) / float(min(data.altitudes_squared)))
    if gamma is None:
        gamma = sp.Rational(1, 2 * (1 + int(sp.ceiling(kappa))))
    gamma = arith.to_sympy(arith.to_exact(gamma)) if exact else float(gamma)
    if not 0 < gamma < 1:
        raise ConstructionError(f"the cone parameter gamma must lie in (0, 1), got {gamma}")
    values = {g: gamma, k: kappa, Q: data.Q}
    if data.Q == 1:
        s_max = sp.oo if exact else math.inf
        constant = sp.oo if exact else math.inf
    else:
        hv, dv = data.h, data.delta
        values.update({h: hv if exact else float(hv), d: dv if exact else float(dv)})
        s_max = sp.Min(*(e.subs(values) for e in (b["s_I2"], b["s_I3"])))
        constant = c.subs(values)
        if not exact:
            s_max, constant = float(s_max), float(constant)
    s_min = b["s_min"].subs({g: gamma, d: data.delta}) if exact else float(data.delta) * (1 + gamma) / (1 - gamma)
    holds = bool(data.rho < constant)
    return Criterion(gamma, kappa, constant, data.rho, holds, s_min, s_max)
