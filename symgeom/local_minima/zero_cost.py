"""Zero cost with fewer hidden layers than clusters (``L < Q``): the explicit global minimizers below G1's depth.

* ``L = Q − 1``: truncate every cluster but one, one per hidden layer (the stratum ``R_S`` with
  ``S = {1..Q} ∖ {k}``): the kept cluster ``U = {k}`` is fitted exactly by a constant output, so ``B_U = 0`` and
  the stratum minimizer ``θ_S`` (:func:`~symgeom.local_minima.strata.stratum_minimizer`) has cost 0.  The clusters
  to keep are tried from ``Q`` down to ``1``; a truncation order must exist for ``S``
  (:func:`~symgeom.local_minima.strata.collapse_order`).
* ``L ≥ 2`` (or when no cluster can be kept): the interval network
  (:func:`~symgeom.global_minima.interval_network.interval_network`), when the clusters project to disjoint
  intervals along some direction.

>>> from symgeom.data.embedded import default_data
>>> point = zero_cost_below_q(default_data(), 2)
>>> point.truncated, point.kept, point.bound
((1, 2), (3,), 0)
"""

from __future__ import annotations

from ..calculus.cost import DEFAULT_COST, Cost
from .._errors import ConstructionError
from ..data.clusters import ClusterData
from ..global_minima.interval_network import IntervalNetwork, interval_network
from .strata import StratumMinimizer, collapse_order, stratum_minimizer

__all__ = ["zero_cost_below_q", "keep_one_cluster"]


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
    depth ``L ≥ 2``.  Raises :class:`~symgeom.ConstructionError` saying which construction failed and why."""
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
