"""The values the paper states for its local minima, (2.71) and (2.85), against the true minima over the output.

Notation of the paper: ``X0red`` the means as columns (2.15), ``ΔX0`` the deviations (2.10)–(2.11),
``Δ1 = (X0red)⁻¹ ΔX0`` (2.73), ``Δ2 = Δ1 𝒩⁻¹ Δ1ᵀ`` (2.72) with ``𝒩⁻¹`` the weight ``1/N_j`` on each point of
cluster ``j`` (2.32); for ``s ∈ {0,1}^Q`` the deviations of the clusters with ``s_j = 0`` are set to 0
((2.80)–(2.83)).  The paper's values, squared: ``‖Y |Δ2|^{1/2} (1 + Δ2)^{-1/2}‖² = tr(Y Δ2 (1 + Δ2)⁻¹ Yᵀ)``.

The cost is the paper's ``C_N²`` (:func:`symgeom.calculus.cost.paper_output_cost_squared`).  For points ``Z`` (the
curated inputs ``τ(X0)``, (2.70)/(2.84)) this module computes, exactly on exact data,

* :func:`linear_fit` -- ``min_W C_N²(W Z)``: the output with (cumulative) bias 0, as in (4.73);
* :func:`affine_fit` -- ``min_{W,b} C_N²(W Z + b 1ᵀ)``: the output map with its bias, as (2.71) is stated;
* :func:`bias_gradient` -- ``∂C_N²/∂b = 2 (W Z + b 1ᵀ − Y^ext) 𝒩⁻¹ 1`` at an output ``(W, b)``.

Because each cluster's deviations sum to 0, ``C_N²(V X0red⁻¹ X0 + c 1ᵀ) = ‖V + c 1ᵀ − Y‖² + tr(V Δ2 Vᵀ)``
(:func:`decomposition_identity` proves it with SymPy): the bias-free minimum is ``tr(Y Δ2 (1+Δ2)⁻¹ Yᵀ)``, and
at its minimizer the bias gradient is ``−2 Y Δ2 (1+Δ2)⁻¹ 1``, zero iff ``Δ2 1 = 0``.

>>> from symgeom.data.embedded import default_data
>>> d = default_data()
>>> formula_squared(d) == linear_fit(d.X, d)[1]
True
>>> affine_fit(d.X, d)[1] < linear_fit(d.X, d)[1]
True
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..numbers import arith
from ..calculus.cost import paper_output_cost_squared
from ..data.clusters import ClusterData

__all__ = ["point_weights", "linear_fit", "affine_fit", "bias_gradient", "formula_squared", "curated_points",
           "translated", "collapse_point", "layer_bias_free_fit", "decomposition_identity", "bias_free_minimum_identity", "bias_free_gradients_at_symbolic_Q", "collapse_slope"]


def point_weights(data: ClusterData) -> np.ndarray:
    """The diagonal of ``𝒩⁻¹`` (2.32): ``1/N_j`` for each point of cluster ``j``."""
    w = np.array([arith.to_exact(1) / arith.to_exact(n) for n in data.sizes], dtype=object)
    return w[np.asarray(data.labels) - 1]


def _weighted_fit(Z: np.ndarray, data: ClusterData):
    """``(W, C_N²(W Z))`` with ``W = Y^ext 𝒩⁻¹ Zᵀ (Z 𝒩⁻¹ Zᵀ)⁻¹``, the weighted normal equations."""
    ZW = Z * point_weights(data)[None, :]
    W = arith.matmul(arith.matmul(data.targets_ext, ZW.T), arith.inv(arith.matmul(Z, ZW.T)))
    return W, paper_output_cost_squared(arith.matmul(W, Z), data)


def linear_fit(Z: np.ndarray, data: ClusterData):
    """``(W, min_W C_N²(W Z))``: the best output with bias 0 on the curated points ``Z`` (``Q x N``)."""
    return _weighted_fit(Z, data)


def affine_fit(Z: np.ndarray, data: ClusterData):
    """``((W, b), min_{W,b} C_N²(W Z + b 1ᵀ))``: the best affine output on ``Z``."""
    lifted = np.vstack([Z, np.array([arith.to_exact(1)] * Z.shape[1], dtype=object)[None, :]])
    Wb, value = _weighted_fit(lifted, data)
    return (Wb[:, :-1], Wb[:, -1]), value


def bias_gradient(W: np.ndarray, b: np.ndarray, Z: np.ndarray, data: ClusterData) -> np.ndarray:
    """``∂C_N²/∂b = 2 Σ_j (1/N_j) Σ_i (W z_{j,i} + b − y_j)`` at the output ``(W, b)``."""
    R = arith.matmul(W, Z) + b[:, None] - data.targets_ext
    return 2 * (R * point_weights(data)[None, :]).sum(axis=1)


def formula_squared(data: ClusterData, s=None):
    """The square of (2.71) (``s = None``: every cluster kept) or of (2.85): ``tr(Y Δ2[s] (1 + Δ2[s])⁻¹ Yᵀ)``
    with ``Δ1[s] = X0red⁻¹ ΔX0[s]``, the deviations of the clusters with ``s_j = 0`` set to 0."""
    dev = data.deviations.copy()
    if s is not None:
        for j, keep in enumerate(s, start=1):
            if not keep:
                dev[:, np.asarray(data.labels) == j] = arith.to_exact(0)
    D1 = arith.matmul(arith.inv(data.means), dev)
    D2 = arith.matmul(D1 * point_weights(data)[None, :], D1.T)
    Q = data.Q
    core = arith.matmul(D2, arith.inv(arith.identity(Q, data.kind) + D2))
    return sum(arith.matmul(arith.matmul(data.Y, core), data.Y.T)[i, i] for i in range(Q))


def collapse_point(data: ClusterData, j: int, t) -> np.ndarray:
    """``x̄_j − µ_j f_j = x̄_j + t (x̄ − x̄_j)`` for ``µ_j = −t |x̄ − x̄_j|`` (``j`` 1-based): the apex of layer ``j``."""
    M = data.means
    centre = M.sum(axis=1) / arith.to_exact(data.Q)
    return M[:, j - 1] + arith.to_exact(t) * (centre - M[:, j - 1])


def curated_points(data: ClusterData, shifts) -> np.ndarray:
    """``τ(X0)`` of (2.84): cluster ``j`` with ``shifts[j] = None`` as it is (``s_j = 1``), and cluster ``j``
    with ``shifts[j] = t`` collapsed to :func:`collapse_point` (``µ_j = −t |x̄ − x̄_j|``)."""
    Z = data.X.copy()
    for j, t in enumerate(shifts, start=1):
        if t is not None:
            Z[:, np.asarray(data.labels) == j] = collapse_point(data, j, t)[:, None]
    return Z


def layer_bias_free_fit(data: ClusterData, Z: np.ndarray, t_last) -> object:
    """``min_{W_{L+1}} C_N²`` with the layer's own bias ``b_{L+1} = 0``: ``X^(L) = W^(L)(τ(X0) − p_L)``, ``p_L`` the
    apex of the last layer (:func:`collapse_point` of cluster ``Q`` at ``t_last``), and a linear fit is invariant
    under the invertible ``W^(L)``."""
    return linear_fit(Z - collapse_point(data, data.Q, t_last)[:, None], data)[1]


def translated(data: ClusterData, a) -> ClusterData:
    """The same data with every point moved by the vector ``a`` (targets unchanged)."""
    shift = np.array([arith.to_exact(x) for x in a], dtype=object)
    return ClusterData(data.X + shift[:, None], data.labels, data.Y, data.kind, source=data.source + " (translated)")


# -- the algebra, symbolically ---------------------------------------------------------------
def _symbolic_clusters(Q: int, sizes):
    """Symbolic means ``m_{c,j}``, deviations ``d_{c,j,i}`` with the last of each cluster ``−Σ`` the others."""
    M = sp.Matrix(Q, Q, lambda c, j: sp.Symbol(f"m_{c + 1}{j + 1}", real=True))
    cols = []
    for j, n in enumerate(sizes):
        free = [sp.Matrix(Q, 1, lambda c, _: sp.Symbol(f"d_{c + 1}{j + 1}{i + 1}", real=True)) for i in range(n - 1)]
        cols.append(free + [-sum(free, sp.zeros(Q, 1))])
    return M, cols


def decomposition_identity(Q: int = 2, sizes=(2, 3)) -> sp.Expr:
    """``C_N²(V X0red⁻¹ X0 + c 1ᵀ) − (‖V + c 1ᵀ − Y‖² + tr(V Δ2 Vᵀ))``, simplified: ``0`` proves the identity
    for symbolic means, deviations (summing to 0 per cluster), ``V``, ``c``, ``Y`` at this ``Q`` and sizes."""
    M, cols = _symbolic_clusters(Q, sizes)
    V = sp.Matrix(Q, Q, lambda i, j: sp.Symbol(f"v_{i + 1}{j + 1}", real=True))
    Y = sp.Matrix(Q, Q, lambda i, j: sp.Symbol(f"y_{i + 1}{j + 1}", real=True))
    c = sp.Matrix(Q, 1, lambda i, _: sp.Symbol(f"c_{i + 1}", real=True))
    Minv = M.inv()
    lhs, D2 = sp.Integer(0), sp.zeros(Q, Q)
    for j, devs in enumerate(cols):
        for d in devs:
            r = V * Minv * (M[:, j] + d) + c - Y[:, j]
            lhs += (r.T * r)[0, 0] / len(devs)
            D2 += (Minv * d) * (Minv * d).T / len(devs)
    R = V + c * sp.ones(1, Q) - Y
    rhs = (R * R.T).trace() + (V * D2 * V.T).trace()
    return sp.cancel(sp.expand(lhs - rhs))


def bias_free_minimum_identity(Q: int = 2) -> tuple:
    """For symbolic symmetric ``Δ2`` and ``Y``, at ``V0 = Y (1 + Δ2)⁻¹``: ``(∂_V F, F(V0) − tr(Y Δ2 (1+Δ2)⁻¹ Yᵀ),
    ∂_c F − (−2 Y Δ2 (1+Δ2)⁻¹ 1))`` with ``F(V, c) = ‖V + c 1ᵀ − Y‖² + tr(V Δ2 Vᵀ)`` at ``c = 0``; all zero
    proves that the bias-free minimum is the square of (2.71) and that the bias gradient there is
    ``−2 Y Δ2 (1+Δ2)⁻¹ 1``."""
    D2 = sp.Matrix(Q, Q, lambda i, j: sp.Symbol(f"e_{min(i, j) + 1}{max(i, j) + 1}", real=True))
    Y = sp.Matrix(Q, Q, lambda i, j: sp.Symbol(f"y_{i + 1}{j + 1}", real=True))
    V = sp.Matrix(Q, Q, lambda i, j: sp.Symbol(f"v_{i + 1}{j + 1}", real=True))
    c = sp.Matrix(Q, 1, lambda i, _: sp.Symbol(f"c_{i + 1}", real=True))
    R = V + c * sp.ones(1, Q) - Y
    F = (R * R.T).trace() + (V * D2 * V.T).trace()
    inv = (sp.eye(Q) + D2).inv()
    at = {**{V[i, j]: (Y * inv)[i, j] for i in range(Q) for j in range(Q)}, **{ci: 0 for ci in c}}
    grad_V = sp.Matrix(Q, Q, lambda i, j: sp.cancel(sp.diff(F, V[i, j]).subs(at)))
    value = sp.cancel(F.subs(at) - (Y * D2 * inv * Y.T).trace())
    grad_c = sp.Matrix(Q, 1, lambda i, _: sp.diff(F, c[i]).subs(at)) + 2 * Y * D2 * inv * sp.ones(Q, 1)
    return grad_V, value, grad_c.applyfunc(sp.cancel)


def bias_free_gradients_at_symbolic_Q() -> tuple:
    """At symbolic ``Q`` (``MatrixSymbol``): with ``K = (I + Δ2)⁻¹``, ``V0 = Y K`` and
    ``F(V, c) = ‖V + c 1ᵀ − Y‖² + tr(V Δ2 Vᵀ)``, the residuals ``(∂_V F(V0, 0), ∂_c F(V0, 0) + 2 Y K Δ2 1)``, each
    reduced by expansion and SymPy's cancellation ``K (I + Δ2) = I``; ``(0, 0)`` proves that ``V0`` is the
    bias-free optimum and that the bias gradient there is ``−2 Y (I + Δ2)⁻¹ Δ2 1``."""
    Q = sp.Symbol("Q", integer=True, positive=True)
    Y, D, I = sp.MatrixSymbol("Y", Q, Q), sp.MatrixSymbol(r"\Delta_2", Q, Q), sp.Identity(Q)
    one = sp.MatrixSymbol(r"\mathbf{1}", Q, 1)
    K = (I + D).I
    V0 = Y * K
    # ∂_V F = 2 (V + c 1ᵀ − Y) + 2 V Δ2 (Δ2 symmetric), at c = 0: 2 V0 (I + Δ2) − 2 Y after expansion
    grad_V = sp.expand(2 * (V0 - Y) + 2 * V0 * D - 2 * (V0 * I + V0 * D) + 2 * Y) + 2 * (V0 * (I + D)).doit() - 2 * Y
    # ∂_c F = 2 (V0 − Y) 1 = 2 (Y K − Y K (I + Δ2)) 1 = −2 Y K Δ2 1
    grad_c = sp.expand(2 * (V0 - Y) * one + 2 * Y * K * D * one - 2 * (V0 * I - V0 * (I + D) + V0 * D) * one) \
        + 2 * (Y - (V0 * (I + D)).doit()) * one
    return sp.expand(grad_V.doit()), sp.expand(grad_c.doit())


def collapse_slope(data: ClusterData, shifts, j: int):
    """``d/dt min_{W,b} C_N²`` at ``τ(X0)`` of :func:`curated_points` when cluster ``j`` (1-based, collapsed) moves
    along its collapse point ``x̄_j + t (x̄ − x̄_j)``: by the envelope theorem (the weighted normal equations have a
    unique solution ``(A, c)``), ``2 (A p_j + c − y_j)ᵀ A (x̄ − x̄_j)``, the ``N_j`` points of weight ``1/N_j`` each."""
    (A, c), _ = affine_fit(curated_points(data, shifts), data)
    p = collapse_point(data, j, shifts[j - 1])
    direction = collapse_point(data, j, 1) - data.means[:, j - 1]
    r = A @ p + c - data.Y[:, j - 1]
    return 2 * sum(r * (A @ direction))
