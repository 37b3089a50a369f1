"""Collapse orders (docs/mathematics/strata.md): which clusters, or groups of clusters, hidden layers can collapse
one after another while every point not yet collapsed stays strictly active.

A layer can collapse a cluster ``k`` whole while the other current points stay active when a hyperplane cuts ``k``
off from them (:func:`separator`, decided with exact certificates by :mod:`symgeom.data.separability`); an order
of ``S`` in which each cluster is cut off from the kept clusters and those after it is a *collapse order*
(:func:`collapse_order`, by greedy peeling, :func:`peel_next`).

>>> from symgeom.data.embedded import default_data
>>> collapse_order(default_data(), (3, 1))
(1, 3)
"""

from __future__ import annotations

import weakref

import numpy as np

from ..numbers import arith
from ..numbers.filtered import exact_extreme
from .._errors import ConstructionError
from ..data.clusters import ClusterData
from ..data.separability import NoCollapseOrder, NotSeparated, SEPARABLE, group, separate, separates_along
from .fit import least_squares_fit, moment_fit
from .merged import collapse_groups

__all__ = ["separator", "peel_next", "collapse_order", "kept_clusters", "NotSeparated", "NoCollapseOrder"]


def kept_clusters(Q: int, truncated, every: bool = False) -> tuple:
    """``U``, the labels not in ``S = truncated`` (sorted); checks that ``S`` is a proper subset of ``1..Q``
    (``every``: or all of it, ``U = ∅``, as merged strata allow)."""
    S = tuple(int(k) for k in truncated)
    if len(set(S)) != len(S) or not set(S) <= set(range(1, Q + 1)):
        raise ConstructionError(f"the truncated clusters must be distinct labels in 1..{Q}, got {list(S)}")
    if len(S) == Q and not every:
        raise ConstructionError(f"at least one cluster must be kept: truncating all {Q} is the global minimizer (G1), "
                                "not a stratum")
    return tuple(j for j in range(1, Q + 1) if j not in S)


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
    key = (group(cluster), tuple(sorted(int(j) for j in positive)))
    known = _SEPARATORS.setdefault(data, {})
    if key not in known:
        known[key] = _separate(data, *key)
    found = known[key]
    if not isinstance(found, tuple):
        raise NotSeparated(found.message() + ": no stratum minimizer truncating it here", found)
    return found


def _separate(data: ClusterData, cluster, positive: tuple):
    """:func:`separator` without the memo: ``(a, β)``, or the :class:`~symgeom.data.separability.Separation`
    showing that none was found.  A group of clusters (a tuple) skips the normal of one cluster; with no positive
    clusters the constant ``−1`` (``a = 0``, ``β = 1``) cuts the points off."""
    inside = np.isin(data.labels, [cluster] if isinstance(cluster, int) else list(cluster))
    outside = np.isin(data.labels, list(positive))
    if not outside.any():
        a = data.kind.zeros(data.Q)
        a.flags.writeable = False
        return a, data.kind.scalar(1)

    def discriminant():
        if data.kind.is_exact:  # from the clusters' moments: target -1 inside, +1 outside, weight 0 elsewhere
            labels = np.arange(1, data.Q + 1)
            on = np.isin(labels, data.labels[inside]) | np.isin(labels, data.labels[outside])
            pm = arith.array(np.where(np.isin(labels, data.labels[inside]), -1, 1)[None, :], data.kind)
            return moment_fit(data.moments, pm, [int(v) for v in on])[0, :data.Q]
        pm = arith.array(np.where(inside, -1, 1)[inside | outside][None, :], data.kind)
        return least_squares_fit(data.X[:, inside | outside], pm)[0, :data.Q]

    normal = [lambda: data.normals[:, cluster - 1]] if isinstance(cluster, int) else []
    for direction in normal + [discriminant]:  # the fit only when the normal fails
        a = direction()
        lo, hi = _extremes(data, a, inside, outside)
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


def _extremes(data: ClusterData, a: np.ndarray, inside: np.ndarray, outside: np.ndarray) -> tuple:
    """``(max a·x over inside, min a·x over outside)``, exactly for exact data (:func:`~symgeom.numbers.filtered.exact_extreme`)."""
    if data.kind.is_exact:
        return (exact_extreme(a, data.X, np.flatnonzero(inside), True),
                exact_extreme(a, data.X, np.flatnonzero(outside), False))
    v = a @ data.X
    return arith.largest(v[inside]), arith.smallest(v[outside])


def peel_next(data: ClusterData, left, others=()) -> tuple:
    """``(k, stuck)``: the first cluster ``k`` of ``left`` that a certified hyperplane cuts off from ``others`` and
    the rest of ``left`` (:func:`separator`), or ``(None, stuck)`` with the :class:`NotSeparated` of every cluster
    of ``left`` when none is.  An entry of ``left`` may be a group of labels (a tuple), cut off whole."""
    stuck = []
    for k in left:
        try:
            rest = [j for j in left if j != k]
            separator(data, k, tuple(others) + tuple(i for j in rest for i in ((j,) if isinstance(j, int) else j)))
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
    certificate of every remaining cluster.  Entries of ``truncated`` may be groups of labels (tuples, collapsed
    together: :func:`~symgeom.data.separability.group`), ordered the same way."""
    groups = sorted(collapse_groups(truncated))
    kept = kept_clusters(data.Q, [k for G in groups for k in G], every=any(len(G) > 1 for G in groups))
    left, order = [group(G) for G in groups], []
    while left:
        k, stuck = peel_next(data, left, kept)
        if k is not None:
            order.append(k)
            left.remove(k)
        else:
            names = ", ".join(str(k) if isinstance(k, int) else "{" + ", ".join(map(str, k)) + "}" for k in left)
            message = ("" if len(left) == 1 else f"no cluster of {{{names}}} can be collapsed next: ") \
                + "; ".join(e.separation.message() for e in stuck)
            raise NoCollapseOrder(message, tuple(left), tuple(e.separation for e in stuck))
    return tuple(order)
