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
from .cost import cost, cost_scale
from .cumulative import CumulativeParameters, actual_parameters, cumulative_parameters
from .data import ClusterData
from .degeneracy import EXACT_RANK_MAX_Q, gauge_directions, gram_rank, layer_kernel_directions
from .derivatives import gauss_newton, gradient, parameter_name, spectral_nullity, thinnest_shape, unresolved_nullity
from .network import Parameters, preactivations
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

    @cached_property
    def params(self) -> Parameters:
        return actual_parameters(self.cumulative)

    @cached_property
    def cost(self):
        return cost(self.params, self.data)


def candidate(data: ClusterData, L: int, truncated=(), theta: StratumMinimizer | None = None) -> Candidate:
    """The invertible candidate that collapses the clusters ``truncated`` (N1 when empty).  ``theta``: the
    stratum minimizer already built for ``S`` in increasing order, if any (it is the validation of ``S``)."""
    from .cones import collapse_layers, default_offsets
    from .criterion import clustering_criterion

    S = tuple(sorted(int(k) for k in truncated))
    if not S:
        return Candidate(data, L, (), cumulative_parameters(stratum_minimizer(data, L, ()).params), data.X)
    theta_S = theta if theta is not None and theta.truncated == S else stratum_minimizer(data, L, S)  # validates S, L >= |S|
    crit = clustering_criterion(data)
    cones, _, Z = collapse_layers(data, S, crit, default_offsets(data, crit) if crit.holds else None)
    Ws, bs = [c.W for c in cones], [c.b for c in cones]
    while len(Ws) < L:
        Ws.append(Ws[-1])
        bs.append(bs[-1] + arith.full(data.Q, 1, data.kind))
    G = least_squares_fit(Z, data.targets_ext)
    cum = CumulativeParameters(tuple(Ws) + (G[:, :data.Q],), tuple(bs) + (G[:, data.Q],))
    return Candidate(data, theta_S.L, S, cum, Z)


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
                         theta: StratumMinimizer | None = None) -> InvertibleCandidate:
    """Settle the invertible candidate of ``S = truncated`` by its exact gradient (an interior point of
    an activation region, where the cost is a polynomial: a nonzero gradient means no local minimum),
    and check the strict inequality ``C > B_U`` of (c) on it (``theta`` as in :func:`candidate`)."""
    cand = candidate(data, L, truncated, theta)
    exact = data.kind.is_exact
    g = gradient(cand.params, data)
    gf = sizes.saturating_floats(g)
    norm2 = np.sum(g * g)
    carriers = tuple((parameter_name(int(i), cand.params.Q), float(gf[i])) for i in np.argsort(-np.abs(gf))[:3] if gf[i] != 0)
    tol = None if exact else FLOAT_RTOL * cost_scale(data)
    nonzero = norm2 != 0 if exact else float(np.sqrt(norm2)) > tol
    at_bound = cand.cost == bound if exact else abs(float(cand.cost) - float(bound)) <= tol
    spans = _spans(data, kept_clusters(data.Q, truncated))
    verdict = LOCAL_MINIMUM if at_bound else NOT_CRITICAL if nonzero else UNDECIDED  # C = B_U in R_S: a minimum
    if not spans:
        cert = Check(NOT_APPLICABLE, "strict bound with invertible weights", "the kept points do not affinely span "
                     f"R^Q, the hypothesis of (c): the least-squares fit of U is not unique (here: {verdict})")
    else:
        critical = Check((CERTIFIED if exact else CHECKED) if nonzero else UNDECIDED, f"{data.kind.label} gradient",
                         f"squared gradient norm {sizes.format_number(norm2)}", residual=norm2, tolerance=tol)
        above = certify_positive(np.array([cand.cost - bound], dtype=data.kind.dtype), "cost above the stratum bound")
        cert = combine([critical, above], "nonzero gradient; cost above the stratum bound")
    return InvertibleCandidate(cand.cost, verdict, sizes.sqrt_float(norm2), carriers, cert, spans)


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
    manifold_dimension: int | None = None
    """Rank of the explicit tangent directions, when it equals the Hessian nullity."""
    dimension_check: Check | None = None
    invertible: InvertibleCandidate | None = None

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
        return cost(self.minimizer.params, self.data) if self.minimizer is not None else None

    @property
    def weight_ranks(self) -> tuple:
        if self.minimizer is None:
            return ()
        return tuple(arith.rank(W) for W in self.minimizer.params.weights)

    @property
    def min_margin(self):
        return self.certificate.margin

    def as_json(self) -> dict:
        """The ``local_minima`` entry of ``check --json``."""
        return {
            "truncated": list(self.truncated), "bound": json_number(self.bound),
            "cost": json_number(self.cost) if self.cost is not None else None, "verdict": self.verdict,
            "reason": self.reason or None, "certificate": self.certificate.as_json(),
            "min_margin": json_number(self.min_margin) if self.min_margin is not None else None,
            "weight_ranks": list(self.weight_ranks), "hessian_nullity": self.hessian_nullity,
            "manifold_dimension": self.manifold_dimension,
            "dimension_certificate": self.dimension_check.as_json() if self.dimension_check else None,
            "global": bool(self.is_global),
            "invertible_candidate": self.invertible.as_json() if self.invertible else None,
        }


