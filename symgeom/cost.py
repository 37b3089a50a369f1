"""The L² cost (MATH.md §1) and its symbolic form per activation pattern.

``C[θ] = (1/2N) Σ_{j,i} |x^(L+1)_{j,i} − y_j|² = ½ ‖X^(L+1) − Y^ext‖²_{L²_N}``.

On a fixed activation pattern -- a 0/1 diagonal matrix ``D_ℓ`` per hidden layer and per
point -- the network is the polynomial map
``x ↦ W_{L+1} D_L(W_L ⋯ D_1(W_1 x + b_1) ⋯ + b_L) + b_{L+1}``, so the cost is a polynomial
in weights, biases and data, valid on the open region cut out by the strict inequalities
``(W_ℓ x^(ℓ-1) + b_ℓ)_i > 0`` where ``D_ℓ`` has a 1 and ``< 0`` where it has a 0.

A network whose output is identically 0 pays ``½|e_j|² = ½`` on every point:

>>> from symgeom.data import default_data
>>> from symgeom.network import Parameters
>>> zero = Parameters.from_lists([[[0] * 3] * 3] * 2, [[0] * 3] * 2)
>>> cost(zero, default_data())
1/2
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from . import arith, sizes
from .data import ClusterData
from .network import Parameters, output


def cost(params: Parameters, data: ClusterData):
    """``C[θ]`` on the data: exact (``flint.fmpq``) for exact parameters and data, float otherwise."""
    return output_cost(output(params, data.X), data)


def output_cost(out: np.ndarray, data: ClusterData):
    """``(1/2N) ‖out − Y^ext‖²_F`` for network outputs ``out`` (``Q x N``) on the data."""
    r = out - data.targets_ext
    return per_point(np.sum(r * r), data)


def per_point(total, data: ClusterData):
    """``total / (2N)`` in the data's number kind: a sum of squared residuals over the data as a cost."""
    kind = arith.kind_of(np.asarray(data.Y))
    return (arith.to_exact(total) if kind.is_exact else float(total)) / kind.scalar(2 * data.N)


def paper_cost_squared(params: Parameters, data: ClusterData):
    """``C_N[θ]²`` of the paper (its (2.35)–(2.36)): ``Σ_j (1/N_j) Σ_i |x^(L+1)_{j,i} − y_j|²``.

    The paper's cost ``C_N`` is the square root of this weighted sum: a norm, with weight ``1/N_j`` per
    cluster.  Its square is rational on rational data and parameters, so it is what exact arithmetic
    decides; ``C_N`` itself is its nonnegative square root.  On one cluster per point of equal sizes
    ``N_j = N/Q`` it is ``2Q C[θ]``:

    >>> from symgeom.data import default_data
    >>> from symgeom.network import Parameters
    >>> zero = Parameters.from_lists([[[0] * 3] * 3] * 2, [[0] * 3] * 2)
    >>> paper_cost_squared(zero, default_data())
    3
    """
    return paper_output_cost_squared(output(params, data.X), data)


def paper_output_cost_squared(out: np.ndarray, data: ClusterData):
    """``Σ_j (1/N_j) Σ_i |out_{j,i} − y_j|²`` for network outputs ``out`` (``Q x N``) on the data."""
    r = out - data.targets_ext
    per_cluster = (r * r).sum(axis=0) @ data.membership  # Σ_i |r_{j,i}|² for each cluster j
    kind = arith.kind_of(np.asarray(data.Y))
    return sum((s / kind.scalar(n) for s, n in zip(per_cluster, data.sizes)), kind.scalar(0))


def cost_scale(data: ClusterData):
    """``max(1, max |y_j|_∞)²``: the size of the cost (the zero network pays ``½|y_j|²`` per point), the
    scale that float comparisons of costs are made relative to.  Exact for exact data (targets of any size:
    ``(10^300)²`` has no float64 value), a float for float data."""
    top = sizes.magnitude(data.Y)
    if data.kind.is_exact:
        return max(arith.to_exact(1), top) ** 2
    return max(1.0, top) ** 2


def pattern_output(weights, biases, x: sp.Matrix, pattern) -> sp.Matrix:
    """The output ``x^(L+1)`` on the activation pattern ``pattern`` (one 0/1 tuple per hidden
    layer): a polynomial in the symbols of ``weights``, ``biases`` and ``x``."""
    for W, b, D in zip(weights[:-1], biases[:-1], pattern):
        x = sp.diag(*D) * (W * x + b)
    return weights[-1] * x + biases[-1]


def pattern_region(weights, biases, x: sp.Matrix, pattern) -> list:
    """The strict inequalities on the pre-activations that define ``pattern``'s open region."""
    out = []
    for W, b, D in zip(weights[:-1], biases[:-1], pattern):
        u = W * x + b
        out += [sp.StrictGreaterThan(e, 0) if on else sp.StrictLessThan(e, 0) for e, on in zip(u, D)]
        x = sp.diag(*D) * u
    return out


def symbolic_points(Q: int, sizes) -> list[tuple[int, sp.Matrix]]:
    """Symbolic data: ``[(j, x_{j,i})]`` with ``x_{j,i}`` a column of real symbols ``x_{j,i,c}``."""
    return [
        (j, sp.Matrix(Q, 1, lambda c, _: sp.Symbol(f"x_{{{j},{i},{c + 1}}}", real=True)))
        for j, n in enumerate(sizes, start=1)
        for i in range(1, n + 1)
    ]


def symbolic_targets(Q: int) -> list[sp.Matrix]:
    """Symbolic targets ``[y_1, …, y_Q]``, columns of real symbols ``y_{j,c}``."""
    return [sp.Matrix(Q, 1, lambda c, _: sp.Symbol(f"y_{{{j},{c + 1}}}", real=True)) for j in range(1, Q + 1)]


def symbolic_cost(weights, biases, points, targets, patterns) -> tuple[sp.Expr, list]:
    """The cost as a polynomial on a given activation pattern per point, and its region.

    ``points`` is ``[(j, x)]`` (cluster label, column), ``targets[j-1] = y_j``, and
    ``patterns[n]`` is the activation pattern of point ``n``.  Returns
    ``(C, inequalities)`` with ``C = (1/2N) Σ |x^(L+1) − y_j|²``.
    """
    total, region = sp.Integer(0), []
    for (j, x), pat in zip(points, patterns):
        r = pattern_output(weights, biases, x, pat) - targets[j - 1]
        total += (r.T * r)[0, 0]
        region += pattern_region(weights, biases, x, pat)
    return total / (2 * len(points)), region
