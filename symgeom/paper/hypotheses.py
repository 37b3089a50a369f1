"""The hypotheses of the paper's Theorems 2.3–2.5, as the paper states them.

* **(2.14)**: ``δ = max_{j,i} |Δx_{j,i}| < c0 min_j |x̄_j − x̄|`` for some ``0 < c0 < 1/4``, with ``x̄`` the
  average of the means ``x̄_j``; such a ``c0`` exists iff ``16 δ² < min_j |x̄_j − x̄|²`` (rational on rational
  data).  The means are **linearly** independent (the columns of ``X0red``, (2.15), form a basis).
* **The cone condition (2.51)–(2.52)**: ``f_j = (x̄ − x̄_j)/|x̄ − x̄_j|`` (2.49); ``θ_*,j`` is the smallest
  opening of the cone at ``x̄_j`` with axis ``f_j`` that contains the balls ``B_{4δ}(x̄_j')``, ``j' ≠ j``:
  with ``a = x̄_j' − x̄_j`` and ``4δ < |a|``, ``θ_*,j / 2 = max_{j'} ∠(a, f_j) + arcsin(4δ/|a|)``.  The
  assumption is ``max_j θ_*,j < π``.

``θ_*,j < π`` is decided exactly: ``α + β < π/2`` (``α = ∠(a, f_j)``, ``β = arcsin(4δ/|a|)``) iff
``⟨a, x̄ − x̄_j⟩ > 0`` and ``cos²α cos²β > sin²α sin²β``, all rational.  The angles themselves are
printed as ``arb`` balls (python-flint interval arithmetic), which enclose the true values.

>>> from symgeom.data.embedded import default_data
>>> h = paper_hypotheses(default_data())
>>> h.linearly_independent, h.clustered, h.cone_condition
(True, True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import arb

from ..numbers import arith
from ..data.clusters import ClusterData

__all__ = ["PaperHypotheses", "paper_hypotheses", "half_opening", "components", "to_arb", "arb_norm"]


def to_arb(x) -> arb:
    """An exact rational (or integer) as an ``arb`` ball of radius 0 (a ball is returned as it is)."""
    if isinstance(x, arb):
        return x
    q = arith.to_exact(x)
    return arb(q.p) / arb(q.q)


def arb_norm(v) -> arb:
    """``|v|`` for a vector of exact or ``arb`` entries, as a ball."""
    return sum((to_arb(x) if not isinstance(x, arb) else x) ** 2 for x in v).sqrt()


def _dot(a, b):
    return sum((x * y for x, y in zip(a, b)), arith.to_exact(0))


@dataclass(frozen=True)
class PaperHypotheses:
    """The paper's hypotheses on the data: each a boolean decided exactly, with its numbers."""

    linearly_independent: bool
    """``rank X0red = Q`` (exact rank of the matrix of means)."""
    delta_squared: object
    """``δ²`` (2.14), exact."""
    min_spread_squared: object
    """``min_j |x̄_j − x̄|²``, exact."""
    clustered: bool
    """(2.14) with some ``c0 < 1/4``: ``16 δ² < min_j |x̄_j − x̄|²``."""
    c0_lower: object
    """``δ² / min_j |x̄_j − x̄|²``: (2.14) holds exactly for ``c0² >`` this; ``c0`` must exceed its root."""
    far_enough: bool
    """``4δ < |x̄_j' − x̄_j|`` for every pair (the balls of (2.51) miss the apex)."""
    half_angle_ok: tuple
    """``half_angle_ok[j][j']``: ``∠(x̄_j' − x̄_j, f_j) + arcsin(4δ/|x̄_j' − x̄_j|) < π/2``, decided exactly."""
    cone_condition: bool
    """(2.52): ``max_j θ_*,j < π``, decided exactly."""
    theta: tuple
    """``θ_*,j`` as ``arb`` balls (``None`` where ``4δ ≥ |x̄_j' − x̄_j|``)."""

    @property
    def holds(self) -> bool:
        """All hypotheses of Theorems 2.3–2.5 on the data."""
        return self.linearly_independent and self.clustered and self.cone_condition

    @property
    def failures(self) -> str:
        """The hypotheses that fail, in words: ``"not (2.14), not the cone condition (2.52)"``."""
        named = (("the means are linearly independent", self.linearly_independent), ("(2.14)", self.clustered),
                 ("the cone condition (2.52)", self.cone_condition))
        return ", ".join(f"not {name}" for name, holds in named if not holds)

    @property
    def theta_max(self):
        """``max_j θ_*,j`` as a ball (``None`` when undefined)."""
        if any(t is None for t in self.theta):
            return None
        return max(self.theta, key=lambda t: t.mid())


def half_opening(a, g, delta_sq) -> arb:
    """``∠(a, g) + arcsin(√δ'² / |a|)`` as a ball, for exact vectors ``a``, ``g`` and an exact ``δ'² < |a|²``;
    the angle is ``atan2(|a_⊥|, ⟨a, g⟩/|g|)`` with ``|a_⊥|² = |a|² − ⟨a, g⟩²/|g|²`` exact (no ``acos`` near 1)."""
    along, perp_sq = components(a, g)
    angle = arb.atan2(to_arb(perp_sq).sqrt(), along)
    return angle + (to_arb(delta_sq) / to_arb(_dot(a, a))).sqrt().asin()


def components(a, g) -> tuple:
    """``(⟨a, g⟩/|g|, |a|² − ⟨a, g⟩²/|g|²)``: the component of ``a`` along ``g`` (a ball) and the squared
    length of its part orthogonal to ``g`` (exact)."""
    ag, gg = _dot(a, g), _dot(g, g)
    return to_arb(ag) / to_arb(gg).sqrt(), _dot(a, a) - ag * ag / gg


def _below_right_angle(a, g, delta_sq) -> bool:
    """Exactly: ``∠(a, g) + arcsin(δ'/|a|) < π/2`` (``δ'² = delta_sq < |a|²``)."""
    ag, aa, gg = _dot(a, g), _dot(a, a), _dot(g, g)
    if not ag > 0:
        return False
    cos2a = ag * ag / (aa * gg)
    sin2b = delta_sq / aa
    return cos2a * (1 - sin2b) > (1 - cos2a) * sin2b


def paper_hypotheses(data: ClusterData) -> PaperHypotheses:
    """Decide (2.14), the linear independence of the means, and (2.51)–(2.52) on exact data."""
    data = data if data.kind.is_exact else data.with_kind("exact")
    M, Q = data.means, data.Q
    centre = M.sum(axis=1) / arith.to_exact(Q)
    spreads = [_dot(M[:, j] - centre, M[:, j] - centre) for j in range(Q)]
    d2 = max(data.radii_squared)
    four_d2 = 16 * d2
    ok_rows, thetas, far = [], [], True
    for j in range(Q):
        g = centre - M[:, j]
        row, halves = [], []
        for k in range(Q):
            if k == j:
                row.append(True)
                continue
            a = M[:, k] - M[:, j]
            if not four_d2 < _dot(a, a):
                far = False
                row.append(False)
                halves = None
                continue
            row.append(_below_right_angle(a, g, four_d2))
            if halves is not None:
                halves.append(half_opening(a, g, four_d2))
        ok_rows.append(tuple(row))
        thetas.append(None if halves is None else 2 * max(halves, key=lambda t: t.mid()))
    independent = arith.rank(M) == Q
    m2 = min(spreads)
    return PaperHypotheses(independent, d2, m2, 16 * d2 < m2, d2 / m2, far, tuple(ok_rows),
                           far and all(all(r) for r in ok_rows), tuple(thetas))

