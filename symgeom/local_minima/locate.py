"""Where a parameter point lies in the stratum picture (docs/mathematics/strata.md, N2 and locate): its stratum, bound and gap.

The region ``R_S`` is the theorem's, point by point (:mod:`symgeom.local_minima.region`, the one definition): every point
of ``U`` strictly active in every hidden layer, every point of a cluster ``k ∈ S`` strictly inactive in all
coordinates in *some* hidden layer (not necessarily the same for all its points).  Per cluster ``k``:

* **kept** -- every point of ``k`` has ``a_ℓ > 0`` (every entry) in every hidden layer;
* **collapsed** -- not kept, and every point of ``k`` dies in some layer (``a_ℓ < 0``, every entry); which
  points first die in which layer is reported as information (``deaths``);
* **mixed** -- neither.

The kept clusters form ``U``, the collapsed ones ``S``.  When no cluster is mixed the point lies in
the open set ``R_S`` of the stratum theorem, where ``C ≥ B_U`` (:func:`~symgeom.local_minima.strata.stratum_bound`;
``B_∅ = 0``, the stratum of the global minimizers of G1): the **gap** ``C − B_U`` is then ``≥ 0``, and
a point of the open set ``R_S`` with gap 0 is a local minimum, with no Hessian needed.  The bound
``C ≥ B_U`` needs only that the points of ``U`` are strictly active, so the gap is also reported
(and ``≥ 0``) outside the strata.

Verdicts: ``global_minimum`` (cost exactly 0 -- *certified* -- or within ``rtol x cost_scale`` in float64 --
*checked*; its stratum, if any, beside it), ``at_stratum_minimum`` (inside ``R_S``, gap 0, cost ``> 0``),
``above_bound`` (inside ``R_S``, gap ``> 0``) and ``outside_strata`` (some cluster mixed, cost ``> 0``).

>>> from symgeom.data.embedded import default_data
>>> from symgeom.local_minima.strata import stratum_minimizer
>>> data = default_data()
>>> here = locate(stratum_minimizer(data, 3, (1, 3)).params, data)
>>> here.verdict, here.truncated, here.collapse_layers, here.gap, here.in_stratum
('global_minimum', (1, 3), {1: 1, 3: 2}, 0, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..numbers import sizes
from .._errors import ParameterError
from ..numbers.arith import Kind
from ..certify.certificates import CERTIFIED, CHECKED, FLOAT_RTOL, REFUTED, Check
from ..numbers.json_numbers import json_numbers
from ..calculus.cost import Cost, cost_scale
from ..data.clusters import ClusterData
from ..model.network import Parameters, preactivations
from .merged import death_spread
from .region import cluster_partition, deaths_by_layer, pattern_classes, point_states, region_slacks
from .strata import active_bound, stratum_bound
from .verdicts import Place

__all__ = [
    "GroupSummary", "summarize",
    "Location", "ClusterState", "StratumGroup", "locate", "group_by_stratum", "cluster_states", "comparable", "GAP_RTOL",
    "KEPT", "COLLAPSED", "MIXED", "AT_STRATUM_MINIMUM", "AT_PATTERN_MINIMUM", "ABOVE_BOUND", "OUTSIDE_STRATA", "GLOBAL_MINIMUM", "VERDICTS", "Place",
]

KEPT, COLLAPSED, MIXED = "kept", "collapsed", "mixed"
"""What a hidden layer stack does to one cluster."""

AT_STRATUM_MINIMUM, ABOVE_BOUND, OUTSIDE_STRATA = Place.AT_STRATUM_MINIMUM, Place.ABOVE_BOUND, Place.OUTSIDE_STRATA
AT_PATTERN_MINIMUM = Place.AT_PATTERN_MINIMUM
GLOBAL_MINIMUM = Place.GLOBAL_MINIMUM
VERDICTS = tuple(Place)

GAP_RTOL = FLOAT_RTOL
"""Default relative tolerance of a float gap: ``|C − B_U| ≤ GAP_RTOL x cost_scale`` counts as gap 0
(the tolerance of every other float check in symgeom)."""


@dataclass(frozen=True)
class ClusterState:
    """What the hidden layers do to the points of one cluster."""

    label: int
    """``k`` (1-based)."""
    status: str
    """``kept``, ``collapsed`` or ``mixed``."""
    layer: int | None = None
    """Collapsed: the hidden layer by which every point of the cluster has died (the largest first death)."""
    points: int = 0
    """Mixed: how many points of the cluster are not strictly active in every hidden layer."""
    layers: tuple = ()
    """Mixed: the hidden layers where some point of the cluster has a pre-activation ``≤ 0``."""
    patterns: int = 1
    """How many distinct activation patterns (signs ``> 0`` of every hidden pre-activation) its points show."""
    deaths: tuple = ()
    """Collapsed: ``((ℓ, count), …)``, how many of its points first die in each hidden layer ``ℓ``."""

    def describe(self) -> str:
        if self.status == KEPT:
            return "kept (every point strictly active in every hidden layer)"
        if self.status == COLLAPSED:
            if len(self.deaths) <= 1:
                return f"collapsed in layer {self.layer} (every pre-activation < 0 there)"
            return ("collapsed point by point (every point has every pre-activation < 0 in some layer): "
                    + ", ".join(f"{c} point{'s' if c != 1 else ''} first in layer {l}" for l, c in self.deaths))
        shared = "one activation pattern for all its points" if self.patterns == 1 else f"{self.patterns} activation patterns"
        return (f"mixed: {self.points} point{'s' if self.points != 1 else ''} not strictly active, "
                f"in layer{'s' if len(self.layers) != 1 else ''} {', '.join(map(str, self.layers))} ({shared})")

    def as_json(self) -> dict:
        out = {"label": self.label, "status": self.status}
        if self.status == COLLAPSED:
            out["layer"] = self.layer
            out["deaths"] = {str(l): c for l, c in self.deaths}
        if self.status == MIXED:
            out.update(points=self.points, layers=list(self.layers), patterns=self.patterns)
        return out


def cluster_states(pre: np.ndarray, labels: np.ndarray, Q: int) -> tuple:
    """One :class:`ClusterState` per cluster from the pre-activations ``pre`` (``L x Q x N``) of the
    hidden layers, by the point-by-point definition of :mod:`symgeom.local_minima.region`: kept when every point is
    strictly active everywhere, collapsed when every point dies in some layer (``deaths`` says which layer
    first), mixed otherwise."""
    states = point_states(pre)
    kept, truncated, _ = cluster_partition(states, labels, Q)
    out = []
    for k in range(1, Q + 1):
        mine = labels == k
        if k in kept:
            out.append(ClusterState(k, KEPT))
        elif k in truncated:
            deaths = deaths_by_layer(states, labels, k)
            out.append(ClusterState(k, COLLAPSED, layer=deaths[-1][0], deaths=deaths))
        else:
            off = np.flatnonzero((pre[:, :, mine] <= 0).any(axis=(1, 2))) + 1
            signs = (pre[:, :, mine] > 0).reshape(-1, int(mine.sum())).T  # one row of signs per point
            out.append(ClusterState(k, MIXED, points=int((~states.active[mine]).sum()),
                                    layers=tuple(int(l) for l in off), patterns=len(np.unique(signs, axis=0))))
    return tuple(out)


@dataclass(frozen=True)
class Location:
    """A parameter point placed in the stratum picture of the data."""

    Q: int
    L: int
    kind: Kind
    """``"exact"`` (FLINT rationals: every sign, the cost and the bound exact) or ``"float"``."""
    clusters: tuple
    """One :class:`ClusterState` per cluster, by label."""
    truncated: tuple
    """``S``: the collapsed clusters, sorted."""
    kept: tuple
    """``U``: the kept clusters, sorted."""
    cost: object
    """``C[θ] = (1/2N) Σ |x^(L+1) − y|²``."""
    bound: object
    """``B_U = (1/2N) ‖Y_U^ext (I − Π_U)‖²_F`` (``0`` when ``U = ∅``): ``C ≥ B_U`` whenever the points of
    ``U`` are strictly active."""
    gap: object
    """``C − B_U``."""
    gradient_norm_squared: object
    """``|∇C|²`` (exact for exact input)."""
    margin: object
    """The smallest slack of the strict inequalities that put the point in ``R_S`` (pre-activations of
    ``U`` in every layer, minus those of each collapsed cluster in its layer); ``None`` outside."""
    tolerance: float | None
    """Float input: ``|gap| ≤ tolerance`` counts as gap 0.  ``None`` for exact input."""
    verdict: Place
    """``global_minimum``, ``at_stratum_minimum``, ``above_bound`` or ``outside_strata``."""
    cost_kind: Cost = Cost.MEAN_SQUARED
    """The cost of :attr:`cost`, :attr:`bound` and :attr:`gap`: each a weighted sum ``Σ w_n |r_n|²`` (``C_N²`` for
    the paper's cost, whose local minima are those of ``C_N``), the gradient that of the same sum."""
    pattern_bound: object = None
    """The bound of ``C`` on the open set that keeps every point's activation pattern, or first death
    (:func:`~symgeom.local_minima.region.pattern_classes`; docs/mathematics/strata.md, locate); ``None`` when a point
    that never dies has a pre-activation 0, or there are too many patterns."""
    pattern_margin: object = None
    """The smallest slack of the strict inequalities of that open set."""

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}; expected one of {tuple(p.value for p in Place)}")
        object.__setattr__(self, "verdict", Place(self.verdict))
        if self.verdict not in (GLOBAL_MINIMUM, AT_PATTERN_MINIMUM) and (self.verdict == OUTSIDE_STRATA) == self.in_stratum:
            raise ValueError("below cost 0 the verdict is outside_strata exactly when some cluster is mixed")

    @property
    def in_stratum(self) -> bool:
        """No cluster is mixed: the point lies in ``R_S``."""
        return not any(c.status == MIXED for c in self.clusters)

    @property
    def at_minimum(self) -> bool:
        """A global minimum, a local minimum of its stratum (gap 0 inside ``R_S``) or of its pattern."""
        return self.verdict in (GLOBAL_MINIMUM, AT_STRATUM_MINIMUM, AT_PATTERN_MINIMUM)

    @property
    def collapse_layers(self) -> dict:
        """``{k: ℓ}`` for every collapsed cluster ``k``."""
        return {c.label: c.layer for c in self.clusters if c.status == COLLAPSED}

    @property
    def mixed(self) -> tuple:
        """The labels of the mixed clusters."""
        return tuple(c.label for c in self.clusters if c.status == MIXED)

    @property
    def gradient_norm(self) -> float:
        return math.sqrt(float(self.gradient_norm_squared))

    @property
    def label(self) -> str:
        """``{1, 3}``: the set ``S``."""
        return "{" + ", ".join(map(str, self.truncated)) + "}"

    def check(self) -> Check:
        """The statement "this point is a local minimum of its stratum (inside ``R_S``, ``C = B_U``)" as a
        :class:`~symgeom.certify.certificates.Check`: certified (exact), checked (float, with the tolerance), or
        refuted with the reason."""
        method = f"{self.kind.label} activation pattern, cost and stratum bound"
        detail = f"S = {self.label}, C - B_U = {sizes.format_number(self.gap)}"
        if self.verdict == GLOBAL_MINIMUM:
            where = f"inside R_S for S = {self.label}" if self.in_stratum else "outside every stratum"
            return Check(CERTIFIED if self.kind.is_exact else CHECKED, f"{self.kind.label} cost",
                         f"cost {sizes.format_number(self.cost)}: a global minimum ({where})", residual=self.cost,
                         margin=self.margin, tolerance=self.tolerance)
        if self.verdict == AT_STRATUM_MINIMUM:
            return Check(CERTIFIED if self.kind.is_exact else CHECKED, method, detail, residual=self.gap,
                         margin=self.margin, tolerance=self.tolerance)
        if self.verdict == AT_PATTERN_MINIMUM:
            return Check(CERTIFIED if self.kind.is_exact else CHECKED, f"{self.kind.label} activation pattern, cost and "
                         "pattern bound", f"C = pattern bound = {sizes.format_number(self.pattern_bound)} (every point "
                         "active or dead in some layer; points dying in one layer share one output)",
                         residual=self.cost - self.pattern_bound, margin=self.pattern_margin, tolerance=self.tolerance)
        if self.verdict == OUTSIDE_STRATA:
            why = "; ".join(f"cluster {c.label} {c.describe()}" for c in self.clusters if c.status == MIXED)
            return Check(REFUTED, method, detail, residual=self.gap, counterexample=f"outside every stratum: {why}")
        return Check(REFUTED, method, detail, residual=self.gap, margin=self.margin, tolerance=self.tolerance,
                     counterexample=f"inside R_S but above the bound: C - B_U = {sizes.format_number(self.gap)}"
                                    + (f" > {self.tolerance:.3g}" if self.tolerance is not None else " > 0"))

    def as_json(self) -> dict:
        """``truncated`` (``S``, 1-based labels), ``kept``, ``collapse_layers`` (``{"k": ℓ}``), ``clusters``,
        ``cost``, ``bound``, ``gap`` (exact strings for exact input), ``gradient_norm``, ``margin``,
        ``tolerance``, ``kind`` and ``verdict``."""
        return {
            "truncated": list(self.truncated), "kept": list(self.kept),
            "collapse_layers": {str(k): l for k, l in self.collapse_layers.items()},
            "clusters": [c.as_json() for c in self.clusters],
            **json_numbers(cost=self.cost, bound=self.bound, gap=self.gap, gradient_norm=self.gradient_norm,
                           gradient_norm_squared=self.gradient_norm_squared, margin=self.margin,
                           tolerance=self.tolerance, pattern_bound=self.pattern_bound),
            "kind": self.kind, "verdict": self.verdict, "in_stratum": self.in_stratum,
            "cost_function": self.cost_kind.as_json(),
        }

    def lines(self) -> list[str]:
        """The location as text, one fact a line."""
        out = [f"network: Q = {self.Q}, L = {self.L} ({'exact' if Kind(self.kind).is_exact else 'float64'} arithmetic)"]
        out += [f"cluster {c.label}: {c.describe()}" for c in self.clusters]
        U = "{" + ", ".join(map(str, self.kept)) + "}"
        where = f"stratum S = {self.label}, U = {U}" if self.in_stratum else \
            f"outside every stratum (mixed: {', '.join(map(str, self.mixed))}); collapsed {self.label}, kept U = {U}"
        out.append(where)
        c = self.cost_kind
        out.append(f"cost function: {c.value} ({c.formula})")
        out.append(f"cost {c.text(self.cost)}" + ("" if not c.is_norm else
                                                  f" ({c.decided} = {sizes.format_number(self.cost)})"))
        out.append(f"bound B_U = {sizes.format_number(self.bound)}" + ("" if not c.is_norm else
                                                                     f" (on {c.decided}; {c.text(self.bound, 'sqrt(B_U)')})"))
        out.append(f"gap {c.decided} - B_U = {sizes.format_number(self.gap)}"
                   + (f" (tolerance {self.tolerance:.3g})" if self.tolerance is not None else ""))
        out.append(f"|grad {c.decided}| = {self.gradient_norm:.6g}")
        if c.is_norm and self.cost != 0:  # the norm's gradient through its square: ∇C_N = ∇C_N² / (2 C_N)
            out.append(f"|grad {c.symbol}| = {self.gradient_norm / (2 * sizes.sqrt_float(self.cost)):.6g}")
        if self.margin is not None:
            out.append(f"margin of the strict inequalities of R_S: {sizes.format_number(self.margin)}")
        if self.verdict == GLOBAL_MINIMUM:
            how = "certified: exact cost 0" if self.kind.is_exact else "checked: float64, cost within the tolerance"
            where = f"in the stratum S = {self.label}" if self.in_stratum else "outside every stratum"
            out.append(f"verdict: {self.verdict} ({how}; {where})")
        elif self.verdict == AT_STRATUM_MINIMUM:
            how = "certified: exact arithmetic" if self.kind.is_exact else "checked: float64, |gap| within the tolerance"
            out.append(f"verdict: {self.verdict} ({how}; a local minimum by the bound {self.cost_kind.decided} >= B_U on R_S)")
        elif self.verdict == AT_PATTERN_MINIMUM:
            how = "certified: exact arithmetic" if self.kind.is_exact else "checked: float64, within the tolerance"
            out.append(f"verdict: {self.verdict} ({how}; a local minimum by the bound {self.cost_kind.decided} >= "
                       f"{sizes.format_number(self.pattern_bound)} of its activation pattern, N3)")
        else:
            out.append(f"verdict: {self.verdict}")
        return out


