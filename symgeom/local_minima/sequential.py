"""Zero cost on sequentially separable data: G1 beyond "sufficiently clustered" (docs/mathematics/global-minima.md).

The clusters are *sequentially separable in the order* ``π = (k_1, …, k_Q)`` when for ``i = 1..Q−1`` a
hyperplane cuts ``k_i`` off from the clusters still to come: ``a_i·x − β_i < 0`` on ``k_i`` and ``> 0`` on
``k_{i+1}, …, k_Q``.  (Sufficiently clustered data, ``ρ < c``, are; the converse fails: three clusters on a
line are sequentially separable, their means span no triangle.)

* **``L ≥ Q − 1``: the stratum point with one kept cluster.**  The point ``θ_S`` of the stratum theorem
  (:func:`~symgeom.local_minima.strata.stratum_minimizer`) for ``S = (k_1, …, k_{Q−1})`` in this order and
  ``U = {k_Q}`` asks exactly for these hyperplanes (``k_i`` cut off from the kept cluster and from the clusters
  truncated after it).  It lies in ``R_S`` and costs ``B_U``; with one kept cluster ``B_U = 0`` (the constant map
  ``y_{k_Q}`` fits it), so ``C(θ_S) = 0 ≤ C``: a global minimum.  Layer ``i`` collapses ``k_i``; the last two
  clusters are parted by the hyperplane of layer ``Q − 1``, and ``k_Q`` needs no layer of its own.
* **``L ≥ Q``: every cluster collapsed** (the setting of G2–G4: each cluster ends at one point of the last
  hidden layer).  In the decoded coordinates ``z = R h + t`` of layer ``Q − 1`` (strata, (b)) the kept cluster
  sits at ``e_1`` and ``k_i`` at ``e_{1+i}``.  Layer ``Q`` is ``a(z) = z + (1 − 3 z_1) 1``: ``e_1 − 2·1 < 0`` at
  ``e_1`` (``k_Q`` collapses), ``e_{1+i} + 1 > 0`` at ``e_{1+i}``.  The images ``0`` and ``1 + e_{1+i}`` are
  affinely independent (``Σ c_i (1 + e_{1+i}) = 0`` gives ``Σ c_i = 0`` from the first coordinate, then every
  ``c_i = 0``), so an affine output map sends each to its cluster's target.  Layers beyond ``Q``: ``W = I``,
  ``b = 1``.

Nothing above is trusted: :func:`certify_sequential` checks on the data that the cost is exactly 0 and every
strict sign condition (each point strictly active in every hidden layer but its cluster's collapsing layer,
where it is strictly inactive).

Below ``L = Q − 1`` (:func:`zero_cost_below_q`): the stratum point keeping one cluster when ``L = Q − 1`` (the
clusters to keep tried from ``Q`` down to ``1``, :func:`keep_one_cluster`), else the interval network
(:func:`~symgeom.global_minima.interval_network.interval_network`, ``L ≥ 2``) when the clusters project to disjoint
intervals along some direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..numbers import arith
from .._errors import ConstructionError
from ..certify.certificates import CERTIFIED, REFUTED, Check, certify_positive, combine
from ..calculus.cost import DEFAULT_COST, Cost
from ..data.clusters import ClusterData
from ..data.separability import NoCollapseOrder
from ..global_minima.interval_network import IntervalNetwork, interval_network
from ..global_minima.minimizer import OutputFiber
from ..model.network import Parameters, forward, layers, preactivations
from .strata import StratumMinimizer, collapse_order, least_squares_fit, peel_next, stratum_minimizer

__all__ = ["SequentialMinimizer", "peeling_order", "sequential_minimizer", "certify_sequential", "hypothesis",
           "zero_cost_below_q", "keep_one_cluster"]


def peeling_order(data: ClusterData) -> tuple:
    """An order ``π`` in which each cluster is cut off by a hyperplane from all clusters after it, by peeling:
    at each step the smallest label separated from the rest.  This decides over all orders (as
    :func:`~symgeom.local_minima.strata.collapse_order`: separability from a set implies it from every subset, so
    peeling any separable cluster never loses an order; when none is separable, no order exists, its first
    element would be).  Raises :class:`~symgeom.data.separability.NoCollapseOrder` with the certificates."""
    left, order = list(range(1, data.Q + 1)), []
    while len(left) > 1:
        k, stuck = peel_next(data, left)
        if k is not None:
            order.append(k)
            left.remove(k)
        else:
            message = (f"the clusters are not sequentially separable: no cluster of {{{', '.join(map(str, left))}}} is "
                       "cut off from the others by a hyperplane: " + "; ".join(e.separation.message() for e in stuck))
            raise NoCollapseOrder(message, tuple(left), tuple(e.separation for e in stuck))
    return tuple(order + left)


@dataclass(frozen=True, eq=False)
class SequentialMinimizer(OutputFiber):
    """A zero-cost point built from the peeling order's hyperplanes (module docstring); for ``L ≥ Q`` also G2's
    output fiber over the clusters' images in the last hidden layer (:class:`~symgeom.global_minima.minimizer.OutputFiber`)."""

    data: ClusterData
    L: int
    order: tuple
    """``π``: hidden layer ``i`` collapses ``π(i)`` (``i ≤ Q − 1``; also ``i = Q`` when ``L ≥ Q``)."""
    params: Parameters
    images: np.ndarray | None = None
    """``L ≥ Q``: column ``k − 1`` is the point of the last hidden layer where cluster ``k`` ends (``Q x Q``)."""

    @property
    def Q(self) -> int:
        return self.data.Q

    @property
    def apexes(self) -> np.ndarray:
        """The clusters' images in the last hidden layer (the points the output map sends to the targets)."""
        if self.images is None:
            raise ConstructionError(f"with L = Q - 1 = {self.L} the last cluster {self.order[-1]} is not collapsed: "
                                    "its points do not end at one point of the last hidden layer")
        return self.images

    @property
    def collapse(self) -> dict:
        """``{k: ℓ}``: the hidden layer that collapses each cluster (the last one only when ``L ≥ Q ≥ 2``)."""
        last = len(self.order) if self.images is not None else len(self.order) - 1
        return {k: i for i, k in enumerate(self.order[:last], start=1)}

    @property
    def collapse_text(self) -> str:
        """``cluster 1 in layer 1, cluster 3 in layer 2``; ``, cluster 2 not collapsed`` for ``L = Q − 1``."""
        text = ", ".join(f"cluster {k} in layer {l}" for k, l in self.collapse.items())
        return text + ("" if len(self.collapse) == len(self.order) else f", cluster {self.order[-1]} not collapsed")

    @property
    def hypothesis(self) -> str:
        return hypothesis(self.order)


