"""The residual term of the Hessian of the cost, ``(1/N) Σ_n Σ_q r_{n,q} ∇²F_{n,q}``, and the full Hessian.

``∇²C = (1/N) Σ_n (J_nᵀ J_n + Σ_q r_{n,q} ∇²F_{n,q})`` with ``r_n = x^(L+1)_n − y_n``.  The first part is the
Gauss–Newton matrix (:mod:`symgeom.calculus.hessian`); the second vanishes at a zero of the cost and nowhere else in
general.  On an activation region the output is affine in each layer's ``[W_ℓ | b_ℓ]`` separately, so only
the mixed second derivatives of two different layers survive: products of the weights between them.
Float64, streamed over the data in chunks like the Gauss–Newton matrix.

At the global minimizer the cost is 0 and the residual term vanishes; at random parameters it does not:

>>> from symgeom.data.embedded import default_data
>>> from symgeom.global_minima.minimizer import global_minimizer
>>> from symgeom.model.network import random_parameters
>>> data = default_data("float")
>>> bool(abs(residual_term(global_minimizer(default_data(), 3).member(), data)).max() < 1e-12)
True
>>> bool(abs(residual_term(random_parameters(3, 3, "float", seed=1), data)).max() > 1e-3)
True
"""

from __future__ import annotations

import numpy as np

from ..numbers.arith import linalg_threads
from ..model.regions import backward_matrices
from .hessian import (CHUNK, blocks_to_matrix, chunk_forward, float_input, float_weights, gauss_newton_float,
    symmetrize_blocks)

__all__ = ["residual_term", "hessian"]


def _residual_blocks(R6: np.ndarray, weights, biases, Xc: np.ndarray, Yc: np.ndarray) -> None:
    """``R6[ℓ, :, :, m] += Σ_n`` (the second derivatives of ``r_nᵀ F_n``) on one chunk, for ``ℓ < m``.

    On a fixed pattern ``F = M_m a_m + c`` with ``a_m = W_m x^(m) + b_m``, and ``x^(m)`` depends on layer
    ``ℓ < m`` through ``a_ℓ = [W_ℓ | b_ℓ] φ_ℓ`` with ``K_{m,ℓ} = ∂x^(m)/∂a_ℓ = D_{m-1} W_{m-1} ⋯ W_{ℓ+1} D_ℓ``; ``M_m``
    depends on later layers only.  So ``∂²(rᵀF) / ∂W_m[i, j] ∂[W_ℓ | b_ℓ][a, b] = g_i K[j, a] φ_b`` with
    ``g = M_mᵀ r``, and every other second derivative is zero (within a layer ``F`` is affine, and ``b_m``
    enters linearly)."""
    xs, on = chunk_forward(weights, biases, Xc)
    L, Q, n = on.shape
    r = weights[L] @ xs[L] + biases[L][:, None] - Yc
    M = backward_matrices(weights, on)
    g = np.einsum("mnqa,qn->man", M, r)  # g[m] = M_mᵀ r, (L+1) x Q x n
    for l in range(L):
        phi = np.vstack([xs[l], np.ones((1, n))])
        K = np.eye(Q)[:, :, None] * on[l][:, None, :]  # K[j, a, n]
        for m in range(l + 1, L + 1):
            gphi = (g[m][:, None, :] * phi[None, :, :]).reshape(Q * (Q + 1), n)
            T = (gphi @ K.reshape(Q * Q, n).T).reshape(Q, Q + 1, Q, Q)  # Σ_n g_i φ_b K[j, a]: [i, b, j, a]
            R6[l, :, :, m, :, :Q] += T.transpose(3, 1, 0, 2)
            if m < L:
                K = (weights[m] @ K.reshape(Q, Q * n)).reshape(Q, Q, n) * on[m][:, None, :]


def residual_term(params, data, chunk: int = CHUNK) -> np.ndarray:
    """``(1/N) Σ_n Σ_q r_{n,q} ∇²F_{n,q}`` (``r_n = x^(L+1)_n − y_n``), float64, ``P x P``: the part of the
    Hessian of the cost that the Gauss–Newton matrix leaves out.  The network is piecewise affine in the
    input but multilinear in the layers, so on each activation region only the mixed second derivatives of
    two different layers survive (:func:`_residual_blocks`); the kinks, a set of measure zero, are ignored
    (``σ'' = 0``), as automatic differentiation does."""
    weights, biases = float_weights(params)
    X = float_input(params, data.X)
    Y = np.asarray(data.targets_ext, dtype=float)
    Q, L, N = params.Q, params.L, X.shape[1]
    R6 = np.zeros((L + 1, Q, Q + 1, L + 1, Q, Q + 1))
    with linalg_threads():
        for start in range(0, N, chunk):
            _residual_blocks(R6, weights, biases, X[:, start:start + chunk], Y[:, start:start + chunk])
    return blocks_to_matrix(symmetrize_blocks(R6), Q, L) / N


def hessian(params, data) -> np.ndarray:
    """``∇²C = (1/N) Σ_n (J_nᵀ J_n + Σ_q r_{n,q} ∇²F_{n,q})`` in float64: the Gauss–Newton matrix
    (:func:`gauss_newton_float`) plus :func:`residual_term`.  Equal to the Gauss–Newton matrix at a zero of
    the cost; away from one, this is the matrix whose spectrum is the Hessian's."""
    return gauss_newton_float(params, data.X).matrix() + residual_term(params, data)
