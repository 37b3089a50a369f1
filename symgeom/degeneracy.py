"""Degeneracy of the global minimizers (G3, G4): Jacobians, the Gauss–Newton Hessian, ranks.

On a fixed activation pattern the output of a point is ``F = a_{L+1}`` with
``a_ℓ = W_ℓ x^(ℓ-1) + b_ℓ`` and ``x^(ℓ) = D_ℓ a_ℓ``.  With ``M_{L+1} = I`` and
``M_ℓ = M_{ℓ+1} W_{ℓ+1} D_ℓ``:

``∂F/∂W_ℓ[a, b] = M_ℓ[:, a] x^(ℓ-1)_b`` and ``∂F/∂b_ℓ[a] = M_ℓ[:, a]``,

i.e. the layer-``ℓ`` block of the Jacobian is ``M_ℓ ⊗ φ_ℓᵀ`` with ``φ_ℓ = (x^(ℓ-1), 1)``.  Hence
``(1/N) Σ_n J_nᵀ J_n`` needs, per activation pattern, only ``M_ℓᵀ M_ℓ'`` and the second
moments ``Σ_n φ_ℓ φ_ℓ'ᵀ`` -- one matrix product over the data, never an ``N x P`` Jacobian.
At a zero of the cost the Hessian is exactly this Gauss–Newton matrix.

Parameters are ordered as in :meth:`~symgeom.network.Parameters.vector`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from . import arith
from .cumulative import cumulative_parameters
from .network import Parameters, activation_pattern, layers


def _layout(Q: int) -> np.ndarray:
    """Index map from ``kron(M, φᵀ)`` columns ``a(Q+1) + b`` to the layer's ``[vec W, b]`` layout."""
    return np.array([a * Q + b if b < Q else Q * Q + a for a in range(Q) for b in range(Q + 1)])


def _backward(params: Parameters, pattern: np.ndarray) -> list[np.ndarray]:
    """``[M_1, …, M_{L+1}]`` for one activation pattern (``pattern[ℓ-1]`` is ``D_ℓ``'s diagonal)."""
    kind, Q = params.kind, params.Q
    M = arith.identity(Q, kind)
    Ms = [M]
    for l in range(params.L, 0, -1):
        M = (M @ params.weights[l]) * arith.array(pattern[l - 1].astype(int), kind)[None, :]
        Ms.append(M)
    return Ms[::-1]


def output_jacobian(params: Parameters, x: np.ndarray) -> np.ndarray:
    """``∂x^(L+1)/∂θ`` at one input ``x`` (``Q x P``), in closed form."""
    Q = params.Q
    X = x[:, None]
    xs = layers(params, X)
    Ms = _backward(params, activation_pattern(params, X)[:, :, 0])
    blocks = []
    for M, xin in zip(Ms, xs[:-1]):
        blocks.append(np.hstack([np.kron(M, xin[:, 0][None, :]), M]))
    return np.hstack(blocks) if blocks else np.zeros((Q, 0))


def cluster_jacobian(params: Parameters, data) -> np.ndarray:
    """``J_F``: the Jacobians of the outputs of one representative point per cluster, stacked
    (``Q² x P``; rows ``(k-1)Q … kQ-1`` belong to cluster ``k``)."""
    reps = [int(np.argmax(data.labels == k)) for k in range(1, data.Q + 1)]
    return np.vstack([output_jacobian(params, data.X[:, n]) for n in reps])


def gauss_newton(params: Parameters, X: np.ndarray) -> np.ndarray:
    """``(1/N) Σ_n J_nᵀ J_n`` over the columns of ``X``, through sufficient statistics: one group
    per activation pattern, one second-moment matrix ``Φ_g Φ_gᵀ`` per group."""
    Q, L, kind = params.Q, params.L, params.kind
    N = X.shape[1]
    xs = layers(params, X)
    one = arith.array([[1] * N], kind)
    Phi = np.vstack([np.vstack([x, one]) for x in xs[:-1]])  # (L+1)(Q+1) x N
    pattern = activation_pattern(params, X)  # (L, Q, N)
    keys = pattern.reshape(L * Q, N).T
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    B = Q + 1
    H = arith.zeros(((L + 1) * Q * B, (L + 1) * Q * B), kind)
    for g, key in enumerate(uniq):
        cols = np.flatnonzero(inverse == g)
        S = arith.matmul(Phi[:, cols], Phi[:, cols].T)
        Ms = _backward(params, key.reshape(L, Q))
        for l, Ml in enumerate(Ms):
            for m, Mm in enumerate(Ms):
                block = np.kron(Ml.T @ Mm, S[l * B:(l + 1) * B, m * B:(m + 1) * B])
                H[l * Q * B:(l + 1) * Q * B, m * Q * B:(m + 1) * Q * B] += block
    order = np.concatenate([l * Q * B + _layout(Q) for l in range(L + 1)])
    out = arith.zeros(H.shape, kind)
    out[np.ix_(order, order)] = H
    return out / (N if kind == "float" else arith.to_exact(N))


