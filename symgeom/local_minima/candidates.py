"""The invertible candidate of a stratum (docs/mathematics/strata.md): the point of the truncation-map coordinates that
collapses the clusters of ``S`` into cone apexes with the least-squares output map.  Its exact gradient is
nonzero, so it is not a critical point -- and with invertible hidden weights no point of ``R_S`` reaches ``B_U``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..numbers import arith, sizes
from ..certify.certificates import CERTIFIED, CHECKED, FLOAT_RTOL, NOT_APPLICABLE, UNDECIDED, Check, certify_positive, combine
from ..numbers.json_numbers import json_numbers
from ..calculus.cost import Cost, cost_scale
from ..calculus.derivatives import parameter_name
from ..calculus.statistics import statistics_gradient_entry
from ..model.cumulative import CumulativeParameters, actual_parameters, cumulative_parameters
from ..model.network import Parameters, preactivations
from ..data.clusters import ClusterData
from ..global_minima.cones import collapse_layers, default_offsets
from ..global_minima.criterion import clustering_criterion
from .region import in_region
from .fit import moment_fit
from .strata import StratumMinimizer, kept_clusters, least_squares_fit, stratum_minimizer
from .verdicts import Verdict

__all__ = ["Candidate", "InvertibleCandidate", "candidate", "invertible_candidate", "ApproachPoint", "invertible_approach"]

LOCAL_MINIMUM, NOT_CRITICAL = Verdict.LOCAL_MINIMUM, Verdict.NOT_CRITICAL


def _spans(data: ClusterData, kept) -> bool:
    """Whether the points of the clusters ``kept`` affinely span ``R^Q`` (``[X_U; 1ᵀ]`` of full row rank: its Gram
    matrix ``Σ_{j ∈ U} S_j`` is invertible)."""
    if data.kind.is_exact:
        return arith.rank(data.moments[[j - 1 for j in kept]].sum(axis=0)) == data.Q + 1
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
    G = _curated_fit(data, S, cones, Z, cost)
    cum = CumulativeParameters(tuple(Ws) + (G[:, :data.Q],), tuple(bs) + (G[:, data.Q],))
    return Candidate(data, theta_S.L, S, cum, Z, cost)


def _curated_fit(data: ClusterData, S: tuple, cones, Z: np.ndarray, cost: Cost) -> np.ndarray:
    """The (weighted) least-squares output map on the curated points ``Z``.  Exact data: from moments, since the
    collapsing layers (their sign conditions checked as they are built) leave every point of a cluster not yet
    collapsed where it is (forward cone) and send the cluster they collapse to the apex ``a`` of its cone (backward
    cone): cluster ``j``'s moment is ``S_j`` if ``j ∉ S`` and ``N_j ã ãᵀ`` (``ã = (a, 1)``) if ``j ∈ S``."""
    if not data.kind.is_exact:
        return least_squares_fit(Z, data.targets_ext, cost.fit_weights(data))
    moments = data.moments.copy()
    for k, cone in zip(S, cones):
        apex = np.append(cone.apex, data.kind.scalar(1))
        moments[k - 1] = data.kind.scalar(data.sizes[k - 1]) * np.outer(apex, apex)
    return moment_fit(moments, data.Y, cost.cluster_weights(data))


@dataclass(frozen=True)
class InvertibleCandidate:
    """What the first-order test says about the invertible candidate of one stratum."""

    cost: object
    verdict: Verdict
    """``not_critical`` (nonzero gradient: not even a critical point) or ``undecided``."""
    gradient_norm: float
    carriers: tuple
    """The parameters with the largest gradient entries, ``(name, value)``."""
    certificate: Check
    """Nonzero exact gradient, and ``cost > B_U`` (docs/mathematics/strata.md, why rank-deficient weights are needed); ``not_applicable`` when the kept points do
    not affinely span ``R^Q`` (the hypothesis of (c))."""
    spans: bool
    """The kept points affinely span ``R^Q``: (c) applies."""

    def as_json(self) -> dict:
        return {"verdict": self.verdict, **json_numbers(cost=self.cost, gradient_norm=self.gradient_norm)}


