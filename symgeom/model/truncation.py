"""Truncation maps and their cones (docs/mathematics/structure.md, T1–T4).

For invertible ``W``: ``τ_{W,b}(z) = W⁻¹(σ(Wz + b) − b)``, apex ``p = −W⁻¹b``, cone
coordinates ``u = Wz + b = W(z − p)``, forward cone ``K⁺ = p + W⁻¹ R^Q_+`` (``u ≥ 0``)
and backward cone ``K⁻ = p − W⁻¹ R^Q_+`` (``u ≤ 0``).  In cone coordinates
``τ(z) = p + W⁻¹ σ(u)``: the coordinates ``i`` with ``u_i > 0`` (the *face* of ``K⁺``
that ``z`` is projected onto) are kept, the others are dropped along the columns of ``W⁻¹``.

>>> from symgeom.numbers.arith import array
>>> tau = truncation_map(array([["1", "0"], ["0", "1"]], "exact"), array(["-1", "-1"], "exact"))
>>> tau.apex.tolist()
[1, 1]
>>> tau(array([["3", "0"], ["0", "3"]], "exact")).tolist()  # columns (3,0) and (0,3)
[[3, 1], [1, 3]]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..numbers import arith, sizes
from .._errors import ParameterError
from .cumulative import cumulative_parameters
from .network import Parameters

__all__ = ["TruncationMap", "integral_rows", "truncation_map", "layer_truncations", "curated_points"]


@dataclass(frozen=True, eq=False)
class TruncationMap:
    """``τ_{W,b}`` for an invertible ``W`` (checked when built)."""

    W: np.ndarray
    """``Q x Q``, invertible."""
    b: np.ndarray
    """``(Q,)``."""

    def __post_init__(self):
        Q = self.W.shape[0]
        if self.W.shape != (Q, Q) or self.b.shape != (Q,):
            raise ParameterError(f"a truncation map needs a square W and a matching b (got {self.W.shape} and {self.b.shape})")
        self.W_inv  # noqa: B018 -- raises ParameterError when W is singular

    @cached_property
    def W_inv(self) -> np.ndarray:
        """``W⁻¹``; its columns span the edges of the cones."""
        return arith.inv(self.W)

    @cached_property
    def apex(self) -> np.ndarray:
        """``p = −W⁻¹ b``, the common apex of ``K⁺`` and ``K⁻``."""
        return -(self.W_inv @ self.b)

    def coordinates(self, Z: np.ndarray) -> np.ndarray:
        """Cone coordinates ``u = W z + b = W(z − p)`` of each column of ``Z``."""
        return (arith.matmul(self.W, Z) if Z.ndim == 2 else self.W @ Z) + _column(self.b, Z)

    @cached_property
    def _integral(self) -> tuple:
        """``(DW, Db, (DW)⁻¹)`` with integer rows (:func:`integral_rows`): the same map, cheaper products."""
        W, b = integral_rows(self.W, self.b)
        return W, b, (self.W_inv if W is self.W else arith.inv(W))

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        """``τ(z) = W⁻¹(σ(Wz + b) − b)`` for every column of ``Z`` (or for one vector); exact maps
        are evaluated as ``τ_{DW,Db}`` with integer rows, the same map by T5."""
        W, b, W_inv = self._integral
        b = _column(b, Z)
        if Z.ndim == 1:
            return W_inv @ (arith.relu(W @ Z + b) - b)
        return arith.matmul(W_inv, arith.relu(arith.matmul(W, Z) + b) - b)

    def in_forward_cone(self, Z: np.ndarray, strict: bool = True) -> np.ndarray:
        """Whether each column lies in ``K⁺`` (open when ``strict``: every ``u_i > 0``)."""
        u = self.coordinates(Z)
        return np.all(u > 0 if strict else u >= 0, axis=0)

    def in_backward_cone(self, Z: np.ndarray, strict: bool = True) -> np.ndarray:
        """Whether each column lies in ``K⁻`` (open when ``strict``: every ``u_i < 0``)."""
        u = self.coordinates(Z)
        return np.all(u < 0 if strict else u <= 0, axis=0)

    def face(self, Z: np.ndarray) -> np.ndarray:
        """Boolean ``Q x N``: ``[i, n]`` is whether edge ``i`` (column ``i`` of ``W⁻¹``) spans the
        face of ``K⁺`` that ``τ`` projects point ``n`` onto, i.e. ``u_i > 0``."""
        return self.coordinates(Z) > 0

    def __str__(self) -> str:
        return f"TruncationMap(Q={self.W.shape[0]}, apex={[sizes.format_number(x) for x in self.apex]})"


def _column(b: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return b[:, None] if Z.ndim == 2 else b


def integral_rows(W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(DW, Db)`` with ``D`` the positive diagonal that clears the denominators of each row of
    ``[W | b]``: the same truncation map (T5), with integer entries, so exact products stay small.
    Float arrays are returned unchanged."""
    if not arith.kind_of(W).is_exact:
        return W, b
    import math

    scale = np.array([arith.to_exact(math.lcm(*(int(x.q) for x in row))) for row in np.hstack([W, b[:, None]])],
                     dtype=object)
    return W * scale[:, None], b * scale


def truncation_map(W: np.ndarray, b: np.ndarray) -> TruncationMap:
    """The truncation map ``τ_{W,b}``; raises :class:`~symgeom.ParameterError` if ``W`` is singular."""
    return TruncationMap(W, b)


def layer_truncations(params: Parameters) -> list[TruncationMap]:
    """``[τ_{W^(ℓ), b^(ℓ)} for ℓ = 1..L]``: the truncation maps of the cumulative parameters."""
    cum = cumulative_parameters(params)
    return [truncation_map(W, b) for W, b in zip(cum.weights[:-1], cum.biases[:-1])]


def curated_points(params: Parameters, X: np.ndarray) -> list[np.ndarray]:
    """``[z^(0), …, z^(L)]`` with ``z^(0) = X`` and ``z^(ℓ) = τ_{W^(ℓ),b^(ℓ)}(z^(ℓ-1))`` (T1)."""
    zs = [X]
    for tau in layer_truncations(params):
        zs.append(tau(zs[-1]))
    return zs
