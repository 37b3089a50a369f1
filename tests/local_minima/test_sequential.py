"""G1 on sequentially separable data that are not sufficiently clustered: the construction from the peeling
order's hyperplanes has cost exactly 0, checked by an independent forward pass in Python ``Fraction``s."""

from fractions import Fraction

import numpy as np
import pytest

from symgeom import ConstructionError
from symgeom.data.clusters import ClusterData
from symgeom.data.separability import NoCollapseOrder
from symgeom.global_minima.criterion import clustering_criterion
from symgeom.global_minima.minimizer import global_minimizer
from symgeom.local_minima.sequential import certify_sequential, peeling_order, sequential_minimizer


def _fractions(params):
    """The parameters as lists of ``Fraction``s (rows of ``W_ℓ``, and ``b_ℓ``)."""
    Ws = [[[Fraction(str(v)) for v in row] for row in np.asarray(W, dtype=object)] for W in params.weights]
    bs = [[Fraction(str(v)) for v in b] for b in params.biases]
    return Ws, bs


def _fraction_pass(Ws, bs, x):
    """``(output, hidden pre-activations)`` of one point, written out here independently of symgeom."""
    pre = []
    for W, b in zip(Ws[:-1], bs[:-1]):
        pre.append([sum(w * v for w, v in zip(row, x)) + c for row, c in zip(W, b)])
        x = [max(u, Fraction(0)) for u in pre[-1]]
    return [sum(w * v for w, v in zip(row, x)) + c for row, c in zip(Ws[-1], bs[-1])], pre


def _assert_zero_cost_and_signs(data, theta, collapse):
    """Every output equals its cluster's target, and each point is < 0 in every coordinate of its cluster's
    collapsing layer (``collapse``, stated by the test) and > 0 in every other hidden pre-activation."""
    Ws, bs = _fractions(theta.params)
    points = [[Fraction(str(v)) for v in data.X[:, n]] for n in range(data.N)]
    targets = [[Fraction(str(v)) for v in data.Y[:, k]] for k in range(data.Q)]
    for x, k in zip(points, data.labels.tolist()):
        out, pre = _fraction_pass(Ws, bs, x)
        assert out == targets[k - 1]
        for layer, values in enumerate(pre, start=1):
            if collapse.get(k) == layer:
                assert max(values) < 0
            else:
                assert min(values) > 0


def _line_data():
    """Q = 3: clusters around 0, 4 and 8 on the x1-axis (x1 noise up to 1, other coordinates up to 0.3). The
    means are nearly collinear: not sufficiently clustered, yet x1 < 2.5 and x1 < 6.5 peel them in order."""
    rng = np.random.default_rng(0)
    pts = [[Fraction(4 * (j - 1)) + Fraction(int(rng.integers(-100, 100)), 100),
            Fraction(int(rng.integers(-30, 30)), 100), Fraction(int(rng.integers(-30, 30)), 100)]
           for j in (1, 2, 3) for _ in range(5)]
    return ClusterData.from_arrays(pts, [j for j in (1, 2, 3) for _ in range(5)])


def _oblique_data():
    """Q = 2: two long parallel clusters along (1, 1), apart along (1, -1): rho is large (each cluster's spread
    along (1, 1) is far beyond the distance of the means), the hyperplane x1 - x2 = 0 parts them."""
    pts = [[Fraction(t) + Fraction(1), Fraction(t)] for t in range(-6, 7, 2)]
    pts += [[Fraction(t), Fraction(t) + Fraction(1)] for t in range(-5, 8, 2)]
    return ClusterData.from_arrays(pts, [1] * 7 + [2] * 7)


