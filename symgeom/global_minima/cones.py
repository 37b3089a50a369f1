"""The cones of the collapsing layers (docs/mathematics/global-minima.md): layer ``ℓ`` collapses cluster ``k`` into the apex
``p_k = m_k + σ_k n_k`` of a cumulative cone whose rows are ``n_k + t g_i`` (``n_k`` points from ``m_k``
to the affine hull of the other means, ``Σ g_i = 0``); every strict sign condition is checked as the
layers are built.  The lemmas that make ``ρ < c`` sufficient (cone membership from ``v·d > γ|d|``,
``v·(z − p) ≥ h − 2s``, ``|z − p| ≤ D + 2s``) are proved in :mod:`symgeom.global_minima.cone_lemmas`.

>>> from symgeom.data.embedded import default_data
>>> from symgeom.global_minima.criterion import clustering_criterion
>>> data = default_data()
>>> crit = clustering_criterion(data)
>>> cones, margins, _ = collapse_layers(data, (1, 2, 3), crit, default_offsets(data, crit))
>>> [c.cluster for c in cones], all(m > 0 for m in margins)
([1, 2, 3], True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np
import sympy as sp

from ..numbers import arith, sizes
from .._errors import ConstructionError
from ..certify.certificates import FLOAT_RTOL
from .criterion import Criterion
from ..data.clusters import ClusterData
from ..model.truncation import truncation_map
from ..numbers.filtered import exact_minimum, float_points

__all__ = ["CollapseCone", "complement_simplex", "collapse_cone", "rational_inside", "default_offsets", "fitted_cone",
           "collapse_layers", "collapsed_points", "filtered_collapse_margin"]


# -- cones -----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CollapseCone:
    """The cumulative cone of the layer that collapses one cluster."""

    layer: int
    """``ℓ``, the hidden layer (1-based)."""
    cluster: int
    """``k``, the collapsed cluster (1-based)."""
    normal: np.ndarray
    """``n_k = f_k − m_k``; ``v = n_k / h_k`` is the cone's axis."""
    offset: object
    """``σ_k``: the apex is ``p_k = m_k + σ_k n_k``."""
    spread: object
    """``t``: the rows of ``W`` are ``n_k + t g_i``."""
    W: np.ndarray
    """``W^(ℓ)``."""
    b: np.ndarray
    """``b^(ℓ) = −W^(ℓ) p_k``."""

    @cached_property
    def apex(self) -> np.ndarray:
        """``p_k = −W⁻¹ b``."""
        return truncation_map(self.W, self.b).apex


def complement_simplex(n: np.ndarray) -> np.ndarray:
    """``Q`` vectors ``g_i`` (columns) spanning ``n^⊥`` with ``Σ g_i = 0``, rational for rational ``n``:
    ``g_j = e_j − (n_j / n_a) e_a`` for ``j ≠ a`` (``a`` the largest entry of ``n``), and minus their sum."""
    Q = n.shape[0]
    kind = arith.kind_of(n)
    a = int(np.argmax(np.abs(n.astype(float))))
    G = arith.zeros((Q, Q), kind)
    cols = [j for j in range(Q) if j != a]
    for c, j in enumerate(cols):
        G[j, c] = G[j, c] + 1
        G[a, c] = G[a, c] - n[j] / n[a]
    if Q > 1:
        G[:, Q - 1] = -G[:, : Q - 1].sum(axis=1)
    return G


def collapse_cone(data: ClusterData, cluster: int, layer: int, gamma, offset) -> CollapseCone:
    """The cone collapsing ``cluster`` at ``layer`` with apex offset ``σ = offset``; its opening
    ``t·max|g_i|/|n|`` is at most ``gamma`` (``t = γ |n|_∞ / (Q max_i |g_i|_∞)``)."""
    k = cluster - 1
    n = data.normals[:, k]
    G = complement_simplex(n)
    Q, kind = data.Q, data.kind
    gmax = np.max(np.abs(G)) if G.size else 0
    if gmax == 0:
        t = kind.scalar(0)
    else:
        gam = kind.scalar(gamma)
        t = gam * np.max(np.abs(n)) / (Q * gmax)
    W = n[None, :] + t * G.T
    apex = data.means[:, k] + offset * n
    return CollapseCone(layer, cluster, n, offset, t, W, -(W @ apex))


