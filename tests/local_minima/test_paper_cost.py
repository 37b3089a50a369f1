"""The cost as a choice: the paper's C_N (weights 1/N_j, decided on C_N²) and the mean-squared cost (1/2N).

Every expected value is computed here independently: weighted least squares by numpy (rows scaled by
sqrt(w_n)) or by SymPy's exact normal equations, costs by a ``Fraction`` forward pass written out entry by
entry, gradients by exact central differences (the cost is quadratic along one parameter on a fixed pattern).
"""

import itertools
import json
import math
import random
from fractions import Fraction

import flint
import numpy as np
import pytest
import sympy as sp

from symgeom.cli import app as cli
from symgeom.cli import loading
from symgeom.cli import main
from symgeom.calculus.cost import DEFAULT_COST, TRAINING_COST, Cost
from symgeom.data.clusters import ClusterData
from symgeom.local_minima.settling import certify_stratum_point, settle_stratum
from symgeom.model.network import Parameters
from symgeom.local_minima.strata import collapse_order, stratum_bound, stratum_minimizer

from test_local_minima import fraction_forward, fraction_parameters

SIZES = (5, 7, 9)


def unequal_data(seed=3, sizes=SIZES, random_targets=True):
    """Three clusters of sizes 5, 7, 9 in R^3 with random rational offsets (noise up to 1/4) around
    well separated, non-orthogonal means, and random rational targets (or ``y_j = e_j``)."""
    rng = random.Random(seed)
    means = [(4, 0, 1), (0, 5, -1), (-3, -2, 6)]
    points, labels = [], []
    for j, (m, n) in enumerate(zip(means, sizes), start=1):
        for _ in range(n):
            points.append([Fraction(c) + Fraction(rng.randint(-25, 25), 100) for c in m])
            labels.append(j)
    targets = None
    if random_targets:
        targets = [[Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(3)] for _ in range(3)]
        targets = [[t + (3 if i == j else 0) for i, t in enumerate(row)] for j, row in enumerate(targets)]
    return ClusterData.from_arrays(points, labels, targets, source="unequal sizes 5, 7, 9")


def wine_data():
    """scikit-learn's wine data (cluster sizes 59, 71, 48) on its first 3 principal components, rounded to 1 decimal."""
    datasets = pytest.importorskip("sklearn.datasets")
    decomposition = pytest.importorskip("sklearn.decomposition")
    raw = datasets.load_wine()
    Z = decomposition.PCA(3).fit_transform((raw.data - raw.data.mean(0)) / raw.data.std(0))
    return ClusterData.from_arrays([[f"{v:.1f}" for v in row] for row in Z], raw.target + 1, source="wine, 3 PCs")


def q(x) -> Fraction:
    """An exact value of any kind (FLINT, SymPy, Fraction) as a Fraction."""
    return Fraction(str(x))


def weights_of(data, cost):
    """w_n by hand: 1/N_j per point of cluster j (paper), 1/(2N) everywhere (mean-squared)."""
    sizes = np.bincount(data.labels)[1:]
    return np.array([1 / sizes[l - 1] if cost is Cost.PAPER else 1 / (2 * data.N) for l in data.labels])


def numpy_bound(data, kept, cost):
    """B_U by numpy: ordinary least squares on the kept rows scaled by sqrt(w_n)."""
    mask = np.isin(data.labels, kept)
    w = weights_of(data, cost)[mask]
    A = np.hstack([np.asarray(data.X, dtype=float)[:, mask].T, np.ones((mask.sum(), 1))]) * np.sqrt(w)[:, None]
    B = np.asarray(data.targets_ext, dtype=float)[:, mask].T * np.sqrt(w)[:, None]
    sol = np.linalg.lstsq(A, B, rcond=None)[0]
    return float(np.sum((A @ sol - B) ** 2))


def sympy_bound(data, kept, cost):
    """B_U exactly: SymPy's normal equations of the weighted problem, Rational entries."""
    mask = np.isin(data.labels, kept)
    w = [sp.Rational(1, int(np.sum(data.labels == l))) if cost is Cost.PAPER else sp.Rational(1, 2 * data.N)
         for l in data.labels[mask]]
    X = sp.Matrix([[sp.Rational(str(v)) for v in row] for row in np.asarray(data.X)[:, mask]] + [[1] * int(mask.sum())])
    Y = sp.Matrix([[sp.Rational(str(v)) for v in row] for row in np.asarray(data.targets_ext)[:, mask]])
    W = sp.diag(*w)
    G = (Y * W * X.T) * (X * W * X.T).inv()
    R = G * X - Y
    return sum(w[n] * sum(R[i, n] ** 2 for i in range(R.rows)) for n in range(R.cols))