@dataclass(frozen=True)
class StratumGroup:
    """Locations that share ``S``, ``U`` and whether they lie in ``R_S`` (so one bound ``B_U``)."""

    truncated: tuple
    kept: tuple
    in_stratum: bool
    members: tuple
    """Indices into the list of locations."""
    bound: object

    @property
    def label(self) -> str:
        S = "{" + ", ".join(map(str, self.truncated)) + "}"
        return S if self.in_stratum else f"outside ({S} collapsed)"


@dataclass(frozen=True)
class GroupSummary:
    """One row of the training table: a stratum (or the points outside every stratum) and its runs."""

    label: str
    kept: tuple
    runs: int
    at_minimum: int
    """How many runs sit at the stratum minimum (verdict ``at_stratum_minimum``, or ``global_minimum`` in it)."""
    mean_cost: float
    bound: object
    mean_gap: float


def summarize(groups, locations) -> list[GroupSummary]:
    """Per group: the number of runs, how many sit at the stratum minimum, the mean final cost, ``B_U`` and
    the mean gap."""
    rows = []
    for g in groups:
        members = [locations[i] for i in g.members]
        rows.append(GroupSummary(g.label, g.kept, len(members), sum(w.at_minimum for w in members),
                                 sum(float(w.cost) for w in members) / len(members), g.bound,
                                 sum(float(w.gap) for w in members) / len(members)))
    return rows


