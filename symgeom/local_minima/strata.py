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
  (:func:`~symgeom.local_minima.candidates.invertible_approach`).
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

import functools
import itertools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..numbers import arith
from .._errors import ConstructionError
from ..calculus.cost import Cost
from ..data.clusters import ClusterData
from ..model.network import Parameters
from ..numbers.filtered import float_copy, grouped_moments
from .region import active_slack, death_slack, dying_in, slack_values
from ..data.separability import NoCollapseOrder, NotSeparated, group
from .collapse import collapse_order, kept_clusters, peel_next, separator
from .fit import least_squares_fit, lifted, moment_fit, moment_residual
from .merged import collapse_groups, group_spread, group_targets

__all__ = [
    "StratumMinimizer", "kept_clusters", "least_squares_fit", "stratum_bound", "active_bound", "separator", "stratum_minimizer",
    "strata", "collapse_order", "peel_next", "NotSeparated", "barycentric_fit", "separator_weight",
    "NoCollapseOrder",
]


def strata(Q: int) -> list[tuple]:
    """The ``2^Q − 1`` truncated sets ``S`` (complements of the non-empty ``U``): ``∅`` first, then by
    size and labels."""
    return [S for r in range(Q) for S in itertools.combinations(range(1, Q + 1), r)]


# -- (a) the bound -----------------------------------------------------------------------
def _kept_mask(data: ClusterData, kept) -> np.ndarray:
    return np.isin(data.labels, list(kept))


def stratum_bound(data: ClusterData, kept, cost: Cost = Cost.MEAN_SQUARED):
    """``B_U = min_{(A, c)} Σ_{n ∈ U} w_n |A x_n + c − y_{j(n)}|²``: the weighted least-squares residual of the
    points of ``U`` alone (affine fit, the weights ``w_n`` of ``cost``), every other point counting 0.
    Mean-squared: ``(1/2N) ‖Y_U^ext (I − Π_U)‖²_F`` (divided by the *total* ``N``); the paper's cost: the bound
    on ``C_N²``, with ``w_n = 1/N_{j(n)}`` (its square root bounds ``C_N``).  ``B_U = 0`` when ``|U| = 1``."""
    return active_bound(data, _kept_mask(data, kept), cost)


def active_bound(data: ClusterData, mask: np.ndarray, cost: Cost = Cost.MEAN_SQUARED):
    """:func:`stratum_bound` for any set of points (``mask``), whole clusters or not: the weighted least-squares
    residual of those points to their targets; 0 for no points.  Exact data: from the moments of the points of each
    cluster in ``mask`` (:func:`~symgeom.local_minima.fit.moment_fit`)."""
    if not mask.any():
        return data.kind.scalar(0)
    if data.kind.is_exact:
        S = _masked_moments(data, mask)
        w = cost.cluster_weights(data)
        return moment_residual(moment_fit(S, data.Y, w), S, data.Y, w)
    Z, T = data.X[:, mask], data.targets_ext[:, mask]
    R = least_squares_fit(Z, T, cost.fit_weights(data, mask)) @ lifted(Z) - T
    return cost.of_residuals(R, data.labels[mask], data)


def _masked_moments(data: ClusterData, mask: np.ndarray) -> np.ndarray:
    """``S_j`` of the points of each cluster ``j`` in ``mask`` (zero where none): the data's own moments where
    ``mask`` takes whole clusters, else summed afresh."""
    inside = np.bincount(data.labels[mask], minlength=data.Q + 1)[1:]
    whole = inside == np.array(data.sizes)
    if np.all(whole | (inside == 0)):
        S = data.moments.copy()
        S[~whole] = arith.zeros(S.shape[1:], data.kind)
        return S
    return grouped_moments(data.X, np.where(mask, data.labels - 1, -1), data.Q)


