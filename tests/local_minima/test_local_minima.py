"""N1 and N2: costs, verdicts and their certificates, each re-verified by an independent method."""

import json
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symgeom.numbers import arith
from symgeom.cli import main
from symgeom.calculus.cost import cost
from symgeom.data.clusters import ClusterData
from symgeom.data.embedded import default_data
from symgeom.certify.certificates import Check
from symgeom.calculus.derivatives import gradient
from symgeom.data.clusters import example_data
from symgeom.data.files import csv_text, read_csv
from symgeom.local_minima.settling import candidate, settle_stratum, settle_strata
from symgeom.local_minima.no_truncation import noise_expansion, noise_series, projection_cost
from symgeom.local_minima.strata import stratum_bound, strata
from symgeom.model.network import Parameters

from strategies_data import anisotropic_data

SLOW_Q = 4
"""Local-minima cases at this ``Q`` settle 15 strata exactly each: they run in the slow lane."""
CASES = [pytest.param(Q, L, marks=[pytest.mark.slow] if Q >= SLOW_Q else []) for Q in range(1, 5) for L in (Q, Q + 1)]


def plain_least_squares_cost(data, kept=None):
    """Independent cost of the affine least-squares fit: numpy on the float data, of the points of the
    clusters ``kept`` (all by default), divided by the total ``N``."""
    mask = np.ones(data.N, bool) if kept is None else np.isin(data.labels, list(kept))
    X = np.asarray(data.X, dtype=float)[:, mask]
    Xt = np.vstack([X, np.ones(X.shape[1])])
    Y = np.asarray(data.targets_ext, dtype=float)[:, mask]
    G, *_ = np.linalg.lstsq(Xt.T, Y.T, rcond=None)
    return float(np.sum((G.T @ Xt - Y) ** 2) / (2 * data.N))


def fraction_forward(weights, biases, X):
    """The network on the columns of ``X`` in Python ``Fraction`` arithmetic, written out entry by entry
    (independent of symgeom's forward pass): the pre-activations of every hidden layer and the outputs."""
    pre, outs = [], []
    for x in X:
        layer_pre = []
        for W, b in zip(weights[:-1], biases[:-1]):
            u = [sum((w * v for w, v in zip(row, x)), Fraction(0)) + c for row, c in zip(W, b)]
            layer_pre.append(u)
            x = [max(v, Fraction(0)) for v in u]
        pre.append(layer_pre)
        outs.append([sum((w * v for w, v in zip(row, x)), Fraction(0)) + c for row, c in zip(weights[-1], biases[-1])])
    return pre, outs


def fraction_parameters(params):
    conv = [[Fraction(str(v)) for v in np.asarray(a).reshape(-1)] for a in params.weights + params.biases]
    Q = params.Q
    weights = [[row[i * Q:(i + 1) * Q] for i in range(Q)] for row in conv[:params.L + 1]]
    return weights, conv[params.L + 1:]


def fraction_cost(outs, data):
    Y = [[Fraction(str(v)) for v in data.Y[:, j]] for j in range(data.Q)]
    total = sum(sum((o - y) ** 2 for o, y in zip(out, Y[int(j) - 1])) for out, j in zip(outs, data.labels))
    return total / (2 * data.N)


def assert_in_stratum(pre, data, kept, collapse_layers):
    """Independently: every kept point strictly active in every hidden layer, every point of a truncated
    cluster strictly inactive in its collapsing layer."""
    for n, j in enumerate(int(j) for j in data.labels):
        if j in kept:
            assert all(v > 0 for layer in pre[n] for v in layer), f"point {n} of kept cluster {j} is not strictly active"
        else:
            assert all(v < 0 for v in pre[n][collapse_layers[j] - 1]), f"point {n} of cluster {j} is not collapsed"


def data_sets():
    yield default_data()
    for q in (2, 3, 4):
        yield example_data(q)


def _data_params():
    return [pytest.param(d, id=d.source, marks=[pytest.mark.slow] if d.Q >= SLOW_Q else []) for d in data_sets()]


