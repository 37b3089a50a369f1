"""Pieces the recipes of the paper's numbered statements share: its hypotheses on the data, the parameters
``µ`` they run the paper's construction at, and the runs themselves (computed once per context)."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from symgeom.numbers import arith
from symgeom._errors import ConstructionError
from symgeom.certify.certificates import CERTIFIED, REFUTED, UNDECIDED, Check, Scope
from symgeom.paper.construction import D_estimate, build, lower_end, shift_in_I0, shifted_mu, spread
from symgeom.paper.hypotheses import paper_hypotheses

BEYOND = "beyond the paper"
"""The label of symgeom's own claims."""


@lru_cache(maxsize=4)
def hypotheses(ctx):
    """:func:`~symgeom.paper.hypotheses.paper_hypotheses` on the context's data (exact); the paper's section 2
    needs ``Q >= 2`` (its ``x̄`` and cones are undefined for one cluster)."""
    if ctx.Q < 2:
        raise ConstructionError("the paper's hypotheses and Theorems 2.3-2.5 are stated for Q >= 2")
    if not ctx.kind.is_exact:
        raise ConstructionError("the paper's statements are decided in exact and interval arithmetic only; "
                                "run in exact arithmetic (the default)", remedy="exact")
    return paper_hypotheses(exact_data(ctx))


def exact_data(ctx):
    return ctx.data if ctx.data.kind.is_exact else ctx.data.with_kind("exact")


def require(ctx, depth: str = "L >= Q"):
    """Raise :class:`ConstructionError` naming the failing hypothesis of Theorems 2.3–2.5, or the depth."""
    h = hypotheses(ctx)
    if ctx.Q < 2:
        raise ConstructionError("the paper's Theorems 2.3-2.5 are stated for Q >= 2")
    if not h.holds:
        raise ConstructionError(f"the hypotheses fail on these data: {h.failures}")
    if depth == "L >= Q" and ctx.L < ctx.Q:
        raise ConstructionError(f"Theorem 2.3 needs L >= Q = {ctx.Q}; L = {ctx.L}")
    if depth == "L = Q" and ctx.L != ctx.Q:
        raise ConstructionError(f"Theorems 2.4 and 2.5 are stated for L = Q = {ctx.Q}; L = {ctx.L}")
    empty = [j + 1 for j, r in enumerate(_paper_radii(ctx)) if r == 0]
    if empty:
        raise ConstructionError(f"(2.12) fails: cluster {empty[0]} has no deviation from its mean")
    if not _float_proposals_fit(ctx):
        raise ConstructionError("not decided by symgeom on these data: the paper's construction is run at µ and "
                                "rotations proposed in float64 and certified in interval arithmetic, and the data's "
                                "extent or cluster radii lie beyond float64's range (or their ratio below its precision)")
    if depth == "L = Q" and not _affinely_spanning(ctx):
        raise ConstructionError("the points do not affinely span R^Q: the best affine output is not unique")


def _float_proposals_fit(ctx) -> bool:
    """The squared radii and the squared extent of the data, and their ratio, are normal float64 numbers."""
    import math

    data = exact_data(ctx)
    try:
        r, d = float(max(data.radii_squared)), float(data.diameter_squared)
    except OverflowError:
        return False
    return 1e-300 < r <= d < 1e300 and math.isfinite(d) and r / d > 1e-200


def _paper_radii(ctx):
    return exact_data(ctx).radii_squared


def _affinely_spanning(ctx) -> bool:
    """``rank [X0; 1ᵀ] = Q + 1``: the weighted normal equations of an affine output have one solution."""
    import numpy as np

    X = exact_data(ctx).X
    return arith.rank(np.vstack([X, np.array([arith.to_exact(1)] * X.shape[1], dtype=object)[None, :]])) == ctx.Q + 1


def shift_for(ctx, j: int, size: float) -> Fraction:
    """The rational ``t`` with ``|µ_j| = t |x̄ − x̄_j|`` close to ``size`` (a float proposal)."""
    g = float(spread(exact_data(ctx), j)) ** 0.5
    return Fraction(size / g).limit_denominator(1000)


