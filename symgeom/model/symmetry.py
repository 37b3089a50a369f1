"""The symmetry T5: positive scalings and permutations of hidden neurons.

For a positive diagonal ``D`` and a permutation matrix ``Π``, ``τ_{DΠW, DΠb} = τ_{W,b}``;
in actual parameters ``W_ℓ → DΠW_ℓ``, ``b_ℓ → DΠb_ℓ``, ``W_{ℓ+1} → W_{ℓ+1}ΠᵀD⁻¹`` leaves
the network function unchanged, because ``σ(DΠu) = DΠσ(u)``.

A permutation ``π`` (a tuple) acts by ``(Πu)_i = u_{π(i)}``.

>>> import numpy as np
>>> permutation_matrix((1, 2, 0)) @ np.array([10, 20, 30])
array([20, 30, 10])
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..numbers import arith
from ..numbers.arith import Kind
from .network import Parameters

__all__ = ["permutation_matrix", "act", "random_symmetry"]


def permutation_matrix(perm) -> np.ndarray:
    """``Π`` with ``Π[i, π(i)] = 1``, so that ``(Πu)_i = u_{π(i)}``."""
    Q = len(perm)
    P = np.zeros((Q, Q), dtype=np.int64)
    P[np.arange(Q), list(perm)] = 1
    return P


def act(params: Parameters, scalings, permutations) -> Parameters:
    """The symmetry applied at every hidden layer ``ℓ`` with ``(D_ℓ, Π_ℓ)``:
    ``W'_ℓ = D_ℓ Π_ℓ W_ℓ Π_{ℓ-1}ᵀ D_{ℓ-1}⁻¹`` and ``b'_ℓ = D_ℓ Π_ℓ b_ℓ`` (``D_0 = Π_0 = D_{L+1} = Π_{L+1} = I``).

    ``scalings[ℓ-1]`` is the positive diagonal of ``D_ℓ``, ``permutations[ℓ-1]`` is ``π_ℓ``.
    """
    kind = params.kind
    Q, L = params.Q, params.L
    if len(scalings) != L or len(permutations) != L:
        raise ValueError(f"one scaling and one permutation per hidden layer expected ({L})")
    left = [_scaled_permutation(d, p, kind) for d, p in zip(scalings, permutations)] + [arith.identity(Q, kind)]
    right = [arith.identity(Q, kind)] + [
        arith.array(permutation_matrix(p).T, kind) @ np.diag(_inverse(d, kind)) for d, p in zip(scalings, permutations)
    ]
    W = tuple(A @ Wl @ B for A, Wl, B in zip(left, params.weights, right))
    b = tuple(A @ bl for A, bl in zip(left, params.biases))
    return Parameters(W, b)


def _scaled_permutation(d, perm, kind: Kind) -> np.ndarray:
    return np.diag(arith.array(d, kind)) @ arith.array(permutation_matrix(perm), kind)


def _inverse(d, kind: Kind) -> np.ndarray:
    d = arith.array(d, kind)
    return np.array([1 / x for x in d], dtype=object) if Kind(kind).is_exact else 1.0 / d


def random_symmetry(Q: int, L: int, kind: Kind = "exact", seed: int = 0):
    """Seeded random positive scalings (``k/4``, ``k = 1..12``) and permutations, one per hidden layer."""
    rng = np.random.default_rng(seed)
    scalings = [arith.array([Fraction(int(k), 4) for k in rng.integers(1, 13, size=Q)], kind) for _ in range(L)]
    perms = [tuple(int(i) for i in rng.permutation(Q)) for _ in range(L)]
    return scalings, perms
