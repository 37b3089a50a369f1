"""Separability by LP and the verdicts it decides (local_minimum, empty, not_reached), every certificate
re-checked here with Python ``Fraction``s, independently of symgeom's exact arithmetic."""

import json
from fractions import Fraction

import numpy as np
import pytest

from symgeom.cli import main
from symgeom.data.clusters import ClusterData
from symgeom.data.files import csv_text
from symgeom.local_minima.settling import EMPTY, LOCAL_MINIMUM, NOT_REACHED, counts_text, settle_strata, strata_counts
from symgeom.local_minima.locate import GLOBAL_MINIMUM, locate
from symgeom.model.network import Parameters
from symgeom.data.separability import INSEPARABLE, SEPARABLE, separate

from test_local_minima import fraction_cost, fraction_forward, fraction_parameters, plain_least_squares_cost


# -- independent checkers (Fractions only) -------------------------------------------------
def fraction_points(data):
    """Row ``n`` (0-based) of the data as Fractions."""
    return [[Fraction(str(v)) for v in data.X[:, n]] for n in range(data.N)]


def dot(a, x):
    return sum((Fraction(u) * v for u, v in zip(a, x)), Fraction(0))


def assert_hyperplane(cert, pts, labels, cluster, others):
    """``a·x − β < 0`` at every point of ``cluster``, ``> 0`` at every point of ``others``."""
    a, beta = [Fraction(v) for v in cert["normal"]], Fraction(cert["offset"])
    for x, j in zip(pts, labels):
        if j == cluster:
            assert dot(a, x) - beta < 0
        elif j in others:
            assert dot(a, x) - beta > 0


def combination(weights, pts):
    """``Σ w_row x_row`` and ``Σ w_row`` from 1-based rows, every weight checked ``>= 0``."""
    ws = {int(r): Fraction(w) for r, w in weights.items()}
    assert all(w >= 0 for w in ws.values())
    Q = len(pts[0])
    return [sum((w * pts[r - 1][i] for r, w in ws.items()), Fraction(0)) for i in range(Q)], sum(ws.values())


def assert_farkas(cert, pts, labels, cluster, others, inside=None):
    """A convex combination of ``cluster``'s points (or of the points of the clusters ``inside``) equals one of
    ``others``' points."""
    inside = {cluster} if inside is None else inside
    assert all(labels[int(r) - 1] in inside for r in cert["cluster_weights"])
    assert all(labels[int(r) - 1] in others for r in cert["other_weights"])
    left, sl = combination(cert["cluster_weights"], pts)
    right, sr = combination(cert["other_weights"], pts)
    assert sl == sr == 1 and left == right


def assert_convex_combination(cert, pts, labels, kept, truncated):
    """Data row ``point`` (of a truncated cluster) is a convex combination of rows of kept clusters."""
    assert cert["kind"] == "convex_combination"
    assert labels[cert["point"] - 1] in truncated
    assert all(labels[int(r) - 1] in kept for r in cert["weights"])
    x, total = combination(cert["weights"], pts)
    assert total == 1 and x == pts[cert["point"] - 1]


def assert_stratum(st, data):
    """Every verdict's certificate, independently: the constructed point (Fraction forward pass: the kept points
    strictly active, each truncated point dead in some layer, cost = the numpy least-squares bound), the convex
    combination of an empty stratum, the Farkas certificates of a stratum not reached."""
    pts, labels = fraction_points(data), [int(j) for j in data.labels]
    cert = json.loads(json.dumps(st.as_json()))["certificate"]
    if st.verdict == LOCAL_MINIMUM:
        pre, outs = fraction_forward(*fraction_parameters(st.minimizer.params), pts)
        for n, j in enumerate(labels):
            if j in st.kept:
                assert all(v > 0 for layer in pre[n] for v in layer)
            else:
                assert any(all(v < 0 for v in layer) for layer in pre[n])  # point by point: in some layer
        assert float(fraction_cost(outs, data)) == pytest.approx(plain_least_squares_cost(data, st.kept), rel=1e-9, abs=1e-12)
    elif st.verdict == EMPTY:
        if cert["kind"] == "farkas":  # one hidden layer: the truncated points' hull meets the kept points' hull
            assert st.L == 1
            assert_farkas(cert, pts, labels, None, set(st.kept), inside=set(st.truncated))
        else:
            assert_convex_combination(cert, pts, labels, st.kept, st.truncated)
        assert st.certificate.status == "not_applicable"
    else:
        assert st.verdict == NOT_REACHED and st.certificate.status in ("undecided", "not_applicable")
        for ob in cert.get("obstructions", []):
            assert ob["status"] == INSEPARABLE
            assert_farkas(ob["certificate"], pts, labels, ob["cluster"], set(ob["others"]))