# -- (b) the construction ------------------------------------------------------------------
def barycentric_fit(data: ClusterData, kept, cost: Cost = Cost.MEAN_SQUARED, mask=None) -> np.ndarray:
    """``C_U`` (``r x (Q+1)``): ``c_U(x) = C_U [x; 1]`` are the barycentric coordinates, with respect to
    ``{y_j : j ∈ U}``, of the least-squares fit on ``U`` (weighted by ``cost``'s ``w_n``: the fit is linear in
    the targets, so ``Y_U C_U`` is the weighted fit of ``Y``); they sum to 1 for every ``x`` (the last row
    is 1 minus the others, which changes nothing on the data, where the fitted values sum to 1: the
    constant 1 is fitted exactly, weights or not).  ``mask``: fit those points only (default: every point of ``U``)."""
    mask = _kept_mask(data, kept) if mask is None else mask
    if data.kind.is_exact:  # from the clusters' moments: target e_i for the i-th cluster of U
        onehot = arith.array((np.arange(1, data.Q + 1)[None, :] == np.array(kept)[:, None]).astype(int), data.kind)
        F = moment_fit(_masked_moments(data, mask), onehot, cost.cluster_weights(data))
    else:
        onehot = arith.array((data.labels[mask][None, :] == np.array(kept)[:, None]).astype(int), data.kind)
        F = least_squares_fit(data.X[:, mask], onehot, cost.fit_weights(data, mask))
    ones = arith.zeros(data.Q + 1, data.kind)
    ones[-1] = ones[-1] + 1
    F[-1] = ones - F[:-1].sum(axis=0)
    return F


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
    groups: tuple = ()
    """The groups of :attr:`truncated` collapsed together, in collapse order: hidden layer ``ℓ`` collapses the
    ``ℓ``-th group (groups of one for a stratum; ``()`` read as such)."""

    @property
    def collapse_groups(self) -> tuple:
        return self.groups or tuple((k,) for k in self.truncated)

    @property
    def merged(self) -> bool:
        """Some group holds several clusters (a merged stratum, :mod:`symgeom.local_minima.merged`)."""
        return any(len(G) > 1 for G in self.collapse_groups)

    @property
    def collapse_layers(self) -> dict:
        """``{k: ℓ}``: the hidden layer that collapses each truncated cluster."""
        return {k: l for l, G in enumerate(self.collapse_groups, start=1) for k in G}

    @cached_property
    def bound(self):
        """``B_U`` of :attr:`cost`; for a merged stratum ``B_U`` plus what its groups pay (:func:`group_spread`)."""
        return stratum_bound(self.data, self.kept, self.cost) + (
            group_spread(self.data, self.collapse_groups, self.cost) if self.merged else 0)

    @cached_property
    def slacks(self) -> dict:
        """The slacks of the strict inequalities that put ``θ_S`` in ``R_S``, by group, exact on exact data
        (:func:`~symgeom.local_minima.region.slack_values`: at the points that may hold each group's smallest slack):
        ``"kept"`` the active slacks of the points of ``U``; for a stratum, each truncated cluster ``k``'s death slacks
        (dead in some hidden layer); for a merged stratum, each group's slacks of dying whole in its collapsing layer."""
        labels = self.data.labels
        parts = {"kept": (np.flatnonzero(np.isin(labels, self.kept)), active_slack)} if self.kept else {}
        if self.merged:
            parts.update({G: (np.flatnonzero(np.isin(labels, G)), functools.partial(dying_in, l))
                          for l, G in enumerate(self.collapse_groups, start=1)})
        else:
            parts.update({k: (np.flatnonzero(labels == k), death_slack) for k in self.truncated})
        return slack_values(self.params, self.data.X, parts)

    @property
    def inside(self) -> bool:
        """Every slack of :attr:`slacks` is ``> 0``: ``θ_S ∈ R_S``."""
        return all(bool((v > 0).all()) for v in self.slacks.values())

    @property
    def label(self) -> str:
        if self.merged:
            return "{" + ", ".join("{" + ", ".join(map(str, G)) + "}" for G in sorted(self.collapse_groups)) + "}"
        return "{" + ", ".join(map(str, sorted(self.truncated))) + "}"