def invertible_candidate(data: ClusterData, L: int, truncated, bound,
                         theta: StratumMinimizer | None = None, cost: Cost = Cost.MEAN_SQUARED) -> InvertibleCandidate:
    """Settle the invertible candidate of ``S = truncated`` by its exact gradient (an interior point of
    an activation region, where the cost is a polynomial: a nonzero gradient means no local minimum; float
    data: cost and gradient from one forward pass and its reverse sweep), and check the strict inequality
    ``C > B_U`` of (c) on it (``theta`` as in :func:`candidate`).  Under the paper's cost: the gradient of
    ``C_N²`` (nonzero exactly when that of ``C_N = √(C_N²)`` is, ``C_N > 0``) and ``C_N² > B_U``."""
    cand = candidate(data, L, truncated, theta, cost)
    exact = data.kind.is_exact
    confirmed = _confirmed_entry(cand.params, data, cost) if exact else None
    if confirmed is not None:  # the float64 gradient's largest entry, exactly nonzero
        C, g, i, entry = confirmed
        norm2 = float(np.sum(g * g))
        evidence = (f"exact gradient entry {parameter_name(i, cand.params.Q)} = {sizes.format_number(entry)} != 0 (the "
                    f"largest entry of the float64 gradient, confirmed exactly); float64 gradient norm "
                    f"{sizes.sqrt_float(norm2):.6g}")
    else:
        C, g = cost.value_and_gradient(cand.params, data) if exact else cost.float_value_and_gradient(cand.params, data)
        norm2 = entry = np.sum(g * g)
        evidence = f"squared gradient norm {sizes.format_number(norm2)}"
    gf = sizes.saturating_floats(g)
    carriers = tuple((parameter_name(int(i), cand.params.Q), float(gf[i])) for i in np.argsort(-np.abs(gf))[:3] if gf[i] != 0)
    tol = None if exact else FLOAT_RTOL * cost_scale(data)
    nonzero = entry != 0 if exact else float(np.sqrt(norm2)) > tol
    at_bound = C == bound if exact else abs(C - float(bound)) <= tol
    spans = _spans(data, kept_clusters(data.Q, truncated))
    verdict = LOCAL_MINIMUM if at_bound else NOT_CRITICAL if nonzero else Verdict.UNDECIDED  # C = B_U in R_S: a minimum
    if not spans:
        cert = Check(NOT_APPLICABLE, "strict bound with invertible weights", "the kept points do not affinely span "
                     f"R^Q, the hypothesis of (c): the least-squares fit of U is not unique (here: {verdict})")
    else:
        critical = Check((CERTIFIED if exact else CHECKED) if nonzero else UNDECIDED, f"{data.kind.label} gradient",
                         evidence, residual=entry if exact else norm2, tolerance=tol)
        above = certify_positive(np.array([C - bound], dtype=data.kind.dtype), "cost above the stratum bound")
        cert = combine([critical, above], "nonzero gradient; cost above the stratum bound")
    return InvertibleCandidate(C, verdict, sizes.sqrt_float(norm2), carriers, cert, spans)


def _confirmed_entry(params: Parameters, data: ClusterData, cost: Cost):
    """``(C, float64 gradient, i, exact ∂_i)``: the exact cost and the exact entry of the gradient at the float64
    gradient's largest entry, when that entry is exactly nonzero (the filter certifying the activation patterns,
    :func:`~symgeom.calculus.statistics.statistics_gradient_entry`); ``None`` otherwise (the caller takes the whole
    exact gradient)."""
    try:
        with np.errstate(all="ignore"):  # overflow gives infinities, declined below
            g = np.asarray(cost.float_value_and_gradient(params, data)[1], dtype=float)
    except OverflowError:  # parameters beyond float64's range
        return None
    if not (np.all(np.isfinite(g)) and g.any()):
        return None
    i = int(np.argmax(np.abs(g)))
    found = statistics_gradient_entry(params, data, cost.cluster_weights(data), i)
    if found is None or found[1] == 0:
        return None
    return found[0], g, i, found[1]


# -- (c) invertible hidden weights ---------------------------------------------------------
@dataclass(frozen=True)
class ApproachPoint:
    """``θ_ε = θ_S + ε·(I on every hidden weight)``."""

    epsilon: object
    excess: object
    """``C(θ_ε) − B_U``."""
    invertible: bool
    """Every hidden weight of ``θ_ε`` is invertible."""
    inside: bool
    """``θ_ε ∈ R_S``: every strict sign condition still holds."""


def invertible_approach(theta: StratumMinimizer, steps=(10, 100, 1000, 10000)) -> list[ApproachPoint]:
    """The points ``θ_ε``, ``ε = 1/step``: with invertible hidden weights ``C > B_U`` on ``R_S`` (``C = B_U`` would force
    the unique fit ``G*``, whose image ``aff{y_j : j ∈ U}`` misses every ``y_k``, ``k ∈ S``), yet these
    points approach ``B_U``: the infimum over the invertible part of ``R_S`` is ``B_U``, never attained."""
    data, params = theta.data, theta.params
    kind = data.kind
    out = []
    for step in steps:
        eps = kind.scalar(f"1/{step}")
        Ws = tuple(W + eps * arith.identity(data.Q, kind) for W in params.weights[:-1]) + (params.weights[-1],)
        moved = Parameters(Ws, params.biases)
        inside = in_region(np.stack(preactivations(moved, data.X)), data.labels, theta.kept, theta.truncated)
        invertible = all(arith.rank(W) == data.Q for W in Ws[:-1])
        out.append(ApproachPoint(eps, theta.cost.of(moved, data) - theta.bound, invertible, inside))
    return out

