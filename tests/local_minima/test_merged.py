"""Merged strata (N3): groups collapsed together, the fewest-outputs bound of the strata with |S| > L.

Every expected value comes from the independent referee (``independent``: Fractions, its own forward pass, cost and
least squares) or from a brute force written here (every map of the truncated clusters onto ``L`` outputs, each
output at the weighted mean of its clusters), on data from the differential harness's generators, scikit-learn's
bundled sets and hand-made cases.
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest

import independent as ind
from generators import GENERATORS, dataset_plan
from symgeom.calculus.cost import Cost
from symgeom.cli import main
from symgeom.data.clusters import ClusterData
from symgeom.data.embedded import default_data
from symgeom.local_minima.families import family_partitions, merged_families, settle_merged
from symgeom.local_minima.merged import fewest_outputs, partitions
from symgeom.local_minima.settling import settle_strata
from symgeom.local_minima.strata import stratum_minimizer

COSTS = (Cost.MEAN_SQUARED, Cost.PAPER)


def data_of(ds) -> ClusterData:
    targets = None if ds.targets is None else [[Fraction(v) for v in row] for row in ds.targets]
    return ClusterData.from_arrays([list(p) for p in ds.points], list(ds.labels), targets)


def masses(labels, paper: bool) -> dict:
    """``M_k = Σ_{n ∈ k} w_n`` from the referee's point weights."""
    w = ind.point_weights(labels, paper)
    labels = np.asarray(labels)
    return {int(k): sum(w[labels == k], Fraction(0)) for k in np.unique(labels)}


def spread(groups, Y, M) -> Fraction:
    """``Σ_G Σ_{k∈G} M_k |y_k − ȳ_G|²`` in Fractions (``Y`` columns ``y_k``)."""
    Y = ind.fmat(Y)
    total = Fraction(0)
    for G in groups:
        mass = sum(M[k] for k in G)
        mean = sum((M[k] * Y[:, k - 1] for k in G), np.zeros(Y.shape[0], dtype=object) + Fraction(0)) / mass
        total += sum(M[k] * sum((Y[:, k - 1] - mean) ** 2) for k in G)
    return total


def brute_fewest(S, L, Y, M) -> Fraction:
    """``F_L(S)`` by every map ``S → {1..L}`` (each class at its weighted mean)."""
    best = None
    for assign in itertools.product(range(L), repeat=len(S)):
        groups = [[k for k, a in zip(S, assign) if a == c] for c in range(L)]
        value = spread([G for G in groups if G], Y, M)
        best = value if best is None or value < best else best
    return best


def plan():
    return [ds for ds in dataset_plan({2: (4, 4, 2), 3: (6, 6, 3)}, seed=31) if ds.strata]


def test_family_count_is_the_number_of_partitions_enumerated():
    from symgeom.local_minima.families import family_count

    for Q in range(1, 6):
        for L in range(1, Q + 1):
            assert family_count(Q, L) == len(family_partitions(Q, L))


def test_beyond_the_limit_only_fewest_outputs_groupings_are_settled():
    """``Q = 5``, ``L = 2``: more merged strata than the limit, so each settled one attains ``F_2(S)`` (brute force)."""
    from symgeom.local_minima.families import FAMILY_LIMIT, family_count

    ds = next(d for d in dataset_plan({5: (1, 1, 2)}, seed=3))
    data = data_of(ds)
    families, left = merged_families(data, 2)
    assert family_count(5, 2) > FAMILY_LIMIT and left == family_count(5, 2) - len(families) and families
    M = masses(ds.labels, False)
    for f in families:
        S = tuple(sorted(k for G in f.groups for k in G))
        assert f.least and len(S) > 2 and spread(f.groups, ds.Y(), M) == brute_fewest(S, 2, ds.Y(), M)


def test_partitions_are_every_set_partition_once():
    for n, bell in ((1, 1), (2, 2), (3, 5), (4, 15), (5, 52)):
        parts = partitions(range(1, n + 1))
        assert len(parts) == bell and len(set(parts)) == bell
        assert all(sorted(k for G in P for k in G) == list(range(1, n + 1)) for P in parts)