def group_by_stratum(locations) -> list[StratumGroup]:
    """The locations grouped by ``(S, U, inside R_S)``: the strata first (by ``|S|``, then labels), then
    the points outside every stratum."""
    groups: dict = {}
    for i, where in enumerate(locations):
        groups.setdefault((where.truncated, where.kept, where.in_stratum), []).append(i)
    keys = sorted(groups, key=lambda k: (not k[2], len(k[0]), k[0], k[1]))
    return [StratumGroup(S, U, inside, tuple(groups[S, U, inside]), locations[groups[S, U, inside][0]].bound)
            for S, U, inside in keys]


def comparable(params: Parameters, data: ClusterData) -> tuple:
    """``(params, data)`` in one number kind: exact when both are exact, float64 otherwise.  Raises
    :class:`ParameterError` when the widths differ."""
    if params.Q != data.Q:
        raise ParameterError(f"the parameters have width Q = {params.Q} but the data have dimension Q = {data.Q}; "
                             f"the network's width must equal the data's dimension")
    kind = Kind.EXACT if params.kind.is_exact and data.kind.is_exact else Kind.FLOAT
    return params.with_kind(kind), data.with_kind(kind)


def _margin(pre: np.ndarray, labels: np.ndarray, states: tuple):
    """The smallest slack of the strict inequalities of ``R_S`` (:func:`~symgeom.local_minima.region.region_slacks`): the
    pre-activations of the kept points in every layer, and for each point of a collapsed cluster the best
    layer's ``min_i (−a_ℓ)_i``; ``> 0`` exactly when the point is in ``R_S``."""
    kept = [c.label for c in states if c.status == KEPT]
    collapsed = [c.label for c in states if c.status == COLLAPSED]
    slacks = [v for v in region_slacks(point_states(pre), labels, kept, collapsed).values() if v.size]
    return min(min(v.reshape(-1).tolist()) for v in slacks) if slacks else None


