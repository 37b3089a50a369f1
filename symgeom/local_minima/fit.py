"""The affine least-squares fit of points to targets (docs/mathematics/strata.md): the map the network is on the
points it keeps active, in exact or float arithmetic, for every rank of the lifted points.

>>> import numpy as np
>>> least_squares_fit(np.array([[0., 1., 2.]]), np.array([[1., 3., 5.]])).round(12).tolist()
[[2.0, 1.0]]
"""

from __future__ import annotations

import numpy as np

from ..calculus.statistics import residual_moments
from ..numbers import arith

__all__ = ["least_squares_fit", "moment_fit", "moment_residual", "lifted"]


def lifted(Z: np.ndarray) -> np.ndarray:
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
    Zt = lifted(Z)
    if not arith.kind_of(Z).is_exact:
        if weights is None:
            return np.linalg.lstsq(Zt.T, T.T, rcond=None)[0].T
        root = np.sqrt(np.asarray(weights, dtype=float))
        return np.linalg.lstsq((Zt * root).T, (T * root).T, rcond=None)[0].T
    Zw = Zt if weights is None else Zt * np.asarray(weights, dtype=object)[None, :]
    return _normal_solution(arith.matmul(Zw, Zt.T), arith.matmul(T, Zw.T), arith.kind_of(Z))


def moment_fit(S: np.ndarray, T: np.ndarray, weights=None) -> np.ndarray:
    """:func:`least_squares_fit` (exact) of points given by groups: group ``g`` has second moment
    ``S_g = Σ z̃ z̃ᵀ`` (``S``: ``G x B x B``) and one target ``T[:, g]`` for all its points, weight ``weights[g]``
    (``None``: 1).  The normal equations need only ``Σ w_g S_g`` and ``Σ w_g T_g s_gᵀ`` (``s_g`` the last column of
    ``S_g``): the same map as from the points, at ``O(Q³)`` per group."""
    w = [1] * S.shape[0] if weights is None else list(weights)
    gram = sum((wg * Sg for wg, Sg in zip(w, S)), arith.zeros(S.shape[1:], "exact"))
    rhs = sum((wg * np.outer(T[:, g], S[g][:, -1]) for g, wg in enumerate(w)), arith.zeros((T.shape[0], S.shape[1]), "exact"))
    return _normal_solution(gram, rhs, arith.kind_of(S))


def moment_residual(F: np.ndarray, S: np.ndarray, T: np.ndarray, weights=None):
    """``Σ_g w_g Σ_{z ∈ g} |F z̃ − T_g|²`` from the groups' moments (as :func:`moment_fit`):
    ``w_g (tr(F S_g Fᵀ) − 2 T_gᵀ F s_g + n_g |T_g|²)``."""
    w = [1] * S.shape[0] if weights is None else list(weights)
    return sum((wg * residual_moments(F, S[g], T[:, g])[0] for g, wg in enumerate(w)), arith.to_exact(0))


def _normal_solution(gram: np.ndarray, rhs: np.ndarray, kind) -> np.ndarray:
    """``F`` with ``F gram = rhs`` on a maximal independent set of rows of ``Z̃`` (the ones row first), 0 elsewhere
    (``F = 0`` for no points: ``gram = 0``)."""
    if gram[-1, -1] == 0:  # the count: no points, nothing to fit
        return arith.zeros((rhs.shape[0], gram.shape[0]), kind)
    rows = _independent_rows(gram)
    F = arith.zeros((rhs.shape[0], gram.shape[0]), kind)
    F[:, rows] = rhs[:, rows] @ arith.inv(gram[np.ix_(rows, rows)])
    return F