@pytest.mark.parametrize("data", _data_params())
def test_every_stratum_is_certified_against_independent_computations(data):
    Q = data.Q
    X = [[Fraction(str(v)) for v in data.X[:, n]] for n in range(data.N)]
    for S in strata(Q):
        st = settle_stratum(data, Q, S)
        assert st.verdict == "local_minimum" and st.certificate.status == "certified", st.reason
        theta = st.minimizer
        # the bound by another route: numpy least squares on U alone
        assert float(st.bound) == pytest.approx(plain_least_squares_cost(data, st.kept), rel=1e-9, abs=1e-15)
        # cost and sign pattern in Fraction arithmetic, not through symgeom's forward pass
        pre, outs = fraction_forward(*fraction_parameters(theta.params), X)
        assert fraction_cost(outs, data) == Fraction(str(st.bound))
        assert_in_stratum(pre, data, st.kept, theta.collapse_layers)
        if not S:  # N1: the bound by the projection formula through sufficient statistics too
            assert st.bound == projection_cost(data.X, data)
        if S:
            assert min(st.weight_ranks) < Q  # the minimizers need rank-deficient weights
            assert st.invertible.verdict == "not_critical" and st.invertible.cost > st.bound


@pytest.mark.slow
def test_random_perturbations_never_go_below_the_bound():
    """1000 exact rational perturbations of size <= 1/1000 around theta_S (three strata of the default data):
    each stays in R_S, and none has a cost below B_U."""
    data = default_data()
    rng = np.random.default_rng(7)
    X = [[Fraction(str(v)) for v in data.X[:, n]] for n in range(data.N)]
    below = inside = 0
    for S in [(1,), (2, 3), ()]:
        st = settle_stratum(data, 3, S)
        weights, biases = fraction_parameters(st.minimizer.params)
        bound = Fraction(str(st.bound))
        for _ in range(1000 // 3 + 1):
            W = [[[w + Fraction(int(rng.integers(-1000, 1001)), 10**6) for w in row] for row in Wl] for Wl in weights]
            b = [[c + Fraction(int(rng.integers(-1000, 1001)), 10**6) for c in bl] for bl in biases]
            pre, outs = fraction_forward(W, b, X)
            assert_in_stratum(pre, data, st.kept, st.minimizer.collapse_layers)
            inside += 1
            below += fraction_cost(outs, data) < bound
    assert inside >= 1000 and below == 0


def four_points():
    """Two clusters of two points in R^2: a kept cluster never affinely spans R^2."""
    points = [["3.1", "0.1"], ["2.9", "-0.1"], ["0.1", "3"], ["-0.1", "3"]]
    return ClusterData.from_arrays(points, [1, 1, 2, 2], source="four points")


@pytest.mark.parametrize("data,S", [(example_data(2), (1,)), (four_points(), (1,)), (four_points(), (2,))],
                         ids=["example, S={1}", "four points, S={1}", "four points, S={2}"])
def test_hessian_at_a_stratum_minimizer_is_the_gauss_newton_matrix(data, S):
    """SymPy's own exact Hessian of the pattern polynomial cost at theta_S (Q = 2, L = 1) equals the
    closed-form (1/N) J^T J, and its nullity equals the certified dimension of the minimizer set."""
    from symgeom.calculus.cost import pattern_output
    from symgeom.calculus.derivatives import gauss_newton
    from symgeom.model.network import activation_pattern, symbolic_parameters

    st = settle_stratum(data, 1, S)
    assert st.dimension_check.status == "certified"
    params = st.minimizer.params
    Ws, bs = symbolic_parameters(2, 1)
    symbols = [s for W, b in zip(Ws, bs) for s in list(W) + list(b)]
    values = dict(zip(symbols, [arith.to_sympy(v) for v in params.vector()]))
    pattern = activation_pattern(params, data.X)
    total = 0
    for n in range(data.N):
        x = sp.Matrix([arith.to_sympy(v) for v in data.X[:, n]])
        pat = tuple(tuple(int(v) for v in layer) for layer in pattern[:, :, n])
        r = pattern_output(Ws, bs, x, pat) - sp.Matrix(arith.to_sympy(data.Y[:, int(data.labels[n]) - 1]))
        total += (r.T * r)[0, 0]
    C = total / (2 * data.N)
    H = sp.hessian(C, symbols).xreplace(values)
    assert H == sp.Matrix(arith.to_sympy(gauss_newton(params, data.X)))
    assert params.count - H.rank() == st.hessian_nullity == st.tangent_dimension


def test_zero_cost_with_q_minus_one_truncations(tmp_path):
    data = example_data(3)
    path = tmp_path / "data.csv"
    path.write_text(csv_text(data))
    out = tmp_path / "theta.json"
    assert main(["construct", "--data", str(path), "--L", "2", "--out", str(out)]) == 0
    obj = json.loads(out.read_text())
    weights = [[[Fraction(v) for v in row] for row in W] for W in obj["weights"]]
    biases = [[Fraction(v) for v in b] for b in obj["biases"]]
    X = [[Fraction(str(v)) for v in data.X[:, n]] for n in range(data.N)]
    pre, outs = fraction_forward(weights, biases, X)
    assert fraction_cost(outs, data) == 0 and len(weights) == 3
    assert_in_stratum(pre, data, obj["kept"], {k: l for l, k in enumerate(obj["collapse_order"], 1)})


@pytest.mark.parametrize("S", ["1", "2", "3", "1,2", "1,3", "2,3"])
def test_construct_truncate_writes_each_stratum_minimizer(tmp_path, S):
    data = default_data()
    out = tmp_path / "theta.json"
    assert main(["construct", "--truncate", S, "--out", str(out), "--cost", "mean-squared"]) == 0  # (1/2N): plain fit
    obj = json.loads(out.read_text())
    weights = [[[Fraction(v) for v in row] for row in W] for W in obj["weights"]]
    biases = [[Fraction(v) for v in b] for b in obj["biases"]]
    X = [[Fraction(str(v)) for v in data.X[:, n]] for n in range(data.N)]
    pre, outs = fraction_forward(weights, biases, X)
    truncated = [int(k) for k in S.split(",")]
    kept = [j for j in (1, 2, 3) if j not in truncated]
    assert obj["truncated"] == truncated and obj["kept"] == kept
    assert float(fraction_cost(outs, data)) == pytest.approx(plain_least_squares_cost(data, kept), rel=1e-9, abs=1e-15)
    assert fraction_cost(outs, data) == Fraction(obj["bound"])
    assert_in_stratum(pre, data, kept, {k: l for l, k in enumerate(obj["collapse_order"], 1)})


@pytest.mark.parametrize("argv,message", [
    (["--truncate", "1,2", "--L", "1"], "needs L >= |S| = 2"),
    (["--L", "1"], "needs L >= Q - 1 = 2"),
    (["--truncate", "1,2,3"], "at least one cluster must be kept"),
    (["--truncate", "0"], "distinct labels in 1..3"),
    (["--truncate", "1,x"], "cluster labels separated by commas"),
])
def test_construct_refusals(tmp_path, capsys, argv, message):
    out = tmp_path / "theta.json"
    with pytest.raises(SystemExit) if "x" in argv[-1] else _no_raise():
        code = main(["construct", *argv, "--out", str(out)])
        assert code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not out.exists()


class _no_raise:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def overlapping_data():
    """Q = 2: a point of cluster 1 lies inside the convex hull of cluster 2, so neither cluster can be
    separated from the other by a hyperplane: S = {1} is empty (that point is strictly active wherever
    cluster 2 is), S = {2} is not reached by the layer-wise construction."""
    points = [[0.1, 0.1], [5, 5], [4, 6], [-2, 0], [2, 0], [0, 2], [0, -2]]
    return ClusterData.from_arrays([[Fraction(str(v)) for v in p] for p in points], [1, 1, 1, 2, 2, 2, 2])


def test_unreachable_strata_are_undecided_never_refuted(tmp_path, capsys):
    data = overlapping_data()
    st = settle_strata(data, 2)
    assert [s.verdict for s in st] == ["local_minimum", "empty", "not_reached"]
    assert "not separated" in st[2].reason and "cannot reach this stratum" in st[2].reason
    path = tmp_path / "data.csv"
    path.write_text(csv_text(data))
    assert main(["check", "--data", str(path), "--only", "N2", "--json", "--quiet"]) == 0
    n2 = json.loads(capsys.readouterr().out)["claims"][0]
    assert n2["status"] == "undecided"
    assert main(["construct", "--data", str(path), "--truncate", "1", "--out", str(tmp_path / "t.json")]) == 2
    assert "not separated" in capsys.readouterr().err and not (tmp_path / "t.json").exists()


def test_invertible_candidate_gradient_against_finite_differences():
    """The exact gradient of an invertible candidate against central differences of the float cost, and a
    lower exact cost a small step away (so the candidate is really not a local minimum)."""
    data = anisotropic_data(3, 13)
    cand = candidate(data, 3, (1,))
    params = cand.params
    g = np.asarray(gradient(params, data), dtype=float)
    p, fdata = params.with_kind("float"), data.with_kind("float")
    theta = p.vector()
    h = 1e-6
    for i in np.argsort(-np.abs(g))[:5]:
        e = np.zeros_like(theta)
        e[i] = h
        fd = (cost(Parameters.from_vector(theta + e, p.Q, p.L), fdata)
              - cost(Parameters.from_vector(theta - e, p.Q, p.L), fdata)) / (2 * h)
        assert fd == pytest.approx(g[i], rel=1e-4, abs=1e-10)
    i = int(np.argmax(np.abs(g)))
    step = np.array([arith.to_exact(0)] * theta.size, dtype=object)
    for k in range(8, 40):
        step[i] = arith.to_exact(Fraction(-int(np.sign(g[i])), 2**k))
        if cost(Parameters.from_vector(params.vector() + step, params.Q, params.L), data) < cand.cost:
            break
    else:
        pytest.fail("no exact step against the gradient lowered the cost")


@pytest.mark.parametrize("Q,L", CASES)
def test_strata_on_anisotropic_data(Q, L):
    """Non-one-hot targets, unequal clusters: every stratum with |S| <= L is reached with cost = B_U."""
    data = anisotropic_data(Q, 10 + Q)
    for st in settle_strata(data, L):
        assert st.verdict == "local_minimum"
        assert float(st.cost) == pytest.approx(plain_least_squares_cost(data, st.kept), rel=1e-9, abs=1e-15)


def test_n1_hessian_is_an_exact_gram_matrix():
    """Exact PSD certificate: the Hessian at N1 equals (1/N) J^T J with J from SymPy's own
    differentiation of every point's pattern polynomial, so x^T H x = |J x|^2 / N >= 0."""
    from symgeom.calculus.cost import pattern_output
    from symgeom.calculus.derivatives import gauss_newton
    from symgeom.model.network import activation_pattern, symbolic_parameters

    data = anisotropic_data(2, 4)
    params = candidate(data, 2).params
    Ws, bs = symbolic_parameters(2, 2)
    symbols = [s for W, b in zip(Ws, bs) for s in list(W) + list(b)]
    values = dict(zip(symbols, [arith.to_sympy(v) for v in params.vector()]))
    pattern = activation_pattern(params, data.X)
    rows = []
    for n in range(data.N):
        x = sp.Matrix([arith.to_sympy(v) for v in data.X[:, n]])
        pat = tuple(tuple(int(v) for v in layer) for layer in pattern[:, :, n])
        rows.append(pattern_output(Ws, bs, x, pat).jacobian(symbols).xreplace(values))
    J = sp.Matrix.vstack(*rows)
    H = sp.Matrix(arith.to_sympy(gauss_newton(params, data.X)))
    assert H == J.T * J / data.N
    assert params.count - J.rank() == 2 * (4 + 2)  # nullity L(Q^2 + Q)


def test_n1_hessian_nullity_by_float_differences():
    """The float Hessian by differences of the gradient at N1 is PSD with nullity L(Q^2 + Q) (largest gap)."""
    from symgeom.calculus.derivatives import spectral_nullity
    from symgeom.local_minima.no_truncation import hessian_by_differences

    data = default_data()
    eig = np.linalg.eigvalsh(hessian_by_differences(candidate(data, 3).params, data))
    nullity, zero_edge, nonzero_edge = spectral_nullity(eig)
    assert nullity == 3 * (9 + 3) == settle_stratum(data, 3, ()).hessian_nullity
    assert eig[0] > -np.sqrt(zero_edge * nonzero_edge)


def test_noise_series_against_a_numerical_fit():
    data = anisotropic_data(2, 3)
    c2 = float(noise_expansion(data))
    eps_sym, C, _ = noise_series(data)
    # independent: least squares on the rescaled float data at several eps, fitted by c eps^2 + d eps^3
    eps = np.array([1e-2, 2e-2, 4e-2, 8e-2])
    values = []
    for e in eps:
        X = np.asarray(data.means, dtype=float)[:, data.labels - 1] + e * np.asarray(data.deviations, dtype=float)
        scaled = ClusterData.from_arrays(X.T, data.labels, np.asarray(data.Y, dtype=float).T, kind="float")
        values.append(plain_least_squares_cost(scaled))
    A = np.stack([eps**2, eps**3], axis=1)
    coef, *_ = np.linalg.lstsq(A, np.array(values), rcond=None)
    assert coef[0] == pytest.approx(c2, rel=1e-3)
    assert float(C.subs(eps_sym, sp.Rational(1, 100))) == pytest.approx(values[0], rel=1e-8)


def test_check_json_local_minima(capsys):
    assert main(["check", "--json", "--only", "N2", "--quiet", "--cost", "mean-squared"]) == 0  # (1/2N): plain fit
    out = json.loads(capsys.readouterr().out)
    lm = out["local_minima"]
    data = default_data()
    assert [m["truncated"] for m in lm] == [[], [1], [2], [3], [1, 2], [1, 3], [2, 3]]
    for m in lm:
        kept = [j for j in (1, 2, 3) if j not in m["truncated"]]
        assert float(Fraction(m["bound"])) == pytest.approx(plain_least_squares_cost(data, kept), rel=1e-9, abs=1e-15)
        assert m["cost"] == m["bound"] and m["verdict"] == "local_minimum" and m["global"] == (len(kept) == 1)
        assert Fraction(m["min_margin"]) > 0 and m["tangent_dimension"] == m["hessian_nullity"]
        assert (m["invertible_candidate"] is None) == (m["truncated"] == [])
    n2 = out["claims"][0]
    assert n2["status"] == "certified" and n2["scope"] == "these data"


def test_float_disagreement_never_overturns_an_exact_certificate(tmp_path, capsys):
    """A cluster spread of 1e-20: float64 cannot resolve the Hessian, the exact certificates stand."""
    path = tmp_path / "tiny.csv"
    path.write_text("x1,x2,cluster\n3,0,1\n3.00000000000000000001,0,1\n0,3,2\n0,3.00000000000000000001,2\n"
                    "0.00000000000000000001,3,2\n")
    assert main(["check", "--data", str(path), "--only", "N1", "--json", "--quiet"]) == 0
    n1 = json.loads(capsys.readouterr().out)["claims"][0]
    assert n1["status"] == "certified" and all(c["status"] != "refuted" for c in n1["checks"])


def test_float_refutation_is_a_warning_and_decides_nothing():
    from symgeom.certify.certificates import Derivation, Step

    exact = Check("certified", "exact", residual=0)
    float_bad = Check("refuted", "float", residual=1.0, tolerance=1e-9, counterexample="x")
    exact_bad = Check("refuted", "exact", residual=1, counterexample="y")
    warned = Derivation("X", "t", "s", (Step("a", "b", exact, key=True), Step("c", "d", float_bad)))
    assert warned.status == "certified" and warned.warnings == [float_bad]
    assert Derivation("X", "t", "s", (Step("a", "b", exact, key=True), Step("c", "d", exact_bad))).status == "refuted"
    float_only = Derivation("X", "t", "s", (Step("a", "b", Check("checked", "f", tolerance=1e-9), key=True),
                                          Step("c", "d", float_bad)))
    # a float result never refutes on its own: without exact evidence the claim is undecided
    assert float_only.status == "undecided" and float_only.warnings == [float_bad]


SINGLE_POINTS = "x1,x2,x3,cluster\n0,0,0,1\n1,0,0,2\n0,1,0,3\n"
ILL_CONDITIONED = ("x1,x2,x3,cluster\n0,0,0,1\n0.0001,0,0.0001,1\n10000,0,0,2\n10000,0.0001,0,2\n0,10000,0,3\n"
                   "0.0001,10000,0.0001,3\n0,10000,0.0001,3\n")


def test_invertible_weights_may_reach_the_bound_when_the_kept_points_do_not_span(tmp_path, capsys):
    """One point per cluster: every fit is exact, so the truncation-map point reaches B_U = 0; (c) does not
    apply and nothing claims that the point is not critical."""
    path = tmp_path / "single.csv"
    path.write_text(SINGLE_POINTS)
    data = read_csv(path)
    for st in settle_strata(data, 3)[1:]:
        assert st.invertible.cost == st.bound == 0 and st.invertible.verdict == "local_minimum"
        assert not st.invertible.spans and st.invertible.certificate.status == "not_applicable"
    assert main(["check", "--data", str(path), "--only", "N2", "--json", "--quiet"]) == 0
    n2 = json.loads(capsys.readouterr().out)["claims"][0]
    assert not any("not critical" in c["method"] or "nonzero gradient" in c["method"] for c in n2["checks"])


def test_float_bounds_on_ill_conditioned_data_match_the_exact_ones(tmp_path, capsys):
    """Coordinates 1e4 and 1e-4: the float least-squares bounds agree with the exact ones (Fraction arithmetic
    through SymPy's projector), and float64 never refutes N2 there."""
    path = tmp_path / "ill.csv"
    path.write_text(ILL_CONDITIONED)
    exact, floats = read_csv(path), read_csv(path, kind="float")
    for S in strata(3):
        kept = [j for j in (1, 2, 3) if j not in S]
        mask = np.isin(exact.labels, kept)
        Xt = sp.Matrix(arith.to_sympy(np.vstack([exact.X[:, mask], exact.kind.full((1, int(mask.sum())), 1)])))
        Y = sp.Matrix(arith.to_sympy(exact.targets_ext[:, mask]))
        R = Y - Y * Xt.pinv() * Xt
        independent = sum(v**2 for v in R) / (2 * exact.N)
        assert float(stratum_bound(floats, kept)) == pytest.approx(float(independent), abs=1e-12)
    assert main(["check", "--data", str(path), "--only", "N2", "--float", "--quiet"]) == 0
    capsys.readouterr()
