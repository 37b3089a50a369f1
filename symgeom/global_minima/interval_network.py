"""Zero cost at depth 2: clusters that project to disjoint intervals along a direction ``v``.

Let the projections ``v·x`` of the clusters lie in pairwise disjoint intervals, ordered (the
cluster ``π(k)`` is the ``k``-th along ``v``) ``I_k = [a_k, b_k]`` with ``b_k < a_{k+1}``.  With
the gaps ``g_k = a_{k+1} − b_k``, thresholds ``τ_k = b_k + g_k/3`` and widths ``ε_k = g_k/3``
(``k = 1..Q−1``), the network

* layer 1: ``r_k = σ(v·x − τ_k)`` (ramps),
* layer 2: ``s_k = σ(ε_k − r_k)`` (steps: ``ε_k`` on clusters ``π(1..k)``, ``0`` on the others),
* layers ``3..L``: ``σ(x + 1) = x + 1`` (``x ≥ 0``: every pre-activation ``≥ 1``),
* output: ``y_{π(Q)} − Σ_k (y_{π(k+1)} − y_{π(k)}) s_k / ε_k`` (the shift of layers ``3..L`` removed),

(neuron ``Q`` of layers 1 and 2 dead: row 0, bias ``−1``) sends every point of cluster ``π(j)`` to
``y_{π(Q)} − Σ_{k ≥ j} (y_{π(k+1)} − y_{π(k)}) = y_{π(j)}`` (telescoping): cost exactly 0 for every ``Q`` and
``L ≥ 2``, a global minimum (``C ≥ 0``).  Every pre-activation is nonzero at every point: on cluster
``π(j)``, ``v·x − τ_k ≤ b_k − τ_k < 0`` for ``k ≥ j`` and ``v·x − τ_k ≥ a_{k+1} − τ_k = 2ε_k > ε_k`` for
``k < j``.  The point lies outside every stratum ``R_S``: every point has a dead neuron (no cluster is
kept); for ``Q ≥ 3`` a middle cluster is mixed in both layers, for ``Q = 2`` both clusters are truncated.

The direction is proposed by a linear program (scipy) and decided exactly: ``v`` is rounded to a
rational vector and every interval's separation checked in exact arithmetic on the data.

>>> from symgeom.data.embedded import default_data
>>> net = interval_network(default_data(), 2)
>>> sorted(net.order), net.cost, net.certificate.status
([1, 2, 3], 0, 'certified')
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..numbers import arith
from .._errors import ConstructionError
from ..certify.certificates import Check, Scope, certify_equal, certify_positive, combine
from ..calculus.cost import cost, cost_scale
from ..data.clusters import ClusterData
from ..model.network import Parameters, forward
from ..certify.proofs import prove_zero
from .cone_lemmas import Premise, positive_combination

__all__ = ["Projection", "IntervalNetwork", "interval_projection", "separating_direction", "interval_parameters",
           "interval_network", "depth_two_proof", "MAX_EXHAUSTIVE_Q", "certify_interval_network"]

MAX_EXHAUSTIVE_Q = 6
"""Up to this ``Q`` every order of the clusters (up to reversal) is tried by LP; beyond it only the orders
that candidate directions propose."""
DENOMINATORS = (1, 10, 100, 10**4, 10**8, None)
"""Largest denominators tried when rounding the LP's direction (``None``: the float's exact value)."""


@dataclass(frozen=True, eq=False)
class Projection:
    """The clusters' projections ``v·x`` along ``v``, in the data's number kind."""

    v: np.ndarray
    """The direction (rational for exact data)."""
    order: tuple
    """``π``: the clusters (1-based) by increasing smallest projection."""
    low: tuple
    """``a_k = min v·x`` over cluster ``π(k)``."""
    high: tuple
    """``b_k = max v·x`` over cluster ``π(k)``."""

    @property
    def gaps(self) -> tuple:
        """``g_k = a_{k+1} − b_k``; the intervals are disjoint iff all are ``> 0``."""
        return tuple(a - b for a, b in zip(self.low[1:], self.high[:-1]))

    @property
    def separates(self) -> bool:
        """Whether the intervals ``I_k`` are pairwise disjoint (exactly, for exact data)."""
        return all(g > 0 for g in self.gaps)


def interval_projection(data: ClusterData, v: np.ndarray) -> Projection:
    """The intervals ``I_j = [min, max]`` of ``v·x`` over each cluster: one matrix product, then a reduction per
    cluster; ordered by their left ends."""
    p = arith.matmul(v[None, :], data.X)[0]
    ends = [(arith.smallest(p[data.labels == j]), arith.largest(p[data.labels == j]), j) for j in range(1, data.Q + 1)]
    ends.sort(key=lambda e: (e[0], e[2]))
    return Projection(v, tuple(e[2] for e in ends), tuple(e[0] for e in ends), tuple(e[1] for e in ends))


def _lp_direction(Xf: np.ndarray, labels: np.ndarray, order, rounds: int = 12) -> np.ndarray | None:
    """LP in ``(v, t_1..t_{Q−1})``: ``v·x − t_k ≤ −1`` on cluster ``order[k−1]``, ``≥ 1`` on ``order[k]``;
    feasible iff the clusters are strictly separated in that order along some ``v``.  Solved on a few points
    per cluster, adding the points that violate a constraint (an LP on fewer points is a relaxation: its
    infeasibility settles the order).  ``v``, or ``None`` when infeasible or not settled in ``rounds``."""
    clusters = [Xf[:, labels == j] for j in order]
    active = [_extremes(Z, Z.mean(axis=1) - Xf.mean(axis=1)) for Z in clusters]
    for _ in range(rounds):
        sol = _solve_order_lp([Z[:, a] for Z, a in zip(clusters, active)])
        if sol is None:
            return None
        v, t = sol
        grown = False
        for i, Z in enumerate(clusters):
            p = v @ Z
            bad = np.zeros(p.shape, dtype=bool)
            if i < len(clusters) - 1:
                bad |= p - t[i] > -1 + 1e-9
            if i > 0:
                bad |= p - t[i - 1] < 1 - 1e-9
            new = np.flatnonzero(bad & ~active[i])
            if new.size:
                active[i][new[:64]] = True
                grown = True
        if not grown:
            return v
    return None


def _extremes(Z: np.ndarray, d: np.ndarray, k: int = 8) -> np.ndarray:
    """A mask of the ``k`` points of ``Z`` (columns) with the largest and the ``k`` with the smallest ``d·x``."""
    mask = np.zeros(Z.shape[1], dtype=bool)
    p = d @ Z
    idx = np.argsort(p, kind="stable")
    mask[idx[:k]] = True
    mask[idx[-k:]] = True
    return mask


def _solve_order_lp(clusters) -> tuple | None:
    """The LP of :func:`_lp_direction` on the given point sets (columns), in their order: ``(v, t)`` or ``None``."""
    from scipy.optimize import linprog

    Q = clusters[0].shape[0]
    m = len(clusters) - 1
    rows = []
    for k in range(m):
        for sign, Z in ((1.0, clusters[k]), (-1.0, clusters[k + 1])):
            t = np.zeros((Z.shape[1], m))
            t[:, k] = -sign
            rows.append(np.hstack([sign * Z.T, t]))
    A = np.vstack(rows)
    res = linprog(np.zeros(A.shape[1]), A_ub=A, b_ub=-np.ones(A.shape[0]), bounds=(None, None), method="highs")
    return (res.x[:Q], res.x[Q:]) if res.status == 0 else None


def _candidate_orders(data: ClusterData, Xf: np.ndarray, exhaustive: bool = True):
    """Orders of the clusters to try: those of the means along the principal directions of the means and along
    each difference of two means, then (``exhaustive`` and ``Q ≤ MAX_EXHAUSTIVE_Q``) every order up to reversal."""
    means = np.stack([Xf[:, data.labels == j].mean(axis=1) for j in range(1, data.Q + 1)], axis=1)
    centred = means - means.mean(axis=1, keepdims=True)
    dirs = list(np.linalg.svd(centred, full_matrices=False)[0].T)
    dirs += [means[:, j] - means[:, i] for i, j in itertools.combinations(range(data.Q), 2)]
    seen = set()
    for d in dirs:
        order = tuple(int(i) + 1 for i in np.argsort(d @ means, kind="stable"))
        yield from _new(order, seen)
    if exhaustive and data.Q <= MAX_EXHAUSTIVE_Q:
        for order in itertools.permutations(range(1, data.Q + 1)):
            yield from _new(order, seen)


def _new(order, seen):
    """``order`` once, counting it and its reversal as the same."""
    key = min(order, order[::-1])
    if key not in seen:
        seen.add(key)
        yield order


def _rational_direction(v: np.ndarray, kind, denominator):
    """``v / max|v_i|`` rounded to rationals of denominator at most ``denominator`` (exact data), else as is."""
    v = v / np.max(np.abs(v))
    if not kind.is_exact:
        return v
    fr = [Fraction(float(x)) if denominator is None else Fraction(float(x)).limit_denominator(denominator) for x in v]
    return arith.array(fr, kind)


def _proposal_points(data: ClusterData) -> np.ndarray:
    """The points in float64 for the LP, moved and scaled exactly first for exact data: ``(x − m_1)/M`` with
    ``M = max |x − m_1|_∞`` (the separating directions and the order along them do not change), so data of any
    magnitude fit float64.  Float data are already in float mode's working units."""
    if not data.kind.is_exact:
        return np.asarray(data.X, dtype=float)
    Z = data.X - data.means[:, :1]
    M = max(arith.largest(Z), -arith.smallest(Z))
    return np.asarray(Z / M if M != 0 else Z, dtype=float)