def cluster_gauss_newton(J_F: np.ndarray, sizes, N: int) -> np.ndarray:
    """``(1/N) Σ_k N_k J_kᵀ J_k`` from the stacked cluster Jacobians ``J_F``."""
    Q = len(sizes)
    kind = arith.kind_of(J_F)
    w = arith.array(np.repeat(list(sizes), Q), kind)
    total = arith.to_exact(N) if kind == "exact" else float(N)
    return (J_F.T * w[None, :]) @ J_F / total


def symmetry_generators(params: Parameters) -> np.ndarray:
    """``P x LQ``: tangent vectors of the scalings (T5), one per hidden neuron ``i`` of layer ``ℓ``:
    ``δW_ℓ[i,:] = W_ℓ[i,:]``, ``δb_ℓ[i] = b_ℓ[i]``, ``δW_{ℓ+1}[:,i] = −W_{ℓ+1}[:,i]``."""
    Q, L, kind = params.Q, params.L, params.kind
    cols = []
    for l in range(L):
        for i in range(Q):
            dW = [arith.zeros((Q, Q), kind) for _ in range(L + 1)]
            db = [arith.zeros(Q, kind) for _ in range(L + 1)]
            dW[l][i, :] = params.weights[l][i, :]
            db[l][i] = params.biases[l][i]
            dW[l + 1][:, i] = -params.weights[l + 1][:, i]
            cols.append(Parameters(tuple(dW), tuple(db)).vector())
    return np.stack(cols, axis=1)


def fiber_generators(params: Parameters, normal: np.ndarray) -> np.ndarray:
    """``P x Q``: moving along the output fiber, ``δ[A | c] = e_i nᵀ``, in actual parameters:
    ``δW_{L+1} = δA (W^(L))⁻¹``, ``δb_{L+1} = δc − δW_{L+1} b^(L)``."""
    Q, L, kind = params.Q, params.L, params.kind
    cum = cumulative_parameters(params)
    WL_inv, bL = arith.inv(cum.weights[L - 1]), cum.biases[L - 1]
    cols = []
    for i in range(Q):
        e = arith.zeros(Q, kind)
        e[i] = e[i] + 1
        dA, dc = np.outer(e, normal[:Q]), e * normal[Q]
        dW = dA @ WL_inv
        zeros_W = [arith.zeros((Q, Q), kind) for _ in range(L)]
        zeros_b = [arith.zeros(Q, kind) for _ in range(L)]
        cols.append(Parameters(tuple(zeros_W) + (dW,), tuple(zeros_b) + (dc - dW @ bL,)).vector())
    return np.stack(cols, axis=1)


def derived_dimension():
    """SymPy: ``dim C⁻¹(0) = P − Q²`` (``Q`` equations ``F_k = y_k`` in ``R^Q``) and the same number
    from the parametrization: ``L(Q² + Q)`` free hidden cumulative parameters plus the fiber
    ``(Q² + Q) − Q·rank[P; 1ᵀ] = Q``.  Returns ``(P, dim, parametrized, fiber, symmetry)``."""
    Q, L = sp.symbols("Q L", positive=True, integer=True)
    P = (L + 1) * (Q**2 + Q)
    dim = sp.expand(P - Q * Q)
    fiber = sp.expand((Q**2 + Q) - Q * Q)
    parametrized = sp.expand(L * (Q**2 + Q) + fiber)
    symmetry = L * Q
    return P, dim, parametrized, fiber, symmetry


def singular_value_gap(A: np.ndarray, rank: int) -> tuple[float, float]:
    """``(σ_rank, σ_{rank+1})`` of a float matrix (the last kept and the first dropped singular value)."""
    s = np.linalg.svd(np.asarray(A, dtype=float), compute_uv=False)
    kept = float(s[rank - 1]) if rank > 0 else float("inf")
    dropped = float(s[rank]) if rank < s.size else 0.0
    return kept, dropped


