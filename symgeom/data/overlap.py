"""Points shared by two clusters: a point that belongs to two clusters makes them inseparable (no network
can send it to two targets), so data with one are refused, by a sort of 64-bit keys of the points rather than
a comparison of every pair.

>>> import numpy as np
>>> reject_shared_points(np.array([[0.0, 1.0, 0.0]]), np.array([1, 2, 1]), "d")  # a repeat inside a cluster
>>> reject_shared_points(np.array([[0.0, 1.0, -0.0]]), np.array([1, 2, 2]), "d")
Traceback (most recent call last):
...
symgeom._errors.DataError: d: point 1 of cluster 1 and point 3 of cluster 2 are the same point; a point can belong to one cluster only
"""

from __future__ import annotations

import numpy as np

from .._errors import DataError
from ..numbers.filtered import float_copy

__all__ = ["reject_shared_points"]

MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB), np.uint64(0x9E3779B97F4A7C15))
"""Multipliers of SplitMix64's finalizer, which spreads the bits of a float64 over a 64-bit key."""


def _point_keys(approx: np.ndarray) -> np.ndarray:
    """One 64-bit key per column of the float ``Q x N`` array (equal points, ``-0.0`` and ``0.0`` alike, get
    equal keys; distinct points collide with probability about ``2^-64``), built one coordinate at a time."""
    key = np.zeros(approx.shape[1], dtype=np.uint64)
    for row in approx:
        x = (row + 0.0).view(np.uint64)  # + 0.0 turns -0.0 into 0.0
        x ^= x >> np.uint64(30)
        x *= MIX[0]
        x ^= x >> np.uint64(27)
        x *= MIX[1]
        x ^= x >> np.uint64(31)
        key *= MIX[2]
        key += x
    return key


def reject_shared_points(X: np.ndarray, labels: np.ndarray, source: str) -> None:
    """A point that belongs to two clusters makes them inseparable: refuse it.  Points are keyed by their float64
    coordinates (:func:`_point_keys`) and sorted by key; only the runs of one key that hold two labels are looked
    at point by point (:func:`_shared_points_among`).  No copy of ``X`` is made."""
    key = _point_keys(float_copy(X))
    order = np.argsort(key)
    key = key[order]
    sorted_labels = labels[order]
    clash = (key[1:] == key[:-1]) & (sorted_labels[1:] != sorted_labels[:-1])
    if clash.any():
        shared = np.unique(key[1:][clash])
        runs = zip(np.searchsorted(key, shared, "left"), np.searchsorted(key, shared, "right"))
        members = np.sort(np.concatenate([order[a:b] for a, b in runs]))
        _shared_points_among(X[:, members], labels[members], source, members)


def _shared_points_among(X: np.ndarray, labels: np.ndarray, source: str, index: np.ndarray) -> None:
    """Refuse the first point shared by two clusters among the columns of ``X`` (point ``index[n]`` of the
    data): candidates are equal float64 rows (one vectorized ``unique``), confirmed exactly."""
    approx = np.ascontiguousarray(np.asarray(X, dtype=float).T) + 0.0  # + 0.0 turns -0.0 into 0.0
    rows = approx.view(np.dtype((np.void, approx.dtype.itemsize * approx.shape[1]))).reshape(-1)
    _, inverse, counts = np.unique(rows, return_inverse=True, return_counts=True)
    inverse = np.asarray(inverse).reshape(-1)
    for g in np.flatnonzero(counts > 1):
        members = np.flatnonzero(inverse == g)
        first = members[0]
        same = [m for m in members[1:] if labels[m] != labels[first] and (X[:, m] == X[:, first]).all()]
        if same:
            m = same[0]
            raise DataError(
                f"{source}: point {index[first] + 1} of cluster {int(labels[first])} and point {index[m] + 1} of cluster "
                f"{int(labels[m])} are the same point; a point can belong to one cluster only")
