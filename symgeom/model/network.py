"""The ReLU network of docs/mathematics/index.md, its parameters and its forward pass.

``x^(0) = x``, ``x^(ℓ) = σ(W_ℓ x^(ℓ-1) + b_ℓ)`` for ``ℓ = 1..L`` and
``x^(L+1) = W_{L+1} x^(L) + b_{L+1}``, with ``W_ℓ ∈ R^{Q×Q}``, ``b_ℓ ∈ R^Q``.

The same code runs on exact (FLINT rational) and float arrays: a whole data matrix ``X``
(``Q x N``, one point per column) goes through each layer as one matrix product.

>>> from symgeom.numbers.arith import array
>>> p = Parameters.from_lists([[["1", "0"], ["0", "-1"]], [["1", "1"], ["0", "1"]]], [["0", "0"], ["0", "1/2"]])
>>> p.L, p.Q
(1, 2)
>>> output(p, array([["1"], ["2"]], "exact"))[:, 0].tolist()
[1, 1/2]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from ..numbers import arith
from .._errors import ParameterError, mixed_kinds
from ..numbers.arith import Kind

__all__ = [
    "Parameters", "forward", "preactivations", "layers", "output", "activation_pattern", "random_parameters",
    "centred_parameters", "weight_symbols", "bias_symbols", "symbolic_parameters",
]


@dataclass(frozen=True, eq=False)
class Parameters:
    """Weights ``W_1 … W_{L+1}`` and biases ``b_1 … b_{L+1}`` of the network.

    Entries are exact (``flint.fmpq``, ``dtype=object``) or float64; shapes are checked when built.
    """

    weights: tuple
    """``(W_1, …, W_{L+1})``, each ``Q x Q``."""
    biases: tuple
    """``(b_1, …, b_{L+1})``, each of shape ``(Q,)``."""

    def __post_init__(self):
        if len(self.weights) < 2 or len(self.weights) != len(self.biases):
            raise ParameterError(
                f"a network with L >= 1 hidden layers has L+1 weight matrices and as many biases "
                f"(got {len(self.weights)} weights and {len(self.biases)} biases)"
            )
        Q = self.weights[0].shape[0]
        kinds = {arith.kind_of(a) for a in self.weights + self.biases}
        if len(kinds) != 1:
            raise ParameterError("weights and biases must all be exact or all be float")
        for l, (W, b) in enumerate(zip(self.weights, self.biases), start=1):
            if W.shape != (Q, Q):
                raise ParameterError(f"W_{l} has shape {W.shape}; every weight matrix must be {Q} x {Q}")
            if b.shape != (Q,):
                raise ParameterError(f"b_{l} has shape {b.shape}; every bias must have shape ({Q},)")

    @classmethod
    def from_lists(cls, weights, biases, kind: Kind = "exact") -> "Parameters":
        """Parameters from nested lists (numbers or decimal strings)."""
        try:
            return cls(tuple(arith.array(W, kind) for W in weights), tuple(arith.array(b, kind) for b in biases))
        except ValueError as e:
            raise ParameterError(str(e)) from None

    @property
    def L(self) -> int:
        """Number of hidden layers."""
        return len(self.weights) - 1

    @property
    def Q(self) -> int:
        """Width of every layer."""
        return self.weights[0].shape[0]

    @property
    def kind(self) -> Kind:
        """``"exact"`` or ``"float"``."""
        return arith.kind_of(self.weights[0])

    @property
    def count(self) -> int:
        """``P = (L+1)(Q² + Q)``."""
        return (self.L + 1) * (self.Q**2 + self.Q)

    def with_kind(self, kind: Kind) -> "Parameters":
        """The same parameters in the other number kind."""
        if kind == self.kind:
            return self
        return Parameters(tuple(arith.array(W, kind) for W in self.weights), tuple(arith.array(b, kind) for b in self.biases))

    def vector(self) -> np.ndarray:
        """All ``P`` parameters in one vector: ``vec(W_1), b_1, …, vec(W_{L+1}), b_{L+1}`` (row-major)."""
        return np.concatenate([np.concatenate([W.reshape(-1), b]) for W, b in zip(self.weights, self.biases)])

    @classmethod
    def from_vector(cls, theta: np.ndarray, Q: int, L: int) -> "Parameters":
        """Inverse of :meth:`vector`."""
        block = Q * Q + Q
        if theta.shape != ((L + 1) * block,):
            raise ParameterError(f"expected {(L + 1) * block} parameters for Q={Q}, L={L}, got {theta.shape}")
        parts = [theta[k * block : (k + 1) * block] for k in range(L + 1)]
        return cls(tuple(p[: Q * Q].reshape(Q, Q) for p in parts), tuple(p[Q * Q :] for p in parts))

    @cached_property
    def is_invertible(self) -> bool:
        """Whether every hidden weight ``W_1 … W_L`` is invertible."""
        return all(arith.rank(W) == self.Q for W in self.weights[:-1])

    def __str__(self) -> str:
        return f"Parameters(Q={self.Q}, L={self.L}, kind={self.kind}, P={self.count})"


def forward(params: Parameters, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """One pass over the columns of ``X``: the pre-activations ``[a_1, …, a_{L+1}]``
    (``a_ℓ = W_ℓ x^(ℓ-1) + b_ℓ``) and the layers ``[x^(0), …, x^(L+1)]``."""
    _require_kind(params, X)
    pre, xs = [], [X]
    for l, (W, b) in enumerate(zip(params.weights, params.biases), start=1):
        u = arith.matmul(W, xs[-1]) + b[:, None]
        pre.append(u)
        xs.append(arith.relu(u) if l <= params.L else u)
    return pre, xs


def _require_kind(params: Parameters, X: np.ndarray) -> None:
    """Refuse (:class:`~symgeom._errors.KindError`) exact rational parameters on float64 points and float64
    parameters on exact rational points: FLINT's rationals and floats do not mix."""
    first = params.weights[0].flat[0] if params.weights[0].size else None
    X = np.asarray(X)
    if isinstance(first, arith.Exact) and X.dtype.kind == "f":
        raise mixed_kinds("exact", "float")
    if params.weights[0].dtype.kind == "f" and X.dtype == object and X.size and isinstance(X.flat[0], arith.Exact):
        raise mixed_kinds("float", "exact")


