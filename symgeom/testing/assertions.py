"""Assertions for other people's test suites: the facts symgeom checks, on their data and parameters.

Each helper raises :class:`AssertionError` with a readable message (what failed, where, the numbers)
and returns the :class:`~symgeom.certify.certificates.Check` behind it when it passes.

>>> from symgeom.data.embedded import default_data
>>> from symgeom.global_minima.minimizer import global_minimizer
>>> data = default_data()
>>> theta = global_minimizer(data, 3).member()
>>> assert_global_minimizer(theta, data).status
'certified'
>>> assert_degeneracy(theta, data, 3 * (9 + 3) + 3).status
'certified'
"""

from __future__ import annotations

import numpy as np

from ..numbers import arith, sizes
from ..certify.certificates import CERTIFIED, CHECKED, REFUTED, Check, certify_equal
from ..calculus.cost import Cost, cost
from ..model.cumulative import cumulative_parameters
from ..data.clusters import ClusterData
from ..calculus.derivatives import gauss_newton, spectral_nullity
from ..calculus.hessian import gauss_newton_spectrum
from ..global_minima.minimizer import certify_global_minimizer
from ..model.network import Parameters, layers
from ..model.truncation import curated_points, layer_truncations
from ..local_minima.locate import GAP_RTOL, locate

__all__ = ["assert_global_minimizer", "assert_degeneracy", "assert_truncation_identity", "assert_at_stratum_minimum",
           "collapse_order"]


def _passed(check: Check, what: str) -> Check:
    if check.status not in (CERTIFIED, CHECKED):
        numbers = "; ".join(f"{k} {sizes.format_number(v)}" for k, v in check.numbers().items())
        raise AssertionError(f"{what}: {check.status} ({check.method}{'; ' + numbers if numbers else ''})"
                             + (f": {check.counterexample}" if check.counterexample else "")
                             + (f" [{check.detail}]" if check.detail else ""))
    return check


def collapse_order(params: Parameters, data: ClusterData) -> tuple:
    """The cluster each of the first ``Q`` hidden layers collapses: the one whose current points are
    all strictly inside the open backward cone of that layer's cumulative truncation map."""
    order, Z = [], data.X
    for layer, tau in enumerate(layer_truncations(params)[: data.Q], start=1):
        inside = tau.in_backward_cone(Z)
        found = [k for k in range(1, data.Q + 1) if k not in order and inside[data.labels == k].all()]
        if not found:
            raise AssertionError(f"layer {layer} collapses no cluster: no cluster lies strictly inside its open backward cone")
        order.append(found[0])
        Z = tau(Z)
    return tuple(order)


def assert_global_minimizer(params: Parameters, data: ClusterData, order=None) -> Check:
    """``params`` is a global minimizer of the construction's kind (G1): the cost is 0 (exactly, for
    exact data) and every strict sign condition holds — layer ``ℓ ≤ Q`` collapses cluster
    ``order[ℓ-1]`` (found from the parameters when not given), later layers keep every
    pre-activation positive."""
    if params.Q != data.Q:
        raise AssertionError(f"parameters have width {params.Q}, data dimension {data.Q}")
    if params.L < data.Q:
        raise AssertionError(f"a global minimizer of this construction needs L >= Q (got L={params.L}, Q={data.Q})")
    params = params.with_kind(data.kind)
    order = collapse_order(params, data) if order is None else tuple(order)
    return _passed(certify_global_minimizer(params, data, order), "not a global minimizer")