def certify_stratum_point(theta: StratumMinimizer) -> Check:
    """``θ_S ∈ R_S`` and ``C(θ_S) = B_U``: every pre-activation of the kept points is ``> 0`` in every
    hidden layer, every pre-activation of cluster ``k_ℓ`` is ``< 0`` in layer ``ℓ``, and the cost equals
    the bound (exactly for exact data)."""
    data, params = theta.data, theta.params
    pre = np.stack(preactivations(params, data.X))
    kept = np.isin(data.labels, theta.kept)
    signs = [certify_positive(pre[:, :, kept], "kept points strictly active in every hidden layer")]
    for k, l in theta.collapse_layers.items():
        signs.append(certify_positive(-pre[l - 1][:, data.labels == k], f"cluster {k} strictly inactive in layer {l}"))
    C, B = cost(params, data), theta.bound
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


def _degeneracy(theta: StratumMinimizer) -> TangentCertificate:
    """The Hessian at ``θ_S`` is ``H = (1/N) JᵀJ`` (the residual term vanishes by the normal equations on
    ``U`` and by zero residuals on ``S``).  ``V`` collects tangent vectors of explicit curves of minimizers:
    the gauge ``(T W_ℓ, T b_ℓ, W_{ℓ+1} T⁻¹)`` at every hidden layer, bias translations after the last
    collapse, and straight lines inside one layer (:func:`~symgeom.degeneracy.layer_kernel_directions`,
    exact where no pre-activation vanishes).  When ``H V = 0`` and ``rank V = nullity H``, every direction of
    ``ker H`` is tangent to the minimizer set, whose tangent space at ``θ_S`` therefore has dimension
    ``rank V``; no manifold of minimizers through ``θ_S`` is larger."""
    data, params = theta.data, theta.params
    exact = data.kind.is_exact and data.Q <= EXACT_RANK_MAX_Q
    if not exact:
        params, data = params.with_kind("float"), data.with_kind("float")
    m = len(theta.truncated)
    H = gauss_newton(params, data.X)
    V = np.hstack([gauge_directions(params, set(range(m + 1, params.L + 1))), layer_kernel_directions(params, H)])
    HV = arith.matmul(H, V)
    strict = bool(all((a != 0).all() for a in preactivations(theta.params, theta.data.X)))
    if exact:
        nullity, rank_V = params.count - arith.rank(H), arith.rank(V)
        annihilated = all(x == 0 for x in HV.reshape(-1))
        how, tol, gap = "exact rational ranks", None, ""
    else:
        eig = np.linalg.eigvalsh(np.asarray(H, dtype=float))
        nullity, zero_edge, nonzero_edge = spectral_nullity(eig)
        rank_V, kept_sv, dropped_sv = gram_rank(V)
        tol = FLOAT_RTOL * max(1.0, float(np.max(np.abs(eig)))) * max(1.0, sizes.magnitude(V))
        annihilated = float(np.max(np.abs(HV))) <= tol
        how = "float64 spectra of the Hessian and of the Gram matrix of V (largest gaps)"
        gap = f"; eigenvalue gap {zero_edge:.3g} -> {nonzero_edge:.3g}; singular values of V (Gram) {kept_sv:.3g} -> {dropped_sv:.3g}"
        unresolved = unresolved_nullity(eig, params.count, thinnest_shape(data.X, data.labels))
        if unresolved is not None:  # no nullity or dimension float64 cannot resolve is reported
            return TangentCertificate(None, None, Check(UNDECIDED, how, f"float64 does not resolve the nullity: {unresolved}"
                                                        + gap))
    detail = (f"H V = 0: {annihilated}; rank V = {rank_V}; nullity H = {nullity}; every pre-activation nonzero: "
              f"{strict}{gap}")
    if annihilated and rank_V == nullity and strict:
        return TangentCertificate(nullity, rank_V, Check(CERTIFIED if exact else CHECKED, how + ": tangent vectors of "
                                                         "explicit curves of minimizers span ker H", detail, residual=0,
                                                         tolerance=tol))
    if not annihilated and exact:
        return TangentCertificate(nullity, None, Check(REFUTED, how, detail,
                                                       counterexample="a constructed tangent direction is not in ker H"))
    return TangentCertificate(nullity, None, Check(UNDECIDED, how, detail + ": the constructed curves do not span ker H"))


