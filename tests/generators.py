"""Data generators for the differential harness (tests/claims/test_no_false_word.py), unlike symgeom's ``example``.

Each generator takes ``Q`` and a ``numpy.random.Generator`` and returns a :class:`DataSet`: points written as
short decimals (so the exact reading is the rational the float reading rounds), cluster labels ``1..Q`` and,
optionally, targets.  Shapes made for the purpose:

- ``ill_conditioned``: means ``A m`` with one direction squeezed (a flat simplex, altitude far below its edges);
- ``nearly_degenerate``: one mean close to the affine hull of the others (altitude ``h`` of a few hundredths);
- ``thin``: clusters of radius 1e-3 .. 1e-2 about well-separated means;
- ``thick``: clusters whose radius is a sizeable fraction of the distance between means, more points;
- ``one_point``: at least one cluster of a single point;
- ``far_points``: two clusters across a narrow gap, each with one far point along it (separable by an LP
  hyperplane, not along the means' difference);
- ``oblique``: long parallel segments, separated by a narrow gap across them and displaced along them, so the
  means' difference runs nearly along the segments (separable only obliquely to it);
- ``sklearn_iris`` / ``sklearn_wine`` / ``sklearn_digits``: ``Q`` classes of scikit-learn's bundled data,
  projected to ``Q`` principal components, rounded to 2 or 3 decimals, a few points per class.

``with_random_targets`` replaces the default targets ``e_j`` with random rational ones (one decimal, linearly
independent, checked exactly).  Nothing here calls symgeom.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

__all__ = ["DataSet", "GENERATORS", "with_random_targets", "dataset_plan"]


@dataclass(frozen=True)
class DataSet:
    """One data set: ``points`` (``N`` rows of ``Q`` decimal strings), ``labels`` (``1..Q``), ``targets``
    (``Q`` rows of ``Q`` decimal strings, row ``j`` is ``y_j``; ``None``: ``y_j = e_j``) and the depth ``L``."""

    name: str
    Q: int
    points: tuple
    labels: tuple
    targets: tuple | None = None
    L: int = 1
    strata: bool = True
    """Whether the N-claims (every stratum, ``2^Q − 1`` of them) run on this data set, or only T1–G4."""

    def csv(self) -> str:
        """The data as ``symgeom check --data`` reads them."""
        head = ",".join(f"x{c + 1}" for c in range(self.Q)) + ",cluster\n"
        return head + "".join(",".join(p) + f",{j}\n" for p, j in zip(self.points, self.labels))

    def targets_csv(self) -> str | None:
        if self.targets is None:
            return None
        return ",".join(f"y{c + 1}" for c in range(self.Q)) + "\n" + "".join(",".join(r) + "\n" for r in self.targets)

    def X(self) -> list:
        """``Q x N`` Fractions (column ``n`` is point ``n``)."""
        return [[Fraction(p[c]) for p in self.points] for c in range(self.Q)]

    def Y(self) -> list:
        """``Q x Q`` Fractions, column ``j`` is ``y_j``."""
        if self.targets is None:
            return [[Fraction(int(r == c)) for c in range(self.Q)] for r in range(self.Q)]
        return [[Fraction(self.targets[j][r]) for j in range(self.Q)] for r in range(self.Q)]


def _dec(v: float, digits: int) -> str:
    s = f"{v:.{digits}f}"
    s = s.rstrip("0").rstrip(".") if "." in s else s
    return "0" if s in ("-0", "") else s


def _make(name, Q, pts, labels, digits) -> DataSet:
    return DataSet(name, Q, tuple(tuple(_dec(v, digits) for v in p) for p in pts), tuple(int(j) for j in labels))


def _clusters(means: np.ndarray, sizes, radius, rng) -> tuple[np.ndarray, np.ndarray]:
    """Points ``m_j + r u`` with ``u`` uniform in the unit ball, ``sizes[j]`` of them about column ``j`` of ``means``."""
    Q = means.shape[0]
    pts, labels = [], []
    for j, n in enumerate(sizes):
        u = rng.standard_normal((n, Q))
        u *= (rng.random((n, 1)) ** (1 / Q)) / np.linalg.norm(u, axis=1, keepdims=True)
        pts.append(means[:, j] + radius[j] * u if n > 1 else means[:, j][None, :])
        labels += [j + 1] * n
    return np.vstack(pts), np.array(labels)


def _simplex(Q, rng, scale=2.0) -> np.ndarray:
    """``Q x Q`` columns: ``Q`` random means of size ``scale``, a generic simplex."""
    return scale * (np.eye(Q) + 0.3 * rng.standard_normal((Q, Q)))


def ill_conditioned(Q, rng) -> DataSet:
    squeeze = rng.choice([0.04, 0.08, 0.15])
    A = np.diag([1.0] * (Q - 1) + [squeeze]) @ np.linalg.qr(rng.standard_normal((Q, Q)))[0]
    means = A @ _simplex(Q, rng, 3.0)
    r = squeeze * rng.choice([0.002, 0.01, 0.05])
    pts, lab = _clusters(means, rng.integers(1, 6, Q), [r] * Q, rng)
    return _make("ill_conditioned", Q, pts, lab, 4)


def nearly_degenerate(Q, rng) -> DataSet:
    means = _simplex(Q, rng)
    h = rng.choice([0.06, 0.12, 0.3])
    others = means[:, :-1]
    c = others.mean(axis=1)
    n = np.linalg.svd(others - c[:, None])[0][:, -1]  # normal of the others' affine hull
    means[:, -1] = c + 0.4 * (others[:, 0] - c) + h * n
    r = h * rng.choice([0.05, 0.15])
    pts, lab = _clusters(means, rng.integers(2, 6, Q), [r] * Q, rng)
    return _make("nearly_degenerate", Q, pts, lab, 4)


def thin(Q, rng) -> DataSet:
    means = _simplex(Q, rng)
    radius = list(rng.choice([1e-3, 3e-3, 1e-2], Q))
    pts, lab = _clusters(means, rng.integers(2, 6, Q), radius, rng)
    return _make("thin", Q, pts, lab, 4)


def thick(Q, rng) -> DataSet:
    means = _simplex(Q, rng)
    edge = min(np.linalg.norm(means[:, i] - means[:, j]) for i in range(Q) for j in range(i))
    radius = [edge * rng.choice([0.1, 0.2, 0.35])] * Q
    sizes = rng.integers(max(3, 10 - 2 * Q), max(4, 12 - 2 * Q), Q)
    pts, lab = _clusters(means, sizes, radius, rng)
    return _make("thick", Q, pts, lab, 2)


def one_point(Q, rng) -> DataSet:
    means = _simplex(Q, rng)
    sizes = rng.integers(2, 6, Q)
    sizes[rng.permutation(Q)[: rng.integers(1, Q + 1)]] = 1
    pts, lab = _clusters(means, sizes, [0.15] * Q, rng)
    return _make("one_point", Q, pts, lab, 3)


def oblique(Q, rng) -> DataSet:
    """Cluster ``j``: points ``m_j + t d + (j g) n`` for ``t`` in ``[-1, 1]``, ``m_j = 0.5 j d`` plus a random
    offset outside the plane of ``d, n`` (``Q ≥ 3``): the gap ``g`` across the segments separates them, the
    means' differences run nearly along ``d``."""
    a = rng.uniform(0.3, 1.2)
    d, n = np.zeros(Q), np.zeros(Q)
    d[0], d[1], n[0], n[1] = np.cos(a), np.sin(a), -np.sin(a), np.cos(a)
    g = rng.choice([0.05, 0.1, 0.2])
    pts, lab = [], []
    for j in range(Q):
        m = 0.5 * j * d + j * g * n
        if Q > 2:  # out of the plane: small for the first two clusters, one unit along axis j for the others
            m[2:] = 0.1 * rng.uniform(-1, 1, Q - 2) + (np.eye(Q)[j, 2:] if j >= 2 else 0)
        k = int(rng.integers(2, 6))
        t = np.linspace(-1, 1, k) + rng.uniform(-0.05, 0.05, k)
        for s in t:
            pts.append(m + s * d + rng.uniform(-0.2, 0.2) * g * n)
            lab.append(j + 1)
    return _make("oblique", Q, np.array(pts), np.array(lab), 3)


