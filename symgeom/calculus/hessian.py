"""The Hessian of the cost at a zero of the cost, in float64 at scale: the Gauss–Newton matrix streamed over
the data in chunks, by activation regions or point by point (a cost model chooses per chunk), and its
spectrum through a small per-region factor.

Notation of :mod:`symgeom.calculus.derivatives` (layers 0-based here: layer ``ℓ`` has ``[W_ℓ | b_ℓ]`` and input
``φ_ℓ = (x^(ℓ), 1)``): on a fixed activation pattern a point's Jacobian has layer blocks
``M_ℓ ⊗ φ_ℓᵀ``, so block ``(ℓ, m)`` of ``Σ_n J_nᵀ J_n`` is

``Σ_n (M_ℓᵀ M_m)_n ⊗ (φ_ℓ φ_mᵀ)_n``.

* **region path** -- inside an activation region ``M_ℓ`` is constant and ``φ_ℓ = T_ℓ x̃`` (``x̃ = (x, 1)``,
  ``T_ℓ`` the region's affine layer map), so the block is ``Σ_r (M_ℓᵀ M_m)_r ⊗ T_ℓ S_r T_mᵀ`` with
  ``S_r = Σ_{n ∈ r} x̃ x̃ᵀ``: one ``(Q+1)²`` moment per point, everything else once per region;
* **point path** -- ``M_{ℓ,n}`` for every point of a chunk by batched products over the points'
  patterns, and the same sum over points.

Either way the sum over the units (regions or points) of ``vec(M_ℓᵀ M_m) vec(S_{ℓm})ᵀ`` is one matrix
product per pair of layers (BLAS), never a Kronecker product per unit.  The data pass through the network
:data:`CHUNK` points at a time, so memory stays flat in ``N``.  Which path ran, and why, is recorded in a
:class:`PathChoice` and logged at ``INFO`` on the ``symgeom.calculus.hessian`` logger (silent unless a handler is
configured -- the command line shows it as a progress line).  The residual term that turns this matrix into the
Hessian away from a zero of the cost is in :mod:`symgeom.calculus.residual`.

>>> from symgeom.data.embedded import default_data
>>> from symgeom.global_minima.minimizer import global_minimizer
>>> data = default_data("float")
>>> run = gauss_newton_float(global_minimizer(default_data(), 3).member(), data.X)
>>> run.choice.path, run.choice.regions, run.factor().shape   # three clusters, three regions, rank Q² = 9
('regions', 3, (9, 48))
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .._errors import DataError
from ..numbers.arith import linalg_threads
from ..numbers.filtered import group_bounds, pattern_groups
from ..model.regions import backward_matrices, layer_maps

__all__ = ["CHUNK", "PathChoice", "parameter_layout", "blocks_to_matrix", "symmetrize_blocks", "unit_costs",
           "choose_path", "float_weights", "float_input", "chunk_forward", "GaussNewton",
           "gauss_newton_float", "gauss_newton_spectrum"]

log = logging.getLogger("symgeom.calculus.hessian")

CHUNK = 4096
"""Points per chunk of the streamed pass (bounds the point path's ``M_{ℓ,n}`` to ``CHUNK (L+1) Q²`` floats,
19 MB at ``Q = L = 8``)."""

SMALL_PRODUCT = 8.0
"""Cost model: a multiply-add inside numpy's batched products of tiny matrices or elementwise passes, in units
of a multiply-add inside one large BLAS product (measured: about 8 at ``Q = 8``)."""


def parameter_layout(Q: int, L: int) -> np.ndarray:
    """Index map from the blocks' internal order ``(ℓ, a, b)`` (``b < Q``: ``W_ℓ[a, b]``, ``b = Q``: ``b_ℓ[a]``)
    to the order of :meth:`~symgeom.model.network.Parameters.vector` (``vec W_ℓ`` row-major, then ``b_ℓ``)."""
    one = np.array([a * Q + b if b < Q else Q * Q + a for a in range(Q) for b in range(Q + 1)])
    return np.concatenate([l * Q * (Q + 1) + one for l in range(L + 1)])


def blocks_to_matrix(H6: np.ndarray, Q: int, L: int) -> np.ndarray:
    """The ``P x P`` matrix of a ``(L+1, Q, Q+1, L+1, Q, Q+1)`` block array, rows and columns in parameter order."""
    P = (L + 1) * Q * (Q + 1)
    order = parameter_layout(Q, L)
    out = np.zeros((P, P))
    out[np.ix_(order, order)] = H6.reshape(P, P)
    return out


# -- the cost model -------------------------------------------------------------------------
def unit_costs(Q: int, L: int) -> tuple[float, float, float]:
    """``(per region, per point, grouping per point)`` of the two paths, in BLAS multiply-adds
    (:data:`SMALL_PRODUCT` for the batched small products).  A point costs its backward matrices
    ``(L+1) Q³`` and, per pair ``ℓ ≤ m`` of layers, ``M_ℓᵀ M_m`` (``Q³``), its outer product of inputs (``B²``,
    ``B = Q + 1``) and its share of the BLAS product (``Q² B²``); a region the same with the moment
    ``T_ℓ S T_mᵀ`` (``2B³``) for the outer product, plus its layer maps ``(L+1) Q B²``; grouping a point by
    pattern and adding its moment costs about ``LQ + B²`` elementwise."""
    B, pairs, w = Q + 1, (L + 1) * (L + 2) / 2, SMALL_PRODUCT
    point = (L + 1) * Q**3 * w + pairs * (Q**3 * w + B * B + Q * Q * B * B)
    region = (L + 1) * (Q**3 + Q * B * B) * w + pairs * ((Q**3 + 2 * B**3) * w + Q * Q * B * B)
    return region, point, (L * Q + B * B) * w


@dataclass(frozen=True)
class PathChoice:
    """Which path accumulated the Gauss–Newton matrix, chunk by chunk, and the counts behind the choice."""

    points: int
    """``N``."""
    regions: int
    """Distinct activation patterns met by the chunks that took the region path."""
    region_chunks: int
    """Chunks accumulated by regions."""
    point_chunks: int
    """Chunks accumulated point by point."""
    point_patterns: int
    """Distinct patterns met by the chunks that took the point path, summed over those chunks."""
    Q: int
    """Width of every layer."""
    L: int
    """Number of hidden layers."""

    @property
    def path(self) -> str:
        """``"regions"``, ``"points"`` or ``"mixed"``."""
        if self.point_chunks == 0:
            return "regions"
        return "points" if self.region_chunks == 0 else "mixed"

    def note(self) -> str:
        """One line for a user: the path, the counts and the model's per-unit costs."""
        region, point, grouping = unit_costs(self.Q, self.L)
        chunks = self.region_chunks + self.point_chunks
        why = (f"cost model at Q = {self.Q}, L = {self.L}: a region {region:.3g} multiply-adds plus "
               f"{grouping:.3g} per point to group, a point {point:.3g}")
        if self.path == "regions":
            head = f"region path ({self.regions} activation regions in {self.points} points)"
        elif self.path == "points":
            head = f"point path ({self.point_patterns} activation patterns in {self.points} points, chunk by chunk)"
        else:
            head = (f"mixed: {self.region_chunks} of {chunks} chunks by regions ({self.regions} regions), "
                    f"{self.point_chunks} point by point ({self.point_patterns} patterns)")
        return f"Gauss-Newton matrix: {head}; {why}"


