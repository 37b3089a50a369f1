"""Local minima (MATH.md §4): the stratum theorem on the data, one stratum per non-empty kept set ``U``.

For each truncated set ``S`` (``U`` the rest, ``S = ∅`` is N1) :func:`settle_stratum` builds the
explicit point ``θ_S`` of :mod:`symgeom.strata`, certifies ``C(θ_S) = B_U`` together with every
strict sign condition that puts ``θ_S`` in the open set ``R_S`` — which makes it a local minimum by
the bound ``C ≥ B_U`` on ``R_S`` — and measures its degeneracy: the rank of each weight matrix, the
nullity of the Hessian (the Gauss–Newton matrix there) and the dimension of the minimizer set,
from explicit tangent directions.

Beside it stands the *invertible candidate* of the truncation-map coordinates (collapse the
clusters of ``S`` into cone apexes, least-squares output map): its exact gradient is nonzero, so it
is not a critical point — and with invertible hidden weights no point of ``R_S`` reaches ``B_U``.

>>> from symgeom.data import default_data
>>> st = settle_stratum(default_data(), 3, (1, 3))
>>> st.verdict, st.kept, st.cost == st.bound
('local_minimum', (2,), True)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import arith, sizes
from ._errors import ConstructionError
from .certificates import (CERTIFIED, CHECKED, FLOAT_RTOL, NOT_APPLICABLE, REFUTED, UNDECIDED, Check, certify_equal,
                           certify_positive, combine, json_number)
from .cost import Cost, cost_scale
from .cumulative import CumulativeParameters, actual_parameters, cumulative_parameters
from .data import ClusterData
from .degeneracy import EXACT_RANK_MAX_Q, gauge_directions, jacobian_factor, layer_kernel_directions, layered_rank
from .derivatives import (gauss_newton, parameter_name, spectral_nullity, thinnest_shape,
                          unresolved_nullity)
from .exact_rank import certified_rank
from .network import Parameters, forward
from .strata import StratumMinimizer, collapse_order, kept_clusters, least_squares_fit, stratum_bound, stratum_minimizer, strata

LOCAL_MINIMUM, NOT_CRITICAL, NOT_REACHED = "local_minimum", "not_critical", "not_reached"
"""Verdicts: a certified local minimum; a point with nonzero gradient; a stratum the construction did
not reach (the reason says why)."""

__all__ = [
    "Stratum", "InvertibleCandidate", "Candidate", "settle_stratum", "settle_strata", "candidate",
    "invertible_candidate", "LOCAL_MINIMUM", "NOT_CRITICAL", "NOT_REACHED",
]


def _spans(data: ClusterData, kept) -> bool:
    """Whether the points of the clusters ``kept`` affinely span ``R^Q`` (``[X_U; 1ᵀ]`` of full row rank)."""
    Z = data.X[:, np.isin(data.labels, list(kept))]
    Zt = np.vstack([Z, data.kind.full((1, Z.shape[1]), 1)])
    return arith.rank(arith.matmul(Zt, Zt.T)) == data.Q + 1



# -- the invertible candidate (truncation-map coordinates) --------------------------------------
@dataclass(frozen=True, eq=False)
class Candidate:
    """The point of the truncation-map coordinates for ``S``: the clusters of ``S`` collapsed into the
    apexes of invertible cumulative cones (one per layer, increasing labels), the least-squares fit
    on the curated points as output map (``S = ∅``: N1)."""

    data: ClusterData
    L: int
    truncated: tuple
    cumulative: CumulativeParameters
    curated: np.ndarray
    """``Z``: the points after the hidden layers, in input coordinates."""
    cost_kind: Cost = Cost.MEAN_SQUARED
    """The cost whose (weighted) least-squares fit is the output map."""

    @cached_property
    def params(self) -> Parameters:
        return actual_parameters(self.cumulative)

    @cached_property
    def cost(self):
        """``Σ_n w_n |r_n|²`` of :attr:`cost_kind` (``C_N²`` or ``C``)."""
        return self.cost_kind.of(self.params, self.data)


def candidate(data: ClusterData, L: int, truncated=(), theta: StratumMinimizer | None = None,
              cost: Cost = Cost.MEAN_SQUARED) -> Candidate:
    """The invertible candidate that collapses the clusters ``truncated`` (N1 when empty).  ``theta``: the
    stratum minimizer already built for ``S`` in increasing order, if any (it is the validation of ``S``).
    The output map is the least-squares fit of ``cost`` (weighted by ``w_n``)."""
    from .cones import collapse_layers, default_offsets
    from .criterion import clustering_criterion

    S = tuple(sorted(int(k) for k in truncated))
    if not S:
        return Candidate(data, L, (), cumulative_parameters(stratum_minimizer(data, L, (), cost).params), data.X, cost)
    theta_S = theta if theta is not None and theta.truncated == S else stratum_minimizer(data, L, S, cost)  # validates S, L >= |S|
    crit = clustering_criterion(data)
    cones, _, Z = collapse_layers(data, S, crit, default_offsets(data, crit) if crit.holds else None)
    Ws, bs = [c.W for c in cones], [c.b for c in cones]
    while len(Ws) < L:
        Ws.append(Ws[-1])
        bs.append(bs[-1] + arith.full(data.Q, 1, data.kind))
    G = least_squares_fit(Z, data.targets_ext, cost.fit_weights(data))
    cum = CumulativeParameters(tuple(Ws) + (G[:, :data.Q],), tuple(bs) + (G[:, data.Q],))
    return Candidate(data, theta_S.L, S, cum, Z, cost)


@dataclass(frozen=True)
class InvertibleCandidate:
    """What the first-order test says about the invertible candidate of one stratum."""

    cost: object
    verdict: str
    """``not_critical`` (nonzero gradient: not even a critical point) or ``undecided``."""
    gradient_norm: float
    carriers: tuple
    """The parameters with the largest gradient entries, ``(name, value)``."""
    certificate: Check
    """Nonzero exact gradient, and ``cost > B_U`` (MATH.md (c)); ``not_applicable`` when the kept points do
    not affinely span ``R^Q`` (the hypothesis of (c))."""
    spans: bool
    """The kept points affinely span ``R^Q``: (c) applies."""

    def as_json(self) -> dict:
        return {"cost": json_number(self.cost), "verdict": self.verdict, "gradient_norm": json_number(self.gradient_norm)}


def invertible_candidate(data: ClusterData, L: int, truncated, bound,
                         theta: StratumMinimizer | None = None, cost: Cost = Cost.MEAN_SQUARED) -> InvertibleCandidate:
    """Settle the invertible candidate of ``S = truncated`` by its exact gradient (an interior point of
    an activation region, where the cost is a polynomial: a nonzero gradient means no local minimum; float
    data: cost and gradient from one forward pass and its reverse sweep), and check the strict inequality
    ``C > B_U`` of (c) on it (``theta`` as in :func:`candidate`).  Under the paper's cost: the gradient of
    ``C_N²`` (nonzero exactly when that of ``C_N = √(C_N²)`` is, ``C_N > 0``) and ``C_N² > B_U``."""
    cand = candidate(data, L, truncated, theta, cost)
    exact = data.kind.is_exact
    C, g = (cand.cost, cost.gradient(cand.params, data)) if exact else cost.float_value_and_gradient(cand.params, data)
    gf = sizes.saturating_floats(g)
    norm2 = np.sum(g * g)
    carriers = tuple((parameter_name(int(i), cand.params.Q), float(gf[i])) for i in np.argsort(-np.abs(gf))[:3] if gf[i] != 0)
    tol = None if exact else FLOAT_RTOL * cost_scale(data)
    nonzero = norm2 != 0 if exact else float(np.sqrt(norm2)) > tol
    at_bound = C == bound if exact else abs(C - float(bound)) <= tol
    spans = _spans(data, kept_clusters(data.Q, truncated))
    verdict = LOCAL_MINIMUM if at_bound else NOT_CRITICAL if nonzero else UNDECIDED  # C = B_U in R_S: a minimum
    if not spans:
        cert = Check(NOT_APPLICABLE, "strict bound with invertible weights", "the kept points do not affinely span "
                     f"R^Q, the hypothesis of (c): the least-squares fit of U is not unique (here: {verdict})")
    else:
        critical = Check((CERTIFIED if exact else CHECKED) if nonzero else UNDECIDED, f"{data.kind.label} gradient",
                         f"squared gradient norm {sizes.format_number(norm2)}", residual=norm2, tolerance=tol)
        above = certify_positive(np.array([C - bound], dtype=data.kind.dtype), "cost above the stratum bound")
        cert = combine([critical, above], "nonzero gradient; cost above the stratum bound")
    return InvertibleCandidate(C, verdict, sizes.sqrt_float(norm2), carriers, cert, spans)


# -- the strata ------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Stratum:
    """The stratum ``R_S`` on the data: its bound, its explicit minimizer and how it was certified."""

    data: ClusterData
    L: int
    truncated: tuple
    """``S``, sorted."""
    kept: tuple
    """``U``, sorted."""
    bound: object
    """``B_U``."""
    verdict: str
    """``local_minimum`` (certificate holds) or ``not_reached`` (``reason`` says why)."""
    certificate: Check
    """Exact ``C(θ_S) = B_U`` and every strict sign condition of ``R_S``."""
    minimizer: StratumMinimizer | None = None
    reason: str = ""
    hessian_nullity: int | None = None
    tangent_dimension: int | None = None
    """Rank of the explicit tangent directions (tangent vectors of curves of minimizers), when it equals the
    Hessian nullity: ``ker H`` is spanned by such tangents, and every manifold of minimizers through ``θ_S`` has at
    most this dimension.  That the minimizer set is a manifold of this dimension is not shown."""
    dimension_check: Check | None = None
    invertible: InvertibleCandidate | None = None
    cost_kind: Cost = Cost.MEAN_SQUARED
    """The cost of :attr:`bound` and :attr:`cost` (both weighted sums ``Σ w_n |r_n|²``: ``C_N²`` or ``C``)."""

    @property
    def manifold_dimension(self) -> int | None:
        """The former name of :attr:`tangent_dimension` (a dimension of tangents, not of a manifold)."""
        return self.tangent_dimension

    @property
    def is_global(self) -> bool:
        """``B_U = 0``: a global minimizer (always when ``|U| = 1``: one cluster is fitted by a constant;
        for float data only then, since a float ``B_U`` is not exactly 0)."""
        return len(self.kept) == 1 or (self.data.kind.is_exact and self.bound == 0)

    @property
    def label(self) -> str:
        return "{" + ", ".join(map(str, self.truncated)) + "}" if self.truncated else "{}"

    @cached_property
    def cost(self):
        """``Σ_n w_n |r_n|²`` of :attr:`cost_kind` at ``θ_S``."""
        return self.cost_kind.of(self.minimizer.params, self.data) if self.minimizer is not None else None

    @property
    def weight_ranks(self) -> tuple:
        if self.minimizer is None:
            return ()
        return tuple(arith.rank(W) for W in self.minimizer.params.weights)

    @property
    def min_margin(self):
        return self.certificate.margin

    def as_json(self) -> dict:
        """The ``local_minima`` entry of ``check --json``; ``bound`` and ``cost`` are weighted sums (``C_N²`` for the
        paper's cost), ``value`` the cost of the minimum as the paper prints it (``C_N = √B_U``; ``B_U`` itself for
        the mean-squared cost)."""
        return {
            "truncated": list(self.truncated), "bound": json_number(self.bound),
            "cost": json_number(self.cost) if self.cost is not None else None, "verdict": self.verdict,
            "reason": self.reason or None, "certificate": self.certificate.as_json(),
            "min_margin": json_number(self.min_margin) if self.min_margin is not None else None,
            "weight_ranks": list(self.weight_ranks), "hessian_nullity": self.hessian_nullity,
            "tangent_dimension": self.tangent_dimension,
            "dimension_certificate": self.dimension_check.as_json() if self.dimension_check else None,
            "global": bool(self.is_global),
            "invertible_candidate": self.invertible.as_json() if self.invertible else None,
            "value": json_number(self.cost_kind.from_sum(self.bound)),
        }


def certify_stratum_point(theta: StratumMinimizer, passed=None) -> Check:
    """``θ_S ∈ R_S`` and ``C(θ_S) = B_U``: every pre-activation of the kept points is ``> 0`` in every
    hidden layer, every pre-activation of cluster ``k_ℓ`` is ``< 0`` in layer ``ℓ``, and the cost equals
    the bound (exactly for exact data).  ``passed``: ``forward(θ_S, X)`` when already computed."""
    data, params = theta.data, theta.params
    pre_all, xs = passed if passed is not None else forward(params, data.X)
    pre = np.stack(pre_all[:-1])
    kept = np.isin(data.labels, theta.kept)
    signs = [certify_positive(pre[:, :, kept], "kept points strictly active in every hidden layer")]
    for k, l in theta.collapse_layers.items():
        signs.append(certify_positive(-pre[l - 1][:, data.labels == k], f"cluster {k} strictly inactive in layer {l}"))
    C, B = theta.cost.of_outputs(xs[-1], data), theta.bound  # the weighted sums of θ_S's cost: C_N² or C
    exact = data.kind.is_exact
    equal = certify_equal(np.array([C], dtype=object if exact else float), np.array([B], dtype=object if exact else float),
                          "cost equal to the stratum bound", scale=cost_scale(data))
    groups = f"{len(signs)} group{'s' if len(signs) > 1 else ''}"
    return combine(signs + [equal], ("exact" if exact else "float64") + " cost equal to the stratum bound, and every strict "
                   "sign condition of the stratum", f"{groups} of strict inequalities over N = {data.N} points")


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


def _exact_ranks(data: ClusterData, truncated=(1,)) -> bool:
    """Whether the Hessian ranks of the stratum ``truncated`` are exact on these data: exact data, and
    ``Q ≤ STRATA_EXACT_MAX_Q`` or ``S = ∅`` (N1: one stratum, exact at every ``Q``)."""
    return data.kind.is_exact and (data.Q <= STRATA_EXACT_MAX_Q or not truncated)


def _thinnest(data: ClusterData):
    """The thinnest cluster's spread relative to the data's extent (:func:`~symgeom.derivatives.thinnest_shape`),
    which bounds what float64 resolves of the Hessian's spectrum."""
    return thinnest_shape(data.X, data.labels)