def separating_direction(data: ClusterData, exhaustive: bool = True) -> Projection | None:
    """A direction along which the clusters project to pairwise disjoint intervals, proposed by LP and decided
    on the data (exactly for exact data), or ``None`` when none was found (not a proof that none exists).
    ``exhaustive=False`` tries only the orders that candidate directions propose."""
    if data.Q == 1:
        return interval_projection(data, arith.array([1] + [0] * (data.Q - 1), data.kind))
    Xf = _proposal_points(data)
    for order in _candidate_orders(data, Xf, exhaustive):
        v = _lp_direction(Xf, data.labels, order)
        if v is None or not np.any(v):
            continue
        for denominator in DENOMINATORS if data.kind.is_exact else (None,):
            proj = interval_projection(data, _rational_direction(v, data.kind, denominator))
            if proj.separates:
                return proj
    return None


def interval_parameters(proj: Projection, Y: np.ndarray, L: int) -> Parameters:
    """The network of the module docstring for the projection ``proj`` (disjoint intervals), targets ``Y``
    (columns ``y_j``) and ``L ≥ 2`` hidden layers."""
    Q, kind = Y.shape[0], arith.kind_of(Y)
    if L < 2 or Q < 2 or not proj.separates:
        raise ConstructionError(f"the interval network needs Q >= 2, L >= 2 and disjoint intervals (Q = {Q}, L = {L})")
    third = kind.scalar(Fraction(1, 3) if kind.is_exact else 1 / 3)
    eps = [g * third for g in proj.gaps]
    tau = [b + e for b, e in zip(proj.high, eps)]
    one, dead = kind.scalar(1), [kind.scalar(-1)]
    # layer 1: r_k = σ(v·x − τ_k); layer 2: s_k = σ(ε_k − r_k); neuron Q dead in both
    W1 = arith.zeros((Q, Q), kind)
    W1[: Q - 1] = proj.v[None, :]
    W2 = arith.zeros((Q, Q), kind)
    for k in range(Q - 1):
        W2[k, k] = -one
    weights, biases = [W1, W2], [arith.array([-t for t in tau] + dead, kind), arith.array(eps + dead, kind)]
    # layers 3..L: σ(x + 1) = x + 1 on x ≥ 0
    weights += [arith.identity(Q, kind) for _ in range(L - 2)]
    biases += [arith.full((Q,), 1, kind) for _ in range(L - 2)]
    # output: y_π(Q) − Σ_k (y_π(k+1) − y_π(k)) s_k / ε_k, less the shift (L − 2)·1 of layers 3..L
    y = [Y[:, j - 1] for j in proj.order]
    Wout = arith.zeros((Q, Q), kind)
    for k in range(Q - 1):
        Wout[:, k] = (y[k] - y[k + 1]) / eps[k]
    shift = arith.full((Q,), L - 2, kind)
    weights.append(Wout)
    biases.append(y[-1] - arith.matmul(Wout, shift[:, None])[:, 0])
    return Parameters(tuple(weights), tuple(biases))