def choose_path(regions: int, points: int, Q: int, L: int) -> str:
    """``"regions"`` when ``regions`` per-region units plus grouping every point cost less than ``points``
    per-point units (:func:`unit_costs`), else ``"points"``.

    >>> choose_path(8, 4096, 8, 8), choose_path(4000, 4096, 8, 8)
    ('regions', 'points')
    """
    region, point, grouping = unit_costs(Q, L)
    by_regions = regions * region + points * grouping
    return "regions" if by_regions < points * point else "points"


# -- the pieces, batched over units -----------------------------------------------------------
def float_weights(params):
    """``([W_ℓ], [b_ℓ])`` as float64 arrays."""
    return [np.asarray(W, dtype=float) for W in params.weights], [np.asarray(b, dtype=float) for b in params.biases]


def float_input(params, X: np.ndarray) -> np.ndarray:
    """``X`` as a ``Q x N`` float64 array, one finite point per column; :class:`~symgeom.DataError` naming what
    is wrong otherwise."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] != params.Q or X.shape[1] == 0:
        raise DataError(f"the points must form a {params.Q} x N array with N >= 1 (one point per column, Q = {params.Q} "
                        f"as the network's width); got shape {X.shape}")
    if not np.isfinite(X).all():
        raise DataError("the points contain NaN or infinite coordinates; every coordinate must be a finite number")
    return X


def _kron_sum(H6: np.ndarray, M: np.ndarray, moment) -> None:
    """``H6[ℓ, :, :, m] += Σ_u kron(M_ℓᵀ M_m, S_u(ℓ, m))`` for the pairs ``ℓ ≤ m`` of layers whose ``M`` is not
    zero on every unit: ``vec(M_ℓᵀ M_m)`` for all units (``U x Q²``, batched products) against ``moment(ℓ, m)``
    (``U x B²``, row ``u`` is ``vec S_u(ℓ, m)``), one BLAS product per pair."""
    Lp, U, Q, _ = M.shape
    B = Q + 1
    live = [l for l in range(Lp) if M[l].any()]
    for i, l in enumerate(live):
        Mt = M[l].transpose(0, 2, 1)
        for m in live[i:]:
            block = np.matmul(Mt, M[m]).reshape(U, Q * Q).T @ moment(l, m)
            H6[l, :, :, m] += block.reshape(Q, Q, B, B).transpose(0, 2, 1, 3)


def symmetrize_blocks(H6: np.ndarray) -> np.ndarray:
    """Fill the blocks ``m < ℓ`` from ``ℓ < m`` (``H_{mℓ} = H_{ℓm}ᵀ``) and average each diagonal block with its
    transpose, so the matrix is symmetric to the last bit."""
    Lp = H6.shape[0]
    for l in range(Lp):
        H6[l, :, :, l] = (H6[l, :, :, l] + H6[l, :, :, l].transpose(2, 3, 0, 1)) / 2
        for m in range(l + 1, Lp):
            H6[m, :, :, l] = H6[l, :, :, m].transpose(2, 3, 0, 1)
    return H6


def chunk_forward(weights, biases, Xc: np.ndarray):
    """``(xs, on)`` for a chunk of points: ``xs[ℓ] = x^(ℓ)`` (``ℓ = 0..L``, ``Q x n``) and the pattern ``on``
    (``L x Q x n``, pre-activation ``> 0``)."""
    xs, on = [Xc], []
    for W, b in zip(weights[:-1], biases[:-1]):
        u = W @ xs[-1] + b[:, None]
        on.append(u > 0)
        xs.append(np.maximum(u, 0.0))
    return xs, np.stack(on)


INDICATOR_REGIONS = 16
"""Up to this many regions in a chunk, their moments come from one BLAS product with the region indicators."""


def _region_moments(Xc: np.ndarray, on: np.ndarray, first: np.ndarray, inverse: np.ndarray):
    """``(patterns, S)`` of a chunk grouped by pattern (``first``, ``inverse`` of
    :func:`~symgeom.numbers.filtered.pattern_groups`): its distinct patterns (``R x L x Q``) and ``S_r = Σ_{n ∈ r} x̃ x̃ᵀ``,
    for few regions as ``X̃ [1_{n ∈ r} x̃_nᵀ]_{n, (r, j)}`` (one matrix product), else by summing the outer
    products over the points sorted by region."""
    n, R = Xc.shape[1], first.size
    xt = np.empty((n, Xc.shape[0] + 1))
    xt[:, :-1] = Xc.T
    xt[:, -1] = 1.0
    if R <= INDICATOR_REGIONS:
        spread = np.zeros((n, R, xt.shape[1]))
        spread[np.arange(n), inverse] = xt
        S = (xt.T @ spread.reshape(n, -1)).reshape(xt.shape[1], R, xt.shape[1]).transpose(1, 0, 2)
    else:
        order, bounds = group_bounds(inverse, R)
        xt = xt[order]
        S = np.add.reduceat(xt[:, :, None] * xt[:, None, :], bounds[:-1], axis=0)
    return on[:, :, first].transpose(2, 0, 1), S


def _merge_regions(patterns: np.ndarray, S: np.ndarray):
    """Regions met in several chunks summed into one: ``(patterns, S)`` with distinct patterns."""
    first, inverse = pattern_groups(patterns.transpose(1, 2, 0))
    merged = np.zeros((first.size,) + S.shape[1:])
    np.add.at(merged, inverse, S)
    return patterns[first], merged


def _point_blocks(H6: np.ndarray, weights, xs, on: np.ndarray) -> None:
    """The point path on one chunk: ``M_{ℓ,n}`` for every point and ``S_n(ℓ, m) = φ_ℓ φ_mᵀ``."""
    M = backward_matrices(weights, on)
    n = xs[0].shape[1]
    phi = [np.hstack([x.T, np.ones((n, 1))]) for x in xs]
    _kron_sum(H6, M, lambda l, m: (phi[l][:, :, None] * phi[m][:, None, :]).reshape(n, -1))


@dataclass(frozen=True, eq=False)
class GaussNewton:
    """``N H = Σ_n J_nᵀ J_n`` accumulated: the point path's blocks and the region path's per-region statistics."""

    point_blocks: np.ndarray
    """``(L+1, Q, B, L+1, Q, B)``: the sum over the points of the chunks that took the point path."""
    M: np.ndarray
    """``(L+1) x R x Q x Q``: the backward matrices of the regions (of the region-path chunks)."""
    T: np.ndarray
    """``(L+1) x R x B x B``: the regions' layer maps, ``φ_ℓ = T_ℓ x̃``."""
    S: np.ndarray
    """``R x B x B``: ``Σ_{n ∈ r} x̃ x̃ᵀ``."""
    N: int
    choice: PathChoice

    def matrix(self) -> np.ndarray:
        """``H = (1/N) Σ_n J_nᵀ J_n`` (``P x P``, parameter order)."""
        H6 = self.point_blocks.copy()
        R = self.S.shape[0]
        if R:
            TS = self.T @ self.S
            Tt = self.T.transpose(0, 1, 3, 2)
            with linalg_threads():
                _kron_sum(H6, self.M, lambda l, m: (TS[l] @ Tt[m]).reshape(R, -1))
        Lp, Q = H6.shape[0], H6.shape[1]
        return blocks_to_matrix(symmetrize_blocks(H6), Q, Lp - 1) / self.N

    def factor(self, max_rows: int | None = None) -> np.ndarray | None:
        """``F`` with ``H = FᵀF / N`` and few rows, when every chunk took the region path: region ``r``
        contributes the rows ``[M_ℓ[q, :] ⊗ C_ℓ[:, k]]_ℓ`` (``q ≤ Q``, ``k ≤ rank``), where ``C = U Σ`` from
        the singular value decomposition of the stacked ``[T_ℓ S^{1/2}]`` over the layers with ``M_ℓ ≠ 0``,
        so ``C_ℓ C_mᵀ = T_ℓ S T_mᵀ``; eigenvalues of ``S`` and directions with ``σ ≤ ε · size · σ_max`` are dropped.  ``None`` when a
        chunk took the point path or ``F`` would have more than ``max_rows`` rows."""
        if self.choice.point_chunks:
            return None
        Lp, R, Q, _ = self.M.shape
        B = Q + 1
        lam, V = np.linalg.eigh(self.S)
        # eigenvalues of S within its rounding (ε · size · λ_max) are zero: their square roots, about √ε, would
        # otherwise enter F as singular values far above F's own rounding
        lam = np.where(lam > np.finfo(float).eps * B * lam.max(axis=-1, keepdims=True), lam, 0.0)
        root = V * np.sqrt(lam)[:, None, :]
        live = self.M.reshape(Lp, R, -1).any(axis=2)
        Z = ((self.T @ root) * live[:, :, None, None]).transpose(1, 0, 2, 3)
        U, s, _ = np.linalg.svd(Z.reshape(R, Lp * B, B), full_matrices=False)
        keep = s > np.finfo(float).eps * Lp * B * s[:, :1]
        if max_rows is not None and Q * int(keep.sum()) > max_rows:
            return None
        region, k = np.nonzero(keep)
        C = (U * s[:, None, :]).reshape(R, Lp, B, B)[region, :, :, k]  # kept columns: K x (L+1) x B
        F = np.einsum("lkqa,klb->kqlab", self.M[:, region], C)
        order = parameter_layout(Q, Lp - 1)
        out = np.empty((F.shape[0] * Q, order.size))
        out[:, order] = F.reshape(-1, order.size)
        return out