def settle_stratum(data: ClusterData, L: int, truncated) -> Stratum:
    """The stratum ``S = truncated`` on the data: bound, explicit minimizer, certificate, degeneracy,
    and the invertible candidate beside it."""

    S = tuple(sorted(int(k) for k in truncated))
    kept = kept_clusters(data.Q, S)
    bound = stratum_bound(data, kept)
    if len(S) > L:
        why = f"|S| = {len(S)} > L = {L}: collapsing one cluster per hidden layer needs L >= |S|"
        return Stratum(data, L, S, kept, bound, NOT_REACHED, Check(NOT_APPLICABLE, "hypothesis L >= |S|", why), reason=why)
    try:
        theta = stratum_minimizer(data, L, collapse_order(data, S))
    except ConstructionError as e:
        return Stratum(data, L, S, kept, bound, NOT_REACHED, Check(UNDECIDED, "explicit construction", str(e)), reason=str(e))
    cert = certify_stratum_point(theta)
    verdict = LOCAL_MINIMUM if cert.status in (CERTIFIED, CHECKED) else NOT_REACHED
    if cert.status == REFUTED:  # a failed construction is no evidence against the stratum's minimum
        cert = Check(UNDECIDED, cert.method, f"the constructed point fails its certificate ({cert.counterexample})"
                     + ("" if data.kind.is_exact else "; float64 does not resolve the construction on these data, "
                        "exact arithmetic may"), cert.residual, cert.margin, cert.tolerance)
    tangents = _degeneracy(theta)
    inv = None
    if S:
        try:
            inv = invertible_candidate(data, L, S, bound, theta)
        except ConstructionError:
            inv = None
    return Stratum(data, L, S, kept, bound, verdict, cert, theta, "" if verdict == LOCAL_MINIMUM else cert.detail,
                   tangents.nullity, tangents.dimension, tangents.check, inv)


def settle_strata(data: ClusterData, L: int, progress=None) -> list[Stratum]:
    """Every stratum, ``S = ∅`` (N1) first; ``progress(i, n, label)`` before each."""
    out = []
    all_S = strata(data.Q)
    for i, S in enumerate(all_S, start=1):
        if progress is not None:
            progress(i, len(all_S), "S = {" + ", ".join(map(str, S)) + "}")
        out.append(settle_stratum(data, L, S))
    return out
