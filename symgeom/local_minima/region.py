"""The open region ``R_S`` of the stratum theorem, defined point by point (docs/mathematics/strata.md, the strata).

Every hidden layer ``ℓ`` gives each data point ``n`` its pre-activations ``a_ℓ(n) = W_ℓ x^(ℓ-1)_n + b_ℓ``.

* Point ``n`` is **active** when every entry of ``a_ℓ(n)`` is ``> 0`` in every hidden layer.
* Point ``n`` **dies** in layer ``ℓ`` when every entry of ``a_ℓ(n)`` is ``< 0`` there (``x^(ℓ)_n = 0``);
  its *first death* is the first such layer.

``θ ∈ R_S`` (``U`` the clusters not in ``S``) exactly when every point of ``U`` is active and every point of
each cluster ``k ∈ S`` dies in *some* hidden layer -- not necessarily the same layer for all points of the
cluster.  Both conditions are finitely many strict inequalities, so ``R_S`` is open; their slacks
(:func:`region_slacks`) are ``min_ℓ,i a_ℓ(n)_i`` on the points of ``U`` and ``max_ℓ min_i (−a_ℓ(n)_i)`` on
those of ``S``.  This is the one definition used by ``check`` (the strata's certificates), ``locate``,
``construct`` and the reports.

>>> import numpy as np
>>> pre = np.array([[[1., -1.]], [[2., 3.]]])   # L = 2 layers, one neuron, two points
>>> st = point_states(pre)
>>> st.active.tolist(), st.first_death.tolist()
([True, False], [0, 1])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model.network import forward
from ..numbers.filtered import MAX_EXACT_CANDIDATES, certified_patterns, float_copy

__all__ = ["active_slack", "death_slack", "dying_in", "slack_values", "nonzero_preactivations", "PointStates", "point_states", "pattern_classes", "PATTERN_CLASSES", "cluster_partition", "region_slacks", "in_region", "deaths_by_layer"]


@dataclass(frozen=True)
class PointStates:
    """What the hidden layers do to each data point."""

    active: np.ndarray
    """``(N,)``: every pre-activation ``> 0`` in every hidden layer."""
    first_death: np.ndarray
    """``(N,)`` integers: the first hidden layer (1-based) where every pre-activation is ``< 0``; 0 if none."""
    active_slack: np.ndarray
    """``(N,)``: ``min_ℓ,i a_ℓ(n)_i`` (``> 0`` exactly when the point is active)."""
    death_slack: np.ndarray
    """``(N,)``: ``max_ℓ min_i (−a_ℓ(n)_i)`` (``> 0`` exactly when the point dies in some layer)."""


def point_states(pre: np.ndarray) -> PointStates:
    """:class:`PointStates` from the hidden pre-activations ``pre`` (``L x Q x N``, exact or float)."""
    dead = (pre < 0).all(axis=1)  # (L, N)
    first = np.where(dead.any(axis=0), np.argmax(dead, axis=0) + 1, 0)
    return PointStates((pre > 0).all(axis=(0, 1)), first, active_slack(pre), death_slack(pre))


def active_slack(pre: np.ndarray) -> np.ndarray:
    """``min_ℓ,i a_ℓ(n)_i`` per point (``> 0``: active), from the hidden pre-activations ``pre`` (``L x Q x n``)."""
    return pre.min(axis=(0, 1))


def death_slack(pre: np.ndarray) -> np.ndarray:
    """``max_ℓ min_i (−a_ℓ(n)_i)`` per point (``> 0``: dies in some hidden layer)."""
    return (-pre).min(axis=1).max(axis=0)


def dying_in(layer: int, pre: np.ndarray) -> np.ndarray:
    """``min_i (−a_layer(n)_i)`` per point (``> 0``: dies in hidden layer ``layer``, 1-based)."""
    return (-pre[layer - 1]).min(axis=0)


def slack_values(params, X: np.ndarray, parts: dict) -> dict:
    """``{name: slacks}`` for ``parts`` ``{name: (columns, slack)}``, ``slack`` a function of the hidden pre-activations
    (``L x Q x n``) monotone in each of them (:func:`active_slack`, :func:`death_slack`, :func:`dying_in`).

    Exact parameters and points: one float64 pass with certified error bounds
    (:func:`~symgeom.numbers.filtered.certified_patterns`) brackets every slack (a monotone function of values known
    within their bounds lies between its values at the ends); where a part's bracket is above 0 everywhere, only the
    columns whose bracket reaches below the part's least upper end can hold its smallest slack, and an exact pass over
    those columns gives their slacks -- the part's exact minimum and sign, as from every column.  Any other part, and
    every part of float data, takes one pass over all its columns in the data's arithmetic."""
    out = {}
    found = certified_patterns(params, float_copy(X)) if X.dtype == object else None
    if found is not None:
        P, E = np.stack(found[1][:-1]), np.stack(found[2][:-1])
        for name, (cols, slack) in parts.items():
            with np.errstate(over="ignore", invalid="ignore"):  # beyond float64's range: no bracket above 0
                ends = slack(P[:, :, cols] - E[:, :, cols]), slack(P[:, :, cols] + E[:, :, cols])
            low, high = np.minimum(*ends), np.maximum(*ends)
            if cols.size and float(low.min()) > 0:
                near = cols[low <= high.min()]
                if near.size <= MAX_EXACT_CANDIDATES:
                    out[name] = slack(np.stack(forward(params, X[:, near])[0][:-1]))
    missing = [name for name in parts if name not in out]
    if missing:
        pre = np.stack(forward(params, X)[0][:-1])
        out.update({name: parts[name][1](pre[:, :, parts[name][0]]) for name in missing})
    return {name: out[name] for name in parts}