@dataclass(frozen=True, eq=False)
class IntervalNetwork:
    """A zero-cost network of depth ``L ≥ 2`` from disjoint intervals, with its certificate."""

    data: ClusterData
    L: int
    projection: Projection
    params: Parameters
    certificate: Check
    """Every interval separated, every hidden pre-activation nonzero at every point, and cost 0 (exactly for
    exact data)."""

    @property
    def order(self) -> tuple:
        """``π``: the clusters along ``v``."""
        return self.projection.order

    @property
    def cost(self):
        """``C(θ) = 0``."""
        return cost(self.params, self.data)


def certify_interval_network(data: ClusterData, proj: Projection, params: Parameters) -> Check:
    """Exactly (exact data): the gaps ``g_k > 0``, every hidden pre-activation ``≠ 0`` (so the activation
    pattern is constant near ``θ``), and ``C(θ) = 0``."""
    pre, xs = forward(params, data.X)
    gaps = certify_positive(np.array(proj.gaps, dtype=data.kind.dtype), "the intervals along v are disjoint")
    signs = certify_positive(np.abs(np.stack(pre[:-1])), "every hidden pre-activation nonzero at every point")
    r = xs[-1] - data.targets_ext
    zero = certify_equal(np.array([np.sum(r * r)], dtype=data.kind.dtype), np.array([0], dtype=data.kind.dtype),
                         "cost 0", scale=cost_scale(data))
    label = "exact" if data.kind.is_exact else "float64"
    return combine([gaps, signs, zero], f"{label} disjoint intervals along v, nonzero pre-activations and cost 0",
                   f"order {list(proj.order)}, v = [{', '.join(str(x) for x in proj.v)}]", scope=Scope.these_data())


