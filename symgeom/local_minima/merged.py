"""Merged strata (docs/mathematics/strata.md, beyond the stratum theorem): clusters collapsed together.

Points that die in hidden layer ``ℓ`` (every pre-activation ``< 0``) have ``x^(ℓ) = 0``: whatever they were,
they leave the network with one output ``o_ℓ``, the rest of the network applied to ``0``.  Two consequences.

* **Merged strata.**  Take ``U`` (possibly empty) and a partition ``P`` of ``S = {1..Q} ∖ U`` into groups.
  ``R_{U,P}`` is the open set of parameters where every point of ``U`` is active and, for each group ``G``,
  every point of ``G`` dies in one common hidden layer.  There the network is one affine map on ``U`` and
  constant on each group, so ``C ≥ B_{U,P} = B_U + Σ_G Σ_{k∈G} M_k |y_k − ȳ_G|²`` (``M_k = N_k w_k`` the
  cluster's mass in the cost, ``ȳ_G`` the ``M``-weighted mean target of ``G``:
  :func:`group_spread`).  A point of ``R_{U,P}`` at cost ``B_{U,P}`` is a local
  minimum; :func:`~symgeom.local_minima.strata.stratum_minimizer`, given the groups, builds one (``L ≥ |P|``,
  each group cut off by a hyperplane from ``U`` and the groups after it).  Groups of one give the strata.
* **``|S| > L``.**  On the whole stratum ``R_S`` every truncated point dies in some layer, so the truncated
  points have at most ``L`` outputs ``o_1, …, o_L``.  Each cluster ``k ∈ S`` pays at least
  ``M_k min_ℓ |o_ℓ − y_k|²``, and the best ``L`` outputs for ``|S|`` targets group them:
  ``C ≥ B_U + F_L(S)`` on ``R_S``, ``F_L(S)`` the least :func:`group_spread` over the partitions of ``S`` into at
  most ``L`` groups (:func:`fewest_outputs`).  With distinct targets ``F_L(S) > 0`` when ``|S| > L``: no point of
  ``R_S`` has cost ``B_U``.  A merged stratum of an optimal partition at cost ``B_U + F_L(S)`` attains the bound:
  it is the minimum of ``C`` on ``R_S``.

``F_L`` is found by dynamic programming over subsets of the ``Q`` labels (exact arithmetic, ``3^Q`` steps once per
data set and cost), not over partitions.

>>> from symgeom.data.embedded import default_data
>>> data = default_data()
>>> low, best = fewest_outputs(data, (1, 2, 3), 2)
>>> len(best), low > 0
(2, True)
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from ..calculus.cost import Cost
from ..data.clusters import ClusterData

__all__ = ["collapse_groups", "group_targets", "group_spread", "death_spread", "fewest_outputs", "partitions"]


def collapse_groups(truncated) -> tuple:
    """``truncated`` as groups in collapse order, one group per collapsing layer: a label is a group of one
    (``(3, (1, 2)) → ((3,), (1, 2))``), a group's labels sorted."""
    return tuple((int(G),) if isinstance(G, (int, np.integer)) else tuple(sorted(int(k) for k in G)) for G in truncated)


def group_targets(data: ClusterData, groups, cost: Cost = Cost.MEAN_SQUARED) -> np.ndarray:
    """``(ȳ_G)`` (``Q x |groups|``): each group's target mean weighted by the clusters' masses ``M_k = N_k w_k``
    (``w_k`` the weight of ``cost`` on a point of cluster ``k``), ``ȳ_G = Σ_{k∈G} M_k y_k / Σ_{k∈G} M_k`` -- the one
    output that minimizes ``Σ_{n∈G} w_n |o − y_{j(n)}|²``."""
    mass = _masses(data, cost)
    cols = [_mean(data, G, mass) for G in groups]
    return np.stack(cols, axis=1) if cols else data.kind.zeros((data.Q, 0))


def group_spread(data: ClusterData, groups, cost: Cost = Cost.MEAN_SQUARED):
    """``Σ_G Σ_{k∈G} M_k |y_k − ȳ_G|²`` (:func:`group_targets`): what the clusters of each group, sent to one
    output, pay at best -- 0 for groups of one."""
    mass = _masses(data, cost)
    return sum((_spread(data, G, mass) for G in groups), data.kind.scalar(0))


def death_spread(data: ClusterData, first_death: np.ndarray, cost: Cost = Cost.MEAN_SQUARED):
    """``Σ_ℓ min_o Σ_{n : ℓ(n) = ℓ} w_n |o − y_{j(n)}|²``: what the points that first die in each hidden layer pay
    at best, sharing one output per layer (``first_death``: ``(N,)`` layers, 0 for a point that never dies, which
    pays nothing here).  Computed from the counts of each cluster per layer: the points of one layer form a group
    whose cluster masses are ``count_k w_k`` (:func:`group_spread`'s formula)."""
    weights = cost.cluster_weights(data)
    total = data.kind.scalar(0)
    for l in np.unique(first_death[first_death > 0]):
        mine = first_death == l
        mass = [data.kind.scalar(int(np.count_nonzero(mine & (data.labels == k)))) * weights[k - 1]
                for k in range(1, data.Q + 1)]
        G = tuple(k for k in range(1, data.Q + 1) if mass[k - 1] != 0)
        total = total + _spread(data, G, mass)
    return total


