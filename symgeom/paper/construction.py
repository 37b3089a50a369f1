"""The paper's own construction of Theorem 2.3 (its (4.21)–(4.75)), run in interval arithmetic.

Cumulative parameters (2.63)–(2.65), for the layer ``ℓ = 1..Q`` that handles cluster ``ℓ``:

* ``W^(ℓ) = W_* R_ℓ`` with ``R_ℓ ∈ SO(Q)``, ``R_ℓ f_ℓ = u/|u|`` (``u = (1, …, 1)``, ``f_ℓ`` of (2.49));
* ``W_* = R̃ diag(1, λ, …, λ) R̃ᵀ = λ I + (1 − λ) u uᵀ / Q`` (4.28), ``λ = tan(θ_Q/2) / tan(θ_*/2)`` when
  ``θ_* > θ_Q`` and ``1`` otherwise (4.29), ``tan(θ_Q/2) = 1/√(Q − 1)`` (4.27), ``θ_* = θ0 + max_j θ_*,j``
  (4.24); the paper leaves ``θ0 > 0`` free, here ``θ0 = (π − max_j θ_*,j)/2`` unless given;
* ``b^(ℓ) = −W^(ℓ) x̄_ℓ + µ_ℓ R_ℓ f_ℓ`` (4.58), so the apex ``−(W^(ℓ))⁻¹ b^(ℓ)`` is ``x̄_ℓ − µ_ℓ f_ℓ``
  (``W_* u = u``, (4.31)): cluster ``ℓ`` collapses there when its points lie in the backward cone
  (``µ_ℓ ∈ I0 = (−D, −2δ|u|)``) and is left alone when they lie in the forward cone (``µ_ℓ ∈ I1``);
* layers ``ℓ > Q`` (when ``L > Q``): ``W^(ℓ) = I``, ``b^(ℓ) = β u`` with ``β`` above every current coordinate's
  negative part (the identity on the current points);
* output (4.75): cumulative ``W^(L+1) = Y (X0red[µ])⁻¹``, cumulative bias ``0``.

``R_ℓ`` is the Householder reflection taking ``f_ℓ`` to ``u/|u|`` followed by the swap of the first two
coordinates (which fixes ``u``): a rotation.  ``f_ℓ``, ``|u|``, ``λ`` are irrational, so the forward pass
runs in ``arb`` balls (python-flint), which enclose the exact values: a pre-activation ball that excludes 0
decides its sign rigorously, and then ``τ`` is, by T2, the identity on the forward cone and the apex on
the backward cone exactly.

>>> from symgeom.data.embedded import default_data
>>> from fractions import Fraction
>>> run = build(default_data(), [Fraction(-7, 5)] * 3)
>>> run.signs_certified, run.cost_squared_upper < 1e-20
(True, True)
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

import flint
import numpy as np
from flint import arb

from ..numbers import arith
from .._errors import ConstructionError
from ..data.clusters import ClusterData
from .hypotheses import arb_norm, components, paper_hypotheses, to_arb

__all__ = ["PaperRun", "Block", "build", "theta_star", "cone_426_holds", "in_I0", "lower_end", "D_estimate",
           "PRECISION", "spread", "shifted_mu", "shift_in_I0", "precision"]

PRECISION = 192
"""Bits of the ``arb`` midpoints."""


@contextmanager
def precision(bits: int = PRECISION):
    """Run with ``bits`` of ``arb`` precision, restoring python-flint's setting after."""
    old = flint.ctx.prec
    flint.ctx.prec = bits
    try:
        yield
    finally:
        flint.ctx.prec = old


@dataclass(frozen=True)
class Block:
    """The strict sign conditions of one group of points in one layer."""

    layer: int
    what: str
    """``collapsing cluster``, ``kept cluster``, ``earlier collapse points`` (the step (4.59)) or ``later clusters``."""
    expected: str
    """``"<0"`` (backward cone: every coordinate negative) or ``">0"`` (forward cone)."""
    margin: float
    """Smallest slack (a lower bound of ``±`` the pre-activations, as a float): ``> 0`` when certified."""
    verdict: str
    """``certified`` (every ball strictly on the expected side), ``violated`` (some ball strictly on the other
    side, with ``where``) or ``undecided``."""
    where: str = ""