def _simplest_between(x: Fraction, y: Fraction) -> Fraction:
    """The rational with the smallest denominator strictly between ``x < y`` (continued fractions)."""
    fl = math.floor(x)
    if fl + 1 < y:
        return Fraction(fl + 1)
    low = 1 / (y - fl)  # >= 1
    if x == fl:
        return fl + 1 / Fraction(math.floor(low) + 1)
    return fl + 1 / _simplest_between(low, 1 / (x - fl))


def rational_inside(lo, hi):
    """A short rational strictly inside the middle half of ``(lo, hi)``; ``lo``, ``hi`` may be
    algebraic (SymPy).  Found on decimal approximations, then confirmed by exact comparison."""
    lo, hi = sp.sympify(lo), sp.sympify(hi)
    mid, quarter = (lo + hi) / 2, (hi - lo) / 4
    for digits in (30, 60, 120, 240):
        a, b = (Fraction(str(sp.N(e, digits))) for e in (mid - quarter, mid + quarter))
        if a < b:
            q = _simplest_between(a, b)
            r = sp.Rational(q.numerator, q.denominator)
            if bool(lo < r) and bool(r < hi):
                return arith.to_exact(q)
    raise ConstructionError(f"no rational apex offset found in ({lo}, {hi})")


def default_offsets(data: ClusterData, crit: Criterion) -> list:
    """The apex offsets ``σ_k`` with ``σ_k h_k`` in the middle of ``(s_min, s_max)`` (when ``ρ < c``)."""
    exact = data.kind.is_exact
    out = []
    for k in range(data.Q):
        if data.Q == 1:
            lo, hi, hk = crit.s_min, 2 * crit.s_min + 1, (sp.Integer(1) if exact else 1.0)
        else:
            lo, hi, hk = crit.s_min, crit.s_max, data.altitudes[k]
        out.append(rational_inside(sp.sympify(lo) / hk, sp.sympify(hi) / hk) if exact else float((lo + hi) / 2) / float(hk))
    return out


def fitted_cone(data: ClusterData, cluster: int, layer: int, Z: np.ndarray, crit: Criterion, tries: int = 4) -> CollapseCone:
    """The exact check in constructive form, for data where ``ρ < c`` fails: with the cone's rows
    fixed, ``W(z − p) = W(z − m_k) − σ |n_k|² 1``, so the admissible offsets form the interval
    ``max_{z ∈ cluster k} max_i (W(z − m_k))_i / |n_k|² < σ < min_{z ∉ cluster k} min_i (W(z − m_k))_i / |n_k|²``,
    computed exactly on the current points ``Z`` (row by row, divided by ``(W n_k)_i = |n_k|² > 0``).  The opening is halved until the interval is
    non-empty; otherwise :class:`ConstructionError` names the two points in conflict."""
    k = cluster - 1
    n, m = data.normals[:, k], data.means[:, k]
    norm2 = np.sum(n * n)
    inside = data.labels == cluster
    for attempt in range(tries):
        g = crit.gamma / 4**attempt
        cone = collapse_cone(data, cluster, layer, g, 0 * norm2)
        ratios = (cone.W @ (Z - m[:, None])) / (cone.W @ n)[:, None]
        need = ratios[:, inside]
        allow = ratios[:, ~inside]
        lo = arith.largest(need)
        hi = arith.smallest(allow) if allow.size else lo + 2 * abs(lo) + 1
        if lo < hi:
            sigma = rational_inside(arith.to_sympy(lo), arith.to_sympy(hi)) if data.kind.is_exact else (lo + hi) / 2
            return collapse_cone(data, cluster, layer, g, sigma)
    i_lo = int(np.argmax(need.astype(float)) % need.shape[1])
    i_hi = int(np.argmin(allow.astype(float)) % allow.shape[1])
    point_lo = int(np.flatnonzero(inside)[i_lo]) + 1
    point_hi = int(np.flatnonzero(~inside)[i_hi]) + 1
    raise ConstructionError(
        f"layer {layer} (collapsing cluster {cluster}): no apex p = m_{cluster} + sigma n_{cluster} puts cluster {cluster} "
        f"strictly inside the open backward cone and every other point strictly inside the open forward cone: point "
        f"{point_lo} (cluster {cluster}) needs sigma > {sizes.format_number(lo)} but point {point_hi} (cluster "
        f"{int(data.labels[point_hi - 1])}) needs sigma < {sizes.format_number(hi)}; the data are not sufficiently "
        f"clustered: rho = {sizes.format_number(crit.rho)} >= c = {sizes.format_number(crit.constant)}")