def _kept_block(data: ClusterData, kept: tuple, cost: Cost) -> tuple:
    """``(C_U, Y_U)``: the barycentric fit on ``U`` and the kept targets; for ``U = ∅`` one constant coordinate
    ``c(x) = 1`` with output 0 stands in (every point is collapsed in the end)."""
    if kept:
        return barycentric_fit(data, kept, cost), data.Y[:, [j - 1 for j in kept]]
    return np.append(data.kind.zeros(data.Q), data.kind.scalar(1))[None, :], data.kind.zeros((data.Q, 1))


def separator_weight(s, shortfall, kind):
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
    zeroed) and ``t_l = [0_U; 0 (slots < l); 1 (slots ≥ l); 0 (spare)]`` (spare coordinates, ``Q − r − m`` of
    them, stay 0 when groups merge clusters).  Returns ``(a, β, G, g0, t)``."""
    Q, kind = data.Q, data.kind
    I = kind.identity(Q)
    t = kind.array([0] * (r + l - 1) + [1] * (m - l + 1) + [0] * (Q - r - m))
    if l == 1:
        a, beta = separator_1
        return a, beta, first[:, :Q], first[:, Q], t
    slot = I[r + l - 1]
    return slot, kind.scalar(0), I - np.outer(slot, slot), kind.zeros(Q), t


def stratum_minimizer(data: ClusterData, L: int, truncated, cost: Cost = Cost.MEAN_SQUARED) -> StratumMinimizer:
    """``θ_S``: the explicit point of ``R_S`` with cost ``B_U`` (module docstring, (b)); under ``cost`` (its
    weighted sum equals that cost's ``B_U``: the output map on ``U`` is the weighted least-squares fit).

    ``truncated`` is ``S`` in collapse order (:func:`collapse_order` finds one); ``()`` gives N1 (identity
    layers shifted into the positive orthant, the least-squares output map).  An entry may be a group of labels
    (a tuple), collapsed together in one layer and sent to its weighted mean target (:func:`group_targets`): the
    merged strata of :mod:`symgeom.local_minima.merged`, where ``U`` may be empty (a constant block stands in
    for the fit).  Needs ``L ≥`` the number of groups and a separating hyperplane for each collapse; raises
    :class:`ConstructionError` naming what fails.
    """
    Q, kind = data.Q, data.kind
    groups = collapse_groups(truncated)
    S = tuple(k for G in groups for k in G)
    merged = any(len(G) > 1 for G in groups)
    kept = kept_clusters(Q, S, every=merged)
    m = len(groups)
    if L < m:
        raise ConstructionError(f"truncating S = {{{', '.join(map(str, S))}}} collapses one "
                                f"{'group' if merged else 'cluster'} per hidden layer: it needs L >= "
                                f"{'|P|' if merged else '|S|'} = {m} (got L = {L})")
    Cbar, Ykept = _kept_block(data, kept, cost)
    r = Cbar.shape[0]
    Yperm = np.hstack([Ykept, group_targets(data, groups, cost), kind.zeros((Q, Q - r - m))])
    if m == 0:
        return _no_truncation(data, L, Yperm @ Cbar, cost)
    seps = [separator(data, group(G), kept + tuple(k for H in groups[i + 1:] for k in H)) for i, G in enumerate(groups)]
    # g_1(x) = [c_U(x); 0; ℓ_2(x); …; ℓ_m(x); 0 (spare)]: the fit on U and the separators still needed
    first = np.vstack([Cbar] + [kind.zeros((1, Q + 1))] + [np.append(a, -b)[None, :] for a, b in seps[1:]]
                      + [kind.zeros((Q - r - m, Q + 1))])
    propose = kind.is_exact  # float64 proposes the λs, the exact slacks of θ_S decide; else exact λs
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # infinities propose nothing (_proposed_weight)
            layers = _collapsing_layers(data, groups, r, first, seps[0], True) if propose else None
    except OverflowError:  # a weight beyond float64's range: nothing to propose from
        layers = None
    theta = _assembled(data, L, S, kept, groups, Yperm, layers, cost) if layers is not None else None
    if theta is None or not theta.inside:
        theta = _assembled(data, L, S, kept, groups, Yperm, _collapsing_layers(data, groups, r, first, seps[0], False),
                           cost)
    return theta


def _assembled(data, L, S, kept, groups, Yperm, layers, cost) -> StratumMinimizer:
    """``θ_S`` from its collapsing layers: identity layers (bias ``1``) up to ``L``, and the output map ``Y_perm z``."""
    kind, Q, m = data.kind, data.Q, len(groups)
    weights, biases, lambdas, R, t = layers
    one = kind.full(Q, 1)
    weights += [kind.identity(Q)] * (L - m)
    biases += [one] * (L - m)
    weights.append(Yperm @ R)
    biases.append(Yperm @ t)
    return StratumMinimizer(data, L, S, kept, Parameters(tuple(weights), tuple(biases)), tuple(lambdas), cost, (R, t),
                            groups)


def _collapsing_layers(data: ClusterData, groups: tuple, r: int, first: np.ndarray, separator_1, propose: bool) -> tuple:
    """``(weights, biases, λs, R, t)``: hidden layer ``ℓ`` collapses the ``ℓ``-th group (:func:`_layer_map`), and
    ``z = R h + t`` decodes the last one.  ``propose``: each ``λ_ℓ`` from the points carried in float64 (the exact
    weights are built from it; ``None`` when float64 cannot propose one), else from the exact points."""
    Q, kind, m = data.Q, data.kind, len(groups)
    one, I = kind.full(Q, 1), kind.identity(Q)
    weights, biases, lambdas = [], [], []
    Z = float_copy(data.X) if propose else data.X  # decoded points
    R, t = I, kind.zeros(Q)  # the decoding z = R h + t of the previous layer
    for l, G_l in enumerate(groups, start=1):
        a, beta, G, g0, t_l = _layer_map(data, l, r, m, first, separator_1)
        collapsing = np.isin(data.labels, G_l)
        # a_l(z) = λ_l s_l(z) 1 + G z + g0 − t_l: > 0 off the group, < 0 on it
        a_, beta_, G_, shift = (np.asarray(v, dtype=float) for v in (a, beta, G, g0 - t_l)) if propose else (
            a, beta, G, g0 - t_l)
        Gz = G_ @ Z + shift[:, None]
        shortfall = np.where(collapsing[None, :], Gz, -Gz).max(axis=0)
        lam = _proposed_weight(a_ @ Z - beta_, shortfall) if propose else separator_weight(a @ Z - beta, shortfall, kind)
        if lam is None:
            return None
        M, mvec = lam * np.outer(one, a) + G, -lam * beta * one + g0 - t_l
        weights.append(M @ R)  # in the previous layer's hidden coordinates h: z = R h + t
        biases.append(M @ t + mvec)
        lambdas.append(lam)
        # R_l = I − 1 φ_lᵀ / (r + l) decodes layer l: φ_l sums the U block and the first l slots
        R = I - np.outer(one, kind.array([1] * (r + l) + [0] * (Q - r - l))) / kind.scalar(r + l)
        t = t_l
        t_z = np.asarray(t, dtype=float) if propose else t
        Z = np.where(collapsing[None, :], t_z[:, None], Gz + t_z[:, None])
    return weights, biases, lambdas, R, t


def _proposed_weight(s: np.ndarray, shortfall: np.ndarray):
    """The exact data's ``λ = ⌊2 max shortfall/|s|⌋ + 1`` (at least 1, as :func:`separator_weight`) proposed from float64
    values; ``None`` when float64 cannot propose it (a slack rounds to 0, or a value is not finite)."""
    with np.errstate(all="ignore"):
        ratio = shortfall / np.abs(s)
    if not (np.all(np.abs(s) > 0) and np.all(np.isfinite(ratio))):
        return None
    need = float(ratio.max()) if ratio.size else 0.0
    return arith.to_exact(max(math.floor(2 * need) + 1, 1))


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
