"""Neurons dead at every point (docs/mathematics/strata.md, N4): local minima of reduced rank.

Let ``d`` neurons of hidden layer 1 be strictly inactive at every point, and every other neuron of every hidden layer
strictly active at every point: an open set ``R^dead_d`` of parameters.  There the network is, on the data, one
affine map ``x ↦ A x + c`` whose linear part ``A = W_{L+1} ⋯ W_2 D W_1`` (``D`` zeroing the dead rows) has rank at
most ``q = Q − d``.  So ``C ≥ B^(q)``, the least weighted residual of an affine map of rank ``≤ q``:

* **completing the square.**  With ``F* = [A*, c*]`` the weighted affine fit (N1's output map) and
  ``Σ = Σ_n w_n (x_n − x̄)(x_n − x̄)ᵀ``, the best ``c`` for a given ``A`` leaves
  ``Σ_n w_n |A x_n + c − y_n|² = B + tr((A − A*) Σ (A − A*)ᵀ)``, ``B`` N1's value;
* **Eckart–Young.**  Writing ``A − A* = (Z − K) Σ^{-1/2}`` on the span of the data, the least of
  ``‖Z − K‖²_F`` over ``rank Z ≤ q`` is the sum of the ``d`` smallest squared singular values of
  ``K = A* Σ^{1/2}``: ``B^(q) = B + λ_{q+1} + ⋯ + λ_Q``, the ``λ_i`` the eigenvalues (descending) of
  ``M = A* Σ A*ᵀ`` (:class:`ReducedRank`), attained at ``A = P A*``, ``P = U Uᵀ`` the projector onto ``q``
  orthonormal top eigenvectors: ``tr((I − P) M (I − P)) = tr(M) − tr(UᵀMU)``.

The point (:func:`dead_neuron_point`): ``W_1`` has ``d`` zero rows with bias ``−1`` (dead) over the rows ``UᵀA*`` with
bias ``β = 1 + ⌈‖A*‖²_F Σ_i max_n x_{in}²⌉`` (times ``max |u_i|²`` for an approximate ``U``): by Cauchy–Schwarz
``|u_iᵀ A* x_n| ≤ t`` with ``t² ≤ β − 1``, so every live pre-activation is ``≥ β − t ≥ 3/4`` (``t² − t + 1 ≥ 3/4``),
for the exact ``U`` and for any rational approximation.  Later layers are the identity, the dead coordinates shifted
to 1; the output map is ``[0 | U]`` with the bias that makes it ``P A* x + c``.  The exact ``U`` is irrational in
general: :func:`dead_neuron_family` certifies the exact point's signs by the bound above, encloses ``B^(q)`` from the
characteristic polynomial of ``M`` (ball arithmetic), and evaluates a rational point ``θ̂`` (``U`` rounded) exactly:
it lies in ``R^dead_d``, so ``C(θ̂) ≥ B^(q)`` must hold, and it lands within a rounding of it.

With ``rank M ≤ q`` the rank does not bind: ``B^(q) = B``, a local minimum at N1's value on another region.  This is
always so for ``d = 1``: the centered targets ``y_j − ȳ`` of the ``Q`` clusters sum to 0 under the clusters' masses, so
they span at most ``Q − 1`` dimensions and ``rank M ≤ Q − 1``.

>>> from symgeom.data.embedded import default_data
>>> family = dead_neuron_family(default_data(), 2)
>>> [(m.dead, m.binds, m.verdict) for m in family]
[(1, False, 'local_minimum'), (2, True, 'local_minimum')]
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from functools import cached_property

import flint
import numpy as np

from ..calculus.cost import Cost
from ..certify.certificates import CERTIFIED, CHECKED, REFUTED, UNDECIDED, Check, Scope, FLOAT_RTOL
from ..data.clusters import ClusterData
from ..model.network import Parameters
from ..numbers import arith
from ..numbers import sizes
from ..numbers.json_numbers import approx_json, json_numbers
from .fit import moment_fit
from .strata import stratum_bound
from .verdicts import Verdict

__all__ = ["ReducedRank", "reduced_rank", "DeadNeuronMinimum", "dead_neuron_point", "dead_neuron_family", "settle_dead",
           "dead_counts", "dead_counts_text", "dead_lines", "LIVE_MARGIN", "PRECISION_BITS"]

LIVE_MARGIN = flint.fmpq(3, 4)
"""The least live pre-activation of the dead-neuron point: ``β − t ≥ t² − t + 1 ≥ 3/4``."""
PRECISION_BITS = 256
"""Working precision of the eigenvalue enclosures (raised while two eigenvalues at the rank cut overlap)."""
ENCLOSURE_BITS = 96
"""The endpoints of the enclosure of ``B^(q)`` are rounded outward to ``96``-bit dyadic rationals."""
ROUNDING_BITS = 40
"""The eigenvectors of the rational point ``θ̂`` are rounded to multiples of ``2⁻⁴⁰``."""


@dataclass(frozen=True, eq=False)
class ReducedRank:
    """The reduced-rank regression of the data: N1's fit ``[A*, c*]``, the weighted covariance ``Σ`` of the points,
    ``M = A* Σ A*ᵀ``, its exact rank and its eigenvalues, and N1's value ``B``."""

    data: ClusterData
    cost: Cost
    fit: np.ndarray
    covariance: np.ndarray
    M: np.ndarray
    rank: int
    full: object
    """``B``: N1's value (the weighted least-squares residual of all the points)."""
    means: tuple
    """``(x̄, ȳ)``: the weighted means of the points and of their targets."""

    @cached_property
    def charpoly(self):
        """``det(t I − M)`` (exact data: an ``fmpq_poly``)."""
        return arith._to_flint(self.M).charpoly()

    @cached_property
    def eigenvalues(self) -> list:
        """The eigenvalues of ``M``, descending, with multiplicity: disjoint real balls from the distinct roots of
        :attr:`charpoly` (exact data; the precision doubles from :data:`PRECISION_BITS` until the balls of distinct
        roots are disjoint, so the order is certain), float64 from ``eigvalsh`` otherwise."""
        if not self.data.kind.is_exact:
            return sorted(np.linalg.eigvalsh(self.M.astype(float)), reverse=True)
        bits = PRECISION_BITS
        while True:
            with flint.ctx.workprec(bits):
                roots = sorted(((r.real, m) for r, m in self.charpoly.complex_roots()), key=lambda rm: -float(rm[0].mid()))
            if all(not a.overlaps(b) for (a, _), (b, _) in zip(roots, roots[1:])):
                return [r for r, m in roots for _ in range(m)]
            bits *= 2

    def gap(self, q: int):
        """``λ_{q+1} + ⋯ + λ_Q``: exactly 0 when ``rank M ≤ q``, else a ball (exact data) or a float."""
        if self.rank <= q:
            return self.data.kind.scalar(0)
        if not self.data.kind.is_exact:
            return max(0.0, float(sum(self.eigenvalues[q:])))
        with flint.ctx.workprec(4 * PRECISION_BITS):
            return sum(self.eigenvalues[q:], flint.arb(0))