@pytest.mark.parametrize("ds", plan(), ids=lambda d: f"{d.name}-Q{d.Q}")
def test_fewest_outputs_is_the_brute_force_minimum(ds):
    data = data_of(ds)
    for cost, paper in zip(COSTS, (False, True)):
        M = masses(ds.labels, paper)
        for size in range(2, ds.Q + 1):
            for S in itertools.combinations(range(1, ds.Q + 1), size):
                for L in range(1, size):
                    value, groups = fewest_outputs(data, S, L, cost)
                    expected = brute_fewest(S, L, ds.Y(), M)
                    assert Fraction(str(value)) == expected > 0
                    assert len(groups) <= L and spread(groups, ds.Y(), M) == expected


@pytest.mark.parametrize("ds", plan(), ids=lambda d: f"{d.name}-Q{d.Q}")
def test_every_merged_minimum_is_certified_by_the_referee(ds):
    """Each ``local_minimum``: the referee's cost equals ``B_U`` + the groups' spread (both its own), the kept points
    are strictly active in every layer and each group is strictly inactive in one common layer; ``empty`` carries a
    convex combination the referee checks."""
    data = data_of(ds)
    X, Y = ds.X(), ds.Y()
    for cost, paper in zip(COSTS, (False, True)):
        families, _ = merged_families(data, ds.L, cost)
        assert {f.groups for f in families} <= set(family_partitions(ds.Q, ds.L))
        for f in families:
            U = f.kept
            expected = (ind.stratum_bound(X, ds.labels, Y, U, paper) if U else 0) + spread(f.groups, Y, masses(ds.labels, paper))
            assert Fraction(str(f.bound)) == expected
            if f.verdict == "local_minimum":
                Ws = [ind.fmat(W) for W in f.minimizer.params.weights]
                bs = [ind.fmat(b) for b in f.minimizer.params.biases]
                assert ind.cost(Ws, bs, X, ds.labels, Y, paper) == expected
                pre, _ = ind.forward(Ws, bs, X)
                labels = np.asarray(ds.labels)
                kept = np.isin(labels, list(U))
                assert all((u[:, kept] > 0).all() for u in pre)
                for G in f.groups:
                    mine = np.isin(labels, list(G))
                    assert any((u[:, mine] < 0).all() for u in pre), (f.label, G)
            elif f.verdict == "empty":
                point, weights = _convex_combination(f)
                assert sum(weights.values()) == 1 and all(w >= 0 for w in weights.values())
                combo = [sum(w * X[c][n] for n, w in weights.items()) for c in range(ds.Q)]
                assert combo == [X[c][point] for c in range(ds.Q)]
                assert ds.labels[point] not in U and all(ds.labels[n] in U for n in weights)


def _convex_combination(f):
    detail = f.reason
    assert "convex combination" in detail
    import re

    row = int(re.search(r"data row (\d+)", detail).group(1)) - 1
    comb = None
    from symgeom.local_minima.settling import hull_witness

    k, comb = hull_witness(f.data, tuple(k for G in f.groups for k in G), f.kept)
    assert next(iter(comb.left)) == row
    return row, {int(j): Fraction(str(w)) for j, w in comb.right.items()}


