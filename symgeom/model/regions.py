"""Activation regions: on a fixed activation pattern the network is affine, layer by layer.

With ``D_ℓ = diag(on_ℓ)`` the pattern's diagonal at hidden layer ``ℓ`` (layers 0-based: layer ``ℓ`` has
``[W_ℓ | b_ℓ]``), the inputs ``φ_ℓ = (x^(ℓ), 1)`` of the layers are ``φ_ℓ = T_ℓ x̃`` (``x̃ = (x, 1)``) with the
*layer maps* ``T_0 = I``, ``T_ℓ = [D_{ℓ-1} [W_{ℓ-1} | b_{ℓ-1}]; e_Bᵀ] T_{ℓ-1}``, and the output's derivative in
the pre-activation of layer ``ℓ`` is the *backward matrix* ``M_ℓ`` (``M_L = I``, ``M_ℓ = M_{ℓ+1} W_{ℓ+1} D_ℓ``).

One implementation for both number kinds (:class:`~symgeom.numbers.arith.Kind`), batched over ``U`` patterns:
exact for exact weights (the certificates; products through FLINT, :func:`~symgeom.numbers.arith.product`), float64
for the streamed Gauss–Newton matrix.

>>> from symgeom.numbers.arith import Kind
>>> W = [Kind.EXACT.array([[1, 0], [0, 2]]), Kind.EXACT.array([[3, 1], [1, 1]])]
>>> on = np.array([[[True], [False]]])        # L = 1, Q = 2, one pattern: unit 2 off
>>> backward_matrices(W, on, Kind.EXACT)[0, 0].tolist()
[[3, 0], [1, 0]]
"""

from __future__ import annotations

import numpy as np

from ..numbers.arith import Kind, product

__all__ = ["backward_matrices", "layer_maps", "affine_on_pattern"]


def backward_matrices(weights, on: np.ndarray, kind: Kind = Kind.FLOAT) -> np.ndarray:
    """``M`` (``(L+1) x U x Q x Q``, contiguous per layer) for ``U`` activation patterns ``on`` (``L x Q x U``):
    ``M_L = I`` and ``M_ℓ = M_{ℓ+1} W_{ℓ+1} D_ℓ`` with ``D_ℓ = diag(on[ℓ])``, one ``UQ x Q`` product
    per layer, in the arithmetic of ``kind``."""
    kind = Kind(kind)
    L, Q, U = on.shape
    M = np.empty((L + 1, U, Q, Q), dtype=kind.dtype)
    M[L] = kind.identity(Q)
    for l in range(L, 0, -1):
        M[l - 1] = product(M[l].reshape(U * Q, Q), weights[l]).reshape(U, Q, Q) * on[l - 1].T[:, None, :].astype(int)
    return M


def layer_maps(weights, biases, on: np.ndarray, kind: Kind = Kind.FLOAT) -> np.ndarray:
    """``T`` (``(L+1) x U x B x B``, ``B = Q + 1``) with ``φ_ℓ = T_ℓ x̃`` on each of the ``U`` patterns ``on``
    (``L x Q x U``): ``T_0 = I`` and ``T_ℓ = [D_{ℓ-1} [W_{ℓ-1} | b_{ℓ-1}]; e_Bᵀ] T_{ℓ-1}``, in the arithmetic
    of ``kind``."""
    kind = Kind(kind)
    L, Q, U = on.shape
    B = Q + 1
    T = kind.zeros((L + 1, U, B, B))
    T[0] = kind.identity(B)
    for l in range(1, L + 1):
        Wb = np.hstack([weights[l - 1], biases[l - 1][:, None]])
        stacked = T[l - 1].transpose(1, 0, 2).reshape(B, U * B)  # the U maps side by side: one product
        T[l, :, :Q] = product(Wb, stacked).reshape(Q, U, B).transpose(1, 0, 2) * on[l - 1].T[:, :, None].astype(int)
        T[l, :, Q] = T[l - 1, :, Q]
    return T


def affine_on_pattern(params, pattern: np.ndarray, upto: int) -> tuple[np.ndarray, np.ndarray]:
    """``(A, c)`` with ``a_upto = A x + c`` on the activation pattern ``pattern`` (``L x Q`` booleans):
    the pre-activation of layer ``upto`` (``L + 1``: the output) as an affine map of the input, in the
    parameters' arithmetic."""
    Q = params.Q
    T = layer_maps(params.weights, params.biases, pattern[:, :, None], params.kind)[upto - 1, 0]
    Ac = np.hstack([params.weights[upto - 1], params.biases[upto - 1][:, None]]) @ T
    return Ac[:, :Q], Ac[:, Q]