def fraction_cost(params, data, cost):
    """Σ_n w_n |r_n|² by the Fraction forward pass."""
    weights, biases = fraction_parameters(params)
    X = [[Fraction(str(v)) for v in col] for col in np.asarray(data.X).T]
    _, outs = fraction_forward(weights, biases, X)
    sizes = np.bincount(data.labels)[1:]
    total = Fraction(0)
    for out, l in zip(outs, data.labels):
        y = [Fraction(str(v)) for v in np.asarray(data.Y)[:, l - 1]]
        w = Fraction(1, int(sizes[l - 1])) if cost is Cost.PAPER else Fraction(1, 2 * data.N)
        total += w * sum((o - t) ** 2 for o, t in zip(out, y))
    return total


@pytest.mark.parametrize("cost", list(Cost))
def test_bounds_against_weighted_least_squares(cost):
    """B_U for every U under both costs, on 5/7/9 clusters with random targets: numpy (floats) and SymPy (exact)."""
    data = unequal_data()
    for r in (1, 2, 3):
        for kept in itertools.combinations((1, 2, 3), r):
            B = stratum_bound(data, kept, cost)
            assert q(B) == q(sympy_bound(data, kept, cost))
            assert math.isclose(float(B), numpy_bound(data, kept, cost), rel_tol=1e-9, abs_tol=1e-12)
            if r == 1:
                assert B == 0


@pytest.mark.slow
@pytest.mark.parametrize("cost", list(Cost))
def test_bounds_on_wine(cost):
    """The bounds on scikit-learn's wine data (unequal sizes 59, 71, 48) against numpy."""
    data = wine_data()
    for kept in [(1, 2, 3), (1, 2), (2, 3), (1, 3)]:
        assert math.isclose(float(stratum_bound(data, kept, cost)), numpy_bound(data, kept, cost), rel_tol=1e-9)


def test_the_two_costs_differ_with_unequal_sizes():
    """The weighted fit is not the ordinary one: B_U of the paper is not 2N/N_j times any single rescaling of the
    mean-squared one, and each cost's minimizer beats the other's under its own cost."""
    data = unequal_data()
    kept = (1, 2, 3)
    paper, plain = (stratum_minimizer(data, 3, (), c) for c in (Cost.PAPER, Cost.MEAN_SQUARED))
    assert Cost.PAPER.of(paper.params, data) < Cost.PAPER.of(plain.params, data)
    assert Cost.MEAN_SQUARED.of(plain.params, data) < Cost.MEAN_SQUARED.of(paper.params, data)
    assert q(Cost.PAPER.of(paper.params, data)) == q(sympy_bound(data, kept, Cost.PAPER))


def random_parameters(Q, L, seed):
    rng = random.Random(seed)
    rand = lambda: Fraction(rng.randint(-20, 20), rng.randint(1, 7))  # noqa: E731
    return Parameters.from_lists([[[rand() for _ in range(Q)] for _ in range(Q)] for _ in range(L + 1)],
                                 [[rand() for _ in range(Q)] for _ in range(L + 1)])


@pytest.mark.parametrize("cost", list(Cost))
def test_exact_values_against_a_fraction_forward_pass(cost):
    data = unequal_data()
    for seed in range(3):
        params = random_parameters(3, 2, seed)
        assert q(cost.of(params, data)) == fraction_cost(params, data, cost)


def test_paper_square_is_main_paper_cost_squared():
    """Cost.PAPER builds on symgeom.calculus.cost.paper_cost_squared (the same value), and both costs share their zero set."""
    from symgeom.calculus.cost import paper_cost_squared

    data = unequal_data()
    params = random_parameters(3, 2, 7)
    assert q(Cost.PAPER.of(params, data)) == q(paper_cost_squared(params, data))
    out = np.array(data.targets_ext, dtype=object)
    assert all(c.of_outputs(out, data) == 0 for c in Cost)
    for n in (0, 6, 20):  # one residual nonzero, in a cluster of each size: both costs positive
        moved = out.copy()
        moved[1, n] = moved[1, n] + flint.fmpq(1, 1000)
        assert all(c.of_outputs(moved, data) > 0 for c in Cost)
        sizes = np.bincount(data.labels)[1:]
        assert q(Cost.PAPER.of_outputs(moved, data)) == Fraction(1, 10**6) / int(sizes[data.labels[n] - 1])
        assert q(Cost.MEAN_SQUARED.of_outputs(moved, data)) == Fraction(1, 10**6) / (2 * data.N)