def _degeneracy(theta: StratumMinimizer, passed, thinnest=None) -> TangentCertificate:
    """The Hessian at ``θ_S`` is ``H = (1/N) JᵀJ`` (the residual term vanishes by the normal equations on
    ``U`` and by zero residuals on ``S``).  ``V`` collects tangent vectors of explicit curves of minimizers:
    the gauge ``(T W_ℓ, T b_ℓ, W_{ℓ+1} T⁻¹)`` at every hidden layer, bias translations after the last
    collapse, and straight lines inside one layer (:func:`~symgeom.degeneracy.layer_kernel_directions`,
    exact where no pre-activation vanishes).  When ``H V = 0`` and ``rank V = nullity H``, every direction of
    ``ker H`` is tangent to the minimizer set, whose tangent space at ``θ_S`` therefore has dimension
    ``rank V``; no manifold of minimizers through ``θ_S`` is larger.  ``passed``: ``forward(θ_S, X)``, whose
    hidden pre-activations must all be nonzero."""
    data, params = theta.data, theta.params
    exact = _exact_ranks(data, theta.truncated)
    if not exact:
        params, data = params.with_kind("float"), data.with_kind("float")
    m = len(theta.truncated)
    gauge = gauge_directions(params, set(range(m + 1, params.L + 1)))
    strict = bool(all((a != 0).all() for a in passed[0][:-1]))
    if exact:
        H = gauss_newton(params, data.X)
        V = np.hstack([gauge, layer_kernel_directions(params, H)])
        cert = certified_rank(H, kernel=V)  # H V = 0 exactly; rank H from a minor mod p, P - rank V above
        annihilated, rank_V = cert.annihilated, cert.kernel_rank
        nullity = params.count - cert.rank if cert.rank is not None else None
        how, tol, residual, gap = "exact ranks (a minor of H nonzero mod p; H V = 0 exactly)", None, 0, ""
        if nullity is None and annihilated:
            return TangentCertificate(None, None, Check(UNDECIDED, how, f"{cert.describe()}: the bounds on rank H do not "
                                                        "meet"))
    else:
        F = jacobian_factor(params, data.X) / np.sqrt(data.N)  # FᵀF = H: ker H = ker F, spectrum σ(F)²
        V = np.hstack([gauge, layer_kernel_directions(params, F)])
        sv = np.linalg.svd(F, compute_uv=False)
        zeros, zero_edge, nonzero_edge = spectral_nullity(sv)
        nullity = params.count - (sv.size - zeros)
        rank_V, _, kept_sv, dropped_sv = layered_rank(V, params.Q * params.Q + params.Q)
        tol = FLOAT_RTOL * max(1.0, float(sv[0]) if sv.size else 0.0) * max(1.0, sizes.magnitude(V))
        residual = float(np.max(np.abs(F @ V))) if F.size and V.size else 0.0
        annihilated = residual <= tol
        how = ("float64 singular values of the Jacobian factor F (F^T F = H, largest gap) and of V layer by layer "
               "(block elimination); H V = 0 as F V = 0")
        gap = (f"; F: {F.shape[0]} x {F.shape[1]}, eigenvalue gap of H {zero_edge ** 2:.3g} -> {nonzero_edge ** 2:.3g}; "
               f"singular values of V (by layer) {kept_sv:.3g} -> {dropped_sv:.3g}")
        eig = np.concatenate([np.zeros(params.count - sv.size), sv ** 2])
        unresolved = unresolved_nullity(eig, params.count, _thinnest(data) if thinnest is None else thinnest)
        if unresolved is not None:  # no nullity or dimension float64 cannot resolve is reported
            return TangentCertificate(None, None, Check(UNDECIDED, how, f"float64 does not resolve the nullity: {unresolved}"
                                                        + gap))
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
    return TangentCertificate(nullity, None, Check(UNDECIDED, how, detail + ": the constructed curves do not span ker H"))