_CACHE: "weakref.WeakKeyDictionary[ClusterData, dict]" = weakref.WeakKeyDictionary()


def reduced_rank(data: ClusterData, cost: Cost = Cost.MEAN_SQUARED) -> ReducedRank:
    """:class:`ReducedRank` of the data under ``cost`` (weights ``w_n``), from the clusters' moments: the fit by its
    normal equations, ``Σ = S_xx − s sᵀ / m`` with ``[S_xx, s; sᵀ, m] = Σ_j w_j S_j``."""
    by_cost = _CACHE.setdefault(data, {})
    if cost not in by_cost:
        Q, w = data.Q, cost.cluster_weights(data)
        S = data.moments
        total = sum((wj * Sj for wj, Sj in zip(w, S)), arith.zeros(S.shape[1:], data.kind))
        fit = moment_fit(S, data.Y, w) if data.kind.is_exact else _float_fit(data, cost)
        m, s = total[Q, Q], total[:Q, Q]
        cov = total[:Q, :Q] - np.outer(s, s) / m
        A = fit[:, :Q]
        M = arith.matmul(arith.matmul(A, cov), A.T)
        mass = np.array([wj * n for wj, n in zip(w, data.sizes)], dtype=object if data.kind.is_exact else float)
        ybar = arith.matmul(data.Y, mass) / m
        full = stratum_bound(data, tuple(range(1, Q + 1)), cost)
        by_cost[cost] = ReducedRank(data, cost, fit, cov, M, arith.rank(M), full, (s / m, ybar))
    return by_cost[cost]