@pytest.mark.parametrize("cost", list(Cost))
def test_gradient_of_the_weighted_sum_by_exact_differences(cost):
    """Along one parameter the output is affine on a fixed activation pattern, so the cost is quadratic there and
    the central difference (f(θ + h e) − f(θ − h e)) / 2h is its exact derivative (h small, pattern unchanged)."""
    data = unequal_data()
    params = random_parameters(3, 2, 1)
    g = cost.gradient(params, data)
    theta = params.vector()
    h = Fraction(1, 10**9)
    for i in random.Random(0).sample(range(theta.size), 8):
        plus, minus = theta.copy(), theta.copy()
        plus[i] = plus[i] + flint.fmpq(1, 10**9)
        minus[i] = minus[i] - flint.fmpq(1, 10**9)
        fp = fraction_cost(Parameters.from_vector(plus, 3, 2), data, cost)
        fm = fraction_cost(Parameters.from_vector(minus, 3, 2), data, cost)
        assert (fp - fm) / (2 * h) == q(g[i])
    value, fg = cost.float_value_and_gradient(params, data)
    assert math.isclose(value, float(cost.of(params, data)), rel_tol=1e-12)
    assert np.allclose(fg, np.array(g, dtype=float), rtol=1e-10, atol=1e-10)


def test_norm_value_text_and_its_gradient():
    """C_N = sqrt(C_N²) exactly and in float; ∇C_N = ∇C_N² / (2 C_N); the mean-squared cost is its own sum."""
    s = Fraction(109, 39609)
    root = Cost.PAPER.from_sum(s)
    assert root ** 2 == sp.Rational(109, 39609) and root > 0
    assert "sqrt" in Cost.PAPER.text(s) and f"{math.sqrt(109 / 39609):.6g}" in Cost.PAPER.text(s)
    assert Cost.PAPER.text(Fraction(9, 4)) == "C_N = 3/2"
    assert Cost.MEAN_SQUARED.from_sum(s) == s and Cost.MEAN_SQUARED.text(s) == "C = 109/39609"
    g = np.array([3.0, -4.0])
    assert np.allclose(Cost.PAPER.gradient_of_value(Fraction(1, 4), g), g / (2 * 0.5))


@pytest.mark.parametrize("truncated", [(), (1,), (3,), (1, 3), (2, 3)])
def test_paper_stratum_minimizer_reaches_the_weighted_bound_in_its_region(truncated):
    """θ_S under the paper's cost: its C_N² (Fraction forward pass) equals the exact weighted bound (SymPy), the kept
    points are strictly active in every hidden layer and each collapsed cluster strictly inactive in its layer."""
    data = unequal_data()
    kept = tuple(j for j in (1, 2, 3) if j not in truncated)
    theta = stratum_minimizer(data, 3, collapse_order(data, truncated), Cost.PAPER)
    assert fraction_cost(theta.params, data, Cost.PAPER) == q(sympy_bound(data, kept, Cost.PAPER))
    weights, biases = fraction_parameters(theta.params)
    X = [[Fraction(str(v)) for v in col] for col in np.asarray(data.X).T]
    pre, _ = fraction_forward(weights, biases, X)
    for n, l in enumerate(data.labels):
        if l in kept:
            assert all(v > 0 for layer in pre[n] for v in layer)
        else:
            assert all(v < 0 for v in pre[n][theta.collapse_layers[l] - 1])
    assert certify_stratum_point(theta).status == "certified"
    st = settle_stratum(data, 3, truncated, cost=Cost.PAPER)
    assert st.verdict == "local_minimum" and st.cost == st.bound and st.cost_kind is Cost.PAPER