@pytest.mark.parametrize("make", [_line_data, _oblique_data], ids=["three on a line", "oblique"])
def test_zero_cost_beyond_sufficiently_clustered(make):
    data = make()
    assert not clustering_criterion(data).holds
    order = peeling_order(data)
    assert sorted(order) == list(range(1, data.Q + 1))
    for L in (data.Q - 1, data.Q, data.Q + 2):
        if L < 1:
            continue
        theta = sequential_minimizer(data, L)
        expected = {k: i for i, k in enumerate(order, start=1) if i < data.Q or L >= data.Q}
        assert theta.collapse == expected
        _assert_zero_cost_and_signs(data, theta, expected)
        check = certify_sequential(theta)
        assert check.status == "certified" and check.method.startswith(f"sequentially separable, order {order}")


def test_the_cone_construction_fails_on_the_line_data():
    with pytest.raises(ConstructionError):
        global_minimizer(_line_data(), 3)


def test_crossing_clusters_are_not_sequentially_separable():
    """Q = 2: the diagonal (0, 0)-(2, 2) crosses the segment (0, 2)-(2, 0) at (1, 1) (cluster 2 also holds (3, 3), so
    that the means differ): no hyperplane parts the clusters, either way."""
    pts = [[Fraction(a), Fraction(b)] for a, b in [(0, 0), (2, 2), (0, 2), (2, 0), (3, 3)]]
    data = ClusterData.from_arrays(pts, [1, 1, 2, 2, 2])
    with pytest.raises(NoCollapseOrder) as err:
        sequential_minimizer(data, 2)
    assert err.value.proved
    for sep in err.value.obstructions:  # the Farkas certificate, checked here: both sides' combinations agree
        comb = sep.combination
        left = sum(Fraction(str(w)) * np.array([Fraction(str(v)) for v in data.X[:, i]]) for i, w in comb.left.items())
        right = sum(Fraction(str(w)) * np.array([Fraction(str(v)) for v in data.X[:, j]]) for j, w in comb.right.items())
        assert list(left) == list(right)
        assert sum(Fraction(str(w)) for w in comb.left.values()) == 1 == sum(Fraction(str(w)) for w in comb.right.values())


def test_too_few_layers_are_refused_before_any_work():
    with pytest.raises(ConstructionError, match="L >= Q - 1"):
        sequential_minimizer(_line_data(), 1)


def _digits(classes, Q):
    """scikit-learn's digits of ``classes`` (labels 1, 2, ... in that order), centred, projected to ``Q`` principal
    components, scaled to [-10, 10] and rounded to two decimals."""
    sklearn = pytest.importorskip("sklearn.datasets")
    ds = sklearn.load_digits()
    keep = np.isin(ds.target, classes)
    X = ds.data[keep].astype(float)
    X -= X.mean(axis=0)
    Z = X @ np.linalg.svd(X, full_matrices=False)[2][:Q].T
    Z = np.round(Z / np.abs(Z).max() * 10, 2)
    labels = np.searchsorted(np.array(classes), ds.target[keep]) + 1
    return ClusterData.from_arrays([[Fraction(str(v)) for v in row] for row in Z], labels)


@pytest.mark.parametrize("classes, L", [((0, 1), 1), ((0, 1), 2), ((0, 1), 3), ((0, 6, 7), 2), ((0, 6, 7), 3)])
def test_zero_cost_on_real_data(classes, L):
    """Digits 0/1 in 2 PCs (N = 360) and 0/6/7 in 3 PCs (N = 538): neither sufficiently clustered; the second
    peels in the order (3, 1, 2) (7s first), found by the LP."""
    Q = len(classes)
    data = _digits(list(classes), Q)
    assert not clustering_criterion(data).holds
    theta = sequential_minimizer(data, L)
    expected = {k: i for i, k in enumerate(theta.order, start=1) if i < Q or L >= Q}
    _assert_zero_cost_and_signs(data, theta, expected)


def test_g1_is_certified_with_its_hypothesis_named():
    from symgeom.claims.registry import Context, run_claims

    ctx = Context(_line_data(), 3)
    (g1,) = run_claims(ctx, only="G1")
    assert g1.main.status == "certified" and "sequentially separable, order (1, 2, 3)" in g1.main.method
    assert any(step.check.status == "not_applicable" and "cone construction" in step.check.method for step in g1.steps)