_SKLEARN = {}


def _sklearn(which: str):
    if which not in _SKLEARN:
        import sklearn.datasets as ds

        b = {"iris": ds.load_iris, "wine": ds.load_wine, "digits": ds.load_digits}[which]()
        _SKLEARN[which] = (np.asarray(b.data, float), np.asarray(b.target))
    return _SKLEARN[which]


def _sklearn_set(which, Q, rng) -> DataSet:
    data, target = _sklearn(which)
    classes = np.sort(rng.choice(np.unique(target), Q, replace=False))
    rows = np.isin(target, classes)
    Z = data[rows] - data[rows].mean(axis=0)
    comps = np.linalg.svd(Z, full_matrices=False)[2][:Q]
    Z = Z @ comps.T / max(1.0, np.abs(Z @ comps.T).max() / 5)  # Q principal components, extent about 5
    lab = np.searchsorted(classes, target[rows]) + 1
    per = int(rng.integers(2, max(3, 24 // Q) // 2 + 2))
    keep = np.concatenate([rng.choice(np.flatnonzero(lab == j), per, replace=False) for j in range(1, Q + 1)])
    return _make(f"sklearn_{which}", Q, Z[keep], lab[keep], int(rng.choice([2, 3])))


def sklearn_iris(Q, rng):
    return _sklearn_set("iris", Q, rng)


def sklearn_wine(Q, rng):
    return _sklearn_set("wine", Q, rng)


def sklearn_digits(Q, rng):
    return _sklearn_set("digits", Q, rng)


GENERATORS = {g.__name__: g for g in (ill_conditioned, nearly_degenerate, thin, thick, one_point, oblique,
                                      sklearn_iris, sklearn_wine, sklearn_digits)}
GENERATORS["far_points"] = None  # defined below
MAX_Q = {"sklearn_iris": 3, "sklearn_wine": 3}


def _independent(rows) -> bool:
    """Exact: the ``Q`` rows (decimal strings) are linearly independent (Fraction elimination)."""
    M = [[Fraction(v) for v in r] for r in rows]
    n = len(M)
    for c in range(n):
        p = next((r for r in range(c, n) if M[r][c] != 0), None)
        if p is None:
            return False
        M[c], M[p] = M[p], M[c]
        for r in range(c + 1, n):
            f = M[r][c] / M[c][c]
            M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    return True


def with_random_targets(ds: DataSet, rng) -> DataSet:
    """``ds`` with random targets: entries in ``[-2, 2]`` with one decimal, linearly independent."""
    while True:
        rows = tuple(tuple(_dec(v, 1) for v in rng.uniform(-2, 2, ds.Q)) for _ in range(ds.Q))
        if _independent(rows):
            return DataSet(ds.name + "+targets", ds.Q, ds.points, ds.labels, rows, ds.L, ds.strata)


def dataset_plan(plan: dict, seed: int = 19) -> list[DataSet]:
    """Data sets by ``{Q: (how many, how many with the N-claims, largest L of those)}``: generators in turn, every
    third with random targets; ``L`` drawn from ``1..max L`` for the ones with N-claims (which come first), ``Q``
    for the others (one in four ``Q + 1``: they run T1–G4 only, and the G-claims need ``L ≥ Q``).  Data that symgeom's reader would refuse for a reason of its own (a point in two clusters, affinely
    dependent means) are skipped by an exact test here."""
    out = []
    rng = np.random.default_rng(seed)
    names = list(GENERATORS)
    for Q, (count, with_strata, strata_L) in sorted(plan.items()):
        made, i = 0, 0
        while made < count:
            name = names[i % len(names)]
            i += 1
            if Q > MAX_Q.get(name, 99):
                continue
            ds = GENERATORS[name](Q, rng)
            if not _valid(ds):
                continue
            strata = made < with_strata
            L = int(rng.integers(1, min(strata_L, Q + 1) + 1)) if strata else Q + int(made % 4 == 0)
            ds = DataSet(ds.name, Q, ds.points, ds.labels, None, L, strata)
            if made % 3 == 2:
                ds = with_random_targets(ds, rng)
            out.append(ds)
            made += 1
    return out


def _valid(ds: DataSet) -> bool:
    """Means affinely independent (exact), no point shared by two clusters, every cluster non-empty."""
    Q = ds.Q
    if sorted(set(ds.labels)) != list(range(1, Q + 1)):
        return False
    owner = {}
    for p, j in zip(ds.points, ds.labels):
        key = tuple(Fraction(v) for v in p)
        if owner.setdefault(key, j) != j:
            return False
    X = ds.X()
    means = []
    for j in range(1, Q + 1):
        idx = [n for n, l in enumerate(ds.labels) if l == j]
        means.append([sum(X[c][n] for n in idx) / len(idx) for c in range(Q)])
    edges = [[str(means[j][c] - means[0][c]) for c in range(Q)] for j in range(1, Q)]
    if Q == 1:
        return True
    # Q - 1 edges of rank Q - 1: pad with each unit vector in turn and look for an independent completion
    return any(_independent(edges + [tuple(str(int(c == e)) for c in range(Q))]) for e in range(Q))


def far_points(Q, rng) -> DataSet:
    """Two clusters on either side of a narrow gap ``|x_2| < g`` (separable by ``x_2 = 0``); the second also has one
    to three far points up and out along an oblique direction, which pull the means' difference and the
    least-squares discriminant off every separating direction.  Further clusters (``Q ≥ 3``) sit three units out
    along their own axis."""
    g, far, angle = 0.05, rng.uniform(2, 10), rng.uniform(0, np.pi)
    n1, n2, nf = int(rng.integers(3, 7)), int(rng.integers(3, 7)), int(rng.integers(1, 4))
    below = np.c_[rng.uniform(-1, 1, n1), -rng.uniform(g, 0.3, n1)]
    above = np.c_[rng.uniform(-1, 1, n2), rng.uniform(g, 0.3, n2)]
    out = np.c_[far * np.cos(angle) + rng.uniform(-0.2, 0.2, nf), 0.3 * far * np.sin(angle) + g + rng.uniform(0, 0.3, nf)]
    plane = np.vstack([below, above, out])
    pts = [list(p) + [0.0] * (Q - 2) for p in plane]
    lab = [1] * n1 + [2] * (n2 + nf)
    for j in range(3, Q + 1):
        m = np.zeros(Q)
        m[j - 1] = 3.0
        for _ in range(int(rng.integers(1, 4))):
            pts.append(m + rng.uniform(-0.1, 0.1, Q))
            lab.append(j)
    return _make("far_points", Q, np.array(pts), np.array(lab), 3)


GENERATORS["far_points"] = far_points