def test_mean_squared_stratum_point_is_not_at_the_paper_bound():
    """A stratum minimizer of one cost is, in general, above the other's bound: locate says so exactly."""
    from symgeom.local_minima.locate import locate

    data = unequal_data()
    plain = stratum_minimizer(data, 3, (1,), Cost.MEAN_SQUARED)
    where = locate(plain.params, data, cost=Cost.PAPER)
    assert where.verdict == "above_bound" and where.gap > 0 and where.cost_kind is Cost.PAPER
    assert q(where.bound) == q(sympy_bound(data, (2, 3), Cost.PAPER))
    assert locate(plain.params, data, cost=Cost.MEAN_SQUARED).verdict == "at_stratum_minimum"


def test_weighted_pythagoras_is_proved_and_fails_for_the_plain_fit():
    """The symbolic step is proved; on concrete rational matrices its cross term vanishes for the weighted fit and
    not for the ordinary one (so the identity is not vacuous)."""
    from symgeom.derivations.n2_strata import weighted_bound_step

    assert weighted_bound_step().check.status == "proved"
    rng = random.Random(5)
    rand = lambda r, c: sp.Matrix(r, c, lambda i, j: sp.Rational(rng.randint(-9, 9), rng.randint(1, 4)))  # noqa: E731
    X, Y, G = rand(3, 6), rand(2, 6), rand(2, 3)
    V = sp.diag(*[sp.Rational(1, k) for k in (1, 1, 2, 3, 3, 5)])
    W = V * V.T
    weighted, plain = Y * W * X.T * (X * W * X.T).inv(), Y * X.T * (X * X.T).inv()
    assert ((G - weighted) * X * V * (weighted * X * V - Y * V).T).is_zero_matrix
    assert not ((G - plain) * X * V * (plain * X * V - Y * V).T).is_zero_matrix


def test_cli_defaults():
    """check, report, locate and construct state the paper's cost by default; train minimizes the mean-squared one."""
    parser = cli.build_parser()
    assert DEFAULT_COST is Cost.PAPER and TRAINING_COST is Cost.MEAN_SQUARED
    assert parser.parse_args(["check"]).cost is Cost.PAPER
    assert parser.parse_args(["locate", "--params", "p.json"]).cost is Cost.PAPER
    assert parser.parse_args(["construct", "--out", "p.json"]).cost is Cost.PAPER
    assert parser.parse_args(["train"]).cost is Cost.MEAN_SQUARED
    assert parser.parse_args(["check", "--cost", "mean-squared"]).cost is Cost.MEAN_SQUARED
    assert parser.parse_args(["train", "--cost", "paper"]).cost is Cost.PAPER


def test_cli_rejects_unknown_cost(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["check", "--cost", "l1"])
    assert stop.value.code == 2
    assert "--cost must be one of paper, mean-squared" in capsys.readouterr().err


