"""The tangent space of the minimizer set at a stratum point ``θ_S`` (docs/mathematics/strata.md): explicit tangent
vectors ``V`` of curves of minimizers, checked against the kernel of the Hessian ``H = (1/N) JᵀJ`` there -- exactly
(a minor of ``H`` nonzero modulo a prime, ``H V = 0``) up to :data:`STRATA_EXACT_MAX_Q`, else from float64 singular
values with stated tolerances, which propose a nullity and never decide it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..calculus.derivatives import gauss_newton, spectral_nullity, thinnest_shape, unresolved_nullity
from ..certify.certificates import CERTIFIED, CHECKED, FLOAT_RTOL, REFUTED, UNDECIDED, Check
from ..data.clusters import ClusterData
from ..global_minima.degeneracy import (EXACT_RANK_MAX_Q, gauge_directions, jacobian_factor, layer_kernel_directions,
    layered_rank)
from ..numbers import sizes
from ..numbers.exact_rank import certified_rank
from .region import nonzero_preactivations
from .strata import StratumMinimizer

__all__ = ["TangentCertificate", "STRATA_EXACT_MAX_Q", "exact_ranks", "thinnest_spread", "stratum_degeneracy"]


@dataclass(frozen=True)
class TangentCertificate:
    """The dimension of the minimizer set near a point, from explicit tangent directions ``V``."""

    nullity: int | None
    """Nullity of the Hessian there; ``None`` when float64 does not resolve it."""
    dimension: int | None
    """``rank V`` when ``H V = 0`` and ``rank V = nullity``; ``None`` otherwise."""
    check: Check


STRATA_EXACT_MAX_Q = EXACT_RANK_MAX_Q
"""Largest ``Q`` whose strata's Hessians are built and ranked exactly on exact data (one exact Gauss–Newton
matrix per stratum, ``2^Q − 1`` strata); beyond, float64 with stated tolerances (never a refutation), except
N1's stratum ``S = ∅``, exact at every ``Q``."""


def exact_ranks(data: ClusterData, truncated=(1,)) -> bool:
    """Whether the Hessian ranks of the stratum ``truncated`` are exact on these data: exact data, and
    ``Q ≤ STRATA_EXACT_MAX_Q`` or ``S = ∅`` (N1: one stratum, exact at every ``Q``)."""
    return data.kind.is_exact and (data.Q <= STRATA_EXACT_MAX_Q or not truncated)


def thinnest_spread(data: ClusterData):
    """The thinnest cluster's spread relative to the data's extent (:func:`~symgeom.calculus.derivatives.thinnest_shape`),
    which bounds what float64 resolves of the Hessian's spectrum."""
    return thinnest_shape(data.X, data.labels)


def stratum_degeneracy(theta: StratumMinimizer, thinnest=None) -> TangentCertificate:
    """The Hessian at ``θ_S`` is ``H = (1/N) JᵀJ`` (the residual term vanishes by the normal equations on
    ``U`` and by zero residuals on ``S``).  ``V`` collects tangent vectors of explicit curves of minimizers:
    the gauge ``(T W_ℓ, T b_ℓ, W_{ℓ+1} T⁻¹)`` at every hidden layer, bias translations after the last
    collapse, and straight lines inside one layer (:func:`~symgeom.global_minima.degeneracy.layer_kernel_directions`,
    exact where no pre-activation vanishes).  When ``H V = 0`` and ``rank V = nullity H``, every direction of
    ``ker H`` is tangent to the minimizer set, whose tangent space at ``θ_S`` therefore has dimension
    ``rank V``; no manifold of minimizers through ``θ_S`` is larger; the hidden pre-activations must all be
    nonzero."""
    data, params = theta.data, theta.params
    exact = exact_ranks(data, theta.truncated)
    if data.kind.is_exact and not exact:  # a float64 rank would only propose: no nullity is reported on exact data
        return TangentCertificate(None, None, Check(UNDECIDED, "exact ranks of the stratum's Hessian", (
            f"not computed: exact Hessian ranks of the strata run up to Q = {STRATA_EXACT_MAX_Q} (and for S = {{}} at "
            f"every Q), to stay within the time budget; a float64 rank would propose a nullity, not decide it")))
    if not exact:
        params, data = params.with_kind("float"), data.with_kind("float")
    m = len(theta.truncated)
    gauge = gauge_directions(params, set(range(m + 1, params.L + 1)))
    strict = nonzero_preactivations(theta.params, theta.data.X)
    ranks = _exact_tangent_ranks(params, data, gauge) if exact else _float_tangent_ranks(params, data, gauge, thinnest)
    return ranks if isinstance(ranks, TangentCertificate) else _tangent_certificate(exact, strict, *ranks)