def _spread(data: ClusterData, G: tuple, mass) -> object:
    """``Σ_{k∈G} M_k |y_k − ȳ|²`` with ``ȳ`` the ``M``-weighted mean of the targets."""
    mean = _mean(data, G, mass)
    total = data.kind.scalar(0)
    for k in G:
        r = data.Y[:, k - 1] - mean
        total = total + mass[k - 1] * (r @ r)
    return total


def _mean(data: ClusterData, G: tuple, mass) -> np.ndarray:
    """``ȳ = Σ_{k∈G} M_k y_k / Σ_{k∈G} M_k``."""
    return sum((mass[k - 1] * data.Y[:, k - 1] for k in G[1:]), mass[G[0] - 1] * data.Y[:, G[0] - 1]) \
        / sum((mass[k - 1] for k in G[1:]), mass[G[0] - 1])


def _masses(data: ClusterData, cost: Cost) -> tuple:
    """``M_k = N_k w_k``: the weight of cluster ``k`` in ``cost``'s weighted sum."""
    return tuple(data.kind.scalar(n) * w for n, w in zip(data.sizes, cost.cluster_weights(data)))




def partitions(labels) -> list[tuple]:
    """Every partition of ``labels`` into groups, each a sorted tuple of sorted groups (the first label's group
    first), in a fixed order.

    >>> partitions((1, 2, 3))
    [((1, 2, 3),), ((1, 2), (3,)), ((1, 3), (2,)), ((1,), (2, 3)), ((1,), (2,), (3,))]
    """
    labels = tuple(labels)
    if not labels:
        return [()]
    first, rest = labels[0], labels[1:]
    out = []
    for size in range(len(rest), -1, -1):
        for mates in _subsets(rest, size):
            left = tuple(k for k in rest if k not in mates)
            out += [((first, *mates),) + p for p in partitions(left)]
    return out


def _subsets(labels: tuple, size: int) -> list[tuple]:
    from itertools import combinations
    return list(combinations(labels, size))


@dataclass
class _Table:
    """``spread[B]`` for every subset ``B`` of the labels (a bit mask) and ``best[(T, j)] = (F, partition)``."""

    spread: dict
    best: dict


_TABLES: "weakref.WeakKeyDictionary[ClusterData, dict]" = weakref.WeakKeyDictionary()


def _table(data: ClusterData, cost: Cost) -> _Table:
    by_cost = _TABLES.setdefault(data, {})
    if cost not in by_cost:
        Q = data.Q
        spread = {mask: group_spread(data, (_labels(mask),), cost) for mask in range(1, 1 << Q)}
        by_cost[cost] = _Table(spread, {})
    return by_cost[cost]


def _labels(mask: int) -> tuple:
    return tuple(k + 1 for k in range(mask.bit_length()) if mask >> k & 1)


def _best(table: _Table, T: int, j: int) -> tuple:
    """``(F, partition)``: the least spread of a partition of the labels ``T`` (a mask) into at most ``j`` groups.
    The group of ``T``'s lowest label ranges over the subsets of ``T`` holding it."""
    if T == 0:
        return 0, ()
    key = (T, j)
    if key not in table.best:
        low = T & -T
        rest = T ^ low
        found = (table.spread[T], (_labels(T),))  # one group; more groups can only lower the spread
        if j > 1:
            sub = rest
            while True:
                group = sub | low
                value, parts = _best(table, T ^ group, j - 1)
                value = table.spread[group] + value
                if value < found[0]:
                    found = (value, (_labels(group),) + parts)
                if sub == 0:
                    break
                sub = (sub - 1) & rest
        table.best[key] = found
    return table.best[key]


def fewest_outputs(data: ClusterData, truncated, L: int, cost: Cost = Cost.MEAN_SQUARED) -> tuple:
    """``(F_L(S), P)``: the least :func:`group_spread` of a partition ``P`` of
    ``S = truncated`` into at most ``L`` groups, and one such partition (its groups sorted) -- what the truncated
    points pay at least on ``R_S``, where they have at most ``L`` outputs (module docstring).  ``0`` and the
    groups of one when ``|S| ≤ L``."""
    S = tuple(sorted(int(k) for k in truncated))
    if len(S) <= L:
        return data.kind.scalar(0), tuple((k,) for k in S)
    mask = sum(1 << (k - 1) for k in S)
    value, parts = _best(_table(data, cost), mask, L)
    return value, tuple(sorted(parts))