@dataclass(frozen=True)
class PaperRun:
    """The paper's construction at one ``µ`` on the data, with its sign blocks and outputs."""

    mu: tuple
    theta_star: arb
    lam: arb
    blocks: tuple
    curated: np.ndarray
    """``τ_{W^(L), b^(L)}(X0)`` as ``arb`` balls (``Q x N``), cf. (2.59), (2.70), (2.84)."""
    apexes: tuple
    """``x̄_ℓ − µ_ℓ f_ℓ`` (balls), ``ℓ = 1..Q``."""
    cost_squared: arb | None
    """``C_N²`` of the output (4.75) (bias 0), when every ``µ_ℓ < 0``; else ``None``."""

    @property
    def signs_certified(self) -> bool:
        return all(b.verdict == "certified" for b in self.blocks)

    @property
    def violated(self) -> list:
        return [b for b in self.blocks if b.verdict == "violated"]

    @property
    def min_margin(self) -> float:
        return min(b.margin for b in self.blocks)

    @property
    def cost_squared_upper(self) -> float:
        return float(self.cost_squared.upper()) if self.cost_squared is not None else float("nan")

    @property
    def cost_squared_lower(self) -> float:
        return float(self.cost_squared.lower()) if self.cost_squared is not None else float("nan")


def theta_star(hyp, theta0=None) -> arb:
    """``θ_* = θ0 + max_j θ_*,j`` (4.24), ``θ0 = (π − max_j θ_*,j)/2`` by default."""
    top = hyp.theta_max
    return top + ((arb.pi() - top) / 2 if theta0 is None else theta0)


def _lambda(theta: arb, Q: int) -> arb:
    """(4.29): ``tan(θ_Q/2)/tan(θ_*/2)`` if ``θ_* > θ_Q``, else 1; ``tan(θ_Q/2) = 1/√(Q−1)``."""
    tq = 1 / arb(Q - 1).sqrt()
    t = (theta / 2).tan()
    if t > tq:
        return tq / t
    if t < tq:
        return arb(1)
    raise ConstructionError("θ_* = θ_Q cannot be decided in interval arithmetic; choose another θ0")


def _directions(data: ClusterData) -> list:
    """``f_j = (x̄ − x̄_j)/|x̄ − x̄_j|`` (2.49), as ball vectors."""
    M = data.means
    centre = M.sum(axis=1) / arith.to_exact(data.Q)
    out = []
    for j in range(data.Q):
        g = [to_arb(x) for x in centre - M[:, j]]
        n = arb_norm(g)
        out.append(np.array([x / n for x in g], dtype=object))
    return out


def _rotation(f: np.ndarray, Q: int) -> np.ndarray:
    """``R ∈ SO(Q)`` with ``R f = u/|u|``: the Householder reflection along ``f − u/|u|``, then the swap of
    coordinates 1 and 2."""
    e = np.array([1 / arb(Q).sqrt()] * Q, dtype=object)
    v = f - e
    vv = sum(x * x for x in v)
    H = np.array([[arb(int(i == k)) for k in range(Q)] for i in range(Q)], dtype=object)
    if not vv > 0:  # f = u/|u| up to the balls' width: then R = I keeps R f = u/|u|
        return H
    H = H - 2 * np.outer(v, v) / vv
    return H[[1, 0] + list(range(2, Q))]


def _sigma(a: arb) -> arb:
    """``max(a, 0)`` as a ball."""
    if a > 0:
        return a
    if a < 0:
        return arb(0)
    return (a + abs(a)) / 2


def _block(layer, what, expected, U: np.ndarray, labels_of) -> Block:
    """Classify the columns ``U`` (pre-activations) against the expected strict sign."""
    if U.size == 0:
        return Block(layer, what, expected, float("inf"), "certified")
    signed = U if expected == ">0" else -U
    lows = np.vectorize(lambda a: float(a.lower()), otypes=[float])(signed)
    highs = np.vectorize(lambda a: float(a.upper()), otypes=[float])(signed)
    margin = float(lows.min())
    if (lows > 0).all() and all(a > 0 for a in signed.reshape(-1)):
        return Block(layer, what, expected, margin, "certified")
    if (highs < 0).any():
        i, n = np.argwhere(highs < 0)[0]
        return Block(layer, what, expected, margin, "violated",
                     f"layer {layer}, {labels_of(n)}, coordinate {i + 1}: pre-activation {float(signed[i, n].mid()):.6g} "
                     f"has the wrong sign")
    return Block(layer, what, expected, margin, "undecided")