def test_the_bound_holds_at_random_points_of_the_merged_region():
    """Random perturbations of a certified merged minimum that stay in ``R_{U,P}`` never cost less (referee's cost
    and signs), while the cost does move: the bound is what holds, not a constant."""
    data = default_data()
    X, labels, Y = data.X.tolist(), data.labels.tolist(), np.eye(3, dtype=int).tolist()
    f = settle_merged(data, 3, ((1, 2),), Cost.MEAN_SQUARED)
    assert f.verdict == "local_minimum"
    base = Fraction(str(f.bound))
    rng = np.random.default_rng(5)
    moved, inside = 0, 0
    for _ in range(60):
        Ws = [ind.fmat(W) + ind.fmat(np.vectorize(lambda v: Fraction(int(v), 1000))(rng.integers(-20, 21, W.shape)))
              for W in f.minimizer.params.weights]
        bs = [ind.fmat(b) + ind.fmat(np.vectorize(lambda v: Fraction(int(v), 1000))(rng.integers(-20, 21, b.shape)))
              for b in f.minimizer.params.biases]
        pre, _ = ind.forward(Ws, bs, X)
        lab = np.asarray(labels)
        if not (all((u[:, lab == 3] > 0).all() for u in pre) and any((u[:, lab <= 2] < 0).all() for u in pre)):
            continue
        inside += 1
        c = ind.cost(Ws, bs, X, labels, Y)
        assert c >= base
        moved += c > base
    assert inside >= 20 and moved >= 20


def test_a_deep_stratum_states_its_fewest_outputs_bound_and_a_merged_stratum_reaches_it():
    """``L = 1``, ``S = {1, 2}``: no point of ``R_S`` at ``B_U``; ``B_U + F_1(S)`` is the referee's spread of the one
    group, and the merged stratum ``{{1, 2}}`` is certified at that value (the minimum on ``R_S``)."""
    data = default_data()
    Y = np.eye(3, dtype=int).tolist()
    st = next(s for s in settle_strata(data, 1, cost=Cost.MEAN_SQUARED) if s.truncated == (1, 2))
    expected = spread(((1, 2),), Y, masses(data.labels.tolist(), False))
    assert st.verdict == "not_reached" and Fraction(str(st.outputs_bound)) == Fraction(str(st.bound)) + expected
    f = settle_merged(data, 1, ((1, 2),), Cost.MEAN_SQUARED, least=True)
    assert f.verdict == "local_minimum" and Fraction(str(f.cost)) == Fraction(str(st.outputs_bound))


def test_empty_kept_set_collapses_every_group():
    """``U = ∅``: the construction sends each group to its weighted mean target (referee's cost), one group per layer."""
    data = default_data()
    X, labels, Y = data.X.tolist(), data.labels.tolist(), np.eye(3, dtype=int).tolist()
    for cost, paper in zip(COSTS, (False, True)):
        for groups, L in ((((1, 2, 3),), 1), (((1, 3), (2,)), 2), (((2,), (1, 3)), 3)):
            theta = stratum_minimizer(data, L, groups, cost)
            Ws = [ind.fmat(W) for W in theta.params.weights]
            bs = [ind.fmat(b) for b in theta.params.biases]
            assert theta.kept == ()
            assert ind.cost(Ws, bs, X, labels, Y, paper) == spread(groups, Y, masses(labels, paper))


def test_a_group_that_no_hyperplane_cuts_off_is_not_reached_with_its_farkas_certificate():
    """Hand-made: clusters 1 and 2 on either side of cluster 3 along a line, so {1, 2} together meet the hull of 3's
    points -- no layer collapses the pair while 3 stays active.  The merged stratum ``U = {3}, {{1, 2}}`` is then not
    reached (its obstruction proved), while ``{{1, 3}}`` with ``U = {2}`` is certified."""
    pts = [[-2, 0, 0], [-2, 1, 0], [-2, 0, 1], [2, 0, 0], [2, 1, 0], [2, 0, 1], [0, 5, 5], [0, -1, -1], [0, 0, 3]]
    data = ClusterData.from_arrays(pts, [1, 1, 1, 2, 2, 2, 3, 3, 3])
    f = settle_merged(data, 3, ((1, 2),))
    assert f.verdict == "not_reached" and f.certificate.status == "not_applicable" and "Farkas" in f.reason
    g = settle_merged(data, 3, ((1, 3),))
    assert g.verdict == "local_minimum" and g.certificate.status == "certified"