def settle_stratum(data: ClusterData, L: int, truncated, thinnest=None, cost: Cost = Cost.MEAN_SQUARED) -> Stratum:
    """The stratum ``S = truncated`` on the data: bound, explicit minimizer, certificate, degeneracy,
    and the invertible candidate beside it.  ``thinnest``: :func:`_thinnest` of the data when already known.

    Under ``cost``: ``B_U`` is its weighted bound and ``θ_S`` fits ``U`` by its weighted least squares; for the
    paper's cost the certificate ``C_N²(θ_S) = B_U`` makes ``θ_S`` a local minimum of ``C_N²`` on the open
    ``R_S``, hence of ``C_N`` (the square root is increasing).  The Hessian's kernel is the same for both costs
    (``2 Jᵀ W J`` and ``(1/N) JᵀJ`` share it, ``W`` positive diagonal), so the degeneracy is measured once."""

    S = tuple(sorted(int(k) for k in truncated))
    kept = kept_clusters(data.Q, S)
    if len(S) > L:
        why = f"|S| = {len(S)} > L = {L}: collapsing one cluster per hidden layer needs L >= |S|"
        return Stratum(data, L, S, kept, stratum_bound(data, kept, cost), NOT_REACHED,
                       Check(NOT_APPLICABLE, "hypothesis L >= |S|", why), reason=why, cost_kind=cost)
    try:
        theta = stratum_minimizer(data, L, collapse_order(data, S), cost)
    except ConstructionError as e:
        return Stratum(data, L, S, kept, stratum_bound(data, kept, cost), NOT_REACHED,
                       Check(UNDECIDED, "explicit construction", str(e)), reason=str(e), cost_kind=cost)
    bound = theta.bound  # B_U of the same kept set, computed once for the certificate and the stratum
    passed = forward(theta.params, data.X)
    cert = certify_stratum_point(theta, passed)
    verdict = LOCAL_MINIMUM if cert.status in (CERTIFIED, CHECKED) else NOT_REACHED
    if cert.status == REFUTED:  # a failed construction is no evidence against the stratum's minimum
        cert = Check(UNDECIDED, cert.method, f"the constructed point fails its certificate ({cert.counterexample})"
                     + ("" if data.kind.is_exact else "; float64 does not resolve the construction on these data, "
                        "exact arithmetic may"), cert.residual, cert.margin, cert.tolerance)
    tangents = _degeneracy(theta, passed, thinnest)
    inv = None
    if S:
        try:
            inv = invertible_candidate(data, L, S, bound, theta, cost)
        except ConstructionError:
            inv = None
    return Stratum(data, L, S, kept, bound, verdict, cert, theta, "" if verdict == LOCAL_MINIMUM else cert.detail,
                   tangents.nullity, tangents.dimension, tangents.check, inv, cost)


def settle_strata(data: ClusterData, L: int, progress=None, cost: Cost = Cost.MEAN_SQUARED) -> list[Stratum]:
    """Every stratum under ``cost``, ``S = ∅`` (N1) first; ``progress(i, n, label)`` before each."""
    out = []
    all_S = strata(data.Q)
    thinnest = None if _exact_ranks(data) else _thinnest(data.with_kind("float"))  # once for all strata
    for i, S in enumerate(all_S, start=1):
        if progress is not None:
            progress(i, len(all_S), "S = {" + ", ".join(map(str, S)) + "}")
        out.append(settle_stratum(data, L, S, thinnest, cost))
    return out
