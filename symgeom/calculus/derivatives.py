"""First and second derivatives of the cost: closed-form Jacobians, the gradient and the
Gauss–Newton matrix, one pass over the data per activation pattern.

On a fixed activation pattern the output of a point is ``F = a_{L+1}`` with
``a_ℓ = W_ℓ x^(ℓ-1) + b_ℓ`` and ``x^(ℓ) = D_ℓ a_ℓ``.  With ``M_{L+1} = I`` and
``M_ℓ = M_{ℓ+1} W_{ℓ+1} D_ℓ``:

``∂F/∂W_ℓ[a, b] = M_ℓ[:, a] x^(ℓ-1)_b`` and ``∂F/∂b_ℓ[a] = M_ℓ[:, a]``,

i.e. the layer-``ℓ`` block of the Jacobian is ``M_ℓ ⊗ φ_ℓᵀ`` with ``φ_ℓ = (x^(ℓ-1), 1)``.  Hence
``(1/N) Σ_n J_nᵀ J_n`` needs, per activation pattern, only ``M_ℓᵀ M_ℓ'`` and the second
moments ``Σ_n φ_ℓ φ_ℓ'ᵀ`` -- one matrix product over the data, never an ``N x P`` Jacobian.
At a zero of the cost the Hessian is exactly this Gauss–Newton matrix.

Parameters are ordered as in :meth:`~symgeom.model.network.Parameters.vector`.
"""

from __future__ import annotations

import numpy as np

from ..numbers import arith
from .hessian import gauss_newton_float, parameter_layout
from ..model.network import Parameters, activation_pattern, forward, layers
from ..model.regions import backward_matrices, layer_maps
from ..numbers.filtered import group_bounds, region_moments

__all__ = [
    "output_jacobian", "cluster_jacobian", "activation_regions", "gauss_newton", "cluster_gauss_newton", "gradient",
    "parameter_name", "spectral_nullity", "float_cost_and_gradient", "RESOLUTION_FACTOR", "unresolved_nullity",
    "thinnest_shape",
]


def _backward(params: Parameters, pattern: np.ndarray) -> list[np.ndarray]:
    """``[M_1, …, M_{L+1}]`` for one activation pattern (``pattern[ℓ-1]`` is ``D_ℓ``'s diagonal)."""
    M = backward_matrices(params.weights, pattern[:, :, None], params.kind)
    return [M[l, 0] for l in range(params.L + 1)]


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