@lru_cache(maxsize=4)
def choices(ctx) -> dict:
    """Shifts ``t_j`` (``µ_j = −t_j |x̄ − x̄_j|``) at which the claims run: ``inner`` (``|µ| = 3δ√Q``), ``edge``
    (``|µ|`` at 97% of the estimated ``D``), ``companion`` (``|µ| = 5δ/2``, the companion paper's range),
    ``past_centroid`` (``µ_j = −1.01 |x̄ − x̄_j|``: every collapse point just past the centroid), ``kept`` and
    ``kept_far`` (``µ ∈ I1``: ``3δ√Q`` and ten times the largest mean), each with whether it was certified in its
    interval."""
    data, Q = exact_data(ctx), ctx.Q
    low = lower_end(data)
    D = D_estimate(data)
    delta = float(max(data.radii_squared)) ** 0.5
    far = 10 * max(float(sum(data.means[:, j] ** 2)) ** 0.5 for j in range(Q))
    if not D > low:
        raise ConstructionError(f"the interval (2.58) is empty on these data: D = {D:.6g} <= 2 delta |u_Q| = {low:.6g}")
    inner = min(1.5 * low, (low + D) / 2)
    out = {}
    for name, size in (("inner", inner), ("second", (inner + 0.97 * D) / 2), ("edge", 0.97 * D),
                       ("companion", 2.5 * delta)):
        ts = tuple(shift_for(ctx, j, size) for j in range(1, Q + 1))
        out[name] = (ts, all(shift_in_I0(data, j, t) for j, t in enumerate(ts, start=1)))
    past = tuple(Fraction(101, 100) for _ in range(Q))  # every collapse point just past the centroid x̄
    out["past_centroid"] = (past, all(shift_in_I0(data, j, t) for j, t in enumerate(past, start=1)))
    for name, size in (("kept", 1.5 * low), ("kept_far", far)):
        ts = tuple(-shift_for(ctx, j, size) for j in range(1, Q + 1))
        out[name] = (ts, all(arith.to_exact(t) ** 2 * spread(data, j) > 4 * Q * max(data.radii_squared)
                             for j, t in enumerate(ts, start=1)))
    out["D"] = D
    return out


@lru_cache(maxsize=16)
def run(ctx, shifts: tuple, L=None):
    """The paper's construction at ``µ_j = −t_j |x̄ − x̄_j|``."""
    data = exact_data(ctx)
    return build(data, [shifted_mu(data, j, t) for j, t in enumerate(shifts, start=1)], L=L)


def sign_check(ctx, shifts, r, what: str, admissible: bool) -> Check:
    """The run's strict sign conditions as a check: certified (every pre-activation ball on its side; then ``τ``
    acts exactly as the construction says, by T2), refuted with the first violated block, or undecided."""
    where = f"{what}: {mu_text(ctx, shifts)}; mu in its interval {'certified' if admissible else 'NOT certified'}"
    cost = "" if r.cost_squared is None else f"; C_N squared between {r.cost_squared_lower:.3g} and {r.cost_squared_upper:.3g}"
    count = f"{len(r.blocks)} blocks of strict sign conditions"
    if r.signs_certified:
        return Check(CERTIFIED, "interval arithmetic (arb, 192 bits), every pre-activation of every layer", where + cost
                     + f"; {count}", margin=r.min_margin, scope=Scope.these_data())
    if r.violated:
        return Check(REFUTED, "interval arithmetic (arb, 192 bits), every pre-activation of every layer", where + cost,
                     counterexample=f"{r.violated[0].what} {r.violated[0].where}{cost}", scope=Scope.these_data())
    return Check(UNDECIDED, "interval arithmetic (arb, 192 bits)", where + ": a ball contains 0", scope=Scope.these_data())


def mu_text(ctx, shifts) -> str:
    """``µ`` as floats with the exact shifts: ``µ_j ≈ …  (t_j = …)``."""
    data = exact_data(ctx)
    return ", ".join(f"mu_{j} = {-float(t) * float(spread(data, j)) ** 0.5:.6g} (t = {t})"
                     for j, t in enumerate(shifts, start=1))
