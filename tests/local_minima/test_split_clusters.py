"""Clusters split across activation patterns (N5): one point collapsed alone, the rest fitted.

Expected values come from the referee (``independent``: Fractions, its own least squares, forward pass and cost): the
bound ``B_{−n}`` as the weighted least-squares residual of the other points with the data's own weights, the point's
region and cost from the referee's forward pass; local minimality corroborated by random perturbations in float64.
Data: the differential harness's generators (random targets among them), scikit-learn's iris, hand-made cases.
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

import independent as ind
from generators import dataset_plan
from symgeom.calculus.cost import Cost
from symgeom.certify.certificates import CERTIFIED
from symgeom.cli import main
from symgeom.data.clusters import ClusterData
from symgeom.data.embedded import default_data
from symgeom.local_minima import families
from symgeom.local_minima.families import split_clusters
from symgeom.local_minima.verdicts import Verdict

COSTS = (Cost.MEAN_SQUARED, Cost.PAPER)


def data_of(ds) -> ClusterData:
    targets = None if ds.targets is None else [[Fraction(v) for v in row] for row in ds.targets]
    return ClusterData.from_arrays([list(p) for p in ds.points], list(ds.labels), targets)


def plan():
    return dataset_plan({2: (3, 3, 2), 3: (4, 4, 3)}, seed=47)


def referee_without(X, labels, Y, n: int, paper: bool) -> Fraction:
    """``Σ_{m ≠ n} w_m |r_m|²``: the referee's weighted least squares of every point but ``n``, with the weights of the
    whole data (``1/2N`` or ``1/N_j``, ``N``, ``N_j`` counting ``n``)."""
    w = ind.point_weights(labels, paper)
    keep = [m for m in range(len(labels)) if m != n]
    Xk = [[row[m] for m in keep] for row in X]
    lk = [labels[m] for m in keep]
    wk = np.array([w[m] for m in keep], dtype=object)
    _, R = ind.least_squares(Xk, lk, Y, range(1, len(Y) + 1), wk)
    return sum((R * R).sum(axis=0) * wk, Fraction(0))


@pytest.mark.parametrize("cost", COSTS, ids=lambda c: c.value)
def test_the_point_is_in_its_region_at_the_referees_bound(cost):
    """For every settled split: the referee's forward pass puts row ``n`` dead in layer 1 and every other point active
    in every layer; its cost is the referee's ``B_{−n}``, at most N1's value (the referee's full least squares)."""
    checked = 0
    for ds in plan():
        data, X, Y, labels = data_of(ds), ds.X(), ds.Y(), list(ds.labels)
        full = ind.stratum_bound(X, labels, Y, range(1, ds.Q + 1), cost is Cost.PAPER)
        for s in split_clusters(data, ds.L, cost):
            if s.verdict != Verdict.LOCAL_MINIMUM:
                continue
            Ws = [ind.fmat(W) for W in s.params.weights]
            bs = [ind.fmat(b) for b in s.params.biases]
            pre, _ = ind.forward(Ws, bs, X)
            others = [m for m in range(len(labels)) if m != s.row]
            assert (pre[0][:, s.row] < 0).all(), (ds.name, s.row)
            assert all((u[:, others] > 0).all() for u in pre), (ds.name, s.row)
            expected = referee_without(X, labels, Y, s.row, cost is Cost.PAPER)
            assert ind.fr(s.bound) == expected
            assert ind.cost(Ws, bs, X, labels, Y, cost is Cost.PAPER) == expected
            assert expected <= full and ind.fr(s.full) == full
            assert labels[s.row] == s.cluster and s.certificate.status == CERTIFIED
            checked += 1
    assert checked >= 8


def test_perturbations_never_go_below_the_bound():
    """Random perturbations of the point (float64, sizes 1e-4 and 1e-6) stay in the region and at or above ``B_{−n}``."""
    data = default_data()
    rng = np.random.default_rng(3)
    for s in split_clusters(data, 2):
        theta = np.concatenate([np.asarray(a, dtype=float).ravel() for pair in zip(s.params.weights, s.params.biases)
                                for a in pair])
        bound = float(s.bound)
        X = np.asarray(data.X, dtype=float)
        for size in (1e-4, 1e-6):
            for _ in range(20):
                p = theta + size * rng.standard_normal(theta.size)
                Ws, bs, i = [], [], 0
                for W in s.params.weights:
                    Ws.append(p[i:i + W.size].reshape(W.shape))
                    i += W.size
                    bs.append(p[i:i + data.Q])
                    i += data.Q
                x = X
                for W, b in zip(Ws[:-1], bs[:-1]):
                    x = np.maximum(W @ x + b[:, None], 0)
                out = Ws[-1] @ x + bs[-1][:, None]
                r = out - np.asarray(data.targets_ext, dtype=float)
                value = float((r * r).sum()) / (2 * data.N)
                assert value >= bound - 1e-12


def test_scikit_learn_iris_projected():
    sklearn = pytest.importorskip("sklearn.datasets")
    iris = sklearn.load_iris()
    X = iris.data - iris.data.mean(axis=0)
    V = np.linalg.svd(X, full_matrices=False)[2][:3]
    pts = np.round(X @ V.T, 2)
    labels = list(iris.target + 1)
    data = ClusterData.from_arrays([[str(v) for v in p] for p in pts], labels, None)
    Xf = [[Fraction(str(v)) for v in pts[:, i]] for i in range(3)]
    Y = [[Fraction(int(i == j)) for j in range(3)] for i in range(3)]
    splits = split_clusters(data, 2)
    assert len(splits) == 3
    for s in splits:
        assert s.verdict == Verdict.LOCAL_MINIMUM
        assert ind.fr(s.bound) == referee_without(Xf, labels, Y, s.row, False)


def test_no_split_of_a_one_point_cluster_and_none_when_no_point_is_cut_off():
    """A one-point cluster has nothing to split (its collapse is the stratum ``S = {k}``); a cluster whose points all
    lie inside the hull of the others' has no point cut off: ``not_reached``, never a refutation."""
    single = ClusterData.from_arrays([[0, 0], [1, 0], [0, 1], [3, 3]], [1, 1, 1, 2], None)
    assert [s.cluster for s in split_clusters(single, 1)] == [1]
    inner = ClusterData.from_arrays([[0, 0], [4, 0], [0, 4], [4, 4], ["1.5", "2.5"], ["2.5", "2.5"]], [1, 1, 1, 1, 2, 2], None)
    by_cluster = {s.cluster: s for s in split_clusters(inner, 1)}
    assert by_cluster[2].verdict == Verdict.NOT_REACHED and by_cluster[2].bound is None
    assert by_cluster[1].verdict == Verdict.LOCAL_MINIMUM


def test_a_wrong_point_is_not_certified(monkeypatch):
    """The output bias moved: the exact cost leaves the bound and the split is not certified."""
    original = families.split_point

    def moved(*args, **kw):
        theta = original(*args, **kw)
        theta.biases[-1][0] = theta.biases[-1][0] + 1
        return theta

    monkeypatch.setattr(families, "split_point", moved)
    assert all(s.verdict == Verdict.UNDECIDED for s in split_clusters(default_data(), 2))


def test_check_json_lists_the_splits(capsys):
    assert main(["check", "--json", "--only", "N5"]) == 0
    out = json.loads(capsys.readouterr().out)
    splits = out["split_minima"]
    assert [s["cluster"] for s in splits] == [1, 2, 3]
    assert out["split_counts"]["local_minima"] == 3
    for s in splits:
        assert Fraction(s["bound"]) <= Fraction(s["no_truncation"])


@pytest.mark.parametrize("exponent", [160, 300, -300])
def test_any_magnitude_settles_exactly(exponent):
    """Points of size ``10^e``: the float proposals run on unit-scaled copies (no overflow, no LAPACK on infinities)
    and the exact certificate decides; the bound is the referee's."""
    s = Fraction(10) ** exponent
    pts = [[0, 0], [s, 0], [0, s], [2 * s, s], [s, 3 * s]]
    labels = [1, 1, 2, 2, 2]
    data = ClusterData.from_arrays(pts, labels, None)
    X = [[p[i] for p in pts] for i in range(2)]
    Y = [[Fraction(int(i == j)) for j in range(2)] for i in range(2)]
    splits = split_clusters(data, 2)
    assert [s_.verdict for s_ in splits] == [Verdict.LOCAL_MINIMUM] * 2
    for sp in splits:
        assert ind.fr(sp.bound) == referee_without(X, labels, Y, sp.row, False)