def preactivations(params: Parameters, X: np.ndarray) -> list[np.ndarray]:
    """``[W_ℓ x^(ℓ-1) + b_ℓ for ℓ = 1..L]``, each ``Q x N``."""
    return forward(params, X)[0][:-1]


def layers(params: Parameters, X: np.ndarray) -> list[np.ndarray]:
    """``[x^(0), x^(1), …, x^(L+1)]`` for the columns of ``X``."""
    return forward(params, X)[1]


def output(params: Parameters, X: np.ndarray) -> np.ndarray:
    """The network output ``x^(L+1)`` for every column of ``X``."""
    return layers(params, X)[-1]


def activation_pattern(params: Parameters, X: np.ndarray) -> np.ndarray:
    """Boolean array ``(L, Q, N)``: ``[ℓ-1, i, n]`` is whether neuron ``i`` of layer ``ℓ`` is
    active (pre-activation ``> 0``) on point ``n``."""
    return np.stack([u > 0 for u in preactivations(params, X)])


def random_parameters(Q: int, L: int, kind: Kind = "exact", seed: int = 0, denominator: int = 4) -> Parameters:
    """Seeded random parameters with invertible hidden weights.

    Exact entries are small rationals ``k/denominator``; every hidden ``W_ℓ`` is
    ``I·2 + (random)`` redrawn until it is invertible.
    """
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for l in range(L + 1):
        while True:
            W = arith.array(
                [[arith.to_exact(f"{int(k)}/{denominator}") for k in row] for row in rng.integers(-4, 5, size=(Q, Q))], kind
            )
            if l == L or arith.rank(W) == Q:
                break
        weights.append(W)
        biases.append(arith.array([arith.to_exact(f"{int(k)}/{denominator}") for k in rng.integers(-4, 5, size=Q)], kind))
    return Parameters(tuple(weights), tuple(biases))


def centred_parameters(params: Parameters, X: np.ndarray, grid: int = 4) -> Parameters:
    """The same weights, with hidden biases ``b_ℓ = −W_ℓ c_ℓ``: ``c_ℓ`` is the centroid of the
    layer's inputs ``x^(ℓ-1)`` on ``X`` (rounded to multiples of ``1/grid``), so the data meet
    several activation patterns instead of one."""
    kind = params.kind
    biases, x = [], X
    for W in params.weights[:-1]:
        centre = np.array([arith.to_exact(round(arith.to_fraction(v) * grid)) / grid for v in x.sum(axis=1) / x.shape[1]])
        b = -(W @ arith.array(centre, kind))
        biases.append(b)
        x = arith.relu(W @ x + b[:, None])
    return Parameters(params.weights, tuple(biases) + (params.biases[-1],))


# -- symbolic parameters -----------------------------------------------------------------
def weight_symbols(Q: int, l: int, name: str = "w") -> sp.Matrix:
    """``Q x Q`` matrix of real symbols ``w_{ℓ,ij}`` (the entries of ``W_ℓ``)."""
    return sp.Matrix(Q, Q, lambda i, j: sp.Symbol(f"{name}_{{{l},{i + 1}{j + 1}}}", real=True))


def bias_symbols(Q: int, l: int, name: str = "b") -> sp.Matrix:
    """``Q x 1`` matrix of real symbols ``b_{ℓ,i}``."""
    return sp.Matrix(Q, 1, lambda i, _: sp.Symbol(f"{name}_{{{l},{i + 1}}}", real=True))


def symbolic_parameters(Q: int, L: int) -> tuple[list[sp.Matrix], list[sp.Matrix]]:
    """Symbolic weights ``[W_1 … W_{L+1}]`` and biases ``[b_1 … b_{L+1}]`` (real symbols)."""
    return [weight_symbols(Q, l) for l in range(1, L + 2)], [bias_symbols(Q, l) for l in range(1, L + 2)]