def _exact_tangent_ranks(params, data: ClusterData, gauge):
    """``(how, H V = 0, rank V, nullity H, tolerance, residual, gap text)`` in exact arithmetic (a minor of ``H``
    nonzero mod ``p`` below, ``P − rank V`` above), or an ``undecided`` certificate when the bounds do not meet."""
    H = gauss_newton(params, data.X)
    V = np.hstack([gauge, layer_kernel_directions(params, H)])
    cert = certified_rank(H, kernel=V)  # H V = 0 exactly; rank H from a minor mod p, P - rank V above
    nullity = params.count - cert.rank if cert.rank is not None else None
    how = "exact ranks (a minor of H nonzero mod p; H V = 0 exactly)"
    if nullity is None and cert.annihilated:
        return TangentCertificate(None, None, Check(UNDECIDED, how, f"{cert.describe()}: the bounds on rank H do not "
                                                    "meet"))
    return how, cert.annihilated, cert.kernel_rank, nullity, None, 0, ""


def _float_tangent_ranks(params, data: ClusterData, gauge, thinnest=None):
    """As :func:`_exact_tangent_ranks`, from float64 singular values of the Jacobian factor ``F`` (``FᵀF = H``,
    largest gap) and of ``V`` layer by layer; an ``undecided`` certificate when float64 does not resolve the
    nullity."""
    F = jacobian_factor(params, data.X) / np.sqrt(data.N)  # FᵀF = H: ker H = ker F, spectrum σ(F)²
    V = np.hstack([gauge, layer_kernel_directions(params, F)])
    sv = np.linalg.svd(F, compute_uv=False)
    zeros, zero_edge, nonzero_edge = spectral_nullity(sv)
    nullity = params.count - (sv.size - zeros)
    rank_V, _, kept_sv, dropped_sv = layered_rank(V, params.Q * params.Q + params.Q)
    tol = FLOAT_RTOL * max(1.0, float(sv[0]) if sv.size else 0.0) * max(1.0, sizes.magnitude(V))
    residual = float(np.max(np.abs(F @ V))) if F.size and V.size else 0.0
    how = ("float64 singular values of the Jacobian factor F (F^T F = H, largest gap) and of V layer by layer "
           "(block elimination); H V = 0 as F V = 0")
    gap = (f"; F: {F.shape[0]} x {F.shape[1]}, eigenvalue gap of H {zero_edge ** 2:.3g} -> {nonzero_edge ** 2:.3g}; "
           f"singular values of V (by layer) {kept_sv:.3g} -> {dropped_sv:.3g}")
    eig = np.concatenate([np.zeros(params.count - sv.size), sv ** 2])
    unresolved = unresolved_nullity(eig, params.count, thinnest_spread(data) if thinnest is None else thinnest)
    if unresolved is not None:  # no nullity or dimension float64 cannot resolve is reported
        return TangentCertificate(None, None, Check(UNDECIDED, how, f"float64 does not resolve the nullity: {unresolved}"
                                                    + gap))
    return how, residual <= tol, rank_V, nullity, tol, residual, gap


def _tangent_certificate(exact: bool, strict: bool, how, annihilated, rank_V, nullity, tol, residual, gap):
    """``certified`` / ``checked`` when ``H V = 0``, ``rank V = nullity H`` and every pre-activation is nonzero;
    ``refuted`` when an exact ``H V ≠ 0``; else ``undecided`` (an exact nullity stands, a float one is not
    reported: float64 proposes integers, it does not decide)."""
    detail = (f"H V = 0: {annihilated}; rank V = {rank_V}; nullity H = {nullity}; every pre-activation nonzero: "
              f"{strict}{gap}")
    if annihilated and rank_V == nullity and strict:
        return TangentCertificate(nullity, rank_V, Check(CERTIFIED if exact else CHECKED, how + ": tangent vectors of "
                                                         "explicit curves of minimizers span ker H", detail,
                                                         residual=residual,
                                                         tolerance=tol))
    if not annihilated and exact:
        return TangentCertificate(nullity, None, Check(REFUTED, how, detail,
                                                       counterexample="a constructed tangent direction is not in ker H"))
    return TangentCertificate(nullity if exact else None, None, Check(UNDECIDED, how,
                              detail + ": the constructed curves do not span ker H"))