def hypothesis(order) -> str:
    """``sequentially separable, order (2, 1, 3)``: the hypothesis under which G1 is certified."""
    return "sequentially separable, order (" + ", ".join(map(str, order)) + ")"


def sequential_minimizer(data: ClusterData, L: int, order=None) -> SequentialMinimizer:
    """The zero-cost point for ``L ≥ Q − 1`` on sequentially separable data (``order`` default
    :func:`peeling_order`); raises :class:`ConstructionError` naming what fails."""
    Q = data.Q
    if not data.kind.is_exact:
        raise ConstructionError("the sequential construction is built and certified on exact data (read the data "
                                "exactly: its cost is decided as exactly 0)")
    if L < Q - 1:
        raise ConstructionError(f"the sequential construction collapses Q - 1 = {Q - 1} clusters one per layer: it "
                                f"needs L >= Q - 1 (got L = {L})")
    order = peeling_order(data) if order is None else tuple(int(k) for k in order)
    if L == Q - 1 or Q == 1:
        return SequentialMinimizer(data, L, order, stratum_minimizer(data, L, order[:-1]).params)
    base = stratum_minimizer(data, Q - 1, order[:-1])
    R, t = base.decoding
    kind, one = data.kind, data.kind.full(Q, 1)
    first = R[0]  # a(z) = z + (1 - 3 z_1) 1 with z = R h + t
    W_Q, b_Q = R - 3 * np.outer(one, first), t + (1 - 3 * t[0]) * one
    weights = list(base.params.weights[:-1]) + [W_Q] + [kind.identity(Q)] * (L - Q)
    biases = list(base.params.biases[:-1]) + [b_Q] + [one] * (L - Q)
    hidden = Parameters(tuple(weights) + (kind.identity(Q),), tuple(biases) + (kind.zeros(Q),))
    reps = [int(np.argmax(data.labels == k)) for k in range(1, Q + 1)]
    images = layers(hidden, data.X[:, reps])[L]  # column k-1: where cluster k ends in the last hidden layer
    fit = least_squares_fit(images, data.Y)  # exact when the images are affinely independent (checked below)
    params = Parameters(tuple(weights) + (fit[:, :Q],), tuple(biases) + (fit[:, Q],))
    return SequentialMinimizer(data, L, order, params, images)


