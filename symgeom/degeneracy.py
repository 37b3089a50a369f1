"""Degeneracy of the global minimizers (G3, G4): ranks of the Jacobian and the Hessian, the
symmetry and output-fiber directions, the derived dimension."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from . import arith
from .cumulative import cumulative_parameters
from .derivatives import cluster_gauss_newton, cluster_jacobian, gauss_newton
from .network import Parameters


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
    return _gap(np.linalg.svd(np.asarray(A, dtype=float), compute_uv=False), rank)


def _gap(s: np.ndarray, rank: int) -> tuple[float, float]:
    """``(σ_rank, σ_{rank+1})`` from the singular values ``s`` (descending)."""
    kept = float(s[rank - 1]) if rank > 0 else float("inf")
    dropped = float(s[rank]) if rank < s.size else 0.0
    return kept, dropped


FLOAT_RANK_RTOL = 1e-9
"""Singular values above this times the largest count towards a float rank."""


def float_rank(A: np.ndarray, rtol: float = FLOAT_RANK_RTOL) -> tuple[int, float, float, float]:
    """``(rank, tolerance, σ_rank, σ_{rank+1})`` of a float matrix from one singular value decomposition:
    the rank counts the singular values above ``tolerance = rtol σ_1``."""
    s = np.linalg.svd(np.asarray(A, dtype=float), compute_uv=False)
    tol = rtol * float(s[0]) if s.size else 0.0
    r = int(np.sum(s > tol))
    return (r, tol) + _gap(s, r)


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
    r, tol, kept, dropped = float_rank(A)
    status = CHECKED if r == expected else REFUTED
    return r, Check(status, f"float64 rank of {what} (singular values > 1e-9 x largest)",
                    f"rank {r}, expected {expected}; singular-value gap {kept:.3g} -> {dropped:.3g}",
                    residual=r - expected, tolerance=tol,
                    counterexample=None if r == expected else f"rank {r} != {expected}")


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
    exact = data.kind.is_exact and data.Q <= EXACT_RANK_MAX_Q
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


# -- tangent directions of minimizer sets ---------------------------------------------------
def _direction(params: Parameters, changes: dict) -> np.ndarray:
    """The parameter vector with ``changes = {("W"|"b", ℓ): array}`` (0-based layers) and zeros elsewhere."""
    Q, L, kind = params.Q, params.L, params.kind
    dW = [changes.get(("W", l), arith.zeros((Q, Q), kind)) for l in range(L + 1)]
    db = [changes.get(("b", l), arith.zeros(Q, kind)) for l in range(L + 1)]
    return Parameters(tuple(dW), tuple(db)).vector()


def gauge_directions(params: Parameters, translating) -> np.ndarray:
    """Tangent vectors of the exact curves ``(T W_ℓ, T b_ℓ + εt, W_{ℓ+1} T⁻¹, b_{ℓ+1} − εW_{ℓ+1}T⁻¹t)``
    through ``θ``, valid wherever every point that matters keeps strict pre-activation signs in layer
    ``ℓ``: then ``σ(T a) = T a`` where ``a > 0`` and ``0`` where ``a < 0``.

    For every hidden layer ``ℓ`` and ``E = e_i e_jᵀ`` (``T = I + εE``): ``δW_ℓ = E W_ℓ``,
    ``δb_ℓ = E b_ℓ``, ``δW_{ℓ+1} = −W_{ℓ+1} E``; for the layers in ``translating`` (1-based; those that
    send no point to 0) and ``t = e_i``: ``δb_ℓ = e_i``, ``δb_{ℓ+1} = −W_{ℓ+1} e_i``."""
    Q, kind = params.Q, params.kind
    E = arith.identity(Q, kind)
    cols = []
    for l in range(params.L):
        W, b, W_next = params.weights[l], params.biases[l], params.weights[l + 1]
        for i in range(Q):
            for j in range(Q):
                unit = np.outer(E[i], E[j])
                cols.append(_direction(params, {("W", l): unit @ W, ("b", l): unit @ b, ("W", l + 1): -W_next @ unit}))
        if l + 1 in translating:
            cols += [_direction(params, {("b", l): E[i], ("b", l + 1): -W_next[:, i]}) for i in range(Q)]
    return np.stack(cols, axis=1)


def kernel_directions(params: Parameters) -> np.ndarray:
    """Directions ``δ[W_ℓ | b_ℓ] = k zᵀ`` with ``k`` in the kernel of the downstream product
    ``W_{L+1} W_L ⋯ W_{ℓ+1}``: where every point that matters is strictly positive in the layers after
    ``ℓ`` (or strictly negative where it is collapsed), the change never reaches the output, so
    ``θ + ε·(any sum of them)`` is an exact straight line of points with the same outputs.  ``P x d``,
    possibly ``d = 0``."""
    Q, L = params.Q, params.L
    cols, down = [], params.weights[L]
    unit = arith.identity(Q + 1, params.kind)
    for l in range(L - 1, -1, -1):
        K = arith.nullspace(down)
        for c in range(K.shape[1]):
            for z in unit:
                move = np.outer(K[:, c], z)
                cols.append(_direction(params, {("W", l): move[:, :Q], ("b", l): move[:, Q]}))
        down = arith.matmul(down, params.weights[l])
    return np.stack(cols, axis=1) if cols else arith.zeros((params.count, 0), params.kind)