def test_check_json_lists_the_merged_minima_with_counts(capsys):
    assert main(["check", "--only", "N3", "--L", "2", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    fams = out["merged_minima"]
    counts = out["merged_counts"]
    assert counts["local_minima"] == sum(f["verdict"] == "local_minimum" for f in fams) == len(fams) == 7
    assert sum(f["minimum_of_stratum"] for f in fams) >= 1
    assert all(f["bound"] == f["cost"] for f in fams)


@pytest.mark.parametrize("name", ["sklearn_iris", "sklearn_wine"])
@pytest.mark.parametrize("L", [1, 2])
def test_real_data_verdicts_have_their_certificates(name, L):
    """scikit-learn's sets (3 classes, 3 principal components): every merged stratum ends with a verdict whose
    evidence is there -- a certified point, a convex combination, or Farkas certificates."""
    ds = GENERATORS[name](3, np.random.default_rng(2))
    data = data_of(ds)
    families, left = merged_families(data, L)
    assert left == 0 and len(families) == len(family_partitions(3, L))
    for f in families:
        assert f.as_json()["minimum_of_stratum"] == (f.least and f.verdict == "local_minimum")
        if f.verdict == "local_minimum":
            assert f.certificate.status == "certified" and f.cost == f.bound
        elif f.verdict == "empty":
            assert "convex combination" in f.reason
        else:
            assert "not separated" in f.reason or "undecided" in f.reason


def test_locate_certifies_merged_points_by_their_pattern_bound():
    """The constructed merged points sit at the bound of their activation pattern (the referee's value), so
    ``locate`` certifies them as local minima although they are above the bound ``B_U`` of their stratum."""
    from symgeom.local_minima.locate import locate

    data = default_data()
    X, labels, Y = data.X.tolist(), data.labels.tolist(), np.eye(3, dtype=int).tolist()
    for groups, L in ((((1, 2),), 3), (((1, 3), (2,)), 2)):
        theta = stratum_minimizer(data, L, groups)
        where = locate(theta.params, data)
        kept = theta.kept
        expected = (ind.stratum_bound(X, labels, Y, kept) if kept else 0) + spread(groups, Y, masses(labels, False))
        assert where.verdict == "at_pattern_minimum" and Fraction(str(where.pattern_bound)) == expected
        assert where.check().status == "certified" and where.pattern_margin > 0


def test_a_cluster_split_across_activation_patterns_is_a_local_minimum_below_n1():
    """Hand-made (``Q = 2``, points on the first axis, ``L = 1``): the far point ``(8, 0)`` of cluster 2 dies in the hidden
    layer (both pre-activations ``5 − x_1``, ``6 − x_1`` negative) while every other point stays active; the output
    fits the other points by least squares and sends the dead point to its own target.  The cost equals the bound of
    that pattern -- the residual of the other points, computed here -- which is below N1's value: a local minimum with
    cluster 2 split, outside every stratum.  A nudge of the output bias leaves the bound."""
    from symgeom.local_minima.locate import locate
    from symgeom.model.network import Parameters
    from symgeom.numbers import arith

    pts = [[0, 0], [1, 0], [2, 0], [3, 0], [8, 0]]
    labels = [1, 1, 2, 2, 2]
    data = ClusterData.from_arrays(pts, labels)
    X = [[Fraction(p[0]) for p in pts], [Fraction(p[1]) for p in pts]]
    Y = [[1, 0], [0, 1]]
    # least squares of the kept points' targets on [x_1; 1] (x_2 = 0 throughout), by the normal equations
    xs, ts = [0, 1, 2, 3], [(1, 0), (1, 0), (0, 1), (0, 1)]
    n, sx, sxx = 4, Fraction(sum(xs)), Fraction(sum(x * x for x in xs))
    beta = [(n * sum(x * t[i] for x, t in zip(xs, ts)) - sx * sum(t[i] for t in ts)) / (n * sxx - sx * sx) for i in range(2)]
    alpha = [(sum(t[i] for t in ts) - beta[i] * sx) / n for i in range(2)]
    residual = sum((alpha[i] + beta[i] * x - t[i]) ** 2 for x, t in zip(xs, ts) for i in range(2))
    bound = residual / (2 * 5)
    # hidden h = (t, t + 1), t = 5 − x_1; output t (a + b) + b + b_2 = α + β x_1 with b_2 = e_2
    b2 = [Fraction(0), Fraction(1)]
    b = [alpha[i] + 5 * beta[i] - b2[i] for i in range(2)]
    a = [-beta[i] - b[i] for i in range(2)]
    W1, b1 = [[-1, 0], [-1, 0]], [5, 6]
    W2 = [[a[0], b[0]], [a[1], b[1]]]
    theta = Parameters(tuple(arith.array(W, "exact") for W in (W1, W2)), tuple(arith.array(v, "exact") for v in (b1, b2)))
    Ws, bs = [ind.fmat(W1), ind.fmat(W2)], [ind.fmat(b1), ind.fmat(b2)]
    assert ind.cost(Ws, bs, X, labels, Y) == bound
    n1 = ind.stratum_bound(X, labels, Y, (1, 2))
    assert 0 < bound < n1
    where = locate(theta, data)
    assert where.verdict == "at_pattern_minimum" and not where.in_stratum and where.mixed == (2,)
    assert Fraction(str(where.pattern_bound)) == bound == Fraction(str(where.cost))
    nudged = Parameters(theta.weights, (theta.biases[0], theta.biases[1] + arith.array(["1/100", "1/100"], "exact")))
    assert locate(nudged, data).verdict == "outside_strata"


def test_a_neuron_dead_at_every_point_is_certified_by_its_pattern_bound():
    """Neurons dead at every point: on the embedded data (one-hot targets, so the least-squares map ``A*`` has rank
    ``Q − 1``: its rows sum to 0), layer 1 keeps the first two rows of ``A*`` (shifted positive) and kills neuron 3
    at every point; the output rebuilds ``A* x + c*``.  Every point shares one activation pattern, so the network is
    one affine map on the data and the cost is at least the least-squares residual -- N1's value (the referee's),
    reached here: ``locate`` certifies it, though every cluster is mixed.  A nudge of the output bias leaves it."""
    from symgeom.local_minima.locate import locate
    from symgeom.model.network import Parameters
    from symgeom.numbers import arith

    data = default_data()
    X, labels, Y = data.X.tolist(), data.labels.tolist(), np.eye(3, dtype=int).tolist()
    G, _ = ind.least_squares(X, labels, Y, (1, 2, 3))
    A, c = G[:, :3], G[:, 3]
    assert all(sum(A[:, j]) == 0 for j in range(3))  # rows of A* sum to 0: rank <= 2
    V = A[:2]
    s = 1 + max(abs(v) for v in V.dot(ind.fmat(X)).reshape(-1))
    T = ind.fmat([[1, 0, 0], [0, 1, 0], [-1, -1, 0]])
    W1, b1 = np.vstack([V, ind.fmat([[0, 0, 0]])]), ind.fmat([s, s, -1])
    I, one = ind.fmat(np.eye(3, dtype=int)), ind.fmat([1, 1, 1])
    b4 = c - T.dot(ind.fmat([s + 2, s + 2, 2]))
    Ws, bs = [W1, I, I, T], [b1, one, one, b4]
    n1 = ind.stratum_bound(X, labels, Y, (1, 2, 3))
    assert ind.cost(Ws, bs, X, labels, Y) == n1 > 0
    pre, _ = ind.forward(Ws, bs, X)
    assert (pre[0][2] < 0).all() and (pre[0][:2] > 0).all() and all((u > 0).all() for u in pre[1:])
    theta = Parameters(tuple(arith.array(W.tolist(), "exact") for W in Ws), tuple(arith.array(b.tolist(), "exact") for b in bs))
    where = locate(theta, data)
    assert where.verdict == "at_pattern_minimum" and where.mixed == (1, 2, 3)
    assert Fraction(str(where.pattern_bound)) == n1 and where.check().status == "certified"
    nudged = Parameters(theta.weights, theta.biases[:-1] + (theta.biases[-1] + arith.array(["1/100"] * 3, "exact"),))
    assert locate(nudged, data).verdict == "outside_strata"