def exact(points, labels, targets=None):
    return ClusterData.from_arrays([[Fraction(str(v)) for v in p] for p in points], labels, targets)


# -- hand-made cases ---------------------------------------------------------------------------
OBLIQUE = ([[5, -7], [-7, -2], [-8, -2], [0, 3], [1, -1], [-5, 2]], [1, 1, 2, 2, 2, 2])
"""Issue 19's problem 3: separable by a hyperplane, but neither along the normal ``m_2 − m_1`` nor along the
least-squares discriminant."""


def test_the_oblique_case_is_separable_only_obliquely():
    """The premise, by numpy and Fractions: both closed-form directions overlap; the LP's hyperplane separates."""
    data = exact(*OBLIQUE)
    X, lab = np.array(OBLIQUE[0], float), np.array(OBLIQUE[1])
    m1, m2 = X[lab == 1].mean(0), X[lab == 2].mean(0)
    for k, sign in ((1, 1), (2, -1)):
        v = X @ (sign * (m2 - m1))
        assert v[lab == k].max() >= v[lab != k].min()  # the normal from m_k towards m_j does not separate
        pm = np.where(lab == k, -1.0, 1.0)
        w = np.linalg.lstsq(np.c_[X, np.ones(len(X))], pm, rcond=None)[0][:2]
        u = X @ w
        assert u[lab == k].max() >= u[lab != k].min()  # nor the least-squares discriminant
        sep = separate(data, k, (3 - k,))
        assert sep.status == SEPARABLE
        assert_hyperplane(sep.hyperplane.as_json(), fraction_points(data), OBLIQUE[1], k, {3 - k})