def test_a_stratum_deeper_than_the_network_names_why_no_point_reaches_its_bound():
    """|S| = 2 > L = 1 on the embedded data: the verdict is not_reached, and the reason states the pigeonhole
    proof that C > B_U on all of R_S."""
    from symgeom.data.embedded import default_data
    from symgeom.local_minima.settling import settle_strata

    deep = [st for st in settle_strata(default_data(), 1) if len(st.truncated) == 2]
    assert len(deep) == 3
    for st in deep:
        assert st.verdict == "not_reached" and "no point of R_S has cost B_U" in st.reason and "C > B_U" in st.reason


def test_g2_g3_run_on_the_sequential_point_where_every_cluster_collapses():
    """Line data, L = Q = 3: the output fiber (G2) over the clusters' images, and rank J_F = Q^2 (G3), certified;
    G4's blocks belong to the cone construction: not applicable, saying so.  L = Q - 1: the last cluster is not
    collapsed, so G2 and G3 are not applicable either, and say why."""
    from symgeom.calculus.derivatives import cluster_jacobian
    from symgeom.claims.registry import Context, run_claims
    import sympy as sp

    data = _line_data()
    by_id = {d.id: d for d in run_claims(Context(data, 3))}
    assert by_id["G1"].status == by_id["G2"].status == by_id["G3"].status == "certified"
    assert by_id["G4"].status == "not_applicable" and "sequential construction" in by_id["G4"].main.detail
    JF = cluster_jacobian(sequential_minimizer(data, 3).params, data)  # its rank, by SymPy here
    assert sp.Matrix([[sp.Rational(str(v)) for v in row] for row in JF]).rank() == 9
    shallow = {d.id: d for d in run_claims(Context(data, 2))}
    assert shallow["G1"].status == "certified"
    for cid in ("G2", "G3", "G4"):
        assert shallow[cid].status == "not_applicable" and "L >= Q" in shallow[cid].main.detail


def test_one_cluster_is_fitted_by_a_constant():
    """Q = 1: nothing to peel; the point keeps the cluster active (no collapse) and maps it to its target."""
    data = ClusterData.from_arrays([[Fraction(1)], [Fraction(3)]], [1, 1], [[Fraction(2)]])
    theta = sequential_minimizer(data, 2)
    assert theta.order == (1,) and theta.collapse == {}
    _assert_zero_cost_and_signs(data, theta, {})
    assert certify_sequential(theta).status == "certified"


def test_construct_writes_the_sequential_minimizer_when_the_cones_do_not_apply(tmp_path, capsys):
    """``construct`` at ``L = Q`` on the line data (not sufficiently clustered): the file holds the peeling
    construction's weights, whose cost the independent ``Fraction`` pass finds to be 0 on every point; in float
    mode it refuses, naming both constructions."""
    import json

    from symgeom.cli import main
    from symgeom.model.parameter_files import load_parameters

    data = _line_data()
    csv = tmp_path / "line.csv"
    csv.write_text("x1,x2,x3,cluster\n" + "".join(
        ",".join(str(v) for v in data.X[:, n]) + f",{k}\n" for n, k in enumerate(data.labels.tolist())))
    out = tmp_path / "g1.json"
    assert main(["construct", "--data", str(csv), "--out", str(out)]) == 0
    written = json.loads(out.read_text())
    assert "sequentially separable, order (1, 2, 3)" in written["claim"] and written["cost"] == "0"
    theta = load_parameters(out)
    _assert_zero_cost_and_signs(data, type("P", (), {"params": theta}), {1: 1, 2: 2, 3: 3})
    assert main(["construct", "--data", str(csv), "--float", "--out", str(tmp_path / "f.json")]) == 2
    err = capsys.readouterr().err
    assert "sufficiently clustered" in err and "sequential construction" in err