def nonzero_preactivations(params, X: np.ndarray) -> bool:
    """Every hidden pre-activation of every point is nonzero (the filter's certified signs, else one pass)."""
    if X.dtype == object and certified_patterns(params, float_copy(X)) is not None:
        return True
    return bool(all((a != 0).all() for a in forward(params, X)[0][:-1]))


PATTERN_CLASSES = 256
"""At most this many activation patterns among the points that never die get a pattern bound."""


def pattern_classes(pre: np.ndarray, states: PointStates):
    """``(classes, margin)``: the points that never die grouped by their activation pattern (one boolean mask per
    pattern, in a fixed order), and the smallest slack of the strict inequalities that keep every point so -- each
    such point's pre-activations keep their signs, each other point stays dead in its first-death layer.  ``None``
    when some point that never dies has a pre-activation 0 (its pattern is not open about the point) or the
    patterns exceed :data:`PATTERN_CLASSES`."""
    alive = np.flatnonzero(states.first_death == 0)
    dead = np.flatnonzero(states.first_death > 0)
    live = pre[:, :, alive].reshape(pre.shape[0] * pre.shape[1], alive.size)  # one column per point that never dies
    if not (live != 0).all():
        return None
    classes, slacks = [], [(-pre[states.first_death[dead] - 1, :, dead]).min(axis=1)]
    if alive.size:
        keys, which = np.unique((live > 0).T, axis=0, return_inverse=True)
        if len(keys) > PATTERN_CLASSES:
            return None
        for c in range(len(keys)):
            mask = np.zeros(states.first_death.size, dtype=bool)
            mask[alive[np.asarray(which).reshape(-1) == c]] = True
            classes.append(mask)
        slacks.append(abs(live).min(axis=0))
    return classes, min(min(v.tolist()) for v in slacks if v.size)


def cluster_partition(states: PointStates, labels: np.ndarray, Q: int) -> tuple:
    """``(kept, truncated, mixed)``: the clusters whose points are all active, those whose points all die in
    some layer, and the rest (labels, sorted)."""
    kept, truncated, mixed = [], [], []
    for k in range(1, Q + 1):
        mine = labels == k
        if states.active[mine].all():
            kept.append(k)
        elif (states.first_death[mine] > 0).all():
            truncated.append(k)
        else:
            mixed.append(k)
    return tuple(kept), tuple(truncated), tuple(mixed)


def deaths_by_layer(states: PointStates, labels: np.ndarray, k: int) -> tuple:
    """``((ℓ, count), …)``: how many points of cluster ``k`` first die in each hidden layer ``ℓ``."""
    first = states.first_death[labels == k]
    layers, counts = np.unique(first[first > 0], return_counts=True)
    return tuple((int(l), int(c)) for l, c in zip(layers, counts))


def region_slacks(states: PointStates, labels: np.ndarray, kept, truncated) -> dict:
    """The slacks of the strict inequalities that define ``R_S``, by group: ``{"kept": …}`` (the active
    slacks of the points of ``U``) and ``{k: …}`` (the death slacks of each cluster ``k ∈ S``); ``θ ∈ R_S``
    exactly when every slack is ``> 0``."""
    out = {"kept": states.active_slack[np.isin(labels, list(kept))]}
    out.update({int(k): states.death_slack[labels == k] for k in truncated})
    return out


def in_region(pre: np.ndarray, labels: np.ndarray, kept, truncated) -> bool:
    """``θ ∈ R_S`` from its hidden pre-activations: every point of ``kept`` active, every point of each cluster
    of ``truncated`` dead in some layer."""
    states = point_states(pre)
    return bool(states.active[np.isin(labels, list(kept))].all()) and all(
        bool((states.first_death[labels == k] > 0).all()) for k in truncated)