def build(data: ClusterData, mu, L: int | None = None, theta0=None) -> PaperRun:
    """Run the construction of Theorem 2.3 (and of Theorems 2.4–2.5 when some ``µ_ℓ > 0``) at the rational
    ``µ`` on exact data, with ``L ≥ Q`` hidden layers (default ``Q``)."""
    data = data if data.kind.is_exact else data.with_kind("exact")
    Q = data.Q
    L = Q if L is None else L
    if L < Q:
        raise ConstructionError(f"the construction of Theorem 2.3 needs L >= Q = {Q} hidden layers, got L = {L}")
    with precision():
        hyp = paper_hypotheses(data)
    if not hyp.holds:
        raise ConstructionError(f"the hypotheses of Theorem 2.3 fail on these data: {hyp.failures}")
    mu = tuple(m if isinstance(m, arb) else Fraction(m) for m in mu)
    with precision():
        return _forward(data, mu, L, hyp, theta0)


def _forward(data, mu, L, hyp, theta0) -> PaperRun:
    Q, labels = data.Q, np.asarray(data.labels)
    th = theta_star(hyp, theta0)
    lam = _lambda(th, Q)
    uu = np.array([[arb(1) for _ in range(Q)] for _ in range(Q)], dtype=object) / Q
    eye = np.array([[arb(int(i == k)) for k in range(Q)] for i in range(Q)], dtype=object)
    W_star, W_star_inv = lam * eye + (1 - lam) * uu, eye / lam + (1 - 1 / lam) * uu
    fs = _directions(data)
    e = np.array([1 / arb(Q).sqrt()] * Q, dtype=object)
    Z = np.vectorize(to_arb, otypes=[object])(data.X)
    M = np.vectorize(to_arb, otypes=[object])(data.means)
    apexes = tuple(M[:, l] - to_arb(mu[l]) * fs[l] for l in range(Q))
    blocks = []
    for layer in range(1, L + 1):
        if layer <= Q:
            l = layer - 1
            R = _rotation(fs[l], Q)
            W, W_inv = W_star @ R, R.T @ W_star_inv
            b = -(W @ M[:, l]) + to_arb(mu[l]) * e
        else:
            low = min(float(a.lower()) for a in Z.reshape(-1))
            W, W_inv, b = eye, eye, np.array([arb(int(max(0, -low)) + 1)] * Q, dtype=object)
        U = W @ Z + b[:, None]
        blocks += _layer_blocks(layer, U, labels, mu, Q, data)
        Z = W_inv @ (np.vectorize(_sigma, otypes=[object])(U) - b[:, None])
    cost = _output_cost(data, Z, apexes) if all(m < 0 for m in mu) else None
    return PaperRun(mu, th, lam, tuple(blocks), Z, apexes, cost)


def _layer_blocks(layer, U, labels, mu, Q, data) -> list:
    """The blocks of one layer: the cluster it handles, the earlier collapse points (4.59), the others."""
    name = lambda n: f"point {n + 1} (cluster {labels[n]})"
    if layer > Q:
        return [_block(layer, "every current point (identity layer)", ">0", U, name)]
    cols = lambda mask: np.flatnonzero(mask)
    here = labels == layer
    earlier = np.isin(labels, [j + 1 for j in range(layer - 1) if mu[j] < 0])
    rest = ~here & ~earlier
    out = []
    for what, mask, sign in (("collapsing cluster" if mu[layer - 1] < 0 else "kept cluster", here,
                              "<0" if mu[layer - 1] < 0 else ">0"),
                             ("earlier collapse points", earlier, ">0"), ("other clusters", rest, ">0")):
        idx = cols(mask)
        out.append(_block(layer, what, sign, U[:, idx], lambda k, idx=idx: name(idx[k])))
    return out


def _output_cost(data, Z, apexes) -> arb:
    """``C_N²`` of the cumulative output ``Y (X0red[µ])⁻¹`` with bias 0 (4.75), as a ball."""
    P = flint.arb_mat([[apexes[j][i] for j in range(data.Q)] for i in range(data.Q)])
    Y = flint.arb_mat([[to_arb(x) for x in row] for row in data.Y])
    A = Y * P.inv()
    A = np.array([[A[i, k] for k in range(data.Q)] for i in range(data.Q)], dtype=object)
    R = A @ Z - np.vectorize(to_arb, otypes=[object])(data.targets_ext)
    weights = np.array([1 / arb(n) for n in data.sizes], dtype=object)[np.asarray(data.labels) - 1]
    return ((R * R).sum(axis=0) * weights).sum()


