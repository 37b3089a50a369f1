"""The no-truncation minimum N1 (docs/mathematics/strata.md): its cost by the projection formula, the Hessian by
differences of the gradient (an independent float check), and the expansion of its cost in the noise.

N1 is the stratum ``S = ∅`` of :mod:`symgeom.local_minima.settling`; what is particular to it lives here.

>>> from symgeom.data.embedded import default_data
>>> data = default_data()
>>> projection_cost(data.X, data) == noise_series(data)[1].subs(noise_series(data)[0], 1)
True
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..numbers import arith
from ..calculus.cost import Cost, per_point
from ..data.clusters import ClusterData
from ..model.network import Parameters

__all__ = ["projection_cost", "hessian_times", "hessian_by_differences", "noise_expansion", "noise_series"]


def projection_cost(Z: np.ndarray, data: ClusterData, cost: Cost = Cost.MEAN_SQUARED):
    """``(1/2N) ‖Y^ext (I − Π)‖²_F`` for points ``Z`` (``Π`` projects onto the row space of
    ``[Z; 1ᵀ]``), through sufficient statistics:
    ``‖Y^ext‖² − tr((Y^ext Z̃ᵀ)(Z̃ Z̃ᵀ)⁻¹(Z̃ Y^extᵀ))``.

    Under a cost with non-uniform weights ``W = diag(w_n)`` (the paper's, ``w_n = 1/N_{j(n)}``) the least-squares
    residual is the ``W``-weighted one, ``‖Y^ext W^{1/2}‖² − tr((Y^ext W Z̃ᵀ)(Z̃ W Z̃ᵀ)⁻¹(Z̃ W Y^extᵀ))``:
    the paper's ``C_N²`` at N1."""
    Zt = np.vstack([Z, arith.full((1, Z.shape[1]), 1, data.kind)])
    Yx = data.targets_ext
    w = cost.fit_weights(data)
    if w is not None:
        Yw = Yx * w[None, :]
        cross, gram = arith.matmul(Yw, Zt.T), arith.matmul(Zt * w[None, :], Zt.T)
        return np.sum(Yw * Yx) - np.trace(cross @ arith.inv(gram) @ cross.T)
    cross = arith.matmul(Yx, Zt.T)
    gram = arith.matmul(Zt, Zt.T)
    return per_point(np.sum(Yx * Yx) - np.trace(cross @ arith.inv(gram) @ cross.T), data)


def hessian_times(params: Parameters, data: ClusterData, directions: np.ndarray, step: float = 1e-5,
                  cost: Cost = Cost.MEAN_SQUARED) -> np.ndarray:
    """``H D`` (``P x k``): Hessian–vector products along the columns ``d`` of ``D`` by central differences
    of the gradient (one forward pass and its reverse sweep each), ``(∇C(θ + h d) − ∇C(θ − h d)) / 2h``
    (float64; error ``O(h²)`` plus rounding of order ``ε |∇C| / h``).  ``C``: the weighted sum of ``cost``
    (``C_N²`` for the paper's)."""
    p = params.with_kind("float")
    fdata = data.with_kind("float")
    theta = p.vector().astype(float)
    cols = []
    for d in np.asarray(directions, dtype=float).T * step:
        plus = cost.float_value_and_gradient(Parameters.from_vector(theta + d, p.Q, p.L), fdata)[1]
        minus = cost.float_value_and_gradient(Parameters.from_vector(theta - d, p.Q, p.L), fdata)[1]
        cols.append((plus - minus) / (2 * step))
    return np.stack(cols, axis=1) if cols else np.zeros((theta.size, 0))


def hessian_by_differences(params: Parameters, data: ClusterData, step: float = 1e-5,
                           cost: Cost = Cost.MEAN_SQUARED) -> np.ndarray:
    """The Hessian (of ``cost``'s weighted sum) as central differences of the gradient (float64), symmetrized:
    ``2P`` gradients."""
    H = hessian_times(params, data, np.eye(params.count), step, cost)
    return (H + H.T) / 2


def noise_expansion(data: ClusterData, cost: Cost = Cost.MEAN_SQUARED):
    """``C(ε)`` for the points ``m_j + ε Δx_{j,i}``: the leading coefficient in closed form,
    ``c₂ = (1/2N) [tr(A₀ S A₀ᵀ) − |A₀ S a|² / (aᵀ S a)]`` with ``S = Σ Δx Δxᵀ``, ``A₀`` the linear part
    of any affine map with ``A₀ m_j + c₀ = y_j``, and ``n = (a, β)`` the left null vector of
    ``[M; 1ᵀ]`` (``C(ε) = c₂ ε² + O(ε⁴)``: :func:`noise_series` shows the expansion is even).  Under a cost with
    weights ``w_n`` (constant on each cluster, so ``Σ_i w Δx_{j,i} = 0`` still) ``S = Σ w_n Δx Δxᵀ`` and no
    ``1/2N``: the same algebra in the weighted inner product."""
    Q = data.Q
    M = data.means
    B = np.vstack([M, arith.array([[1] * Q], data.kind)])
    G0 = data.Y @ arith.inv(B.T @ B) @ B.T
    A0 = G0[:, :Q]
    D = data.deviations
    w = cost.fit_weights(data)
    S = arith.matmul(D if w is None else D * w[None, :], D.T)
    n = arith.nullspace(B.T)[:, 0]
    a = n[:Q]
    aSa = a @ S @ a
    first = np.trace(A0 @ S @ A0.T)
    v = A0 @ S @ a
    value = first - (v @ v) / aSa if aSa != 0 else first
    return per_point(value, data) if w is None else value


def noise_series(data: ClusterData, order: int = 6, cost: Cost = Cost.MEAN_SQUARED):
    """SymPy: ``C(ε)`` exactly, for the points ``m_j + ε Δx_{j,i}`` of exact data, and its series at 0.

    The sufficient statistics make it cheap: ``Σ_i Δx_{j,i} = 0`` gives ``Y^ext X̃ᵀ = K`` (no ``ε``)
    and ``X̃ X̃ᵀ = G₀ + ε² G₂``, so ``C(ε) = (1/2N)[‖Y^ext‖² − tr(K adj(G) Kᵀ)/det G]`` is a
    rational function of ``ε²`` alone: the expansion has no odd terms.  Under a cost with per-cluster weights
    ``W`` the same holds with ``Y^ext W X̃ᵀ``, ``X̃ W X̃ᵀ`` and ``‖Y^ext W^{1/2}‖²``, without ``1/2N``."""
    eps = sp.Symbol("epsilon", positive=True)
    t = sp.Symbol("t")
    N, kind = data.N, data.kind
    means_ext = data.means[:, data.labels - 1]
    one = arith.full((1, N), 1, kind)
    Mt = np.vstack([means_ext, one])
    Dt = np.vstack([data.deviations, 0 * one])
    w = cost.fit_weights(data)
    scaled = (lambda A: A) if w is None else (lambda A: A * w[None, :])  # A ↦ A W
    K = sp.Matrix(arith.to_sympy(arith.matmul(scaled(data.targets_ext), Mt.T)))
    G0 = sp.Matrix(arith.to_sympy(arith.matmul(scaled(Mt), Mt.T)))
    G2 = sp.Matrix(arith.to_sympy(arith.matmul(scaled(Dt), Dt.T)))
    G = (G0 + t * G2).applyfunc(sp.expand)
    det = sp.expand(G.det(method="berkowitz"))
    adj = G.adjugate(method="berkowitz").applyfunc(sp.expand)
    Yx = data.targets_ext
    norm = arith.to_sympy(np.sum(scaled(Yx) * Yx))
    C_t = sp.cancel((norm * det - sp.expand((K * adj * K.T).trace())) / ((2 * N if w is None else 1) * det))
    C = C_t.subs(t, eps**2)
    return eps, C, sp.series(C, eps, 0, order).removeO()