def gauss_newton_float(params, X: np.ndarray, chunk: int = CHUNK) -> GaussNewton:
    """Stream the columns of ``X`` through the network ``chunk`` points at a time and accumulate
    ``Σ_n J_nᵀ J_n``: each chunk by regions or by points, as :func:`choose_path` decides from its count of
    distinct patterns."""
    weights, biases = float_weights(params)
    X = float_input(params, X)
    Q, L = params.Q, params.L
    B, N = Q + 1, X.shape[1]
    H6 = np.zeros((L + 1, Q, B, L + 1, Q, B))
    patterns, moments, by_points, point_patterns = [], [], 0, 0
    with linalg_threads():
        for start in range(0, N, chunk):
            Xc = X[:, start:start + chunk]
            xs, on = chunk_forward(weights, biases, Xc)
            first, inverse = pattern_groups(on)
            if choose_path(first.size, Xc.shape[1], Q, L) == "regions":
                found, S = _region_moments(Xc, on, first, inverse)
                patterns.append(found)
                moments.append(S)
            else:
                _point_blocks(H6, weights, xs, on)
                by_points += 1
                point_patterns += first.size
    if patterns:
        found, S = _merge_regions(np.concatenate(patterns), np.concatenate(moments))
    else:
        found, S = np.zeros((0, L, Q), dtype=bool), np.zeros((0, B, B))
    choice = PathChoice(N, found.shape[0], len(patterns), by_points, point_patterns, Q, L)
    log.info(choice.note(), extra={"path": choice.path})
    on = found.transpose(1, 2, 0)
    return GaussNewton(H6, backward_matrices(weights, on), layer_maps(weights, biases, on), S, N, choice)


def gauss_newton_spectrum(params, X: np.ndarray) -> tuple[np.ndarray, str]:
    """``(eigenvalues, route)`` of ``H = (1/N) Σ_n J_nᵀ J_n`` (ascending, ``P`` of them): through the singular
    values of the small factor (:meth:`GaussNewton.factor`, padded with zeros) when it has fewer rows than
    ``P``, else by a dense symmetric eigendecomposition of ``H``."""
    acc = gauss_newton_float(params, X)
    P = params.count
    F = acc.factor(max_rows=P - 1)
    if F is not None:
        with linalg_threads():
            s = np.linalg.svd(F, compute_uv=False)
        lam = np.concatenate([np.zeros(P - s.size), np.sort(s * s / acc.N)])
        return lam, f"factor ({F.shape[0]} x {P})"
    H = acc.matrix()
    with linalg_threads():
        return np.linalg.eigvalsh(H), f"dense ({P} x {P})"