# -- the ranges of µ -------------------------------------------------------------------------
def lower_end(data: ClusterData) -> float:
    """``2δ|u| = 2δ√Q``, the end of ``I0`` and ``I1`` (2.78)–(2.79), as a float (it proposes; :func:`in_I0`
    decides)."""
    return 2 * float(max(data.radii_squared)) ** 0.5 * data.Q ** 0.5


def _exceeds_lower_end(t: Fraction, data) -> bool:
    """Exactly: ``t > 2δ√Q`` iff ``t² > 4Qδ²``."""
    return t > 0 and arith.to_exact(t) ** 2 > 4 * data.Q * max(data.radii_squared)


def cone_426_holds(data: ClusterData, t: Fraction, theta=None) -> bool:
    """(4.26) at ``µ = −t`` for every ``j``: the cone ``x̄_j + t f_j + C_{θ_*}[f_j]`` contains every ball
    ``B_δ(x̄_j')``, ``j' ≠ j``, certified in balls, strictly.  With ``a = x̄_j' − x̄_j − t f_j`` and ``φ = θ_*/2 <
    π/2`` the ball lies in the cone iff its centre is at distance ``≥ δ`` from the boundary:
    ``sin φ ⟨a, f_j⟩ − cos φ |a_⊥| > δ`` (``|a_⊥|`` does not depend on ``t``; it is exact).  Along ``t`` the
    left side decreases, so it then holds for every smaller ``t`` too."""
    data = data if data.kind.is_exact else data.with_kind("exact")
    with precision():
        hyp = paper_hypotheses(data)
        half = theta_star(hyp, theta) / 2
        d = to_arb(max(data.radii_squared)).sqrt()
        M = data.means
        centre = M.sum(axis=1) / arith.to_exact(data.Q)
        for j in range(data.Q):
            for k in range(data.Q):
                if k == j:
                    continue
                along, perp_sq = components(M[:, k] - M[:, j], centre - M[:, j])
                slack = half.sin() * (along - to_arb(t)) - half.cos() * to_arb(perp_sq).sqrt() - d
                if not slack > 0:
                    return False
    return True


def spread(data: ClusterData, j: int):
    """``|x̄ − x̄_j|²`` (exact), ``j`` 1-based."""
    M = data.means
    g = M.sum(axis=1) / arith.to_exact(data.Q) - M[:, j - 1]
    return sum(g * g)


def shifted_mu(data: ClusterData, j: int, t: Fraction) -> arb:
    """``µ_j = −t |x̄ − x̄_j|`` (a ball): the collapse point ``x̄_j − µ_j f_j = x̄_j + t (x̄ − x̄_j)`` is rational."""
    data = data if data.kind.is_exact else data.with_kind("exact")
    with precision():
        return -to_arb(t) * to_arb(spread(data, j)).sqrt()


def shift_in_I0(data: ClusterData, j: int, t: Fraction, theta=None) -> bool:
    """``µ_j = −t |x̄ − x̄_j| ∈ I0``: ``t² |x̄ − x̄_j|² > 4Qδ²`` exactly and (4.26) certified at ``−µ_j``."""
    data = data if data.kind.is_exact else data.with_kind("exact")
    lower = arith.to_exact(t) ** 2 * spread(data, j) > 4 * data.Q * max(data.radii_squared)
    return t > 0 and lower and cone_426_holds(data, -shifted_mu(data, j, t), theta)


def in_I0(mu, data, theta=None) -> bool:
    """``µ ∈ (−D, −2δ|u|)^Q`` (2.58): every ``−µ_j > 2δ√Q`` exactly and (4.26) certified at ``max_j(−µ_j)``."""
    ts = [-Fraction(m) for m in mu]
    return all(_exceeds_lower_end(t, data) for t in ts) and cone_426_holds(data, max(ts), theta)


def D_estimate(data: ClusterData, steps: int = 40) -> float:
    """``D`` of (4.26) by bisection (floats propose; :func:`in_I0` certifies a chosen ``µ``)."""
    lo, hi = 0.0, float(max(np.linalg.norm(np.asarray(data.means, dtype=float), axis=0))) * 4
    for _ in range(steps):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cone_426_holds(data, Fraction(mid).limit_denominator(10**9)) else (lo, mid)
    return lo