def certify_sequential(theta: SequentialMinimizer) -> Check:
    """G1 at ``theta``: every strict sign condition (each point ``> 0`` in every hidden pre-activation but in its
    cluster's collapsing layer, ``< 0`` there) and the cost, exactly 0 under both costs (each residual 0)."""
    data, params = theta.data, theta.params
    layer_of = np.array([theta.collapse.get(int(k), 0) for k in data.labels])
    pre = np.stack(preactivations(params, data.X))  # L x Q x N
    dying = (np.arange(1, params.L + 1)[:, None] == layer_of[None, :])[:, None, :]
    signs = certify_positive(np.where(dying, -pre, pre), "strict sign conditions of every hidden layer",
                             f"{pre.size} strict inequalities: a point of cluster k < 0 in layer collapse(k), > 0 elsewhere")
    residual = forward(params, data.X)[1][-1] - data.Y[:, data.labels - 1]
    worst = arith.largest(np.abs(residual))
    exact = data.kind.is_exact
    cost = Check(CERTIFIED if worst == 0 else REFUTED, "every output equals its target" + ("" if exact else " (float64)"),
                 f"largest |residual| {worst}", residual=worst,
                 counterexample=None if worst == 0 else f"|residual| {worst} != 0")
    return combine([signs, cost], f"{theta.hypothesis}: exact cost 0 and strict sign conditions",
                   f"L = {params.L}; {theta.collapse_text}")


def keep_one_cluster(data: ClusterData, cost: Cost = DEFAULT_COST) -> tuple[StratumMinimizer | None, list]:
    """``(θ_S, [])`` for the largest label ``k`` whose complement ``S`` has a collapse order (``L = Q − 1``
    hidden layers, ``U = {k}``, ``C(θ_S) = B_U = 0``), or ``(None, reasons)`` with why each ``k`` failed."""
    errors = []
    for keep in range(data.Q, 0, -1):
        try:
            S = collapse_order(data, [k for k in range(1, data.Q + 1) if k != keep])
        except ConstructionError as e:
            errors.append(str(e))
            continue
        return stratum_minimizer(data, data.Q - 1, S, cost), errors
    return None, errors


def zero_cost_below_q(data: ClusterData, L: int, cost: Cost = DEFAULT_COST) -> StratumMinimizer | IntervalNetwork:
    """A point of cost 0 with ``L < Q`` hidden layers: the stratum minimizer keeping one cluster when
    ``L = Q − 1`` (:func:`keep_one_cluster`), else -- or when no cluster can be kept -- the interval network of
    depth ``L ≥ 2``.  Raises :class:`~symgeom.ConstructionError` saying which construction failed and why.

    >>> from symgeom.data.embedded import default_data
    >>> point = zero_cost_below_q(default_data(), 2)
    >>> point.truncated, point.kept, point.bound
    ((1, 2), (3,), 0)
    """
    if not 1 <= L < data.Q:
        raise ConstructionError(f"zero cost below G1's depth needs 1 <= L < Q = {data.Q} hidden layers, got L = {L}")
    errors = []
    if L == data.Q - 1:
        point, errors = keep_one_cluster(data, cost)
        if point is not None:
            return point
    if L < 2 and errors:
        raise ConstructionError(f"no cluster can be kept with the others truncated one per layer: {errors[0]}")
    if L < 2:
        raise ConstructionError(f"with L = 1 hidden layer zero cost is constructed with one truncation per hidden layer "
                                f"for all clusters but one: it needs L >= Q - 1 = {data.Q - 1} (got L = {L}); with "
                                "L >= 2, zero cost is constructed when the clusters project to disjoint intervals along "
                                "some direction")
    try:
        return interval_network(data, L)
    except ConstructionError as e:
        raise ConstructionError("; ".join(errors[:1] + [str(e)])) from None
