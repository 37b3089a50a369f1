"""The strata of the local-minima theorem (docs/mathematics/strata.md, N2): one local minimum per kept set ``U``.

Index by the non-empty sets ``U ⊆ {1..Q}`` of clusters left on, ``S`` the truncated rest
(``r = |U|``, ``m = |S|``, ``r + m = Q``).  ``R_S`` is the open set of parameters where every point
of ``U`` has all pre-activations ``> 0`` in every hidden layer and every point of a cluster
``k ∈ S`` has all pre-activations ``< 0`` in some hidden layer.

* **(a) the bound.**  On ``R_S`` the network is one affine map ``x ↦ G(θ)[x; 1]`` on the points of
  ``U``, so ``C ≥ B_U = (1/2N) ‖Y_U^ext (I − Π_U)‖²_F`` (:func:`stratum_bound`); a point of ``R_S``
  with ``C = B_U`` is a local minimum.
* **(b) attainment** (:func:`stratum_minimizer`), for ``L ≥ m``: layer ``ℓ`` collapses the cluster
  ``k_ℓ``; in *decoded coordinates* ``z ∈ R^Q`` (a block of ``r`` barycentric coordinates of the
  least-squares fit on ``U``, then one slot per truncated cluster) layer ``ℓ`` is
  ``a_ℓ(z) = λ_ℓ s_ℓ(z) 1 + g_ℓ(z) − t_ℓ``: the separator ``s_ℓ`` is negative on ``k_ℓ`` and
  positive on every other current point, ``g_ℓ`` keeps what later layers need, ``t_ℓ`` is where
  ``k_ℓ`` goes.  Every current point satisfies ``φ_ℓ(z) = 1`` (``φ_ℓ`` sums the ``U`` block and the
  first ``ℓ`` slots) while ``φ_ℓ(1) = r + ℓ``, so ``R_ℓ = I − 1 φ_ℓᵀ / (r + ℓ)`` decodes the layer:
  ``R_ℓ h + t_ℓ = g_ℓ(z)`` on the kept points and ``= t_ℓ`` on the collapsed one (``h = 0``).
  The weights are rank deficient; the cost is exactly ``B_U``.
* **(c)** with invertible hidden weights ``C > B_U`` on ``R_S`` when the kept points affinely span
  ``R^Q``: the truncation-map coordinates never reach ``B_U``, though they come arbitrarily close
  (:func:`invertible_approach`).
* A point of a truncated cluster inside the convex hull of the kept points makes ``R_S`` empty for
  every ``L`` (on the all-on pattern every layer is affine, so its pre-activations are convex
  combinations of positive vectors); the construction asks for a separating hyperplane instead.

>>> from symgeom.data.embedded import default_data
>>> from symgeom.calculus.cost import cost
>>> data = default_data()
>>> theta = stratum_minimizer(data, 3, (1, 3))
>>> theta.kept, cost(theta.params, data) == stratum_bound(data, (2,))
((2,), True)

Under the paper's cost the bound is on ``C_N²`` (weights ``1/N_j``) and the output map is the weighted fit:

>>> from symgeom.calculus.cost import Cost
>>> paper = stratum_minimizer(data, 3, (1,), Cost.PAPER)
>>> Cost.PAPER.of(paper.params, data) == stratum_bound(data, (2, 3), Cost.PAPER) == paper.bound
True
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..numbers import arith
from .._errors import ConstructionError
from ..calculus.cost import Cost
from ..data.clusters import ClusterData
from ..model.network import Parameters, preactivations
from ..data.separability import NoCollapseOrder, NotSeparated, SEPARABLE, separate, separates_along
from .region import in_region

__all__ = [
    "StratumMinimizer", "kept_clusters", "least_squares_fit", "stratum_bound", "separator", "stratum_minimizer",
    "ApproachPoint", "invertible_approach", "strata", "collapse_order", "peel_next", "NotSeparated",
    "NoCollapseOrder",
]


def kept_clusters(Q: int, truncated) -> tuple:
    """``U``, the labels not in ``S = truncated`` (sorted); checks that ``S`` is a proper subset of ``1..Q``."""
    S = tuple(int(k) for k in truncated)
    if len(set(S)) != len(S) or not set(S) <= set(range(1, Q + 1)):
        raise ConstructionError(f"the truncated clusters must be distinct labels in 1..{Q}, got {list(S)}")
    if len(S) == Q:
        raise ConstructionError(f"at least one cluster must be kept: truncating all {Q} is the global minimizer (G1), "
                                "not a stratum")
    return tuple(j for j in range(1, Q + 1) if j not in S)


def strata(Q: int) -> list[tuple]:
    """The ``2^Q − 1`` truncated sets ``S`` (complements of the non-empty ``U``): ``∅`` first, then by
    size and labels."""
    return [S for r in range(Q) for S in itertools.combinations(range(1, Q + 1), r)]


# -- (a) the bound -----------------------------------------------------------------------
def _lifted(Z: np.ndarray) -> np.ndarray:
    """``[Z; 1ᵀ]``."""
    return np.vstack([Z, arith.full((1, Z.shape[1]), 1, arith.kind_of(Z))])


def _independent_rows(gram: np.ndarray) -> list[int]:
    """Indices of a maximal independent set of rows of ``Z̃`` from its Gram matrix ``Z̃ Z̃ᵀ``, the
    row of ones (the last) first: a principal submatrix of the Gram matrix is invertible exactly when
    its rows of ``Z̃`` are independent."""
    n = gram.shape[0]
    rows = [n - 1]
    for i in range(n - 1):
        trial = rows + [i]
        if arith.rank(gram[np.ix_(trial, trial)]) == len(trial):
            rows = trial
    return sorted(rows)


def least_squares_fit(Z: np.ndarray, T: np.ndarray, weights=None) -> np.ndarray:
    """An affine least-squares map ``F`` (``k x (Q+1)``) from the points ``Z`` to the targets ``T``:
    ``F [Z; 1ᵀ] = T Π`` with ``Π`` the orthogonal projector onto the row space of ``[Z; 1ᵀ]``.
    When ``[Z; 1ᵀ]`` has dependent rows, the dependent coordinates get coefficient 0 (exact kind); floats
    solve by singular values (``numpy.linalg.lstsq``), which stays accurate where the Gram matrix
    ``Z̃ Z̃ᵀ`` would square an ill condition.

    ``weights`` (``w_n > 0``, one per point; ``None``: uniform) gives the *weighted* fit, the minimizer of
    ``Σ_n w_n |F z̃_n − t_n|²``: the normal equations ``F (Z̃ W Z̃ᵀ) = T W Z̃ᵀ`` (exact), or the ordinary fit of
    the columns scaled by ``√w_n`` (floats); ``Π`` is then the ``W``-orthogonal projector."""
    Zt = _lifted(Z)
    if not arith.kind_of(Z).is_exact:
        if weights is None:
            return np.linalg.lstsq(Zt.T, T.T, rcond=None)[0].T
        root = np.sqrt(np.asarray(weights, dtype=float))
        return np.linalg.lstsq((Zt * root).T, (T * root).T, rcond=None)[0].T
    Zw = Zt if weights is None else Zt * np.asarray(weights, dtype=object)[None, :]
    gram = arith.matmul(Zw, Zt.T)
    rows = _independent_rows(gram)
    coef = arith.matmul(T, Zw[rows].T) @ arith.inv(gram[np.ix_(rows, rows)])
    F = arith.zeros((T.shape[0], Zt.shape[0]), arith.kind_of(Z))
    F[:, rows] = coef
    return F


def _kept_mask(data: ClusterData, kept) -> np.ndarray:
    return np.isin(data.labels, list(kept))


def stratum_bound(data: ClusterData, kept, cost: Cost = Cost.MEAN_SQUARED):
    """``B_U = min_{(A, c)} Σ_{n ∈ U} w_n |A x_n + c − y_{j(n)}|²``: the weighted least-squares residual of the
    points of ``U`` alone (affine fit, the weights ``w_n`` of ``cost``), every other point counting 0.
    Mean-squared: ``(1/2N) ‖Y_U^ext (I − Π_U)‖²_F`` (divided by the *total* ``N``); the paper's cost: the bound
    on ``C_N²``, with ``w_n = 1/N_{j(n)}`` (its square root bounds ``C_N``).  ``B_U = 0`` when ``|U| = 1``."""
    mask = _kept_mask(data, kept)
    Z, T = data.X[:, mask], data.targets_ext[:, mask]
    R = least_squares_fit(Z, T, cost.fit_weights(data, mask)) @ _lifted(Z) - T
    return cost.of_residuals(R, data.labels[mask], data)


# -- (b) the construction ------------------------------------------------------------------
def _barycentric_fit(data: ClusterData, kept, cost: Cost = Cost.MEAN_SQUARED) -> np.ndarray:
    """``C_U`` (``r x (Q+1)``): ``c_U(x) = C_U [x; 1]`` are the barycentric coordinates, with respect to
    ``{y_j : j ∈ U}``, of the least-squares fit on ``U`` (weighted by ``cost``'s ``w_n``: the fit is linear in
    the targets, so ``Y_U C_U`` is the weighted fit of ``Y``); they sum to 1 for every ``x`` (the last row
    is 1 minus the others, which changes nothing on the data, where the fitted values sum to 1: the
    constant 1 is fitted exactly, weights or not)."""
    mask = _kept_mask(data, kept)
    onehot = arith.array((data.labels[mask][None, :] == np.array(kept)[:, None]).astype(int), data.kind)
    F = least_squares_fit(data.X[:, mask], onehot, cost.fit_weights(data, mask))
    ones = arith.zeros(data.Q + 1, data.kind)
    ones[-1] = ones[-1] + 1
    F[-1] = ones - F[:-1].sum(axis=0)
    return F


_SEPARATORS: "weakref.WeakKeyDictionary[ClusterData, dict]" = weakref.WeakKeyDictionary()
"""Per data set: ``(cluster, positive labels) -> (a, β)`` or the :class:`~symgeom.data.separability.Separation`
that shows none exists."""


def separator(data: ClusterData, cluster: int, positive) -> tuple:
    """``(a, β)`` with ``a·x − β < 0`` on the points of ``cluster`` and ``> 0`` on those of the clusters
    ``positive``.  Directions tried: the normal ``n_k`` (from ``m_k`` towards the affine hull of the other
    means), then the least-squares discriminant (``±1`` targets), threshold midway (short closed forms,
    checked in the data's kind); then the LP of :func:`~symgeom.data.separability.separate`, which decides
    separability with an exact certificate either way.  Raises :class:`NotSeparated` (with the certificate)
    when no hyperplane exists or none was certified.  Kept for the lifetime of ``data`` (immutable): the
    peeling of :func:`collapse_order` and the construction ask the same questions, and of the ``Σ |S|``
    questions of all ``2^Q − 1`` strata only ``Q 2^(Q−1)`` differ."""
    key = (int(cluster), tuple(sorted(int(j) for j in positive)))
    known = _SEPARATORS.setdefault(data, {})
    if key not in known:
        known[key] = _separate(data, *key)
    found = known[key]
    if not isinstance(found, tuple):
        raise NotSeparated(found.message() + ": no stratum minimizer truncating it here", found)
    return found


def _separate(data: ClusterData, cluster: int, positive: tuple):
    """:func:`separator` without the memo: ``(a, β)``, or the :class:`~symgeom.data.separability.Separation`
    showing that none was found."""
    inside = data.labels == cluster
    outside = np.isin(data.labels, list(positive))

    def discriminant():
        pm = arith.array(np.where(inside, -1, 1)[inside | outside][None, :], data.kind)
        return least_squares_fit(data.X[:, inside | outside], pm)[0, :data.Q]

    for direction in (lambda: data.normals[:, cluster - 1], discriminant):  # the fit only when the normal fails
        a = direction()
        v = a @ data.X
        lo, hi = arith.largest(v[inside]), arith.smallest(v[outside])
        if lo < hi and (data.kind.is_exact or separates_along(data, a, inside, outside)):
            a = a.copy()
            a.flags.writeable = False  # shared by every caller through the memo
            return a, (lo + hi) / 2
    sep = separate(data, cluster, positive)
    if sep.status != SEPARABLE:
        return sep
    a = data.kind.array(list(sep.hyperplane.normal))
    a.flags.writeable = False
    return a, data.kind.scalar(arith.to_fraction(sep.hyperplane.offset))


def peel_next(data: ClusterData, left, others=()) -> tuple:
    """``(k, stuck)``: the first cluster ``k`` of ``left`` that a certified hyperplane cuts off from ``others`` and
    the rest of ``left`` (:func:`separator`), or ``(None, stuck)`` with the :class:`NotSeparated` of every cluster
    of ``left`` when none is."""
    stuck = []
    for k in left:
        try:
            separator(data, k, tuple(others) + tuple(j for j in left if j != k))
            return k, stuck
        except NotSeparated as e:
            stuck.append(e)
    return None, stuck


def collapse_order(data: ClusterData, truncated) -> tuple:
    """An order ``k_1, …, k_m`` of ``S`` in which each ``k_i`` is separated by a hyperplane from the kept
    clusters and from ``k_{i+1}, …, k_m``, by peeling: at each step the smallest label that separates from
    the kept clusters and the rest.  The peeling decides over all orders: separability from a set implies
    separability from each subset, so if some order of the remaining set ``R`` exists, removing any ``k ∈ R``
    that separates from ``U ∪ R∖{k}`` leaves one (the order restricted to ``R∖{k}``); and when none
    separates, no order exists (its first element would).  Raises :class:`NoCollapseOrder` with the Farkas
    certificate of every remaining cluster."""
    kept = kept_clusters(data.Q, truncated)
    left, order = sorted(int(k) for k in truncated), []
    while left:
        k, stuck = peel_next(data, left, kept)
        if k is not None:
            order.append(k)
            left.remove(k)
        else:
            message = ("" if len(left) == 1 else f"no cluster of {{{', '.join(map(str, left))}}} can be collapsed next: ") \
                + "; ".join(e.separation.message() for e in stuck)
            raise NoCollapseOrder(message, tuple(left), tuple(e.separation for e in stuck))
    return tuple(order)


@dataclass(frozen=True, eq=False)
class StratumMinimizer:
    """The explicit point ``θ_S ∈ R_S`` with ``C(θ_S) = B_U`` (a local minimum by the bound)."""

    data: ClusterData
    L: int
    truncated: tuple
    """``S = (k_1, …, k_m)`` in collapse order: hidden layer ``ℓ`` collapses ``k_ℓ``."""
    kept: tuple
    """``U``, sorted."""
    params: Parameters
    lambdas: tuple
    """``λ_ℓ``, the weight of the separator in collapsing layer ``ℓ``."""
    cost: Cost = Cost.MEAN_SQUARED
    """The cost whose weighted least-squares fit on ``U`` the output map realizes (its bound is ``B_U``)."""
    decoding: tuple | None = None
    """``(R, t)``: the decoded coordinates ``z = R h + t`` of the last collapsing layer's hidden values ``h``
    (the output map is ``Y_perm z``); ``None`` for ``S = ∅``."""

    @property
    def collapse_layers(self) -> dict:
        """``{k: ℓ}``: the hidden layer that collapses each truncated cluster."""
        return {k: l for l, k in enumerate(self.truncated, start=1)}

    @cached_property
    def bound(self):
        """``B_U`` of :attr:`cost`."""
        return stratum_bound(self.data, self.kept, self.cost)

    @property
    def label(self) -> str:
        return "{" + ", ".join(map(str, sorted(self.truncated))) + "}"


def _separator_weight(s, shortfall, kind):
    """``λ`` with ``λ |s| > shortfall`` at every point (twice the smallest such value, rounded up to an
    integer for exact data), at least 1."""
    if not kind.is_exact:
        if not np.all(np.abs(s) > 0):
            raise ConstructionError("in float64 a point lies on the separating hyperplane after rounding (its slack "
                                    "rounds to 0), so no separator weight makes the signs strict; exact arithmetic "
                                    "decides it", remedy="exact")
        return max(2 * float(arith.largest(shortfall / abs(s))), 1.0)
    need = arith.largest(shortfall / abs(s))
    twice = 2 * need
    return arith.to_exact(max(int(twice.p // twice.q) + 1, 1))


def _layer_map(data: ClusterData, l: int, r: int, m: int, first: np.ndarray, separator_1):
    """The affine pieces of collapsing layer ``l`` in decoded coordinates ``z``: ``a_l(z) = λ s_l(z) 1 + G z + g0 − t_l``
    with the separator ``s_l(z) = a·z − β`` (layer 1: the hyperplane of ``k_1`` in input space; later: slot
    ``l``), ``g_l(z) = G z + g0`` (layer 1: ``first``, the fit and the later separators; later: slot ``l``
    zeroed) and ``t_l = [0_U; 0 (slots < l); 1 (slots ≥ l)]``.  Returns ``(a, β, G, g0, t)``."""
    Q, kind = data.Q, data.kind
    I = kind.identity(Q)
    t = kind.array([0] * (r + l - 1) + [1] * (m - l + 1))
    if l == 1:
        a, beta = separator_1
        return a, beta, first[:, :Q], first[:, Q], t
    slot = I[r + l - 1]
    return slot, kind.scalar(0), I - np.outer(slot, slot), kind.zeros(Q), t


def stratum_minimizer(data: ClusterData, L: int, truncated, cost: Cost = Cost.MEAN_SQUARED) -> StratumMinimizer:
    """``θ_S``: the explicit point of ``R_S`` with cost ``B_U`` (module docstring, (b)); under ``cost`` (its
    weighted sum equals that cost's ``B_U``: the output map on ``U`` is the weighted least-squares fit).

    ``truncated`` is ``S`` in collapse order (:func:`collapse_order` finds one); ``()`` gives N1 (identity
    layers shifted into the positive orthant, the least-squares output map).  Needs ``L ≥ |S|`` and a
    separating hyperplane for each collapse; raises :class:`ConstructionError` naming what fails.
    """
    Q, kind = data.Q, data.kind
    kept = kept_clusters(Q, truncated)
    S = tuple(int(k) for k in truncated)
    r, m = len(kept), len(S)
    if L < m:
        raise ConstructionError(f"truncating S = {{{', '.join(map(str, S))}}} collapses one cluster per hidden layer: "
                                f"it needs L >= |S| = {m} (got L = {L})")
    one, I = kind.full(Q, 1), kind.identity(Q)
    Cbar = _barycentric_fit(data, kept, cost)
    Yperm = data.Y[:, [j - 1 for j in kept + S]]
    if m == 0:
        return _no_truncation(data, L, Yperm @ Cbar, cost)
    seps = [separator(data, k, kept + S[i + 1:]) for i, k in enumerate(S)]
    # g_1(x) = [c_U(x); 0; ℓ_2(x); …; ℓ_m(x)]: the fit on U and the separators still needed
    first = np.vstack([Cbar] + [kind.zeros((1, Q + 1))] + [np.append(a, -b)[None, :] for a, b in seps[1:]])
    weights, biases, lambdas = [], [], []
    Z, R, t = data.X, I, kind.zeros(Q)  # decoded points, and the decoding z = R h + t of the previous layer
    for l, k in enumerate(S, start=1):
        a, beta, G, g0, t_l = _layer_map(data, l, r, m, first, seps[0])
        collapsing = data.labels == k
        # a_l(z) = λ_l s_l(z) 1 + G z + g0 − t_l: > 0 off cluster k_l, < 0 on it
        Gz = G @ Z + (g0 - t_l)[:, None]
        lam = _separator_weight(a @ Z - beta, np.where(collapsing[None, :], Gz, -Gz).max(axis=0), kind)
        M, mvec = lam * np.outer(one, a) + G, -lam * beta * one + g0 - t_l
        weights.append(M @ R)  # in the previous layer's hidden coordinates h: z = R h + t
        biases.append(M @ t + mvec)
        lambdas.append(lam)
        # R_l = I − 1 φ_lᵀ / (r + l) decodes layer l: φ_l sums the U block and the first l slots
        R = I - np.outer(one, kind.array([1] * (r + l) + [0] * (m - l))) / kind.scalar(r + l)
        t = t_l
        Z = np.where(collapsing[None, :], t[:, None], Gz + t[:, None])
    weights += [I] * (L - m)
    biases += [one] * (L - m)
    weights.append(Yperm @ R)
    biases.append(Yperm @ t)
    return StratumMinimizer(data, L, S, kept, Parameters(tuple(weights), tuple(biases)), tuple(lambdas), cost, (R, t))


def _no_truncation(data: ClusterData, L: int, fit: np.ndarray, cost: Cost) -> StratumMinimizer:
    """N1 as the stratum ``S = ∅``: ``W_1 = I`` with a bias that moves every point into the open positive
    orthant, ``W_ℓ = I``, ``b_ℓ = 1`` beyond, and the least-squares fit ``[A | c]`` as output map."""
    Q, kind = data.Q, data.kind
    lowest = arith.smallest(data.X)
    shift = arith.full(Q, 1, kind) - (lowest if lowest < 0 else 0 * lowest)
    total = shift + (L - 1) * arith.full(Q, 1, kind)
    I = arith.identity(Q, kind)
    A, c = fit[:, :Q], fit[:, Q]
    weights = (I,) * L + (A,)
    biases = (shift,) + (arith.full(Q, 1, kind),) * (L - 1) + (c - A @ total,)
    return StratumMinimizer(data, L, (), tuple(range(1, Q + 1)), Parameters(weights, biases), (), cost)


# -- (c) invertible hidden weights ---------------------------------------------------------
@dataclass(frozen=True)
class ApproachPoint:
    """``θ_ε = θ_S + ε·(I on every hidden weight)``."""

    epsilon: object
    excess: object
    """``C(θ_ε) − B_U``."""
    invertible: bool
    """Every hidden weight of ``θ_ε`` is invertible."""
    inside: bool
    """``θ_ε ∈ R_S``: every strict sign condition still holds."""


def invertible_approach(theta: StratumMinimizer, steps=(10, 100, 1000, 10000)) -> list[ApproachPoint]:
    """The points ``θ_ε``, ``ε = 1/step``: with invertible hidden weights ``C > B_U`` on ``R_S`` (``C = B_U`` would force
    the unique fit ``G*``, whose image ``aff{y_j : j ∈ U}`` misses every ``y_k``, ``k ∈ S``), yet these
    points approach ``B_U``: the infimum over the invertible part of ``R_S`` is ``B_U``, never attained."""
    data, params = theta.data, theta.params
    kind = data.kind
    out = []
    for step in steps:
        eps = kind.scalar(f"1/{step}")
        Ws = tuple(W + eps * arith.identity(data.Q, kind) for W in params.weights[:-1]) + (params.weights[-1],)
        moved = Parameters(Ws, params.biases)
        inside = in_region(np.stack(preactivations(moved, data.X)), data.labels, theta.kept, theta.truncated)
        invertible = all(arith.rank(W) == data.Q for W in Ws[:-1])
        out.append(ApproachPoint(eps, theta.cost.of(moved, data) - theta.bound, invertible, inside))
    return out