def assert_degeneracy(params: Parameters, data: ClusterData, dim: int) -> Check:
    """At a zero of the cost, the Hessian ``(1/N) JᵀJ`` has nullity ``dim`` (exact rank for exact
    data; for floats the largest gap of its spectrum, through the small per-region factor where that has fewer
    rows than ``P``)."""
    params = params.with_kind(data.kind)
    C = cost(params, data)
    if data.kind.is_exact and C != 0:
        raise AssertionError(f"not a zero of the cost (cost {sizes.format_number(C)}): the Hessian is not (1/N) J^T J there")
    if not data.kind.is_exact and C > 1e-12 * max(1.0, float(np.max(np.abs(data.Y))) ** 2):
        raise AssertionError(f"not a zero of the cost (cost {C!r})")
    if data.kind.is_exact:
        nullity = params.count - arith.rank(gauss_newton(params, data.X))
        check = Check(CERTIFIED if nullity == dim else REFUTED, "exact rank of the Hessian",
                      f"nullity {nullity}, expected {dim}", residual=nullity - dim,
                      counterexample=None if nullity == dim else f"nullity {nullity} != {dim}")
    else:
        nullity, lo, hi = spectral_nullity(gauss_newton_spectrum(params, data.X)[0])
        check = Check(CHECKED if nullity == dim else REFUTED, "float spectrum of the Hessian (largest gap)",
                      f"nullity {nullity} (gap {lo:.2g} -> {hi:.2g}), expected {dim}", residual=nullity - dim,
                      tolerance=float(np.sqrt(max(lo, np.finfo(float).eps * hi) * hi)),  # the gap's geometric middle
                      counterexample=None if nullity == dim else f"nullity {nullity} != {dim}")
    return _passed(check, "wrong degeneracy")


def assert_truncation_identity(params: Parameters, X: np.ndarray) -> Check:
    """T1 on the columns of ``X``: ``x^(ℓ) = W^(ℓ) z^(ℓ) + b^(ℓ)`` with ``z^(ℓ) = τ_ℓ(z^(ℓ-1))``, for
    every layer and the output (exactly for exact arrays, within ``1e-9 x scale`` for floats)."""
    if not params.is_invertible:
        raise AssertionError("T1 needs invertible hidden weights W_1 ... W_L")
    cum = cumulative_parameters(params)
    xs, zs = layers(params, X), curated_points(params, X)
    rhs = [W @ z + b[:, None] for W, b, z in zip(cum.weights, cum.biases, zs[1:] + [zs[-1]])]
    return _passed(certify_equal(np.stack(xs[1:]), np.stack(rhs), "forward pass vs recursive truncation"),
                   "T1 fails")


def assert_at_stratum_minimum(params: Parameters, data: ClusterData, truncated=None, rtol: float | None = None,
                              cost=None) -> Check:
    """``params`` is a local minimum of the stratum ``R_S`` (docs/mathematics/strata.md, N2 (a)): every cluster kept or collapsed
    (none mixed; a collapsed cluster's points may die in different layers), the collapsed set equal to
    ``truncated`` (any, when ``None``), and ``C = B_U`` -- exactly for exact parameters and data, within
    ``rtol x cost_scale`` in float64 (default :data:`symgeom.local_minima.locate.GAP_RTOL`).  A point of cost 0 in a stratum
    (verdict ``global_minimum``) passes.  ``cost``: a :class:`symgeom.calculus.cost.Cost` (default mean-squared; give
    ``Cost.PAPER`` for points that ``construct`` writes by default, the paper's ``C_N``)."""
    where = locate(params, data, GAP_RTOL if rtol is None else rtol, Cost.MEAN_SQUARED if cost is None else cost)
    if truncated is not None and tuple(sorted(int(k) for k in truncated)) != where.truncated:
        raise AssertionError(f"not in the stratum S = {{{', '.join(map(str, sorted(truncated)))}}}: the collapsed "
                             f"clusters are {where.label} ({'; '.join(f'cluster {c.label} {c.describe()}' for c in where.clusters)})")
    if not where.in_stratum:
        raise AssertionError("not at a stratum minimum: outside every stratum ("
                             + "; ".join(f"cluster {c.label} {c.describe()}" for c in where.clusters if c.status == "mixed") + ")")
    return _passed(where.check(), "not at a stratum minimum")