def test_oblique_strata_are_certified_local_minima_and_construct_builds_them(tmp_path, capsys):
    data = exact(*OBLIQUE)
    st = settle_strata(data, 1)
    assert [s.verdict for s in st] == [LOCAL_MINIMUM] * 3
    for s in st:
        assert_stratum(s, data)
    path = tmp_path / "oblique.csv"
    path.write_text(csv_text(data))
    assert main(["check", "--data", str(path), "--L", "1", "--only", "N2", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["claims"][0]["status"] == "certified" and out["strata_counts"] == {"local_minima": 3, "empty": 0,
                                                                                     "not_reached": 0}
    theta = tmp_path / "theta.json"
    assert main(["construct", "--data", str(path), "--L", "1", "--out", str(theta)]) == 0
    written = json.loads(theta.read_text())
    params = Parameters.from_lists(written["weights"], written["biases"])
    _, outs = fraction_forward(*fraction_parameters(params), fraction_points(data))
    assert fraction_cost(outs, data) == 0  # zero cost with one truncation (L = 1 = Q - 1)
    assert locate(params, data).verdict == GLOBAL_MINIMUM


def test_a_point_at_a_kept_clusters_mean_empties_the_stratum():
    """Row 1 = (0, 0) is the mean of cluster 2 (a diamond): S = {1} is empty for every L."""
    data = exact([[0, 0], [5, 5], [6, 5], [-1, 0], [1, 0], [0, 1], [0, -1]], [1, 1, 1, 2, 2, 2, 2])
    for L in (1, 2):
        st = settle_strata(data, L)
        assert st[1].truncated == (1,) and st[1].verdict == EMPTY
        assert st[1].as_json()["certificate"]["point"] == 1
        for s in st:
            assert_stratum(s, data)


def test_two_touching_clusters():
    """(1, 0) of cluster 2 is the midpoint of cluster 1's segment: neither cluster is cut off; S = {2} is empty
    (that point lies in cluster 1's hull), S = {1} is not reached, with the Farkas certificate ½(0,0) + ½(2,0)
    = (1,0)."""
    data = exact([[0, 0], [2, 0], [1, 0], [1, 2], [3, 3]], [1, 1, 2, 2, 2])
    assert separate(data, 1, (2,)).status == separate(data, 2, (1,)).status == INSEPARABLE
    st = settle_strata(data, 2)
    assert [s.verdict for s in st] == [LOCAL_MINIMUM, NOT_REACHED, EMPTY]
    assert "cannot reach this stratum" in st[1].reason and "may still reach B_U" in st[1].reason
    ob = st[1].as_json()["certificate"]["obstructions"][0]
    assert ob["certificate"]["other_weights"] == {"3": "1"}
    for s in st:
        assert_stratum(s, data)
    assert counts_text(st) == "1 local minimum, 1 stratum empty, 1 not reached"


def test_a_cluster_collapsed_over_two_layers_is_in_its_stratum():
    """Issue 19's problem 4: cluster 1's point (-2, -2) dies in layer 1, (1, -5) in layer 2; cluster 2 (on the
    line x1 + x2 = 6) stays strictly active; the output sends both to their targets: cost 0, in R_{1}."""
    data = exact([[-2, -2], [1, -5], [3, 3], [4, 2], [2, 4]], [1, 1, 2, 2, 2])
    params = Parameters.from_lists([[[1, 0], [0, 1]], [[1, 1], [1, 1]], [["-1/8", "-1/8"], ["1/8", "1/8"]]],
                                   [[0, 0], [-2, -2], [1, 0]])
    pre, outs = fraction_forward(*fraction_parameters(params), fraction_points(data))
    assert all(v < 0 for v in pre[0][0]) and not all(v < 0 for v in pre[1][0]) and all(v < 0 for v in pre[1][1])
    assert fraction_cost(outs, data) == 0
    where = locate(params, data)
    assert where.verdict == GLOBAL_MINIMUM and where.in_stratum and where.truncated == (1,) and where.kept == (2,)
    assert where.clusters[0].deaths == ((1, 1), (2, 1)) and "point by point" in where.clusters[0].describe()
    assert where.as_json()["clusters"][0]["deaths"] == {"1": 1, "2": 1}
    assert where.check().status == "certified"


def test_random_rational_targets_keep_the_verdicts():
    """Separability does not see the targets; the bound and the construction do: certified with random targets."""
    rng = np.random.default_rng(3)
    targets = [[Fraction(int(v), 7) for v in row] for row in rng.integers(-9, 10, size=(2, 2))]
    data = exact(*OBLIQUE, targets=targets)
    st = settle_strata(data, 1)
    assert [s.verdict for s in st] == [LOCAL_MINIMUM] * 3
    for s in st:
        assert_stratum(s, data)


# -- scikit-learn's bundled data ------------------------------------------------------------------
def projected(loader, Q, decimals, classes=None):
    """A bundled data set projected to its first ``Q`` principal components and rounded (exact decimals)."""
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = getattr(datasets, loader)(return_X_y=True)
    if classes is not None:
        X, y = X[np.isin(y, classes)], y[np.isin(y, classes)]
        y = np.searchsorted(np.array(classes), y)
    Xc = X - X.mean(axis=0)
    P = np.round(Xc @ np.linalg.svd(Xc, full_matrices=False)[2][:Q].T, decimals)
    return ClusterData.from_arrays([[Fraction(str(v)) for v in row] for row in P], y + 1)


@pytest.mark.parametrize("loader, decimals, counts", [
    pytest.param("load_iris", 2, {"local_minima": 2, "empty": 4, "not_reached": 1}, marks=pytest.mark.slow),
    ("load_wine", 3, {"local_minima": 1, "empty": 6, "not_reached": 0}),
])
def test_bundled_data_every_stratum_decided_with_certificates(loader, decimals, counts):
    data = projected(loader, 3, decimals)
    st = settle_strata(data, 3)
    assert strata_counts(st) == counts
    for s in st:
        assert_stratum(s, data)
    floats = settle_strata(data.with_kind("float"), 3)
    for e, f in zip(st, floats):  # float agrees with exact, or says undecided
        assert f.verdict == e.verdict or f.certificate.status == "undecided"


@pytest.mark.slow
def test_digits_four_classes():
    data = projected("load_digits", 4, 2, classes=[0, 1, 2, 3])
    st = settle_strata(data, 4)
    assert sum(strata_counts(st).values()) == 15
    for s in st:
        assert_stratum(s, data)


def test_the_independent_checkers_reject_tampered_certificates():
    """The checkers above can fail: a Farkas weight moved, a hull weight moved, an offset pushed past a point."""
    data = exact([[0, 0], [2, 0], [1, 0], [1, 2], [3, 3]], [1, 1, 2, 2, 2])
    pts, labels = fraction_points(data), [1, 1, 2, 2, 2]
    farkas = separate(data, 1, (2,)).combination.as_json()
    assert_farkas(farkas, pts, labels, 1, {2})
    bad = {**farkas, "cluster_weights": {r: str(Fraction(w) + Fraction(1, 10) * (-1) ** i)
                                         for i, (r, w) in enumerate(farkas["cluster_weights"].items())}}
    with pytest.raises(AssertionError):
        assert_farkas(bad, pts, labels, 1, {2})
    hull = settle_strata(data, 2)[2].as_json()["certificate"]
    assert_convex_combination(hull, pts, labels, (1,), (2,))
    with pytest.raises(AssertionError):
        assert_convex_combination({**hull, "point": 4}, pts, labels, (1,), (2,))
    plane = separate(exact(*OBLIQUE), 1, (2,)).hyperplane.as_json()
    with pytest.raises(AssertionError):
        assert_hyperplane({**plane, "offset": str(Fraction(plane["offset"]) + 1)}, fraction_points(exact(*OBLIQUE)),
                          OBLIQUE[1], 1, {2})


def test_float_and_exact_separations_agree_on_bundled_data():
    """Float mode certifies on the decimal values it computes on: every question gets the exact mode's answer."""
    data = projected("load_wine", 3, 3)
    fdata = data.with_kind("float")
    for k in (1, 2, 3):
        for others in ((j,) for j in (1, 2, 3) if j != k):
            assert separate(fdata, k, others).status == separate(data, k, others).status
        both = tuple(j for j in (1, 2, 3) if j != k)
        assert separate(fdata, k, both).status == separate(data, k, both).status


def test_assert_at_stratum_minimum_refuses_a_global_minimum_outside_every_stratum():
    """Cost 0 with cluster 1 mixed: (-2, -2) dies in layer 1, (-1, 5) never dies (only its first coordinate is
    switched off); layer 2 keeps the first coordinate, so both reach (1, 1) and cluster 2 (on x1 = 3) reaches
    (4, 4): locate says global_minimum, outside every stratum; the stratum assertion refuses it."""
    from symgeom.testing import assert_at_stratum_minimum

    data = exact([[-2, -2], [-1, 5], [3, 3], [3, 5], [3, 1]], [1, 1, 2, 2, 2])
    params = Parameters.from_lists([[[1, 0], [0, 1]], [[1, 0], [1, 0]], [["-1/3", 0], ["1/3", 0]]],
                                   [[0, 0], [1, 1], ["4/3", "-1/3"]])
    pre, outs = fraction_forward(*fraction_parameters(params), fraction_points(data))
    assert fraction_cost(outs, data) == 0
    where = locate(params, data)
    assert where.verdict == GLOBAL_MINIMUM and not where.in_stratum and where.mixed == (1,)
    with pytest.raises(AssertionError, match="outside every stratum"):
        assert_at_stratum_minimum(params, data)


def test_check_screen_states_counts_and_reasons(tmp_path, capsys):
    data = exact([[0, 0], [2, 0], [1, 0], [1, 2], [3, 3]], [1, 1, 2, 2, 2])
    path = tmp_path / "touching.csv"
    path.write_text(csv_text(data))
    assert main(["check", "--data", str(path), "--L", "2", "--only", "N2", "--quiet", "--verbose"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the table wraps to the width
    assert "(1 local minimum, 1 stratum empty, 1 not reached)" in out
    assert "N2 S = {1}: not_reached: no order of S collapses" in out
    assert "N2 S = {2}: empty: data row 3 is a convex combination of rows 1, 2" in out


@pytest.mark.parametrize("points, labels, L", [
    (*OBLIQUE, 1),
    ([[0, 0], [2, 0], [1, 0], [1, 2], [3, 3]], [1, 1, 2, 2, 2], 2),
    ([[0, 0], [5, 5], [6, 5], [-1, 0], [1, 0], [0, 1], [0, -1]], [1, 1, 1, 2, 2, 2, 2], 1),
], ids=["oblique", "touching", "at-the-mean"])
def test_float_agrees_with_exact_on_the_hand_made_cases(points, labels, L):
    data = exact(points, labels)
    for e, f in zip(settle_strata(data, L), settle_strata(data.with_kind("float"), L)):
        assert f.verdict == e.verdict or f.certificate.status == "undecided"


def test_separation_beyond_the_float64_range():
    """Exact data at 10^300: the LP sees the points centred and scaled exactly, the certificate is exact."""
    big = Fraction(10) ** 300
    data = ClusterData.from_arrays([[Fraction(v) * big for v in p] for p in OBLIQUE[0]], OBLIQUE[1])
    sep = separate(data, 1, (2,))
    assert sep.status == SEPARABLE
    assert_hyperplane(sep.hyperplane.as_json(), fraction_points(data), OBLIQUE[1], 1, {2})


def test_with_one_hidden_layer_meeting_hulls_empty_the_stratum():
    """Two touching clusters (``(1, 0)`` of cluster 2 is the midpoint of cluster 1's segment): with ``L = 1`` every
    truncated point must die in the one layer while the kept points stay active there, so a row of ``W_1`` would
    separate them -- the Farkas combination (checked here in Fractions) shows none does: ``S = {1}`` is empty at
    ``L = 1``, while at ``L = 2`` it is only not reached."""
    data = exact([[0, 0], [2, 0], [1, 0], [1, 2], [3, 3]], [1, 1, 2, 2, 2])
    one, two = settle_strata(data, 1)[1], settle_strata(data, 2)[1]
    assert one.truncated == two.truncated == (1,)
    assert one.verdict == EMPTY and "for L = 1" in one.reason and two.verdict == NOT_REACHED
    cert = json.loads(json.dumps(one.as_json()))["certificate"]
    assert cert["kind"] == "farkas"
    assert_farkas(cert, fraction_points(data), [int(j) for j in data.labels], 1, {2})
