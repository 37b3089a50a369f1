"""Degeneracy of the global minimizers (G3, G4): ranks of the Jacobian and the Hessian, the
symmetry and output-fiber directions, the derived dimension."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..numbers import arith, sizes
from ..model.cumulative import cumulative_parameters
from ..calculus.derivatives import cluster_gauss_newton, cluster_jacobian, gauss_newton
from ..numbers.exact_rank import certified_rank, kernel_basis
from ..model.network import Parameters, layers
from ..calculus.hessian import gauss_newton_float
from ..certify.certificates import CERTIFIED, CHECKED, Check, REFUTED, UNDECIDED, certify_equal, combine

__all__ = [
    "symmetry_generators", "fiber_generators", "derived_dimension", "FLOAT_RANK_RTOL",
    "float_rank", "jacobian_factor", "layered_rank", "EXACT_RANK_MAX_Q", "rank_check", "Degeneracy", "analyse",
    "gauge_directions", "layer_kernel_directions", "TANGENT_BLOCKS", "edge_directions", "apex_directions",
    "tangent_blocks", "certify_tangent_space",
]


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


def jacobian_factor(params: Parameters, X: np.ndarray) -> np.ndarray:
    """A float matrix ``F`` (``R x P``) with ``FᵀF = Σ_n J_nᵀ J_n`` over the columns of ``X``: the Gauss–Newton
    matrix without forming it.  On one activation region ``J_n = [M_ℓ ⊗ φ_{ℓ,n}ᵀ]_ℓ`` and the region contributes
    the rows ``[M_ℓ ⊗ C_ℓᵀ]_ℓ`` for any factor ``C`` of its stacked moments (:meth:`~symgeom.calculus.hessian.GaussNewton.factor`,
    ``R ≤ Q(Q+1)`` rows per region); where the points took the point path (nearly one region per point), the
    square root ``Λ^{1/2} Vᵀ`` of the accumulated matrix instead, over its eigenvalues beyond rounding."""
    acc = gauss_newton_float(params, X)
    F = acc.factor()
    if F is None:
        lam, V = np.linalg.eigh(acc.matrix() * acc.N)
        noise = np.finfo(float).eps * lam.size * max(float(np.max(np.abs(lam), initial=0.0)), 0.0)
        keep = lam > noise  # eigenvalues within rounding are zero: their square roots (about √ε) are not F's
        F = (V[:, keep] * np.sqrt(lam[keep])).T
    return F


def layered_rank(A: np.ndarray, block: int, rtol: float = FLOAT_RANK_RTOL) -> tuple[int, float, float, float]:
    """``(rank, tolerance, σ_kept, σ_dropped)`` of a float matrix whose rows come in blocks of ``block`` and
    whose every column is supported on at most two consecutive blocks (tangent directions of a layered
    network: a gauge move touches layers ``ℓ`` and ``ℓ+1``, a layer-kernel move one layer), by block
    elimination: ``rank [[A₁, 0], [B₁, E]] = rank A₁ + rank [B₁ N₁, E]`` with ``N₁`` an orthonormal basis of
    ``ker A₁`` (row operations with the rows of ``A₁`` clear ``B₁`` off its row space).  Column group ``h``
    (first block ``h``) meets the carried columns ``B N`` of group ``h − 1`` in block ``h``: one singular value
    decomposition of a ``block x c`` matrix per block instead of one of the whole matrix.  A singular value
    counts when it exceeds ``tolerance = rtol ‖A‖_F`` (``‖A‖_F ≥ σ₁`` of every block matrix); ``σ_kept`` is the
    smallest counted and ``σ_dropped`` the largest not counted over all blocks (the gap around the tolerance).
    Raises ``ValueError`` when a column spans more than two blocks."""
    A = np.asarray(A, dtype=float)
    nb = A.shape[0] // block
    support = (A.reshape(nb, block, A.shape[1]) != 0).any(axis=1)  # nb x k
    touched = support.any(axis=0)
    first = np.where(touched, support.argmax(axis=0), nb)
    last = nb - 1 - support[::-1].argmax(axis=0)
    if A.shape[0] != nb * block or np.any(touched & (last > first + 1)):
        raise ValueError(f"layered_rank: every column must be supported on at most two consecutive blocks of {block} rows")
    tol = rtol * float(np.linalg.norm(A))
    rank, kept, dropped = 0, float("inf"), 0.0
    carry = np.zeros((block, 0))
    for h in range(nb):
        cols = A[:, first == h]
        here = np.hstack([carry, cols[h * block:(h + 1) * block]])
        nxt = cols[(h + 1) * block:(h + 2) * block]
        below = np.hstack([np.zeros((nxt.shape[0], carry.shape[1])), nxt])
        if here.shape[1] == 0:
            carry = np.zeros((block, 0))
            continue
        _, s, vt = np.linalg.svd(here)
        r = int(np.sum(s > tol))
        kept = min([kept] + list(s[:r]))
        dropped = max([dropped] + list(s[r:]) + ([0.0] if r < here.shape[1] else []))
        rank += r
        carry = below @ vt[r:].T if below.shape[0] else np.zeros((block, 0))
    return rank, tol, kept, dropped


EXACT_RANK_MAX_Q = 4
"""Largest ``Q`` whose Hessian ranks the time budget (:mod:`symgeom.claims.budget`) charges as dense rational
elimination.  Exact data have exact ranks at every ``Q`` (:func:`rank_check`, :mod:`symgeom.numbers.exact_rank`)."""


def rank_check(A: np.ndarray, what: str, expected: int, kernel: np.ndarray | None = None,
               bound: int | None = None):
    """Rank of ``A`` against ``expected``.  Exact arrays (any size): certified bounds
    (:func:`~symgeom.numbers.exact_rank.certified_rank`: a minor nonzero mod ``p`` below; above, the size, explicit
    ``kernel`` vectors with ``A V = 0`` checked exactly, and a ``bound`` the caller certified) -- ``certified``
    when they meet at ``expected``, ``refuted`` when the certified bounds exclude it, else ``undecided``.
    Float arrays: by singular values with relative tolerance ``1e-9`` (``checked``), reporting the gap."""
    if arith.kind_of(A).is_exact:
        return _exact_rank_check(A, what, expected, kernel, bound)
    r, tol, kept, dropped = float_rank(A)
    method = f"float64 rank of {what} (singular values > 1e-9 x largest)"
    detail = f"rank {r}, expected {expected}; singular-value gap {kept:.3g} -> {dropped:.3g}"
    if r < expected:
        s = np.linalg.svd(np.asarray(A, dtype=float), compute_uv=False)
        noise = max(A.shape) * np.finfo(float).eps * float(s[0])
        if expected <= s.size and s[expected - 1] > noise:  # dropped by the threshold, yet resolved as nonzero
            return r, Check(UNDECIDED, method, f"{detail}: singular value {s[expected - 1]:.3g} lies below the "
                            f"threshold but above float64's noise {noise:.3g}, so the rank {expected} is not excluded "
                            "(badly scaled entries, not a counterexample)", residual=r - expected, tolerance=tol)
    status = CHECKED if r == expected else REFUTED
    return r, Check(status, method, detail, residual=r - expected, tolerance=tol,
                    counterexample=None if r == expected else f"rank {r} != {expected}")


def _exact_rank_check(A: np.ndarray, what: str, expected: int, kernel, bound):
    """The exact branch of :func:`rank_check`: ``(rank, check)``, the rank the lower bound when undecided."""
    cert = certified_rank(A, kernel, bound)
    method = f"exact rank of {what} (a minor nonzero mod p; size, kernel vectors)"
    detail = f"{cert.describe()}, expected {expected}"
    r = cert.rank
    if r is not None or cert.upper < expected or cert.lower > expected:
        wrong = r != expected
        found = r if r is not None else (cert.upper if cert.upper < expected else cert.lower)
        return found, Check(REFUTED if wrong else CERTIFIED, method, detail, residual=found - expected,
                            counterexample=(f"rank {r} != {expected}" if r is not None else
                                            f"{cert.lower} <= rank <= {cert.upper} excludes {expected}") if wrong else None)
    return cert.lower, Check(UNDECIDED, method, f"{detail}: the certified bounds do not meet", residual=cert.lower - expected)


@dataclass(frozen=True, eq=False)
class Degeneracy:
    """G3/G4 at one member of the family: the Jacobian of the cluster outputs, the Hessian, and
    the pieces of the kernel."""

    params: Parameters
    """The member analysed (``ζ = 0``, no symmetry applied)."""
    cluster_jacobian: np.ndarray
    """``J_F`` (``Q² x P``); exact when the data are exact."""
    hessian: np.ndarray
    """``(1/N) Σ_n J_nᵀ J_n`` from all points (sufficient statistics)."""
    jacobian_rank: int
    hessian_rank: int
    dimension: int
    """``L(Q² + Q) + Q`` evaluated from :func:`derived_dimension`."""
    checks: dict
    """``{"jacobian_rank", "hessian_rank", "hessian_from_clusters", "symmetry", "fiber", "in_kernel", "tangent"}``
    -> Check (``tangent``: the constructed directions span ``ker J_F``)."""
    symmetry_rank: int
    fiber_rank: int
    block_counts: dict
    """Certified rank contributed by each block of :data:`TANGENT_BLOCKS` (symmetry, fiber, apex, edges)."""

    @property
    def nullity(self) -> int:
        return self.params.count - self.hessian_rank


def analyse(family) -> Degeneracy:
    """Jacobian, Hessian, ranks and the symmetry / fiber directions at the family's base member: exact at
    every ``Q`` on exact data (ranks by :mod:`symgeom.numbers.exact_rank`), float64 on float data."""
    data = family.data
    exact = data.kind.is_exact
    params = family.member()
    P_sym, dim_sym, _, _, _ = derived_dimension()
    Qs, Ls = sorted(dim_sym.free_symbols, key=str)[::-1]  # (Q, L)
    dimension = int(dim_sym.subs({Qs: data.Q, Ls: family.L}))
    JF = cluster_jacobian(params, data)
    H = gauss_newton(params, data.X)
    same = certify_equal(H, cluster_gauss_newton(JF, data.sizes, data.N),
                         "Hessian from all N points = (1/N) sum_k N_k J_k^T J_k")
    blocks = tangent_blocks(family, params, data)
    S, F = blocks["symmetry"], blocks["fiber"]
    rJ, cJ = rank_check(JF, "J_F", data.Q**2)
    # H = J_F^T D J_F (D > 0 diagonal) certified: rank H <= rank J_F <= Q^2 rows
    rH, cH = rank_check(H, "the Hessian", params.count - dimension,
                        bound=data.Q**2 if exact and same.status == CERTIFIED else None)
    rS, cS = rank_check(S, "the symmetry directions", data.Q * family.L)
    rSF, cSF = rank_check(np.hstack([S, F]), "symmetry and fiber directions", data.Q * family.L + data.Q)
    JSF = arith.matmul(JF, np.hstack([S, F]))
    in_kernel = certify_equal(JSF, 0 * JSF, "J_F annihilates them", scale=sizes.magnitude(JF) * sizes.magnitude(S))
    counts, tangent = certify_tangent_space(JF, blocks, rJ)
    checks = {"jacobian_rank": cJ, "hessian_rank": cH, "hessian_from_clusters": same, "symmetry": cS,
              "fiber": cSF, "in_kernel": in_kernel, "tangent": tangent}
    return Degeneracy(params, JF, H, rJ, rH, dimension, checks, rS, rSF - rS, counts)


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
    block = Q * Q + Q
    i, j, c = np.meshgrid(range(Q), range(Q), range(Q), indexing="ij")  # E = e_i e_jᵀ, c a column or row index
    blocks = []
    for l in range(params.L):
        W, b, W_next = params.weights[l], params.biases[l], params.weights[l + 1]
        here, after = l * block, (l + 1) * block
        V = kind.zeros((params.count, Q * Q))
        col = i * Q + j
        V[here + i * Q + c, col] = W[j, c]  # δW_ℓ = E W_ℓ: row i of δW_ℓ is row j of W_ℓ
        V[here + Q * Q + i[:, :, 0], col[:, :, 0]] = b[j[:, :, 0]]  # δb_ℓ = E b_ℓ
        V[after + c * Q + j, col] = -W_next[c, i]  # δW_{ℓ+1} = −W_{ℓ+1} E: column j is −column i of W_{ℓ+1}
        blocks.append(V)
        if l + 1 in translating:  # δb_ℓ = e_i, δb_{ℓ+1} = −W_{ℓ+1} e_i
            T = kind.zeros((params.count, Q))
            T[here + Q * Q + np.arange(Q), np.arange(Q)] = kind.scalar(1)
            T[after + Q * Q:after + Q * Q + Q, :] = -W_next
            blocks.append(T)
    return np.hstack(blocks)


def layer_kernel_directions(params: Parameters, G: np.ndarray) -> np.ndarray:
    """Directions that move one layer's ``[W_ℓ | b_ℓ]`` inside the kernel of the diagonal block ``H_ℓℓ``
    of the Gauss–Newton matrix ``H = (1/N) JᵀJ``: ``ker H_ℓℓ = ker J_ℓ``, the changes of layer ``ℓ`` that no
    output sees to first order.  ``G`` is ``H`` itself or a factor with ``GᵀG = H``
    (:func:`jacobian_factor`): either way ``ker H_ℓℓ = ker G[:, ℓ]``, the kernel of ``G``'s columns of layer
    ``ℓ`` (for ``G = H``: ``H`` is positive semidefinite, so ``H_ℓℓ v = 0`` forces ``H v = 0``).  On a fixed
    activation pattern the outputs are *affine* in one layer's parameters, so where no pre-activation
    vanishes, ``θ + εΔ`` (``Δ`` any sum of them, ``ε`` small) is an exact straight line of points with the
    same outputs.  They include the moves in the kernel of the layers after ``ℓ``, the moves orthogonal to the
    inputs a neuron is active on, and (for the output layer) the output fiber of G2.  ``P x d``, possibly
    ``d = 0``."""
    block = params.Q * params.Q + params.Q
    cols = []
    for l in range(params.L + 1):
        span = slice(l * block, (l + 1) * block)
        K = kernel_basis(G[:, span]) if arith.kind_of(G).is_exact else arith.nullspace(G[:, span])
        for c in range(K.shape[1]):
            v = params.kind.zeros(params.count)
            v[span] = K[:, c]
            cols.append(v)
    return np.stack(cols, axis=1) if cols else params.kind.zeros((params.count, 0))


# -- the tangent space of the zero set, built block by block (G3, G4) ------------------------
TANGENT_BLOCKS = ("symmetry", "fiber", "apex", "edges")
"""The named blocks of constructed tangent directions at a global minimizer, in this order."""


def edge_directions(params: Parameters) -> np.ndarray:
    """``P x L(Q² − Q)``: the off-diagonal part of the GL(Q) gauge of :func:`gauge_directions`
    (``T = I + εe_i e_jᵀ``, ``i ≠ j``) at every hidden layer.  In cumulative coordinates
    ``W^(ℓ) → T W^(ℓ)``, ``b^(ℓ) → T b^(ℓ)``: the apex ``−(W^(ℓ))⁻¹ b^(ℓ)`` stays, the edges
    ``(W^(ℓ))⁻¹ T⁻¹ e_j`` turn.  Valid since every point keeps strict signs in every layer (G1); the
    diagonal ``i = j`` is the scaling symmetry."""
    Q = params.Q
    gauge = gauge_directions(params, ())  # columns: layer by layer, E = e_i e_j^T in row-major (i, j) order
    off = [l * Q * Q + i * Q + j for l in range(params.L) for i in range(Q) for j in range(Q) if i != j]
    return gauge[:, off]


def apex_directions(params: Parameters, family, representatives: np.ndarray) -> np.ndarray:
    """``P x LQ``: moving the apex of each hidden layer's cone by ``e_i``, everything else kept.

    In layer ``ℓ``: ``δb_ℓ = t``, ``δb_{ℓ+1} = −W_{ℓ+1} t`` (``t = e_i``) shifts every strictly active point
    by ``t`` and back, so only the cluster ``k`` collapsed at ``ℓ`` (at ``x^(ℓ) = 0``, strictly active in
    every later layer) moves: its output by ``−M t``, ``M = W_{L+1} W_L ⋯ W_{ℓ+1}``.  The output layer
    sends it back: ``δ[W_{L+1} | b_{L+1}] B = M t e_kᵀ`` with ``B = [q_1 … q_Q; 1ᵀ]`` (the curated points
    ``q_j = x^(L)``, ``representatives`` one input per cluster), solved by the left inverse
    ``(BᵀB)⁻¹Bᵀ``.  Layers beyond ``Q`` collapse nothing: the bias shift alone."""
    Q, L, kind = params.Q, params.L, params.kind

    curated = layers(params, representatives)[L]
    B = np.vstack([curated, arith.full((1, Q), 1, kind)])
    left_inverse = arith.inv(B.T @ B) @ B.T
    collapsed = {cone.layer: cone.cluster for cone in family.cones}
    E = arith.identity(Q, kind)
    cols = []
    for l in range(1, L + 1):
        M = params.weights[L]
        for m in range(L - 1, l - 1, -1):
            M = arith.matmul(M, params.weights[m])
        for i in range(Q):
            changes = {("b", l - 1): E[i], ("b", l): -params.weights[l][:, i]}
            if l in collapsed:
                R = arith.zeros((Q, Q), kind)
                R[:, collapsed[l] - 1] = M[:, i]
                fix = R @ left_inverse
                changes[("W", L)] = fix[:, :Q]
                changes[("b", L)] = changes.get(("b", L), arith.zeros(Q, kind)) + fix[:, Q]
            cols.append(_direction(params, changes))
    return np.stack(cols, axis=1)


def tangent_blocks(family, params: Parameters, data) -> dict:
    """``{name: P x d}`` for :data:`TANGENT_BLOCKS`: the scalings (``LQ``), the output fiber (``Q``),
    the apex moves (``LQ``) and the edge turns (``L(Q² − Q)``) at ``params`` (a member of ``family``)."""
    reps = data.X[:, [int(np.argmax(data.labels == k)) for k in range(1, data.Q + 1)]]
    normal = family.fiber_normal if params.kind.is_exact else family.fiber_normal.astype(float)
    return {"symmetry": symmetry_generators(params), "fiber": fiber_generators(params, normal),
            "apex": apex_directions(params, family, reps), "edges": edge_directions(params)}


def certify_tangent_space(JF: np.ndarray, blocks: dict, jacobian_rank: int):
    """``(counts, check)``: ``J_F V = 0`` (exact, or relative to ``|J_F| |V| P``), ``V = [blocks]`` of full
    column rank, and ``rank V = nullity J_F = P − rank J_F`` -- then ``ker J_F``, the tangent space of the
    zero set, is spanned by the constructed directions and its dimension is certified.  ``counts`` gives each
    block's certified contribution: the rank added by the block, in :data:`TANGENT_BLOCKS` order."""
    V = np.hstack([blocks[name] for name in TANGENT_BLOCKS])
    P = V.shape[0]
    JV = arith.matmul(JF, V)
    scale = sizes.magnitude(JF) * sizes.magnitude(V) * P
    annihilated = certify_equal(JV, 0 * JV, "J_F V = 0", scale=scale)
    counts, seen, rank_checks = {}, 0, []
    for name in TANGENT_BLOCKS:
        width = seen + blocks[name].shape[1]
        r, c = rank_check(V[:, :width], f"the {name} directions with the blocks before", width)
        counts[name], seen = r - sum(counts.values()), width
        rank_checks.append(c)
    nullity = P - jacobian_rank
    exact = arith.kind_of(V).is_exact
    spans = Check((CERTIFIED if exact else CHECKED) if V.shape[1] == nullity else REFUTED,
                  "rank V = nullity J_F", f"rank V = {V.shape[1]}, nullity J_F = {P} - {jacobian_rank} = {nullity}",
                  residual=V.shape[1] - nullity, tolerance=None if exact else 0,
                  counterexample=None if V.shape[1] == nullity else f"{V.shape[1]} != {nullity}")
    detail = ", ".join(f"{name} {counts[name]}" for name in TANGENT_BLOCKS)
    return counts, combine([annihilated] + rank_checks + [spans],
                           "explicit tangent directions: J_F V = 0, V of full column rank, rank V = nullity J_F", detail)
