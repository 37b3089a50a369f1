"""Local minima (docs/mathematics/strata.md): the stratum theorem on the data, one stratum per non-empty kept set ``U``.

For each truncated set ``S`` (``U`` the rest, ``S = ∅`` is N1) :func:`settle_stratum` builds the
explicit point ``θ_S`` of :mod:`symgeom.local_minima.strata`, certifies ``C(θ_S) = B_U`` together with every
strict sign condition that puts ``θ_S`` in the open set ``R_S`` — which makes it a local minimum by
the bound ``C ≥ B_U`` on ``R_S`` — and measures its degeneracy: the rank of each weight matrix, the
nullity of the Hessian (the Gauss–Newton matrix there) and the dimension of the minimizer set,
from explicit tangent directions.

Beside it stands the *invertible candidate* of the truncation-map coordinates (collapse the
clusters of ``S`` into cone apexes, least-squares output map): its exact gradient is nonzero, so it
is not a critical point — and with invertible hidden weights no point of ``R_S`` reaches ``B_U``.

>>> from symgeom.data.embedded import default_data
>>> st = settle_stratum(default_data(), 3, (1, 3))
>>> st.verdict, st.kept, st.cost == st.bound
('local_minimum', (2,), True)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..numbers import arith, sizes
from .._errors import ConstructionError
from ..certify.certificates import (CERTIFIED, CHECKED, NOT_APPLICABLE, REFUTED, UNDECIDED, Check,
    certify_equal, certify_positive, combine, Scope)
from ..numbers.json_numbers import json_numbers
from ..calculus.cost import Cost, cost_scale
from ..data.clusters import ClusterData
from .candidates import Candidate, InvertibleCandidate, candidate, invertible_candidate
from .verdicts import Verdict
from ..data.separability import INSEPARABLE, NoCollapseOrder, group, hull_point, separate
from .merged import fewest_outputs
from .tangent import TangentCertificate, exact_ranks, stratum_degeneracy, thinnest_spread
from .strata import StratumMinimizer, collapse_order, kept_clusters, stratum_bound, stratum_minimizer, strata

LOCAL_MINIMUM, NOT_CRITICAL, NOT_REACHED, EMPTY = Verdict.LOCAL_MINIMUM, Verdict.NOT_CRITICAL, Verdict.NOT_REACHED, Verdict.EMPTY

__all__ = [
    "Stratum", "InvertibleCandidate", "Candidate", "settle_stratum", "settle_strata", "candidate",
    "invertible_candidate", "Verdict", "LOCAL_MINIMUM", "NOT_CRITICAL", "NOT_REACHED", "EMPTY", "strata_counts", "counts_text",
    "reason_lines", "TangentCertificate", "certify_stratum_point", "hull_witness",
]


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
    verdict: Verdict
    """``local_minimum`` (certificate holds), ``empty`` (``emptiness`` proves ``R_S = ∅``) or ``not_reached``
    (``reason`` says why; ``obstructions`` carry the Farkas certificates when no collapse order exists)."""
    certificate: Check
    """Exact ``C(θ_S) = B_U`` and every strict sign condition of ``R_S`` (the attainment of ``B_U``):
    ``not_applicable`` for an empty stratum, ``undecided`` for one not reached."""
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
    emptiness: object = None
    """Empty: the :class:`~symgeom.data.separability.ConvexCombination` (a point of a truncated cluster in the
    convex hull of the kept points; for ``L = 1`` possibly equal combinations of truncated and kept points), exact
    weights."""
    obstructions: tuple = ()
    """Not reached for want of a collapse order: one :class:`~symgeom.data.separability.Separation` per cluster
    left after peeling (inseparable with its Farkas certificate, or undecided)."""
    outputs_bound: object = None
    """``|S| > L``: ``B_U + F_L(S) > B_U``, the bound of ``C`` on ``R_S`` when the truncated points have at most ``L``
    outputs (:func:`~symgeom.local_minima.merged.fewest_outputs`); ``None`` otherwise."""

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
            "truncated": list(self.truncated), "verdict": self.verdict,
            "reason": self.reason or None, "certificate": self._certificate_json(),
            "weight_ranks": list(self.weight_ranks), "hessian_nullity": self.hessian_nullity,
            "tangent_dimension": self.tangent_dimension,
            "dimension_certificate": self.dimension_check.as_json() if self.dimension_check else None,
            "global": bool(self.is_global),
            "invertible_candidate": self.invertible.as_json() if self.invertible else None,
            **json_numbers(bound=self.bound, cost=self.cost, min_margin=self.min_margin,
                           value=self.cost_kind.from_sum(self.bound), outputs_bound=self.outputs_bound),
        }

    def _certificate_json(self) -> dict:
        """The check behind the verdict; for ``empty`` with the convex combination (``kind``, ``point``,
        ``weights``: 1-based data rows), for ``not_reached`` with the Farkas certificates of the obstruction."""
        out = self.certificate.as_json()
        if self.emptiness is not None:
            out.update(self.emptiness.as_json())
        elif self.obstructions:
            out.update(kind="no_collapse_order", obstructions=[o.as_json() for o in self.obstructions])
        return out


def certify_stratum_point(theta: StratumMinimizer) -> Check:
    """``θ_S ∈ R_S`` and ``C(θ_S) = B_U``: every pre-activation of the kept points is ``> 0`` in every
    hidden layer, every point of each cluster of ``S`` has every pre-activation ``< 0`` in some hidden layer
    (the point-by-point definition of :mod:`symgeom.local_minima.region`; a merged stratum: every point of each group
    in its collapsing layer), and the cost equals the bound -- exactly for exact data (the slacks of
    :attr:`~symgeom.local_minima.strata.StratumMinimizer.slacks`, the cost from the moments of each activation region)."""
    data, slacks = theta.data, dict(theta.slacks)
    signs = [certify_positive(slacks.pop("kept"), "kept points strictly active in every hidden layer")] if theta.kept else []
    if theta.merged:  # the merged region: each group dies whole in one layer, its collapsing layer
        signs += [certify_positive(slacks[G], f"every point of clusters {', '.join(map(str, G))} strictly inactive "
                                              f"in hidden layer {l}, their common collapsing layer")
                  for l, G in enumerate(theta.collapse_groups, start=1)]
    else:
        signs += [certify_positive(v, f"every point of cluster {k} strictly inactive in some hidden layer (its "
                                      f"collapsing layer {theta.collapse_layers[k]})") for k, v in slacks.items()]
    C, B = theta.cost.of(theta.params, data), theta.bound  # the weighted sums of θ_S's cost: C_N² or C
    exact = data.kind.is_exact
    which = "merged stratum" if theta.merged else "stratum"
    equal = certify_equal(np.array([C], dtype=data.kind.dtype), np.array([B], dtype=data.kind.dtype),
                          f"cost equal to the {which} bound", scale=cost_scale(data))
    groups = f"{len(signs)} group{'s' if len(signs) > 1 else ''}"
    return combine(signs + [equal], ("exact" if exact else "float64") + f" cost equal to the {which} bound, and every "
                   f"strict sign condition of the {which}", f"{groups} of strict inequalities over N = {data.N} points")


def settle_stratum(data: ClusterData, L: int, truncated, thinnest=None, cost: Cost = Cost.MEAN_SQUARED) -> Stratum:
    """The stratum ``S = truncated`` on the data: bound, explicit minimizer, certificate, degeneracy,
    and the invertible candidate beside it.  ``thinnest``: :func:`~symgeom.local_minima.tangent.thinnest_spread` of the data when already known.

    Decision procedure: when ``|S| ≤ L`` and the clusters of ``S`` have a collapse order (decided by exact LP
    certificates, :func:`~symgeom.local_minima.strata.collapse_order`), ``θ_S`` is built and certified (``local_minimum``);
    otherwise ``empty`` when a point of a truncated cluster is shown in the convex hull of the kept points,
    else ``not_reached`` with the reason and, when no collapse order exists, its Farkas certificates.

    Under ``cost``: ``B_U`` is its weighted bound and ``θ_S`` fits ``U`` by its weighted least squares; for the
    paper's cost the certificate ``C_N²(θ_S) = B_U`` makes ``θ_S`` a local minimum of ``C_N²`` on the open
    ``R_S``, hence of ``C_N`` (the square root is increasing).  The Hessian's kernel is the same for both costs
    (``2 Jᵀ W J`` and ``(1/N) JᵀJ`` share it, ``W`` positive diagonal), so the degeneracy is measured once."""

    S = tuple(sorted(int(k) for k in truncated))
    kept = kept_clusters(data.Q, S)
    blocked = None
    if len(S) <= L:
        try:
            theta = stratum_minimizer(data, L, collapse_order(data, S), cost)
        except NoCollapseOrder as e:
            blocked = e
        except ConstructionError as e:
            return Stratum(data, L, S, kept, stratum_bound(data, kept, cost), NOT_REACHED,
                           Check(UNDECIDED, "explicit construction", str(e)), reason=str(e), cost_kind=cost)
        else:
            return _settle_constructed(theta, thinnest)
    return _unconstructed(data, L, S, kept, blocked, cost)


def hull_witness(data: ClusterData, S: tuple, kept: tuple, L: int | None = None):
    """``(why, combination)``: exact convex weights that make ``R_S`` empty, or ``None``.  A point of a truncated
    cluster in the convex hull of the kept points does for every ``L``; with ``L = 1`` also equal convex combinations
    of truncated and kept points (every truncated point dies in the one hidden layer and every kept point is active
    in it, so any row of ``W_1`` would cut the truncated points off from the kept ones)."""
    them = ", ".join(map(str, kept))
    for k in S:
        found = hull_point(data, k, kept)
        if found is not None:
            return (f"{found.describe()} (exact convex weights): a point of the truncated cluster {k} in the convex hull "
                    f"of the kept cluster(s) {them}, so R_S is empty for every L"), found
    if L == 1:
        sep = separate(data, group(S), kept)
        if sep.status == INSEPARABLE:
            return (f"{sep.combination.describe()} (exact convex weights): with one hidden layer every truncated point "
                    "dies in it and every kept point is active in it, so a row of W_1 would be a hyperplane cutting the "
                    f"points of clusters {', '.join(map(str, S))} off from those of {them}; none exists, so R_S is empty "
                    "for L = 1"), sep.combination
    return None


def _unconstructed(data: ClusterData, L: int, S: tuple, kept: tuple, blocked, cost: Cost = Cost.MEAN_SQUARED) -> Stratum:
    """A stratum with no constructed point: ``empty`` when a point of a truncated cluster lies in the convex hull
    of the kept points (then no parameter makes the kept points strictly active and that point inactive:
    pre-activations are affine on the all-active points, so a convex combination of them is strictly active in
    every layer); otherwise ``not_reached``, with the reason (``|S| > L``, or the Farkas certificates of
    ``blocked``, a :class:`~symgeom.local_minima.strata.NoCollapseOrder`)."""
    bound = stratum_bound(data, kept, cost)
    empty = hull_witness(data, S, kept, L)
    if empty is not None:
        why, comb = empty
        return Stratum(data, L, S, kept, bound, EMPTY, Check(NOT_APPLICABLE, "exact convex combination: the stratum is "
                       "empty, so the attainment of B_U does not apply", why, scope=Scope.these_data()), reason=why, cost_kind=cost,
                       emptiness=comb)
    if blocked is None:
        spread, parts = fewest_outputs(data, S, L, cost)
        groups = " | ".join(", ".join(map(str, G)) for G in parts)
        why = (f"|S| = {len(S)} > L = {L}: collapsing one cluster per hidden layer needs L >= |S|; and no point of R_S "
               f"has cost B_U (proof: a truncated point dying in layer l has x^(l) = 0, so all points dying in one "
               f"layer share one output; the |S| = {len(S)} truncated clusters meet at most L = {L} such outputs, so "
               f"C > B_U on R_S: C >= B_U + F_L(S), F_L(S) = {sizes.format_number(spread)} the least cost of their "
               f"distinct targets grouped into at most L outputs, here groups {groups}; N3 settles that merged stratum)")
        return Stratum(data, L, S, kept, bound, NOT_REACHED, Check(NOT_APPLICABLE, "hypothesis L >= |S|", why), reason=why,
                       cost_kind=cost, outputs_bound=bound + spread)
    what = ("this proves that the layer-wise construction cannot reach this stratum (no parameter collapses the "
            "clusters of S whole, one per hidden layer, while every point not yet collapsed stays strictly active); "
            "it does not show R_S empty, and other points of R_S may still reach B_U") if blocked.proved else \
        "no collapse order was certified, nor was R_S shown empty"
    why = f"no order of S collapses one cluster per hidden layer: {blocked}; {what}"
    return Stratum(data, L, S, kept, bound, NOT_REACHED, Check(UNDECIDED, "explicit construction (collapse orders "
                   "decided by exact LP certificates)", why, scope=Scope.these_data()), reason=why, cost_kind=cost,
                   obstructions=blocked.obstructions)


def _settle_constructed(theta: StratumMinimizer, thinnest=None) -> Stratum:
    """Certify the constructed ``θ_S``: cost, sign conditions, degeneracy, and the invertible candidate."""
    data, L, S, kept, cost = theta.data, theta.L, tuple(sorted(theta.truncated)), theta.kept, theta.cost
    bound = theta.bound  # B_U of the same kept set, computed once for the certificate and the stratum
    cert = certify_stratum_point(theta)
    verdict = LOCAL_MINIMUM if cert.status in (CERTIFIED, CHECKED) else NOT_REACHED
    if cert.status == REFUTED:  # a failed construction is no evidence against the stratum's minimum
        cert = Check(UNDECIDED, cert.method, f"the constructed point fails its certificate ({cert.counterexample})"
                     + ("" if data.kind.is_exact else "; float64 does not resolve the construction on these data, "
                        "exact arithmetic may"), cert.residual, cert.margin, cert.tolerance, scope=cert.scope)
    tangents = stratum_degeneracy(theta, thinnest)
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
    thinnest = None if exact_ranks(data) else thinnest_spread(data.with_kind("float"))  # once for all strata
    for i, S in enumerate(all_S, start=1):
        if progress is not None:
            progress(i, len(all_S), "S = {" + ", ".join(map(str, S)) + "}")
        out.append(settle_stratum(data, L, S, thinnest, cost))
    return out


def strata_counts(strata) -> dict:
    """``{"local_minima": …, "empty": …, "not_reached": …}``: how the strata were settled."""
    return {"local_minima": sum(st.verdict == LOCAL_MINIMUM for st in strata),
            "empty": sum(st.verdict == EMPTY for st in strata),
            "not_reached": sum(st.verdict == NOT_REACHED for st in strata)}


def counts_text(strata, short: bool = False) -> str:
    """``"2 local minima, 4 strata empty, 1 not reached"`` (``short``: ``"…, 4 empty, …"``, as on N2's screen row)."""
    c = strata_counts(strata)
    empty = "" if short else f"strat{'um' if c['empty'] == 1 else 'a'} "
    return (f"{c['local_minima']} local minim{'um' if c['local_minima'] == 1 else 'a'}, {c['empty']} "
            f"{empty}empty, {c['not_reached']} not reached")


def reason_lines(strata, limit: int = 12) -> list[str]:
    """One line per stratum that is not a local minimum (``S = {2}: empty: …``), at most ``limit`` of them and
    then how many more."""
    rest = [st for st in strata if st.verdict != LOCAL_MINIMUM]
    lines = [f"S = {st.label}: {st.verdict}: {st.reason}" for st in rest[:limit]]
    if len(rest) > limit:
        lines.append(f"... and {len(rest) - limit} more strata not local minima (check --json lists every reason)")
    return lines
