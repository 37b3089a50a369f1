"""The affine least-squares fit of points to targets (docs/mathematics/strata.md): the map the network is on the
points it keeps active, in exact or float arithmetic, for every rank of the lifted points.

>>> import numpy as np
>>> least_squares_fit(np.array([[0., 1., 2.]]), np.array([[1., 3., 5.]])).round(12).tolist()
[[2.0, 1.0]]
"""

from __future__ import annotations

import numpy as np

from ..numbers import arith

__all__ = ["least_squares_fit", "lifted"]


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
    gram = arith.matmul(Zw, Zt.T)
    rows = _independent_rows(gram)
    coef = arith.matmul(T, Zw[rows].T) @ arith.inv(gram[np.ix_(rows, rows)])
    F = arith.zeros((T.shape[0], Zt.shape[0]), arith.kind_of(Z))
    F[:, rows] = coef
    return F