EXACT_RANK_MAX_Q = 4
"""Largest ``Q`` whose ranks are computed exactly; beyond it, in floats with a stated tolerance."""


def rank_check(A: np.ndarray, what: str, expected: int):
    """Rank of ``A``: exact (``certified``) for exact arrays with ``Q ≤ 4``, else by singular values with
    relative tolerance ``1e-9`` (``checked``), reporting the gap.  ``refuted`` if it differs from ``expected``."""
    from .certificates import CERTIFIED, CHECKED, REFUTED, Check

    if A.dtype == object:
        r = arith.rank(A)
        status = CERTIFIED if r == expected else REFUTED
        return r, Check(status, f"exact rational rank of {what}", f"rank {r}, expected {expected}", residual=r - expected,
                        counterexample=None if r == expected else f"rank {r} != {expected}")
    s = np.linalg.svd(np.asarray(A, dtype=float), compute_uv=False)
    tol = 1e-9 * float(s[0]) if s.size else 0.0
    r = int(np.sum(s > tol))
    kept, dropped = singular_value_gap(A, r)
    status = CHECKED if r == expected else REFUTED
    return r, Check(status, f"float64 rank of {what} (singular values > 1e-9 x largest)",
                    f"rank {r}, expected {expected}; singular-value gap {kept:.3g} -> {dropped:.3g}",
                    residual=r - expected, tolerance=tol,
                    counterexample=None if r == expected else f"rank {r} != {expected}")


from dataclasses import dataclass  # noqa: E402


@dataclass(frozen=True, eq=False)
class Degeneracy:
    """G3/G4 at one member of the family: the Jacobian of the cluster outputs, the Hessian, and
    the pieces of the kernel."""

    params: Parameters
    """The member analysed (``ζ = 0``, no symmetry applied)."""
    cluster_jacobian: np.ndarray
    """``J_F`` (``Q² x P``); exact when ``Q ≤ 4`` and the data are exact."""
    hessian: np.ndarray
    """``(1/N) Σ_n J_nᵀ J_n`` from all points (sufficient statistics)."""
    jacobian_rank: int
    hessian_rank: int
    dimension: int
    """``L(Q² + Q) + Q`` evaluated from :func:`derived_dimension`."""
    checks: dict
    """``{"jacobian_rank", "hessian_rank", "hessian_from_clusters", "symmetry", "fiber"}`` -> Check."""
    symmetry_rank: int
    fiber_rank: int

    @property
    def nullity(self) -> int:
        return self.params.count - self.hessian_rank


def analyse(family) -> Degeneracy:
    """Jacobian, Hessian, ranks and the symmetry / fiber directions at the family's base member."""
    from .certificates import certify_equal

    data = family.data
    exact = data.kind == "exact" and data.Q <= EXACT_RANK_MAX_Q
    params = family.member()
    if not exact:
        params = params.with_kind("float")
        data = data.with_kind("float")
    P_sym, dim_sym, _, _, _ = derived_dimension()
    Qs, Ls = sorted(dim_sym.free_symbols, key=str)[::-1]  # (Q, L)
    dimension = int(dim_sym.subs({Qs: data.Q, Ls: family.L}))
    JF = cluster_jacobian(params, data)
    H = gauss_newton(params, data.X)
    rJ, cJ = rank_check(JF, "J_F", data.Q**2)
    rH, cH = rank_check(H, "the Hessian", params.count - dimension)
    same = certify_equal(H, cluster_gauss_newton(JF, data.sizes, data.N),
                         "Hessian from all N points = (1/N) sum_k N_k J_k^T J_k")
    S = symmetry_generators(params)
    F = fiber_generators(params, family.fiber_normal if exact else family.fiber_normal.astype(float))
    rS, cS = rank_check(S, "the symmetry directions", data.Q * family.L)
    rSF, cSF = rank_check(np.hstack([S, F]), "symmetry and fiber directions", data.Q * family.L + data.Q)
    in_kernel = certify_equal(JF @ np.hstack([S, F]), 0 * (JF @ np.hstack([S, F])), "J_F annihilates them",
                              scale=float(np.max(np.abs(np.asarray(JF, dtype=float)))) * float(np.max(np.abs(np.asarray(S, dtype=float)))))
    checks = {"jacobian_rank": cJ, "hessian_rank": cH, "hessian_from_clusters": same, "symmetry": cS,
              "fiber": cSF, "in_kernel": in_kernel}
    return Degeneracy(params, JF, H, rJ, rH, dimension, checks, rS, rSF - rS)
