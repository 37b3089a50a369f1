"""Cumulative parameters (docs/mathematics/index.md).

``W^(0) = I``, ``b^(0) = 0``, ``W^(ℓ) = W_ℓ W^(ℓ-1)``, ``b^(ℓ) = W_ℓ b^(ℓ-1) + b_ℓ``.
For invertible hidden weights the map is a diffeomorphism, inverted by
``W_ℓ = W^(ℓ) (W^(ℓ-1))⁻¹`` and ``b_ℓ = b^(ℓ) − W_ℓ b^(ℓ-1)``.

>>> from symgeom.model.network import random_parameters
>>> p = random_parameters(2, 2, seed=3)
>>> c = cumulative_parameters(p)
>>> back = actual_parameters(c)
>>> all((a == b).all() for a, b in zip(back.weights + back.biases, p.weights + p.biases))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..numbers import arith
from .network import Parameters

__all__ = ["CumulativeParameters", "cumulative_parameters", "actual_parameters", "cumulative_symbolic"]


@dataclass(frozen=True, eq=False)
class CumulativeParameters:
    """``(W^(ℓ), b^(ℓ))`` for ``ℓ = 1..L+1`` (``W^(0) = I``, ``b^(0) = 0`` implied)."""

    weights: tuple
    """``(W^(1), …, W^(L+1))`` with ``W^(ℓ) = W_ℓ W^(ℓ-1)``."""
    biases: tuple
    """``(b^(1), …, b^(L+1))`` with ``b^(ℓ) = W_ℓ b^(ℓ-1) + b_ℓ``."""

    @property
    def L(self) -> int:
        return len(self.weights) - 1


def cumulative_parameters(params: Parameters) -> CumulativeParameters:
    """The cumulative parameters of a network (any number kind)."""
    Q, kind = params.Q, params.kind
    Ws, bs = _accumulate(params.weights, params.biases, arith.identity(Q, kind), arith.zeros(Q, kind))
    return CumulativeParameters(tuple(Ws), tuple(bs))


def _accumulate(weights, biases, W, b):
    """The recursion ``W^(ℓ) = W_ℓ W^(ℓ-1)``, ``b^(ℓ) = W_ℓ b^(ℓ-1) + b_ℓ`` from ``(W^(0), b^(0)) = (W, b)``."""
    Ws, bs = [], []
    for Wl, bl in zip(weights, biases):
        W, b = Wl @ W, Wl @ b + bl
        Ws.append(W)
        bs.append(b)
    return Ws, bs


def actual_parameters(cum: CumulativeParameters) -> Parameters:
    """Invert :func:`cumulative_parameters`: ``W_ℓ = W^(ℓ)(W^(ℓ-1))⁻¹``, ``b_ℓ = b^(ℓ) − W_ℓ b^(ℓ-1)``.

    Raises :class:`~symgeom.ParameterError` when some ``W^(ℓ)``, ``ℓ ≤ L``, is singular.
    """
    Q = cum.weights[0].shape[0]
    kind = arith.kind_of(cum.weights[0])
    prev_W, prev_b = arith.identity(Q, kind), arith.zeros(Q, kind)
    Ws, bs = [], []
    for Wc, bc in zip(cum.weights, cum.biases):
        Wl = Wc @ arith.inv(prev_W)
        Ws.append(Wl)
        bs.append(bc - Wl @ prev_b)
        prev_W, prev_b = Wc, bc
    return Parameters(tuple(Ws), tuple(bs))


def cumulative_symbolic(weights, biases):
    """Cumulative parameters of symbolic (SymPy) weights and biases, as two lists."""
    Q = weights[0].shape[0]
    return _accumulate(weights, biases, sp.eye(Q), sp.zeros(Q, 1))