def _float_fit(data: ClusterData, cost: Cost) -> np.ndarray:
    from .fit import least_squares_fit
    return least_squares_fit(data.X, data.targets_ext, cost.fit_weights(data))


def _bias(data: ClusterData, A: np.ndarray, U: np.ndarray):
    """``β = 1 + ⌈‖A‖²_F · Σ_i max_n x_{in}² · max(1, max_i |u_i|²)⌉`` (module docstring), in the data's kind."""
    kind = data.kind
    extent = sum((max(arith.largest(row), -arith.smallest(row)) ** 2 for row in data.X), kind.scalar(0))
    norms = max([kind.scalar(1)] + [U[:, i] @ U[:, i] for i in range(U.shape[1])])
    t2 = np.sum(A * A) * extent * norms
    return kind.scalar(1 + (int(math.ceil(t2)) if kind.is_exact else float(np.ceil(t2))))


def dead_neuron_point(rr: ReducedRank, L: int, dead: int, U: np.ndarray) -> tuple:
    """``(θ, β)``: the point of ``R^dead_d`` (module docstring) for the eigenvector block ``U`` (``Q x q``), ``d = dead``
    dead neurons in layer 1, ``L`` hidden layers; its affine map on the data is ``U Uᵀ A* x + c`` with ``c`` the best
    constant for that linear part, ``ȳ − U Uᵀ A* x̄``."""
    data, kind, Q = rr.data, rr.data.kind, rr.data.Q
    A = rr.fit[:, :Q]
    beta = _bias(data, A, U)
    W1 = np.vstack([arith.zeros((dead, Q), kind), U.T @ A])
    ones_dead, ones_live = arith.full(dead, 1, kind), arith.full(Q - dead, 1, kind)
    b1 = np.concatenate([-ones_dead, beta * ones_live])
    P = U @ U.T
    xbar, ybar = rr.means
    c = ybar - P @ A @ xbar
    W_out = np.hstack([arith.zeros((Q, dead), kind), U])
    b_out = c - beta * (U @ ones_live)
    hidden = (arith.identity(Q, kind),) * (L - 1)
    shifts = (np.concatenate([ones_dead, 0 * ones_live]),) * (L - 1)
    return Parameters((W1,) + hidden + (W_out,), (b1,) + shifts + (b_out,)), beta


@dataclass(frozen=True, eq=False)
class DeadNeuronMinimum:
    """``d`` neurons dead at every point: the bound ``B^(q) = B + gap`` (``q = Q − d``), how it was settled, and the
    rational point ``θ̂`` that evaluates it."""

    reduced: ReducedRank
    L: int
    dead: int
    gap: object
    """``λ_{q+1} + ⋯ + λ_Q``: exact 0, a ball (exact data) or a float."""
    params: Parameters
    """``θ̂``: the point with ``U`` rounded (exact data: rational) -- in ``R^dead_d``."""
    cost: object
    """``C(θ̂)``, exactly on exact data."""
    verdict: Verdict
    certificate: Check

    @property
    def rank(self) -> int:
        """``q = Q − d``, the largest rank of the network's linear part on ``R^dead_d``."""
        return self.reduced.data.Q - self.dead

    @property
    def binds(self) -> bool:
        """``rank M > q``: the bound lies above N1's value."""
        return self.reduced.rank > self.rank

    @property
    def bound(self):
        """``B^(q)``: exact (a rational) when the rank does not bind, else ``None`` (see :attr:`enclosure`)."""
        return self.reduced.full if not self.binds else None

    @property
    def enclosure(self) -> tuple:
        """``(lo, hi)``, rationals (exact data) or floats, with ``lo ≤ B^(q) ≤ hi``."""
        return _enclosure(self.reduced, self.gap)

    @property
    def midpoint(self):
        """The middle of :attr:`enclosure` (``B^(q)`` itself when it is exact)."""
        lo, hi = self.enclosure
        return (lo + hi) / 2

    @property
    def approx(self) -> float:
        """``B^(q)`` in float64 (``inf`` beyond its range)."""
        value = approx_json(self.midpoint)
        return math.inf if value is None else value

    def value_text(self) -> str:
        """The value of the cost (``C_N`` for the paper's: the square root of the bound), short."""
        kind = self.reduced.cost
        if self.bound is not None:
            return kind.text(self.bound)
        return "~" + sizes.format_decimal(kind.from_sum(self.midpoint), 6)

    def as_json(self) -> dict:
        """An entry of ``dead_neuron_minima`` in ``check --json``."""
        lo, hi = self.enclosure
        return {"dead": self.dead, "rank": self.rank, "rank_M": self.reduced.rank, "binds": self.binds,
                "verdict": self.verdict, "certificate": self.certificate.as_json(),
                **json_numbers(bound=self.bound, lower=lo, upper=hi, full=self.reduced.full, point_cost=self.cost,
                               value=self.reduced.cost.from_sum(self.bound) if self.bound is not None else None),
                "approx_value": approx_json(self.reduced.cost.from_sum(self.midpoint))}


