"""The cost and its gradient from sufficient statistics, one group per activation region and cluster.

On an activation region the input of layer ``ℓ + 1`` is ``φ_ℓ = T_ℓ x̃`` (``x̃ = (x, 1)``, the exact layer maps of
:func:`~symgeom.model.regions.layer_maps`) and the output is ``F(x) = A x̃``, ``A = [W_{L+1} | b_{L+1}] T_L``.  The
points of one cluster ``j`` (target ``y_j``, weight ``w_j``) in one region enter only through their second moment
``S = Σ x̃ x̃ᵀ`` (count ``n`` in its corner, sum ``s`` in its last column):

* cost: ``Σ w_j |A x̃ − y_j|² = w_j (tr(A S Aᵀ) − 2 y_jᵀ A s + n |y_j|²)``;
* gradient: the layer-``ℓ`` block ``Σ c_j J_ℓᵀ r = c_j M_ℓᵀ (A S − y_j sᵀ) T_{ℓ-1}ᵀ`` (``M_ℓ`` the backward
  matrices of :mod:`symgeom.calculus.derivatives`; ``[∂/∂W_ℓ | ∂/∂b_ℓ]``).

The moments are exact integer sums on the data's integer form, and each point's pattern is certified by the
floating-point filter (:func:`~symgeom.numbers.filtered.region_moments`): the results are the exact ones, equal to a
forward pass in rationals, at the cost of one float pass and ``O(Q³)`` exact work per group.  Where the filter
cannot certify a pattern (a pre-activation too close to 0) these functions return ``None`` and the caller takes
the exact forward pass.

>>> from symgeom.data.embedded import default_data
>>> from symgeom.model.network import random_parameters
>>> from symgeom.calculus.cost import cost
>>> data, params = default_data(), random_parameters(3, 2)
>>> weights = (data.kind.scalar(1) / (2 * data.N),) * 3
>>> statistics_cost(params, data, weights) == cost(params, data)
True
"""

from __future__ import annotations

import numpy as np

from ..model.regions import backward_matrices, layer_maps
from ..numbers import arith
from ..numbers.filtered import region_moments

__all__ = ["cluster_regions", "residual_moments", "statistics_value_and_gradient", "statistics_gradient_entry", "statistics_cost"]


def cluster_regions(params, data):
    """``(regions, labels, S, T, A, M)`` over the groups of points sharing an activation pattern and a cluster: each
    group's region (an index, groups of one region adjacent), label and second moment ``S`` (``G x B x B``), and per
    region its layer maps ``T`` (``(L+1) x R x B x B``), output map ``A`` (``R x Q x B``) and backward matrices ``M``
    (``(L+1) x R x Q x Q``); ``None`` when the filter does not certify every pattern (exact parameters and data
    only)."""
    if not (params.kind.is_exact and data.kind.is_exact):
        return None
    found = region_moments(params, data.X, data.labels)
    if found is None:
        return None
    keys = [pattern.tobytes() for pattern, _, _, _ in found]
    regions = np.cumsum([0] + [keys[g] != keys[g - 1] for g in range(1, len(keys))])
    firsts = [g for g in range(len(keys)) if g == 0 or keys[g] != keys[g - 1]]
    on = np.stack([found[g][0] for g in firsts], axis=-1)  # L x Q x R
    T = layer_maps(params.weights, params.biases, on, params.kind)
    A = np.matmul(np.hstack([params.weights[-1], params.biases[-1][:, None]]), T[-1])
    M = backward_matrices(params.weights, on, params.kind)
    return regions, np.array([j for _, j, _, _ in found]), np.stack([S for _, _, _, S in found]), T, A, M


def residual_moments(A, S, y):
    """``(Σ |A x̃ − y|², Σ (A x̃ − y) x̃ᵀ)`` over points with second moment ``S = Σ x̃ x̃ᵀ``, one target ``y``:
    ``tr(A S Aᵀ) − 2 yᵀ A s + n |y|²`` and ``A S − y sᵀ``."""
    AS = arith.product(A, S)
    s, n = S[:, -1], S[-1, -1]
    return np.sum(AS * A) - 2 * (y @ AS[:, -1]) + n * (y @ y), AS - np.outer(y, s)


def statistics_value_and_gradient(params, data, weights, gradient: bool = True):
    """``(Σ_n w_n |r_n|², its gradient Σ_n 2 w_n J_nᵀ r_n)`` (``r_n = F(x_n) − y_{j(n)}``, ``weights`` ``(w_1, …, w_Q)``
    per cluster; the gradient in the layout of :meth:`~symgeom.model.network.Parameters.vector`, ``None`` without
    ``gradient``), exactly; ``None`` where the filter does not certify the patterns.  The groups of one region sum
    their ``Σ 2 w r x̃ᵀ`` before the backward products."""
    found = _region_sums(params, data, weights)
    if found is None:
        return None
    value, sums, T, M = found
    if not gradient:
        return value, None
    Q = params.Q
    blocks = [params.kind.zeros((Q, Q + 1)) for _ in range(params.L + 1)]
    for r, R in enumerate(sums):
        for l in range(params.L + 1):
            if (M[l, r] != 0).any():
                blocks[l] = blocks[l] + arith.product(M[l, r].T, R, T[l, r].T)
    return value, np.concatenate([np.concatenate([G[:, :Q].reshape(-1), G[:, Q]]) for G in blocks])


def statistics_gradient_entry(params, data, weights, index: int):
    """``(Σ_n w_n |r_n|², entry index of its gradient)``, exactly (one entry: ``M_ℓ[:, a]ᵀ (Σ 2 w r x̃ᵀ) T_{ℓ-1}[b, :]ᵀ``
    summed over the regions, for the weight ``W_ℓ[a, b]`` or the bias ``b_ℓ[a]``, ``b = Q``); ``None`` as
    :func:`statistics_value_and_gradient`."""
    found = _region_sums(params, data, weights)
    if found is None:
        return None
    value, sums, T, M = found
    Q = params.Q
    l, rest = divmod(index, Q * Q + Q)
    a, b = divmod(rest, Q) if rest < Q * Q else (rest - Q * Q, Q)
    entry = params.kind.scalar(0)
    for r, R in enumerate(sums):
        entry += M[l, r][:, a] @ (R @ T[l, r][b, :])
    return value, entry


def _region_sums(params, data, weights):
    """``(value, sums, T, M)``: the weighted cost, ``Σ 2 w r x̃ᵀ`` per region, and the regions' layer maps and backward
    matrices (:func:`cluster_regions`); ``None`` where the filter does not certify the patterns."""
    found = cluster_regions(params, data)
    if found is None:
        return None
    regions, labels, S, T, A, M = found
    value = params.kind.scalar(0)
    sums = [params.kind.zeros((params.Q, params.Q + 1)) for _ in range(A.shape[0])]
    for g, (r, j) in enumerate(zip(regions, labels)):
        total, cross = residual_moments(A[r], S[g], data.Y[:, j - 1])
        value += weights[j - 1] * total
        sums[r] = sums[r] + (2 * weights[j - 1]) * cross
    return value, sums, T, M


def statistics_cost(params, data, weights):
    """``Σ_n w_n |F(x_n) − y_{j(n)}|²`` with ``weights`` ``(w_1, …, w_Q)`` per cluster, exactly; ``None`` where the
    filter does not certify the patterns."""
    found = statistics_value_and_gradient(params, data, weights, gradient=False)
    return None if found is None else found[0]