def activation_regions(params: Parameters, X: np.ndarray):
    """One pass over the columns of ``X``, grouped by activation pattern.

    Returns ``(layers, order, regions)``: ``layers[ℓ]`` is ``x^(ℓ)`` for ``ℓ = 0..L+1`` with its
    columns in the order ``order`` (region by region); ``regions`` is a list of
    ``(start, stop, [M_1, …, M_{L+1}])``, one per distinct pattern (columns ``start:stop``).
    Patterns are grouped by their bits packed into bytes (one vectorized ``unique``)."""
    Q, L = params.Q, params.L
    pre, xs = forward(params, X)
    bits = np.concatenate([u > 0 for u in pre[:-1]], axis=0).T  # N x LQ
    packed = np.ascontiguousarray(np.packbits(bits, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    order, bounds = group_bounds(inverse, first.size)
    if not np.all(order[1:] > order[:-1]):  # unless the points already come region by region
        xs = [x[:, order] for x in xs]
    regions = [(int(bounds[g]), int(bounds[g + 1]), _backward(params, bits[n].reshape(L, Q))) for g, n in enumerate(first)]
    return xs, order, regions


def _moments(blocks):
    """``Σ_n φ_a φ_bᵀ`` with ``φ = (x, 1)`` for every pair of layers over one region, as a dict of
    ``(Q+1) x (Q+1)`` arrays; a layer constant over the region (a collapsed cluster) enters through
    the count and the sums only, and the ones row never needs to be stored."""
    n = blocks[0][1].shape[1]
    kind = arith.kind_of(blocks[0][1])
    count = kind.scalar(n)
    const = {a: (x[:, 0] if (x == x[:, :1]).all() else None) for a, x in blocks}
    sums = {a: (const[a] * count if const[a] is not None else x.sum(axis=1)) for a, x in blocks}
    varying = [a for a, _ in blocks if const[a] is None]
    xs = dict(blocks)
    gram = {}
    if varying:
        stacked = np.vstack([xs[a] for a in varying]) if len(varying) > 1 else xs[varying[0]]
        G = arith.matmul(stacked, stacked.T)
        Q = blocks[0][1].shape[0]
        for i, a in enumerate(varying):
            for j, b in enumerate(varying):
                gram[a, b] = G[i * Q:(i + 1) * Q, j * Q:(j + 1) * Q]
    out = {}
    for a, _ in blocks:
        for b, _ in blocks:
            if (a, b) in gram:
                xx = gram[a, b]
            elif const[a] is not None:
                xx = np.outer(const[a], sums[b])
            else:
                xx = np.outer(sums[a], const[b])
            top = np.hstack([xx, sums[a][:, None]])
            bottom = np.concatenate([sums[b], [count]])[None, :]
            out[a, b] = np.vstack([top, bottom])
    return out


def gauss_newton(params: Parameters, X: np.ndarray) -> np.ndarray:
    """``(1/N) Σ_n J_nᵀ J_n`` over the columns of ``X``, through sufficient statistics per
    activation region: second moments ``Σ φ_ℓ φ_mᵀ`` of the layers whose ``M_ℓ`` is not zero
    (counts and sums alone where a layer is constant over the region).

    This is the Gauss–Newton matrix only.  It is the Hessian of the cost where the residual term
    ``(1/N) Σ_n r_nᵀ ∇²F_n`` vanishes -- at a zero of the cost, and at the stratum minimizers by the
    normal equations -- and nowhere else in general: away from a zero of the cost do not read its
    spectrum as the Hessian's (:func:`symgeom.calculus.residual.hessian` adds the residual term).

    Exact arrays: per activation region, exact.  Float arrays: streamed in chunks, by regions or point
    by point as a cost model decides (:func:`symgeom.calculus.hessian.gauss_newton_float`, which records the choice)."""
    Q, L, kind = params.Q, params.L, params.kind
    if not kind.is_exact:
        return gauss_newton_float(params, X).matrix()
    B = Q + 1
    H = arith.zeros(((L + 1) * Q * B, (L + 1) * Q * B), kind)
    for Ms, live, S in _region_statistics(params, X):
        for l in live:
            for m in live:
                H[l * Q * B:(l + 1) * Q * B, m * Q * B:(m + 1) * Q * B] += np.kron(Ms[l].T @ Ms[m], S[l, m])
    order = parameter_layout(Q, L)
    out = arith.zeros(H.shape, kind)
    out[np.ix_(order, order)] = H
    return out / kind.scalar(X.shape[1])


def _region_statistics(params: Parameters, X: np.ndarray) -> list:
    """``[(Ms, live, S)]`` per activation region: the backward matrices ``M_ℓ``, the layers whose ``M_ℓ``
    is not zero, and the second moments ``S[ℓ, m] = Σ φ_ℓ φ_mᵀ`` of those layers.  Exact points whose
    patterns the floating-point filter certifies take the moments of the raw data per region (integer sums)
    through the region's exact affine layer maps, ``Σ φ_ℓ φ_mᵀ = T_ℓ (Σ x̃ x̃ᵀ) T_mᵀ``; otherwise one
    forward pass in the data's arithmetic."""
    found = region_moments(params, X) if params.kind.is_exact and arith.kind_of(X).is_exact else None
    if found is None:
        xs, _, regions = activation_regions(params, X)
        out = []
        for start, stop, Ms in regions:
            live = [l for l, M in enumerate(Ms) if (M != 0).any()]
            if live:
                out.append((Ms, live, _moments([(l, xs[l][:, start:stop]) for l in live])))
        return out
    out = []
    for pattern, _, _, raw in found:
        Ms = _backward(params, pattern)
        live = [l for l, M in enumerate(Ms) if (M != 0).any()]
        if not live:
            continue
        T = layer_maps(params.weights, params.biases, pattern[:, :, None], params.kind)[:, 0]
        out.append((Ms, live, {(l, m): T[l] @ raw @ T[m].T for l in live for m in live}))
    return out


def cluster_gauss_newton(J_F: np.ndarray, sizes, N: int) -> np.ndarray:
    """``(1/N) Σ_k N_k J_kᵀ J_k`` from the stacked cluster Jacobians ``J_F``."""
    Q = len(sizes)
    kind = arith.kind_of(J_F)
    w = arith.array(np.repeat(list(sizes), Q), kind)
    total = kind.scalar(N)
    return arith.matmul(J_F.T * w[None, :], J_F) / total


def gradient(params: Parameters, data, weights=None) -> np.ndarray:
    """``∇C = (1/N) Σ_n J_nᵀ r_n`` (``r_n = x^(L+1)_n − y_n``), through the sufficient statistics
    ``Σ_n r_n φ_{ℓ,n}ᵀ = (Σ r xᵀ, Σ r)`` of each activation region: the layer-``ℓ`` block is
    ``M_ℓᵀ (Σ_n r_n φ_{ℓ,n}ᵀ)``.  With ``weights`` (``c_n``, one per point in data order): ``Σ_n c_n J_nᵀ r_n``,
    the gradient of ``Σ_n w_n |r_n|²`` for ``c_n = 2 w_n`` (:meth:`symgeom.calculus.cost.Cost.gradient`)."""
    Q, L, kind = params.Q, params.L, params.kind
    xs, order, regions = activation_regions(params, data.X)
    sorted_ = np.all(order[1:] > order[:-1])
    targets = data.targets_ext if sorted_ else data.targets_ext[:, order]
    R = xs[-1] - targets
    if weights is not None:
        R = R * np.asarray(weights if sorted_ else np.asarray(weights)[order])[None, :]
    blocks = [arith.zeros((Q, Q + 1), kind) for _ in range(L + 1)]
    for start, stop, Ms in regions:
        r = R[:, start:stop]
        rsum = r.sum(axis=1)
        for l, M in enumerate(Ms):
            if (M != 0).any():
                rphi = np.hstack([arith.matmul(r, xs[l][:, start:stop].T), rsum[:, None]])
                blocks[l] = blocks[l] + M.T @ rphi
    vec = np.concatenate([np.concatenate([G[:, :Q].reshape(-1), G[:, Q]]) for G in blocks])
    return vec / kind.scalar(data.N) if weights is None else vec


def parameter_name(index: int, Q: int) -> str:
    """``W_ℓ[i,j]`` or ``b_ℓ[i]`` (1-based) for a position in :meth:`~symgeom.model.network.Parameters.vector`."""
    block = Q * Q + Q
    l, r = divmod(index, block)
    if r < Q * Q:
        return f"W_{l + 1}[{r // Q + 1},{r % Q + 1}]"
    return f"b_{l + 1}[{r - Q * Q + 1}]"


def spectral_nullity(eigenvalues) -> tuple[int, float, float]:
    """Nullity of a float symmetric matrix read off its spectrum at the largest gap: sorting
    ``|λ|`` ascending, the nullity ``k`` maximizes ``|λ_{k+1}| / |λ_k|``.  Returns
    ``(k, |λ_k|, |λ_{k+1}|)`` (the last value treated as zero and the first treated as nonzero)."""
    lam = np.sort(np.abs(np.asarray(eigenvalues, dtype=float)))
    if lam.size == 0:
        return 0, 0.0, 0.0
    floor = max(lam[-1], 1.0) * np.finfo(float).eps
    ratios = lam[1:] / np.maximum(lam[:-1], floor)
    ratios = np.concatenate([[lam[0] / floor], ratios])  # k = 0: no zero eigenvalue at all
    k = int(np.argmax(ratios))
    return k, float(lam[k - 1]) if k > 0 else 0.0, float(lam[k])


def float_cost_and_gradient(params: Parameters, data, weights=None) -> tuple[float, np.ndarray]:
    """``(C, ∇C)`` in float64 by one forward pass and its reverse sweep, vectorized over the points (no
    grouping into activation regions): ``δ_{L+1} = r / N`` with ``r = x^(L+1) − Y^ext``, then
    ``∂C/∂W_ℓ = δ_ℓ x^(ℓ-1)ᵀ``, ``∂C/∂b_ℓ = δ_ℓ 1`` and ``δ_ℓ = (W_{ℓ+1}ᵀ δ_{ℓ+1}) ⊙ [a_ℓ > 0]`` (the pattern
    convention of :func:`gradient`).  The same vector layout as :meth:`~symgeom.model.network.Parameters.vector`.
    With ``weights`` (``w_n`` per point): ``(Σ_n w_n |r_n|², its gradient)``, ``δ_{L+1} = 2 w ⊙ r``."""
    p = params.with_kind("float")
    pre, xs = forward(p, np.asarray(data.X, dtype=float))
    r = xs[-1] - np.asarray(data.targets_ext, dtype=float)
    N = r.shape[1]
    w = None if weights is None else np.asarray(weights, dtype=float)
    delta = r / N if w is None else r * (2 * w)[None, :]
    blocks = []
    for l in range(p.L, -1, -1):  # 0-based layer l maps xs[l] to pre[l]
        blocks.append(np.concatenate([(delta @ xs[l].T).reshape(-1), delta.sum(axis=1)]))
        if l > 0:
            delta = (p.weights[l].T @ delta) * (pre[l - 1] > 0)
    value = float(np.sum(r * r)) / (2 * N) if w is None else float(np.sum((r * r) @ w))
    return value, np.concatenate(blocks[::-1])


RESOLUTION_FACTOR = 100
"""A float spectral nullity is trusted when the eigenvalues it counts as zero lie within float64's noise
``P·ε·max|λ|`` and every nonzero eigenvalue it can expect lies ``100`` times above that noise."""


def unresolved_nullity(eigenvalues, count: int, shape: float | None, error: float = 0.0) -> str | None:
    """Why float64 cannot resolve the nullity of a symmetric ``count x count`` matrix (a Hessian) from its
    eigenvalues, or ``None`` when it can.  Its rounding perturbs every eigenvalue by about
    ``noise = count·ε·max|λ|``; the nullity is unresolved when (a) an eigenvalue counted as zero at the largest
    gap (:func:`spectral_nullity`) lies above that noise, or the first nonzero one within ``RESOLUTION_FACTOR``
    times it, or (b) ``shape`` (the thinnest cluster's smallest nonzero spread relative to the data's extent,
    :func:`thinnest_shape`) squared is below ``RESOLUTION_FACTOR·count·ε``: the Hessian's eigenvalues set by
    the clusters' shapes scale like ``shape²·max|λ|`` and would hide in the noise, counted as zero.  ``error``:
    a known bound on the matrix's entrywise error (finite differences), which raises the noise to ``count·error``."""
    lam = np.abs(np.asarray(eigenvalues, dtype=float))
    if lam.size == 0:
        return None
    eps = np.finfo(float).eps
    noise = count * max(eps * float(lam.max()), error)
    k, zero_edge, nonzero_edge = spectral_nullity(eigenvalues)
    if k and zero_edge > noise:
        return (f"an eigenvalue counted as zero ({zero_edge:.3g}) lies above the noise {noise:.3g} "
                "(P eps max|lambda|, or P times the entries' error): the largest spectral gap does not separate zero from nonzero")
    if nonzero_edge < RESOLUTION_FACTOR * noise:
        return f"the smallest nonzero eigenvalue {nonzero_edge:.3g} lies within {RESOLUTION_FACTOR} x the noise {noise:.3g}"
    if shape is not None and shape**2 < RESOLUTION_FACTOR * count * eps:
        return (f"the thinnest cluster spreads {shape:.3g} of the data's extent: the Hessian eigenvalues its shape sets "
                f"are of order {shape**2:.3g} of the largest, below the {RESOLUTION_FACTOR * count * eps:.3g} "
                "float64 resolves (they would be counted as zero)")
    return None


def thinnest_shape(X: np.ndarray, labels: np.ndarray) -> float | None:
    """The smallest nonzero singular value of any cluster's centred points, relative to the data's extent
    ``max |x − mean|_∞`` (float); whether a small one is zero is decided by the exact rank of the centred points
    (their float64 values read exactly).  ``None`` when no cluster has two distinct points."""
    Xf = np.asarray(X, dtype=float)
    extent = float(np.max(np.abs(Xf - Xf.mean(axis=1, keepdims=True)))) if Xf.size else 0.0
    if not extent:
        return None
    smallest = None
    for j in np.unique(labels):
        pts = Xf[:, labels == j]
        if pts.shape[1] < 2:
            continue
        s = np.linalg.svd(pts - pts.mean(axis=1, keepdims=True), compute_uv=False) / extent
        r = len(s)
        if s[-1] ** 2 < RESOLUTION_FACTOR * len(Xf) * np.finfo(float).eps or s[-1] == 0:
            exact = arith.array(pts, "exact")
            r = arith.rank(exact - exact[:, :1])  # the rank of the centred points: differences from the first
        if r:
            smallest = float(s[r - 1]) if smallest is None else min(smallest, float(s[r - 1]))
    return smallest