def _enclosure(rr: ReducedRank, gap) -> tuple:
    """``(lo, hi)`` around ``B + gap``: the exact value when ``gap`` is (0, or a float), else the ball's ends rounded
    outward to :data:`ENCLOSURE_BITS`-bit rationals."""
    if not isinstance(gap, flint.arb):
        return rr.full + gap, rr.full + gap
    with flint.ctx.workprec(ENCLOSURE_BITS):
        return rr.full + _rational(gap.lower()), rr.full + _rational(gap.upper())


def _rational(x) -> "flint.fmpq":
    """The exact rational value of an exact ``arb`` (a ball of radius 0)."""
    m, e = x.man_exp()
    m, e = int(m), int(e)
    return flint.fmpq(m * 2**e) if e >= 0 else flint.fmpq(m, 2**-e)


def _eigenvectors(rr: ReducedRank, q: int, digits: int = 0) -> np.ndarray:
    """``q`` top eigenvectors of ``M`` (``Q x q``): float64 (``digits = 0``) or ``mpmath`` at ``digits`` decimal digits,
    rounded on exact data to multiples of ``2⁻⁴⁰`` (float64) or of ``2^-(3 digits)``."""
    M = rr.M
    if rr.data.kind.is_exact:  # scaled exactly into float64's range (the eigenvectors do not change)
        top = max((abs(v) for v in M.reshape(-1)), default=0)
        M = M / top if top != 0 else M
    if digits:
        import mpmath

        with mpmath.workdps(digits):
            lam, E = mpmath.eigsy(mpmath.matrix([[mpmath.mpf(int(v.p)) / int(v.q) for v in row] for row in M]))
            order = sorted(range(rr.data.Q), key=lambda i: -lam[i])[:q]
            bits = 3 * digits
            return np.array([[flint.fmpq(int(mpmath.nint(E[r, i] * 2**bits)), 2**bits) for i in order]
                             for r in range(rr.data.Q)], dtype=object).reshape(rr.data.Q, q)
    with np.errstate(all="ignore"):
        M = M.astype(float)
        _, vectors = np.linalg.eigh(M if np.all(np.isfinite(M)) else np.eye(rr.data.Q))
    U = vectors[:, ::-1][:, :q]
    if not rr.data.kind.is_exact:
        return U
    scale = 2**ROUNDING_BITS
    return np.array([flint.fmpq(int(round(u * scale)), scale) for u in U.reshape(-1)], dtype=object).reshape(U.shape)


def _near(rr: ReducedRank, L: int, dead: int, hi) -> tuple:
    """``(θ̂, β, C(θ̂))``: the rational point, its eigenvectors refined in ``mpmath`` (50, then 100 digits) while its exact
    cost exceeds the bound's upper end ``hi`` by more than ``2⁻⁴⁰ hi`` (``2⁻²⁰⁰ tr M`` for a bound 0) -- float64's
    eigenvectors are too coarse for an ill-conditioned ``M``; float data: float64 once."""
    q = rr.data.Q - dead
    tolerance = (hi / 2**40 if hi > 0 else np.trace(rr.M) / 2**200) if rr.data.kind.is_exact else None
    for digits in (0, 50, 100):
        theta, beta = dead_neuron_point(rr, L, dead, _eigenvectors(rr, q, digits))
        value = rr.cost.of(theta, rr.data)
        if tolerance is None or value - hi <= tolerance:
            break
    return theta, beta, value


