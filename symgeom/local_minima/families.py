"""Local minima beyond the ``2^Q − 1`` strata: the merged strata on the data (:mod:`symgeom.local_minima.merged`), and
clusters split across activation patterns.

A merged stratum is a kept set ``U`` (possibly empty) and a partition ``P`` of the truncated clusters into groups,
one with several clusters; each group is collapsed whole in one hidden layer and sent to its weighted mean target.
:func:`settle_merged` builds the explicit point, certifies exactly that it lies in the open region ``R_{U,P}``
(every point of ``U`` strictly active in every hidden layer, every point of each group strictly inactive in its
collapsing layer) at cost ``B_{U,P}``, the bound of ``C`` there: a local minimum of value ``B_{U,P} > B_U``.
Verdicts as for the strata: ``local_minimum``, ``empty`` (a truncated point in the hull of ``U``: ``R_S``, which
holds ``R_{U,P}``, is empty) or ``not_reached`` (no order of the groups is cut off one by one, with the Farkas
certificates).

:func:`merged_families` lists them on the data: every merged stratum with at most ``L`` groups when there are at
most :data:`FAMILY_LIMIT` (:func:`family_count`), else one grouping that attains
:func:`~symgeom.local_minima.merged.fewest_outputs` for each of the first :data:`FAMILY_LIMIT` strata with
``|S| > L`` (the minimum of ``C`` on ``R_S`` when reached).

**Split clusters** (:func:`split_clusters`, N5).  Let one point ``n`` of a cluster ``k`` with other points die in hidden
layer 1 and every other point be active in every layer: an open region.  There the network is one affine map on the
other points and sends ``n`` to one output, so ``C ≥ B_{−n}``, the weighted least-squares residual of the other points
alone (``n`` pays at least 0).  The point: ``a_1(x) = λ s(x) 1 + c(x) − e_k``, ``s`` a hyperplane cutting ``x_n`` off
from every other point, ``c`` the barycentric fit of the other points (coordinates summing to 1), ``λ`` large; on the
other points ``Σ_i a_1 = Q λ s``, so ``R = I − 1 1ᵀ/Q`` decodes ``c = R h + e_k`` there and ``e_k`` at ``n``
(``h = 0``): the output map ``Y R`` with bias ``y_k`` costs exactly ``B_{−n}``, a local minimum at or below N1's
value.  Per cluster one split is settled: the first point the LP cuts off, trying the points extreme along some
direction before the others, each group by its drop ``w_n |r_n|² / (1 − w_n h_n)`` (N1's residual ``r_n`` and
leverage ``h_n``: leaving one point out, by Sherman–Morrison) -- one local minimum per cluster, not the lowest of
them; floats propose the order, the exact bound and cost decide.  ``not_reached`` says only that none of the points
tried was cut off (a split of another point, or one the LP misses, may still exist).

>>> from symgeom.data.embedded import default_data
>>> fam = settle_merged(default_data(), 3, ((1, 3),))
>>> fam.verdict, fam.label, fam.kept, fam.cost == fam.bound
('local_minimum', '{{1, 3}}', (2,), True)
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..certify.certificates import CERTIFIED, CHECKED, FLOAT_RTOL, NOT_APPLICABLE, UNDECIDED, Check, Scope
from ..numbers.json_numbers import json_numbers
from ..calculus.cost import Cost
from ..data.clusters import ClusterData
from ..data.separability import NoCollapseOrder, cut_off, exact_points
from ..model.network import Parameters
from ..numbers import arith, sizes
from ..numbers.filtered import float_copy
from .._errors import ConstructionError
from .merged import collapse_groups, fewest_outputs, group_spread, partitions
from .settling import certify_stratum_point, hull_witness
from .region import active_slack, dying_in, slack_values
from .strata import (StratumMinimizer, active_bound, barycentric_fit, collapse_order, kept_clusters, separator_weight,
                     stratum_bound, stratum_minimizer)
from .verdicts import Verdict

__all__ = ["MergedStratum", "settle_merged", "merged_families", "family_partitions", "family_count", "FAMILY_LIMIT", "family_counts",
           "family_counts_text", "family_lines", "SplitCluster", "split_point", "split_clusters", "SPLIT_CANDIDATES",
           "split_counts", "split_counts_text", "split_lines", "SPLIT_DIRECTIONS"]

FAMILY_LIMIT = 40
"""At most this many merged strata are settled on the data; beyond, only the fewest-outputs ones."""


@dataclass(frozen=True, eq=False)
class MergedStratum:
    """One merged stratum on the data: its bound ``B_{U,P}``, how it was settled, and its explicit point."""

    data: ClusterData
    L: int
    groups: tuple
    """The partition ``P`` of ``S``, groups sorted."""
    kept: tuple
    bound: object
    """``B_{U,P} = B_U +`` what the groups pay (weighted sum of :attr:`cost_kind`)."""
    stratum_bound: object
    """``B_U``, the bound of the stratum ``R_S`` that holds ``R_{U,P}``."""
    verdict: Verdict
    certificate: Check
    minimizer: StratumMinimizer | None = None
    reason: str = ""
    least: bool = False
    """``P`` attains ``F_L(S)`` with ``|S| > L``: at cost ``B_{U,P}`` this is the minimum of ``C`` on ``R_S``."""
    cost_kind: Cost = Cost.MEAN_SQUARED

    @property
    def label(self) -> str:
        return "{" + ", ".join("{" + ", ".join(map(str, G)) + "}" for G in self.groups) + "}"

    @property
    def is_stratum_minimum(self) -> bool:
        """A certified local minimum at ``B_U + F_L(S)``: the minimum of ``C`` on ``R_S``."""
        return self.least and self.verdict == Verdict.LOCAL_MINIMUM

    @cached_property
    def cost(self):
        return self.cost_kind.of(self.minimizer.params, self.data) if self.minimizer is not None else None

    def as_json(self) -> dict:
        """An entry of ``merged_minima`` in ``check --json``."""
        return {"groups": [list(G) for G in self.groups], "kept": list(self.kept), "verdict": self.verdict,
                "reason": self.reason or None, "certificate": self.certificate.as_json(),
                "minimum_of_stratum": self.is_stratum_minimum,
                **json_numbers(bound=self.bound, stratum_bound=self.stratum_bound, cost=self.cost,
                               min_margin=self.certificate.margin, value=self.cost_kind.from_sum(self.bound))}


def settle_merged(data: ClusterData, L: int, groups, cost: Cost = Cost.MEAN_SQUARED, least: bool = False) -> MergedStratum:
    """The merged stratum of the partition ``groups`` (module docstring): certified point, ``empty`` or ``not_reached``."""
    parts = tuple(sorted(collapse_groups(groups)))
    S = tuple(sorted(k for G in parts for k in G))
    kept = kept_clusters(data.Q, S, every=True)
    B_U = stratum_bound(data, kept, cost)
    bound = B_U + group_spread(data, parts, cost)
    what = ("merged stratum U = {" + ", ".join(map(str, kept)) + "}, groups "
            + " | ".join(", ".join(map(str, G)) for G in parts))
    try:
        theta = stratum_minimizer(data, L, collapse_order(data, parts), cost)
    except NoCollapseOrder as e:
        empty = hull_witness(data, S, kept, L) if kept else None
        if empty is not None:
            why = empty[0] + " (the merged region lies in R_S)"
            return MergedStratum(data, L, parts, kept, bound, B_U, Verdict.EMPTY, Check(
                NOT_APPLICABLE, "exact convex combination", why, scope=Scope.these_data()), None, why, least, cost)
        why = f"no order of the groups is cut off one by one: {e}" + (
            " (proved by the Farkas certificates: the construction's hypothesis fails; other points of the merged "
            "region may still reach its bound)" if e.proved else "")
        return MergedStratum(data, L, parts, kept, bound, B_U, Verdict.NOT_REACHED, Check(
            NOT_APPLICABLE if e.proved else UNDECIDED, f"explicit construction of the {what}", why,
            scope=Scope.these_data()), None, why, least, cost)
    except ConstructionError as e:
        return MergedStratum(data, L, parts, kept, bound, B_U, Verdict.NOT_REACHED,
                             Check(UNDECIDED, f"explicit construction of the {what}", str(e)), None, str(e), least, cost)
    cert = certify_stratum_point(theta)
    ok = cert.status in (CERTIFIED, CHECKED)
    return MergedStratum(data, L, parts, kept, theta.bound, B_U, Verdict.LOCAL_MINIMUM if ok else Verdict.NOT_REACHED,
                         cert, theta, "" if ok else cert.detail, least, cost)


def family_partitions(Q: int, L: int) -> list[tuple]:
    """Every partition with a group of several clusters and at most ``L`` groups, of every ``S ⊆ {1..Q}`` with
    ``|S| ≥ 2`` (``S = {1..Q}`` included: ``U = ∅``), by ``S`` as the strata are ordered, then by partition."""
    out = []
    for size in range(2, Q + 1):
        for S in itertools.combinations(range(1, Q + 1), size):
            out += [P for P in partitions(S) if len(P) <= L and any(len(G) > 1 for G in P)]
    return out


def merged_families(data: ClusterData, L: int, cost: Cost = Cost.MEAN_SQUARED, progress=None) -> tuple:
    """``(families, left)``: the merged strata settled on the data, and how many more exist unsettled (module
    docstring: all of them up to :data:`FAMILY_LIMIT`; beyond, one fewest-outputs grouping for each of the first
    :data:`FAMILY_LIMIT` strata with ``|S| > L``, ``U = ∅`` included)."""
    total = family_count(data.Q, L)
    if total <= FAMILY_LIMIT:
        chosen = family_partitions(data.Q, L)
        least = [P for P in chosen if _is_fewest(data, P, L, cost)]
    else:
        deep = [S for size in range(L + 1, data.Q + 1) for S in itertools.combinations(range(1, data.Q + 1), size)]
        chosen = least = [fewest_outputs(data, S, L, cost)[1] for S in deep[:FAMILY_LIMIT]]
    out = []
    for i, P in enumerate(chosen, start=1):
        if progress is not None:
            progress(i, len(chosen), "P = " + " | ".join(", ".join(map(str, G)) for G in P))
        out.append(settle_merged(data, L, P, cost, least=P in least))
    return out, total - len(chosen)


def family_count(Q: int, L: int) -> int:
    """How many merged strata there are: over every ``S ⊆ {1..Q}``, the partitions of ``S`` into at most ``L`` groups
    (Stirling numbers of the second kind), less the one into groups of one when ``|S| ≤ L`` (the stratum itself)."""
    stirling = [[1]]
    for n in range(1, Q + 1):
        row = [0] * (n + 1)
        for k in range(1, n + 1):
            row[k] = k * (stirling[n - 1][k] if k < n else 0) + stirling[n - 1][k - 1]
        stirling.append(row)
    return sum(math.comb(Q, n) * (sum(stirling[n][1:min(n, L) + 1]) - (n <= L)) for n in range(2, Q + 1))


def _is_fewest(data: ClusterData, P: tuple, L: int, cost: Cost) -> bool:
    """``|S| > L`` and the grouping ``P`` of ``S`` pays ``F_L(S)``, the least of all groupings into at most ``L``."""
    S = tuple(sorted(k for G in P for k in G))
    return len(S) > L and group_spread(data, P, cost) == fewest_outputs(data, S, L, cost)[0]


def family_counts(families, left: int = 0) -> dict:
    """``{"local_minima": …, "empty": …, "not_reached": …, "not_settled": left}``."""
    return {"local_minima": sum(f.verdict == Verdict.LOCAL_MINIMUM for f in families),
            "empty": sum(f.verdict == Verdict.EMPTY for f in families),
            "not_reached": sum(f.verdict == Verdict.NOT_REACHED for f in families), "not_settled": left}


def family_counts_text(families, left: int = 0) -> str:
    """``"5 local minima, 1 empty, 1 not reached"`` (and how many more exist unsettled)."""
    c = family_counts(families, left)
    text = (f"{c['local_minima']} local minim{'um' if c['local_minima'] == 1 else 'a'}, {c['empty']} empty, "
            f"{c['not_reached']} not reached")
    return text + (f", {left} more not settled" if left else "")


def family_lines(families, left: int = 0, limit: int = 12) -> list[str]:
    """One line per merged stratum (``P = {{1, 2}}, U = {3}: local_minimum, value 2/13``), at most ``limit``."""
    def line(f) -> str:
        U = "{" + ", ".join(map(str, f.kept)) + "}"
        what = f"value {f.cost_kind.text(f.bound)}" if f.verdict == Verdict.LOCAL_MINIMUM else f.reason
        return f"P = {f.label}, U = {U}: {f.verdict}" + (" (the minimum on its stratum)" if f.is_stratum_minimum else "") \
            + f": {what}"

    lines = [line(f) for f in families[:limit]]
    if len(families) > limit or left:
        lines.append(f"... {len(families) - limit if len(families) > limit else 0} more merged strata listed by check --json"
                     + (f"; {left} more not settled (only the fewest-outputs ones beyond {FAMILY_LIMIT})" if left else ""))
    return lines



SPLIT_CANDIDATES = 12
"""Per cluster, at most this many points (extreme ones first, each group by drop) are tried for a hyperplane that
cuts them off."""


@dataclass(frozen=True, eq=False)
class SplitCluster:
    """One point ``n`` of cluster ``k`` collapsed alone in layer 1, the rest fitted: its bound ``B_{−n}``, how it was
    settled, and its explicit point."""

    data: ClusterData
    cluster: int
    row: int
    """``n``, 0-based (the data file's row ``n + 1``)."""
    bound: object
    """``B_{−n}``: the weighted least-squares residual of every other point."""
    full: object
    """``B``: N1's value."""
    verdict: Verdict
    certificate: Check
    params: object = None
    cost_kind: Cost = Cost.MEAN_SQUARED

    def as_json(self) -> dict:
        """An entry of ``split_minima`` in ``check --json``."""
        return {"cluster": self.cluster, "row": self.row + 1, "verdict": self.verdict,
                "certificate": self.certificate.as_json(),
                **json_numbers(bound=self.bound, no_truncation=self.full,
                               value=None if self.bound is None else self.cost_kind.from_sum(self.bound))}


def _unit_floats(A: np.ndarray) -> np.ndarray:
    """``A / max |A|`` in float64 (exact arrays divided exactly first): within float64's range at any magnitude."""
    top = max(arith.largest(A), -arith.smallest(A)) if A.size else 0
    if top == 0:
        return np.zeros(A.shape)
    return np.asarray(float_copy(A / top) if A.dtype == object else A / top, dtype=float)


def _drops(data: ClusterData, cost: Cost) -> np.ndarray:
    """float64 ``w_n |r_n|² / (1 − w_n h_n)`` per point, up to one positive factor: how much leaving ``n`` out lowers
    N1's weighted residual (``r_n`` its residual, ``h_n = x̃_nᵀ (X̃ W X̃ᵀ)⁻¹ x̃_n``; both unchanged when the points are
    scaled, the residuals scaled with the targets), on the points and targets scaled to unit size; ``−inf`` where the
    fit cannot drop a point (leverage 1); all 0 when float64 resolves nothing (the order of the candidates then)."""
    Xt = np.vstack([_unit_floats(data.X), np.ones(data.N)])
    T = _unit_floats(data.targets_ext)
    w = _unit_floats(np.asarray(cost.point_weights(data)))
    with np.errstate(all="ignore"):
        gram = (Xt * w) @ Xt.T
        if not np.all(np.isfinite(gram)) or not np.all(np.isfinite(T)):
            return np.zeros(data.N)
        F = np.linalg.lstsq(gram, (Xt * w) @ T.T, rcond=None)[0].T
        r = F @ Xt - T
        h = np.einsum("in,in->n", Xt, np.linalg.lstsq(gram, Xt, rcond=None)[0])
        drop = w * (r * r).sum(axis=0) / (1 - w * h)
    return np.where(np.isfinite(drop) & (1 - w * h > 1e-12), drop, -np.inf)


SPLIT_DIRECTIONS = 64
"""Random directions (fixed seed) along which the extreme points are proposed as candidates to cut off."""


def _extreme_points(data: ClusterData) -> np.ndarray:
    """The points of largest and smallest projection along the coordinate axes and :data:`SPLIT_DIRECTIONS` random
    directions (float64): vertices of the hull of the data, the likely ones to be cut off alone (the LP decides)."""
    X = _unit_floats(data.X)
    D = np.hstack([np.eye(data.Q), np.random.default_rng(0).standard_normal((data.Q, SPLIT_DIRECTIONS))])
    with np.errstate(all="ignore"):
        P = X.T @ D
    return np.unique(np.concatenate([np.argmax(P, axis=0), np.argmin(P, axis=0)]))


def split_point(data: ClusterData, L: int, n: int, plane, cost: Cost = Cost.MEAN_SQUARED) -> Parameters:
    """The point of the module docstring (*split clusters*) for point ``n`` and the hyperplane ``plane`` cutting it
    off: ``a_1(x) = λ s(x) 1 + c(x) − e_k``, identity layers (bias 1) beyond, output ``Y R x + y_k``."""
    Q, kind = data.Q, data.kind
    mask = np.ones(data.N, dtype=bool)
    mask[n] = False
    C = barycentric_fit(data, tuple(range(1, Q + 1)), cost, mask)
    t = kind.identity(Q)[int(data.labels[n]) - 1]
    a, beta = kind.array([arith.to_fraction(v) for v in plane.normal]), kind.scalar(arith.to_fraction(plane.offset))
    shift = C[:, Q] - t
    Gz = arith.matmul(C[:, :Q], data.X) + shift[:, None]
    lam = separator_weight(arith.matmul(a[None, :], data.X)[0] - beta, np.where(mask[None, :], -Gz, Gz).max(axis=0), kind)
    one, I = kind.full(Q, 1), kind.identity(Q)
    R = I - np.outer(one, one) / kind.scalar(Q)
    weights = (lam * np.outer(one, a) + C[:, :Q],) + (I,) * (L - 1) + (data.Y @ R,)
    biases = (-lam * beta * one + shift,) + (one,) * (L - 1) + (data.Y @ t,)
    return Parameters(weights, biases)


def _settle_split(data: ClusterData, L: int, n: int, plane, full, cost: Cost) -> SplitCluster:
    """The split of point ``n``: its point certified in the region (``n`` dead in layer 1, every other point active)
    at cost ``B_{−n}``."""
    mask = np.ones(data.N, dtype=bool)
    mask[n] = False
    theta = split_point(data, L, n, plane, cost)
    bound = active_bound(data, mask, cost)
    slacks = slack_values(theta, data.X, {"kept": (np.flatnonzero(mask), active_slack),
                                          "split": (np.array([n]), functools.partial(dying_in, 1))})
    margin = min(arith.smallest(v) for v in slacks.values())
    value = cost.of(theta, data)
    exact = data.kind.is_exact
    tol = None if exact else FLOAT_RTOL * max(1.0, abs(float(full)))
    ok = margin > 0 and (value == bound if exact else abs(float(value) - float(bound)) <= tol)
    check = Check(CERTIFIED if ok and exact else CHECKED if ok else UNDECIDED,
                  f"{data.kind.label} cost equal to the bound and every strict sign condition (row {n + 1} dead in "
                  "layer 1, every other point active)", f"cost {sizes.format_number(value)}, bound "
                  f"{sizes.format_number(bound)}", margin=margin, tolerance=tol, scope=Scope.these_data(float=not exact))
    return SplitCluster(data, int(data.labels[n]), n, bound, full, Verdict.LOCAL_MINIMUM if ok else Verdict.UNDECIDED,
                        check, theta, cost)


def split_clusters(data: ClusterData, L: int, cost: Cost = Cost.MEAN_SQUARED) -> list[SplitCluster]:
    """One split per cluster with several points (module docstring): the first of :data:`SPLIT_CANDIDATES` points
    (extreme ones first, each group by drop) that a hyperplane cuts off from every other point; ``not_reached`` when
    none of them is."""
    drops, full, out = _drops(data, cost), stratum_bound(data, tuple(range(1, data.Q + 1)), cost), []
    extreme = _extreme_points(data)
    for k in range(1, data.Q + 1):
        rows = np.flatnonzero(data.labels == k)
        if rows.size < 2:
            continue
        exposed = rows[np.isin(rows, extreme)]  # points exposed along some direction first, by drop, then the rest
        rest = rows[~np.isin(rows, extreme)]
        tried = np.concatenate([part[np.argsort(-drops[part], kind="stable")] for part in (exposed, rest)])[:SPLIT_CANDIDATES]
        for n in tried:
            inside = np.zeros(data.N, dtype=bool)
            inside[n] = True
            plane = cut_off(exact_points(data), inside, ~inside)
            if plane is not None:
                try:
                    out.append(_settle_split(data, L, int(n), plane, full, cost))
                except ConstructionError as e:  # float64 rounds a slack to 0
                    out.append(SplitCluster(data, k, int(n), None, full, Verdict.UNDECIDED,
                                            Check(UNDECIDED, "explicit construction of the split", str(e)), None, cost))
                break
        else:
            why = (f"none of the {tried.size} points of cluster {k} tried is cut off from the other points by the LP "
                   "(a split of another point may still exist)")
            out.append(SplitCluster(data, k, int(tried[0]), None, full, Verdict.NOT_REACHED,
                                    Check(UNDECIDED, "hyperplane cutting one point off", why), None, cost))
    return out


def split_counts(splits) -> dict:
    """``{"local_minima": …, "below_no_truncation": …, "not_reached": …, "undecided": …}``."""
    minima = [s for s in splits if s.verdict == Verdict.LOCAL_MINIMUM]
    return {"local_minima": len(minima), "below_no_truncation": sum(s.bound < s.full for s in minima),
            "not_reached": sum(s.verdict == Verdict.NOT_REACHED for s in splits),
            "undecided": sum(s.verdict == Verdict.UNDECIDED for s in splits)}


def split_counts_text(splits) -> str:
    """``"3 local minima, 3 below N1"`` (and those not reached or undecided)."""
    c = split_counts(splits)
    text = f"{c['local_minima']} local minim{'um' if c['local_minima'] == 1 else 'a'}, {c['below_no_truncation']} below N1"
    return text + "".join(f", {c[k]} {k.replace('_', ' ')}" for k in ("not_reached", "undecided") if c[k])


def split_lines(splits) -> list[str]:
    """One line per split: ``cluster 2, row 6 alone: local_minimum, value 0.00078922 (N1's 0.00096974)``."""
    def one(s) -> str:
        head = f"cluster {s.cluster}, row {s.row + 1} alone: {s.verdict}"
        if s.verdict != Verdict.LOCAL_MINIMUM:
            return f"{head}: {s.certificate.detail}"
        kind = s.cost_kind
        return f"{head}, value {kind.text(s.bound)} (N1's {sizes.format_decimal(kind.from_sum(s.full), 6)})"
    return [one(s) for s in splits]