def locate(params: Parameters, data: ClusterData, rtol: float = GAP_RTOL, cost: Cost = Cost.MEAN_SQUARED) -> Location:
    """Place ``params`` in the stratum picture of ``data``: per cluster kept / collapsed (layer) / mixed,
    then ``S``, ``U``, ``C``, ``B_U``, the gap, ``|∇C|`` and the verdict (module docstring).  Exact when
    parameters and data are both exact; float64 otherwise, a gap within ``rtol x cost_scale(data)``
    counting as 0.  ``cost``: the cost whose weighted sum, bound and gradient are reported (``C_N²`` for the
    paper's)."""
    params, data = comparable(params, data)
    pre = np.stack(preactivations(params, data.X))
    states = cluster_states(pre, data.labels, data.Q)
    kept = tuple(c.label for c in states if c.status == KEPT)
    truncated = tuple(c.label for c in states if c.status == COLLAPSED)
    C = cost.of(params, data)
    B = stratum_bound(data, kept, cost) if kept else 0 * C  # B_∅ = 0: the cost is nonnegative
    gap = C - B
    g = cost.gradient(params, data)
    exact = data.kind.is_exact
    tol = None if exact else rtol * cost_scale(data)
    zero = C == 0 if exact else abs(C) <= tol
    point = point_states(pre)
    found = pattern_classes(pre, point)
    pattern_margin = None if found is None else found[1]
    pattern = None if found is None else \
        sum((active_bound(data, mask, cost) for mask in found[0]), death_spread(data, point.first_death, cost))

    def flat(gap) -> bool:
        return gap == 0 if exact else abs(gap) <= tol

    mixed = any(c.status == MIXED for c in states)
    margin = None if mixed else _margin(pre, data.labels, states)
    if zero:
        verdict = GLOBAL_MINIMUM
    elif not mixed and flat(gap):
        verdict = AT_STRATUM_MINIMUM
    elif pattern is not None and flat(C - pattern):
        verdict = AT_PATTERN_MINIMUM
    else:
        verdict = OUTSIDE_STRATA if mixed else ABOVE_BOUND
    return Location(data.Q, params.L, data.kind, states, truncated, kept, C, B, gap, np.sum(g * g), margin, tol, verdict,
                    cost, pattern, pattern_margin)