@pytest.mark.parametrize("cost", [Cost.PAPER, pytest.param(Cost.MEAN_SQUARED, marks=pytest.mark.slow)])
def test_check_json_names_the_cost(capsys, tmp_path, cost):
    """check --json: the cost_function object, and N1's bound is the chosen cost's (numpy, independently)."""
    from symgeom.data.files import csv_text

    data = unequal_data(random_targets=False)
    path = tmp_path / "d.csv"
    path.write_text(csv_text(data))
    assert main(["check", "--data", str(path), "--only", "N1", "--json", "--quiet", "--cost", cost.value]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cost_function"]["name"] == cost.value
    n1 = out["local_minima"][0]
    assert n1["truncated"] == [] and n1["cost"] == n1["bound"]
    assert math.isclose(float(Fraction(n1["bound"])), numpy_bound(data, (1, 2, 3), cost), rel_tol=1e-9)
    assert all(c["status"] != "refuted" for c in out["claims"])


def test_train_defaults_to_mean_squared_and_says_so(capsys):
    assert main(["train", "--inits", "2", "--steps", "5", "--quiet", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cost_function"]["name"] == "mean-squared"
    assert all(r["cost_function"]["name"] == "mean-squared" for r in out["runs"])
    assert main(["train", "--inits", "2", "--steps", "5", "--quiet", "--cost", "paper"]) == 0
    text = capsys.readouterr().out
    assert "cost: paper" in text and "mean final C_N^2" in text


def test_training_minimizes_the_paper_square():
    """train with the paper's cost records C_N² (a Fraction forward pass of the final point agrees)."""
    from symgeom.local_minima.training import train

    data = unequal_data()
    runs = train(data, 2, 2, 20, lr=0.001, cost=Cost.PAPER)
    params = runs.params(0)
    exact = Parameters(tuple(np.array([[Fraction(float(v)) for v in row] for row in W], dtype=object) for W in params.weights),
                       tuple(np.array([Fraction(float(v)) for v in b], dtype=object) for b in params.biases))
    assert math.isclose(runs.history[-1][0], float(fraction_cost(exact, data, Cost.PAPER)), rel_tol=1e-9)


def test_check_json_local_minima_under_the_paper_cost(capsys):
    """Default check on the embedded data: every stratum's bound is the weighted (1/N_j) least-squares residual."""
    from symgeom.data.embedded import default_data

    assert main(["check", "--json", "--only", "N2", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    data = default_data()
    assert out["cost_function"]["name"] == "paper" and out["cost_function"]["decided"] == "C_N^2"
    for m in out["local_minima"]:
        kept = [j for j in (1, 2, 3) if j not in m["truncated"]]
        assert math.isclose(float(Fraction(m["bound"])), numpy_bound(data, kept, Cost.PAPER), rel_tol=1e-9, abs_tol=1e-15)
        assert m["cost"] == m["bound"] and m["verdict"] == "local_minimum"
    assert out["claims"][0]["status"] == "certified"


def test_report_regenerates_its_cost_and_the_handout_keeps_mean_squared(tmp_path, capsys):
    args = cli.build_parser().parse_args(["report", "--cost", "mean-squared", "--only", "N1"])
    assert "--cost mean-squared" in loading.regenerate_command(args)
    assert "--cost" not in loading.regenerate_command(cli.build_parser().parse_args(["report", "--cost", "paper"]))
    assert main(["report", "--handout", "--cost", "paper", "--out", str(tmp_path / "h")]) == 2
    assert "--handout is written for the mean-squared cost" in capsys.readouterr().err


def test_testing_helper_takes_the_cost():
    from symgeom.testing import assert_at_stratum_minimum

    data = unequal_data()
    theta = stratum_minimizer(data, 3, (2,), Cost.PAPER)
    assert assert_at_stratum_minimum(theta.params, data, truncated=(2,), cost=Cost.PAPER).status == "certified"
    with pytest.raises(AssertionError):
        assert_at_stratum_minimum(theta.params, data, truncated=(2,))  # the mean-squared bound is lower there


@pytest.mark.slow
def test_float_paper_strata_agree_with_exact():
    """Float64 under the paper's cost: each stratum checked, its bound within 1e-9 of the exact one."""
    from symgeom.local_minima.settling import settle_strata

    data = unequal_data()
    exact = settle_strata(data, 3, cost=Cost.PAPER)
    floats = settle_strata(data.with_kind("float"), 3, cost=Cost.PAPER)
    for e, f in zip(exact, floats):
        assert e.verdict == f.verdict == "local_minimum"
        assert math.isclose(float(e.bound), f.bound, rel_tol=1e-9, abs_tol=1e-13)


def test_locate_prints_the_norm_and_its_gradient_through_the_square(tmp_path, capsys):
    """locate (default: the paper's cost) prints C_N = sqrt(C_N²) exactly, and |∇C_N| = |∇C_N²| / (2 C_N)."""
    data = unequal_data()
    params = random_parameters(3, 2, 4)
    from symgeom.local_minima.locate import locate

    where = locate(params, data, cost=Cost.PAPER)
    text = "\n".join(where.lines())
    value = fraction_cost(params, data, Cost.PAPER)
    assert f"C_N^2 = {value}" in text or "exact rational" in text
    g2 = float(where.gradient_norm_squared)
    assert f"|grad C_N| = {math.sqrt(g2) / (2 * math.sqrt(value)):.6g}" in text
    assert where.as_json()["cost_function"]["decided"] == "C_N^2"


def test_paper_stratum_minimum_is_not_beaten_nearby():
    """Independent of the bound's proof: 200 random small moves of θ_S (float64) never lower C_N² below B_U."""
    data = unequal_data()
    theta = stratum_minimizer(data, 3, (1,), Cost.PAPER)
    B = float(theta.bound)
    p = theta.params.with_kind("float")
    fdata = data.with_kind("float")
    base = p.vector().astype(float)
    rng = np.random.default_rng(0)
    for _ in range(200):
        moved = Parameters.from_vector(base + 1e-4 * rng.standard_normal(base.size), 3, 3)
        assert Cost.PAPER.of(moved, fdata) >= B - 1e-12