def settle_dead(rr: ReducedRank, L: int, dead: int) -> DeadNeuronMinimum:
    """``d = dead`` neurons of layer 1 dead at every point: the point, its exact cost, and the check that it lies at
    (exact data: above, within the rounding of ``U``) the bound ``B^(q)``."""
    data, q = rr.data, rr.data.Q - dead
    gap = rr.gap(q)
    lo, hi = _enclosure(rr, gap)
    theta, beta, value = _near(rr, L, dead, hi)
    exact = data.kind.is_exact
    what = (f"d = {dead} dead neurons, rank <= {q}: every live pre-activation >= 3/4 (bias {beta}, Cauchy-Schwarz), "
            f"every dead one -1")
    if exact and value < lo:
        check = Check(REFUTED, "exact cost of the rational point against the bound's enclosure", what,
                      residual=lo - value, counterexample=f"a point of R^dead_{dead} of cost {value} below {lo}",
                      scope=Scope.these_data())
        return DeadNeuronMinimum(rr, L, dead, gap, theta, value, Verdict.NOT_REACHED, check)
    distance = value - hi
    method = ("exact: the sign bound, the bound from the roots of det(tI - M) (ball arithmetic) and the rational "
              "point's cost" if exact else "float64 eigenvalues and the point's cost")
    tol = None if exact else FLOAT_RTOL * max(1.0, abs(float(rr.full)) + abs(float(np.trace(rr.M))))
    status = CERTIFIED if exact else CHECKED if abs(float(distance)) <= tol else UNDECIDED
    above = sizes.format_decimal(distance / hi, 3) + " of it" if hi != 0 else sizes.format_decimal(distance, 3)
    check = Check(status, method, what + f"; the rational point with U rounded costs {above} above the bound",
                  margin=LIVE_MARGIN if exact else 0.75, tolerance=tol,
                  scope=Scope.these_data(float=not exact))
    return DeadNeuronMinimum(rr, L, dead, gap, theta, value,
                             Verdict.LOCAL_MINIMUM if status != UNDECIDED else Verdict.UNDECIDED, check)


def dead_neuron_family(data: ClusterData, L: int, cost: Cost = Cost.MEAN_SQUARED) -> list[DeadNeuronMinimum]:
    """One :class:`DeadNeuronMinimum` per ``d = 1, …, Q − 1`` (``d = Q``, every neuron dead, is the merged stratum of
    one group: N3)."""
    rr = reduced_rank(data, cost)
    return [settle_dead(rr, L, d) for d in range(1, data.Q)]


def dead_counts(family) -> dict:
    """``{"local_minima": …, "above_no_truncation": …, "undecided": …}``: how the points were settled, and how many lie
    above N1's value (the rank binds)."""
    minima = [m for m in family if m.verdict == Verdict.LOCAL_MINIMUM]
    return {"local_minima": len(minima), "above_no_truncation": sum(m.binds for m in minima),
            "undecided": len(family) - len(minima)}


def dead_counts_text(family) -> str:
    """``"2 local minima, 1 above N1"``."""
    c = dead_counts(family)
    text = f"{c['local_minima']} local minim{'um' if c['local_minima'] == 1 else 'a'}, {c['above_no_truncation']} above N1"
    return text + (f", {c['undecided']} not settled" if c["undecided"] else "")


def dead_lines(family) -> list[str]:
    """One line per point: ``d = 2 (rank <= 1): local_minimum, value ~0.154437 > N1's``."""
    def one(m) -> str:
        head = f"d = {m.dead} (rank <= {m.rank}): {m.verdict}"
        if m.verdict != Verdict.LOCAL_MINIMUM:
            return f"{head}: {m.certificate.detail}"
        if not m.binds:
            return f"{head}, value {m.value_text()} = N1's (rank M = {m.reduced.rank} <= {m.rank})"
        return f"{head}, value {m.value_text()} > N1's"
    return [one(m) for m in family]