def interval_network(data: ClusterData, L: int, exhaustive: bool = True) -> IntervalNetwork:
    """The zero-cost network of depth ``L ≥ 2`` along a separating direction found by LP (see
    :func:`separating_direction`); raises :class:`ConstructionError` when none is found."""
    if data.Q < 2 or L < 2:
        raise ConstructionError(f"the interval network needs Q >= 2 and L >= 2 (Q = {data.Q}, L = {L})")
    proj = separating_direction(data, exhaustive)
    if proj is None:
        tried = ("every order of the clusters" if exhaustive and data.Q <= MAX_EXHAUSTIVE_Q
                 else "the orders of candidate directions")
        raise ConstructionError(f"no direction found along which the {data.Q} clusters project to pairwise disjoint "
                                f"intervals (LP over {tried})")
    params = interval_parameters(proj, data.Y, L)
    return IntervalNetwork(data, L, proj, params, certify_interval_network(data, proj, params))


def depth_two_proof() -> Check:
    """The theorem of the module docstring at symbolic ``Q`` and ``j``: the output on cluster ``π(j)`` telescopes,
    ``y_Q − Σ_{k=j}^{Q−1} (y_{k+1} − y_k) = y_j`` (SymPy sums an ``IndexedBase``), and the signs, as positivity
    certificates (:func:`~symgeom.global_minima.cone_lemmas.positive_combination`) with ``τ_k = b_k + ε_k``, ``3ε_k = a_{k+1} − b_k``
    and ``p = v·x``: ``k ≥ j`` gives ``−(p − τ_k) ≥ ε_k > 0`` (from ``p ≤ b_j ≤ b_k``), ``k < j`` gives
    ``p − τ_k ≥ 2ε_k`` (from ``p ≥ a_j ≥ a_{k+1}``), so ``ε_k − r_k ≤ −ε_k < 0``."""
    import sympy as sp


    y = sp.IndexedBase("y")
    k, j, Q = sp.symbols("k j Q", integer=True, positive=True)
    telescope = prove_zero(y[Q] - sp.Sum(y[k + 1] - y[k], (k, j, Q - 1)).doit() - y[j],
                           "SymPy summation at symbolic Q and j", "output on cluster pi(j): steps 1 for k >= j, 0 below")
    p, b, a = sp.symbols("p b_k a_{k+1}", real=True)
    eps = sp.Symbol("epsilon_k", positive=True)
    tau = b + eps
    below = positive_combination("k >= j: v.x - tau_k <= -epsilon_k < 0", -(p - tau), [
        (1, Premise(b - p, "p <= b_j <= b_k (ordered disjoint intervals)")),
        (1, Premise(eps, "epsilon_k > 0", strict=True))], strict=True)
    above = positive_combination("k < j: v.x - tau_k - 2 epsilon_k >= 0", (p - tau - 2 * eps).subs(b, a - 3 * eps), [
        (1, Premise(p - a, "p >= a_j >= a_{k+1} (ordered disjoint intervals)"))], strict=False)
    step = positive_combination("k < j: epsilon_k - r_k < 0", -(eps - (p - tau)).subs(b, a - 3 * eps), [
        (1, Premise(p - a, "p >= a_{k+1}")), (1, Premise(eps, "epsilon_k > 0", strict=True))], strict=True)
    return combine([telescope, below, above, step], "SymPy: the telescoping output at symbolic Q and positivity "
                   "certificates for the signs", "the depth-2 network sends every point of cluster pi(j) to y_pi(j), "
                   "with every hidden pre-activation nonzero", scope=Scope.all_q())