def collapse_layers(data: ClusterData, order, crit: Criterion, offsets=None):
    """Layers ``1..len(order)``, layer ``ℓ`` collapsing cluster ``order[ℓ-1]`` into the apex of its
    cone (closed-form offsets when given, else fitted exactly to the current points), every strict
    sign condition checked as the layer is built.  Returns ``(cones, margins, curated points)``."""
    cones, margins, Z = [], [], data.X
    for layer, k in enumerate(order, start=1):
        if offsets is None:
            cone = fitted_cone(data, k, layer, Z, crit)
        else:
            cone = collapse_cone(data, k, layer, crit.gamma, offsets[k - 1])
        collapsed = data.labels == k
        margin = filtered_collapse_margin(cone.W, cone.b, data, order[:layer - 1], [c.apex for c in cones], k)
        if margin is None:
            U = cone.W @ Z + cone.b[:, None]
            margin = _sign_margin(U, collapsed, layer, k, data, crit)
            Z = truncation_map(cone.W, cone.b)(Z)
        else:
            Z = collapsed_points(Z, collapsed, cone.apex)
        margins.append(margin)
        cones.append(cone)
    return tuple(cones), tuple(margins), Z


def collapsed_points(Z: np.ndarray, collapsed: np.ndarray, apex: np.ndarray) -> np.ndarray:
    """``τ(Z)`` for a truncation map under which the columns ``collapsed`` lie in the open backward cone (they
    go to the apex) and every other column in the open forward cone (it stays): no arithmetic needed."""
    out = Z.copy()
    out[:, collapsed] = apex[:, None]
    return out


def filtered_collapse_margin(W: np.ndarray, b: np.ndarray, data: ClusterData, before, apexes, k: int):
    """The exact smallest slack of a collapsing layer's strict sign conditions (``U < 0`` on cluster ``k``,
    ``U > 0`` elsewhere, ``U = W z + b``) on the curated points after the layers that collapsed the clusters
    ``before`` into ``apexes`` (every earlier layer's conditions hold): the points not yet collapsed through
    the floating-point filter, the apexes exactly.  ``None`` when the filter cannot certify every condition
    (exact data only; the caller then computes exactly)."""
    if not data.kind.is_exact:
        return None

    live = ~np.isin(data.labels, list(before))
    sign = np.where(data.labels[live] == k, -1.0, 1.0)
    margin = exact_minimum(W, b, data.X[:, live], float_points(data)[:, live], sign)
    if margin is None:
        return None
    at_apexes = [u for p in apexes for u in (W @ p + b)]
    if any(not u > 0 for u in at_apexes):
        return None
    return min([margin] + at_apexes)


def _sign_margin(U: np.ndarray, collapsed: np.ndarray, layer: int, k: int, data: ClusterData, crit: Criterion):
    """Smallest slack of the strict conditions ``U < 0`` on the collapsed cluster and ``U > 0``
    elsewhere; raises :class:`ConstructionError` at the first violation."""
    slack = np.where(collapsed[None, :], -U, U)
    flat = slack.reshape(-1)
    i = int(np.argmin(flat))
    worst = flat[i]
    tol = 0 if arith.kind_of(flat).is_exact else FLOAT_RTOL * max(1.0, float(np.max(np.abs(U))))
    if not worst > tol:
        row, col = divmod(i, U.shape[1])
        j = int(data.labels[col])
        where = "open backward cone" if j == k else "open forward cone"
        sign = "< 0" if j == k else "> 0"
        reason = (f"layer {layer} (collapsing cluster {k}): point {col + 1} (cluster {j}) is not strictly inside the "
                  f"{where}: (W^({layer}) z + b^({layer}))_{row + 1} = {sizes.format_number(U[row, col])}, needs {sign}")
        if not crit.holds:
            reason += (f"; the data are not sufficiently clustered: rho = {sizes.format_number(crit.rho)} "
                       f">= c = {sizes.format_number(crit.constant)}")
        raise ConstructionError(reason)
    return worst
