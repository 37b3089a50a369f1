"""Linear separability of clusters, decided by linear programming with exact certificates both ways.

A cluster ``k`` is *cut off* from a finite set ``B`` of points by the hyperplane ``a·x = β`` when
``a·x − β < 0`` at every point of ``k`` and ``> 0`` at every point of ``B``.  For finite sets exactly one
of two things holds (the separation theorem for polytopes, or Farkas' lemma for the LP below):

* a hyperplane cuts ``k`` off from ``B`` -- certificate: ``(a, β)`` with every strict inequality checked
  exactly (:class:`Hyperplane`);
* ``conv(k) ∩ conv(B) ≠ ∅`` -- certificate: nonnegative weights ``λ`` on the points of ``k`` and ``μ`` on
  those of ``B``, each summing to 1, with ``Σ λ_i x_i = Σ μ_j x_j`` exactly (:class:`ConvexCombination`,
  kind ``farkas``).  No hyperplane can then separate: ``a·x − β`` is affine, so it takes the same value on
  both sides of the identity, ``< 0`` as a convex combination of negative numbers and ``> 0`` as one of
  positive numbers.

Float proposes, exact decides.  ``scipy.optimize.linprog`` (HiGHS) solves, on the data centred and scaled,
the max-margin LP ``max t`` subject to ``a·x − β + t ≤ 0`` on ``k``, ``a·x − β − t ≥ 0`` on ``B``,
``|a_i| ≤ 1``; its normal is rounded to short rationals (denominators ``10, 10², …``), and the exact values
``a·x`` decide: ``max_k a·x < min_B a·x`` gives the hyperplane with ``β`` a short rational between them.
Otherwise the feasibility LP ``X_k λ = X_B μ``, ``1ᵀλ = 1ᵀμ = 1``, ``λ, μ ≥ 0`` proposes a basic solution;
its support is solved exactly (rational elimination) and the exact weights are checked.  When neither
certificate comes out, the verdict is ``undecided``.

The exact values are those of the data's rationals (exact mode), or of the decimal values of the float64
data (float mode, which computes on them): the verdicts of both modes agree on the same numbers.  Products
with the data go through FLINT integer matrices (``X = K/d``), with no Python loop over points.

>>> from symgeom.data.clusters import ClusterData
>>> data = ClusterData.from_arrays([[0, 0], [1, 0], [3, 3], [4, 3]], [1, 1, 2, 2])
>>> separate(data, 1, (2,)).status
'separable'
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from fractions import Fraction

import flint
import numpy as np

from ..numbers import arith, sizes
from .._errors import ConstructionError
from .clusters import ClusterData

__all__ = ["SEPARABLE", "INSEPARABLE", "UNDECIDED", "Hyperplane", "ConvexCombination", "Separation", "separate",
           "hull_point", "cut_off", "exact_points", "separates_along", "group", "group_name", "NotSeparated", "NoCollapseOrder", "HULL_CANDIDATES", "ExactPoints"]

SEPARABLE, INSEPARABLE, UNDECIDED = "separable", "inseparable", "undecided"
DENOMINATORS = (10, 10**2, 10**3, 10**4, 10**6, 10**9, 10**12)
"""Rounding of the LP's normal to short rationals: tried in this order, then the float's exact value."""
HULL_CANDIDATES = 12
"""At most this many points of a truncated cluster are tried (by LP) for membership in the kept points' hull."""
_LP_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class ExactPoints:
    """The data's points as exact integers ``X = K / d`` (FLINT), and centred, scaled floats for the LPs."""

    K: "flint.fmpz_mat"
    d: "flint.fmpz"
    exact: np.ndarray
    """``Q x N`` exact rationals (``flint.fmpq``)."""
    scaled: np.ndarray
    """``(X − c)/s`` in float64, ``c`` the centroid, ``s`` the largest deviation from it (LP conditioning)."""

    def values(self, a) -> tuple:
        """``(v, scale)`` with ``a·x_n = v_n · scale`` exactly: ``v = (q a) K`` by one FLINT integer matrix product
        (``(N,)`` ``flint.fmpz``), ``scale = 1/(q d)`` (``q`` the common denominator of ``a``)."""
        q = 1
        for v in a:
            q = math.lcm(q, int(v.q))
        row = flint.fmpz_mat(1, len(a), [int(v.p) * (q // int(v.q)) for v in a])
        return np.array((row * self.K).entries(), dtype=object), flint.fmpq(1, q) / self.d


_EXACT: "weakref.WeakKeyDictionary[ClusterData, ExactPoints]" = weakref.WeakKeyDictionary()
_MEMO: "weakref.WeakKeyDictionary[ClusterData, dict]" = weakref.WeakKeyDictionary()


def exact_points(data: ClusterData) -> ExactPoints:
    """:class:`ExactPoints` of ``data`` (kept for its lifetime)."""
    if data not in _EXACT:
        X = data.X if data.kind.is_exact else arith.array(data.X, "exact")
        K, d = flint.fmpq_mat(X.shape[0], X.shape[1], X.reshape(-1).tolist()).numer_denom()
        if data.kind.is_exact:  # centred and scaled exactly first: exact data may lie beyond the float64 range
            D = X - X.mean(axis=1, keepdims=True)
            s = arith.largest(np.abs(D))
            F = np.asarray(D / (s if s != 0 else 1), dtype=float)
        else:
            F = np.asarray(data.X, dtype=float)
            F = F - F.mean(axis=1, keepdims=True)
            F = F / (float(np.max(np.abs(F))) or 1.0)
        _EXACT[data] = ExactPoints(K, d, X, F)
    return _EXACT[data]


@dataclass(frozen=True)
class Hyperplane:
    """``a·x − β < 0`` on the cluster cut off, ``> 0`` on the other points: every inequality exact."""

    normal: tuple
    """``a`` (exact rationals)."""
    offset: object
    """``β``."""
    margin: object
    """``min(β − max_k a·x, min_B a·x − β) > 0``: the smallest slack of the strict inequalities."""

    def as_json(self) -> dict:
        return {"kind": "hyperplane", "normal": [sizes.exact_text(v) for v in self.normal],
                "offset": sizes.exact_text(self.offset), "margin": sizes.exact_text(self.margin)}


@dataclass(frozen=True)
class ConvexCombination:
    """``Σ_i λ_i x_i = Σ_j μ_j x_j`` with ``λ, μ ≥ 0`` each summing to 1 (exact).  Keys are 0-based point
    indices (columns of ``X``); the JSON names 1-based data rows."""

    left: dict
    """``{i: λ_i}``: the points of the cluster (one point with weight 1 for a point in a hull)."""
    right: dict
    """``{j: μ_j}``: the other points."""
    kind: str = "farkas"
    """``farkas`` (two convex combinations equal: no hyperplane separates) or ``convex_combination`` (one
    point, ``left = {i: 1}``, in the hull of the others)."""

    @property
    def is_point(self) -> bool:
        return self.kind == "convex_combination"

    def as_json(self) -> dict:
        weights = {str(j + 1): sizes.exact_text(w) for j, w in sorted(self.right.items())}
        if self.is_point:
            return {"kind": "convex_combination", "point": next(iter(self.left)) + 1, "weights": weights}
        return {"kind": "farkas", "cluster_weights": {str(i + 1): sizes.exact_text(w) for i, w in sorted(self.left.items())},
                "other_weights": weights}

    def describe(self) -> str:
        """In words, with 1-based data rows."""
        def rows(d):
            return ("row " if len(d) == 1 else "rows ") + ", ".join(str(i + 1) for i in sorted(d))

        if self.is_point:
            return f"data row {next(iter(self.left)) + 1} is a convex combination of {rows(self.right)}"
        right = rows(self.right) if len(self.right) == 1 else "a convex combination of " + rows(self.right)
        left = rows(self.left) if len(self.left) == 1 else "a convex combination of " + rows(self.left)
        return f"{left} equals {right}"


@dataclass(frozen=True)
class Separation:
    """Whether cluster ``cluster`` is cut off from the points of the clusters ``others``, with its certificate."""

    cluster: int | tuple
    """A label, or a :func:`group` of labels cut off together."""
    others: tuple
    status: str
    """``separable`` (``hyperplane``), ``inseparable`` (``combination``, kind ``farkas``) or ``undecided``."""
    hyperplane: Hyperplane | None = None
    combination: ConvexCombination | None = None

    def message(self) -> str:
        """Why no stratum minimizer truncates the cluster here (not separable, or undecided)."""
        them = ", ".join(map(str, self.others))
        if self.status == UNDECIDED:
            return (f"whether {group_name(self.cluster)} is separated from cluster(s) {them} by a hyperplane is "
                    "undecided (the LP's proposals failed their exact checks)")
        return (f"{group_name(self.cluster)} is not separated from cluster(s) {them} by any hyperplane "
                f"({self.combination.describe()}, exactly)")

    def as_json(self) -> dict:
        out = {"cluster": self.cluster if isinstance(self.cluster, int) else list(self.cluster),
               "others": list(self.others), "status": self.status}
        if self.hyperplane is not None:
            out["certificate"] = self.hyperplane.as_json()
        if self.combination is not None:
            out["certificate"] = self.combination.as_json()
        return out


class NotSeparated(ConstructionError):
    """No hyperplane cuts the cluster off (or the LP's proposals failed their exact checks): ``separation``
    holds the :class:`~symgeom.data.separability.Separation` with its certificate."""

    def __init__(self, message: str, separation):
        super().__init__(message)
        self.separation = separation


class NoCollapseOrder(ConstructionError):
    """No order of ``S`` collapses one cluster per layer: after peeling, each cluster of ``remaining`` meets
    the convex hull of the kept points and of the other remaining clusters (``obstructions``: one
    :class:`~symgeom.data.separability.Separation` per remaining cluster, inseparable with its Farkas certificate,
    or undecided)."""

    def __init__(self, message: str, remaining: tuple, obstructions: tuple):
        super().__init__(message)
        self.remaining, self.obstructions = remaining, obstructions

    @property
    def proved(self) -> bool:
        """Every obstruction is an exact Farkas certificate: no order exists (not merely none found)."""
        return all(o.status == INSEPARABLE for o in self.obstructions)


def separates_along(data: ClusterData, a: np.ndarray, inside: np.ndarray, outside: np.ndarray) -> bool:
    """Float data: whether the float64 direction ``a`` (its exact binary value) separates the exact values of
    the points (the decimals float mode computes on): float proposes, exact decides."""
    v, scale = exact_points(data).values([arith.to_exact(Fraction(float(x))) for x in a])
    return bool(arith.largest(v[inside]) < arith.smallest(v[outside]))


def _linprog(**kw):
    from scipy.optimize import linprog

    return linprog(method="highs-ds", **kw)


def _short_between(lo, hi):
    """A rational strictly between ``lo < hi`` with a small denominator (the midpoint when none is found)."""
    mid = (lo + hi) / 2
    f = arith.to_fraction(mid)
    for D in DENOMINATORS:
        r = arith.to_exact(f.limit_denominator(D))
        if lo < r < hi:
            return r
    return mid


def cut_off(pts: ExactPoints, inside, outside) -> Hyperplane | None:
    """A hyperplane cutting ``inside`` off from ``outside`` (masks): the LP's normal rounded, checked exactly, or None."""
    Fi, Fo = pts.scaled[:, inside].T, pts.scaled[:, outside].T
    Q = Fi.shape[1]
    # variables (a, β, t): minimise −t, a·x − β + t ≤ 0 (inside), −a·x + β + t ≤ 0 (outside)
    A = np.vstack([np.hstack([Fi, -np.ones((len(Fi), 1)), np.ones((len(Fi), 1))]),
                   np.hstack([-Fo, np.ones((len(Fo), 1)), np.ones((len(Fo), 1))])])
    res = _linprog(c=np.r_[np.zeros(Q + 1), -1.0], A_ub=A, b_ub=np.zeros(len(A)),
                   bounds=[(-1, 1)] * Q + [(None, None), (None, 1)])
    if res.status != 0 or -res.fun <= _LP_TOL:
        return None
    a = res.x[:Q] / np.max(np.abs(res.x[:Q]))  # the direction in scaled coordinates is that in the data's
    for D in DENOMINATORS + (None,):
        normal = [arith.to_exact(Fraction(float(v)) if D is None else Fraction(float(v)).limit_denominator(D)) for v in a]
        if all(v == 0 for v in normal):
            continue
        v, scale = pts.values(normal)
        lo, hi = arith.largest(v[inside]) * scale, arith.smallest(v[outside]) * scale
        if lo < hi:
            beta = _short_between(lo, hi)
            return Hyperplane(tuple(normal), beta, min(beta - lo, hi - beta))
    return None


def _exact_weights(columns: np.ndarray, rhs: np.ndarray, proposal: np.ndarray):
    """Exact nonnegative ``w`` with ``columns @ w = rhs`` on the support of the float ``proposal``: a maximal
    set of independent columns (largest weights first) solved by exact elimination, then checked.  Returns
    ``{column: w}`` or ``None``."""
    for cut in (_LP_TOL * max(1.0, float(np.max(proposal))), 0.0):
        support = [int(j) for j in np.argsort(-proposal, kind="stable") if proposal[j] > cut]
        chosen: list[int] = []
        for j in support:
            trial = columns[:, chosen + [j]]
            if flint.fmpq_mat(trial.shape[0], trial.shape[1], trial.reshape(-1).tolist()).rank() == len(chosen) + 1:
                chosen.append(j)
        if not chosen:
            continue
        M = columns[:, chosen]
        Mf = flint.fmpq_mat(M.shape[0], M.shape[1], M.reshape(-1).tolist())
        rf = flint.fmpq_mat(len(rhs), 1, list(rhs))
        w = (Mf.transpose() * Mf).solve(Mf.transpose() * rf)  # the unique solution, if any (full column rank)
        w = [w[i, 0] for i in range(len(chosen))]
        if all(x >= 0 for x in w) and (Mf * flint.fmpq_mat(len(w), 1, w)) == rf:
            return {j: x for j, x in zip(chosen, w) if x != 0}
    return None


def _farkas(pts: ExactPoints, inside, outside) -> ConvexCombination | None:
    """``λ`` on ``inside``, ``μ`` on ``outside`` with ``X λ = X μ`` and unit sums, proposed by LP, exact."""
    ii, oo = np.flatnonzero(inside), np.flatnonzero(outside)
    Fi, Fo = pts.scaled[:, ii], pts.scaled[:, oo]
    Q = Fi.shape[0]
    A = np.vstack([np.hstack([Fi, -Fo]), np.r_[np.ones(len(ii)), np.zeros(len(oo))],
                   np.r_[np.zeros(len(ii)), np.ones(len(oo))]])
    res = _linprog(c=np.zeros(len(ii) + len(oo)), A_eq=A, b_eq=np.r_[np.zeros(Q), 1.0, 1.0], bounds=(0, None))
    if res.status != 0:
        return None
    one, zero = flint.fmpq(1), flint.fmpq(0)
    Xi, Xo = pts.exact[:, ii], pts.exact[:, oo]
    cols = np.vstack([np.hstack([Xi, -Xo]), np.array([[one] * len(ii) + [zero] * len(oo)], dtype=object),
                      np.array([[zero] * len(ii) + [one] * len(oo)], dtype=object)])
    w = _exact_weights(cols, np.array([zero] * Q + [one, one], dtype=object), np.maximum(res.x, 0))
    if w is None:
        return None
    n = len(ii)
    return ConvexCombination({int(ii[j]): x for j, x in w.items() if j < n}, {int(oo[j - n]): x for j, x in w.items() if j >= n})


def _known(data: ClusterData, what: str, cluster: int) -> dict:
    """The memo of ``data`` for one question and cluster: ``{frozenset of labels: answer}``."""
    return _MEMO.setdefault(data, {}).setdefault((what, cluster), {})


def group(cluster) -> int | tuple:
    """A label (``int``), or a group of labels cut off together (sorted tuple): ``group((2, 1)) == (1, 2)``."""
    labels = (int(cluster),) if isinstance(cluster, (int, np.integer)) else tuple(sorted(int(k) for k in cluster))
    return labels[0] if len(labels) == 1 else labels


def group_name(cluster) -> str:
    """``cluster 3``, or ``clusters 1, 2 together``."""
    g = group(cluster)
    return f"cluster {g}" if isinstance(g, int) else f"clusters {', '.join(map(str, g))} together"


def separate(data: ClusterData, cluster, others) -> Separation:
    """Decide whether ``cluster`` (a label, or a :func:`group` of labels cut off together) is cut off by a
    hyperplane from the points of the clusters ``others`` (module docstring), with the exact certificate.  Kept
    for the lifetime of ``data``, and reused by monotonicity: a hyperplane certified against a superset of
    ``others`` cuts the cluster off from ``others`` too, and a Farkas certificate against a subset holds for
    ``others`` (its weights sit on their points)."""
    k, others = group(cluster), tuple(sorted(int(j) for j in others))
    known, mine = _known(data, "sep", k), frozenset(others)
    if mine not in known:
        for labels, sep in known.items():
            if (sep.status == SEPARABLE and labels >= mine) or (sep.status == INSEPARABLE and labels <= mine):
                known[mine] = Separation(k, others, sep.status, sep.hyperplane, sep.combination)
                return known[mine]
        pts = exact_points(data)
        inside, outside = np.isin(data.labels, [k] if isinstance(k, int) else list(k)), np.isin(data.labels, others)
        plane = cut_off(pts, inside, outside)
        if plane is not None:
            known[mine] = Separation(k, others, SEPARABLE, hyperplane=plane)
        else:
            comb = _farkas(pts, inside, outside)
            known[mine] = Separation(k, others, INSEPARABLE if comb is not None else UNDECIDED, combination=comb)
            if comb is not None:  # the certificate holds against the clusters its weights sit on, and their supersets
                support = _clusters_of(data, comb.right)
                known.setdefault(support, Separation(k, tuple(sorted(support)), INSEPARABLE, combination=comb))
    return known[mine]


def _clusters_of(data: ClusterData, weights: dict) -> frozenset:
    """The clusters of the points that carry the weights."""
    return frozenset(int(data.labels[j]) for j in weights)


def _hull_candidates(pts: ExactPoints, mine: np.ndarray, hull: np.ndarray) -> np.ndarray:
    """Indices of the points ``mine`` not shown outside ``conv(hull)`` by the direction ``p − m`` (``m`` the
    hull points' centroid: ``p`` is outside when ``(p − m)·p > max (p − m)·x``), deepest first."""
    P, H = pts.scaled[:, mine], pts.scaled[:, hull]
    D = P - H.mean(axis=1, keepdims=True)
    excess = np.empty(P.shape[1])
    for start in range(0, P.shape[1], 256):  # blocks bound the memory of the |mine| x |hull| products
        block = D[:, start:start + 256]
        excess[start:start + 256] = np.sum(block * P[:, start:start + 256], axis=0) - np.max(block.T @ H, axis=1)
    scale = np.maximum(np.sum(D * D, axis=0), 1e-300)
    keep = np.flatnonzero(excess <= 1e-9 * np.sqrt(scale))
    return np.flatnonzero(mine)[keep[np.argsort(excess[keep] / scale[keep], kind="stable")]]


def hull_point(data: ClusterData, cluster: int, kept) -> ConvexCombination | None:
    """A point of ``cluster`` in the convex hull of the points of the clusters ``kept``, with its exact
    convex weights; ``None`` when none is found (proved when the cluster is cut off from them; else up to
    :data:`HULL_CANDIDATES` points were tried).  Kept for the lifetime of ``data``, and reused by monotonicity:
    a point in the hull of a subset of ``kept`` is in theirs, and a point the LP puts outside the hull of a
    superset is not tried again."""
    k, kept = int(cluster), tuple(sorted(int(j) for j in kept))
    known, mine = _known(data, "hull", k), frozenset(kept)
    if mine in known:
        return known[mine][0]
    for labels, (found, _) in known.items():
        if found is not None and labels <= mine:
            known[mine] = (found, frozenset())
            return found
    known[mine] = (None, frozenset())
    if separate(data, k, kept).status == SEPARABLE:
        return None
    outside = frozenset().union(*(out for labels, (_, out) in known.items() if labels >= mine))
    pts = exact_points(data)
    hull = np.isin(data.labels, kept)
    hh = np.flatnonzero(hull)
    H, one = pts.scaled[:, hh], flint.fmpq(1)
    cols = np.vstack([pts.exact[:, hh], np.array([[one] * len(hh)], dtype=object)])
    tried = []
    for p in [int(p) for p in _hull_candidates(pts, data.labels == k, hull) if int(p) not in outside][:HULL_CANDIDATES]:
        res = _linprog(c=np.zeros(len(hh)), A_eq=np.vstack([H, np.ones(len(hh))]), b_eq=np.r_[pts.scaled[:, p], 1.0],
                       bounds=(0, None))
        if res.status != 0:
            tried.append(p)  # the float LP puts p outside: a hint for the subsets of kept, never a proof
            continue
        w = _exact_weights(cols, np.r_[pts.exact[:, p], one], np.maximum(res.x, 0))
        if w is not None:
            found = ConvexCombination({p: one}, {int(hh[j]): x for j, x in w.items()}, "convex_combination")
            known[mine] = (found, frozenset())
            known.setdefault(_clusters_of(data, found.right), known[mine])  # reused for every superset of those
            return found
    known[mine] = (None, frozenset(tried) | outside)
    return None
