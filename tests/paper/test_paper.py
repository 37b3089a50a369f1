"""The paper's numbered statements (claims P2.2 … E2.85), each verdict against an independent computation written
here: numpy weighted least squares, Fractions, a float forward pass of the paper's construction built from its
formulas, and translated copies of the data."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from symgeom import Context, run_claims
from symgeom.numbers.arith import to_fraction
from symgeom.data.clusters import ClusterData
from symgeom.data.embedded import default_data
from symgeom.paper.construction import D_estimate, build, shift_in_I0, shifted_mu
from symgeom.paper.hypotheses import paper_hypotheses
from symgeom.paper.minima import (affine_fit, bias_gradient, collapse_slope, curated_points, formula_squared,
    linear_fit, translated)


# -- data the `example` generator does not make ------------------------------------------------
def unequal_clusters(sizes=(5, 7, 9), seed=3, radius=Fraction(1, 5)) -> ClusterData:
    """Q = 3, oblique means, clusters of sizes 5, 7, 9 with rational deviations summing to 0 exactly."""
    rng = np.random.default_rng(seed)
    means = [[3, Fraction(1, 2), 0], [Fraction(-1, 3), 4, Fraction(1, 4)], [Fraction(1, 5), 0, Fraction(7, 2)]]
    points, labels = [], []
    for j, n in enumerate(sizes, start=1):
        raw = [[Fraction(int(k), 100) for k in rng.integers(-9, 10, size=3)] for _ in range(n)]
        centre = [sum(r[c] for r in raw) / n for c in range(3)]
        for r in raw:
            points.append([means[j - 1][c] + (r[c] - centre[c]) * radius * 5 for c in range(3)])
            labels.append(j)
    return ClusterData.from_arrays(points, labels)


def two_clusters() -> ClusterData:
    """Q = 2, clusters of sizes 3 and 4."""
    pts = [[4, 1], [Fraction(41, 10), 1], [Fraction(39, 10), 1],
           [1, 4], [1, Fraction(41, 10)], [Fraction(11, 10), Fraction(39, 10)], [Fraction(9, 10), 4]]
    return ClusterData.from_arrays(pts, [1, 1, 1, 2, 2, 2, 2])


DATA = {"default": default_data, "unequal": unequal_clusters}


def as_float(data: ClusterData):
    return np.asarray(data.X, dtype=float), np.asarray(data.labels), np.asarray(data.Y, dtype=float)


def weighted_lstsq(Z, labels, Y, bias: bool) -> float:
    """Independent: ``min Σ_j (1/N_j) Σ_i |W z + b − y_j|²`` by numpy least squares on rows scaled by ``1/√N_j``."""
    counts = np.bincount(labels)[labels]
    A = np.vstack([Z, np.ones(Z.shape[1])]) if bias else Z
    s = 1 / np.sqrt(counts)
    T = Y[:, labels - 1]
    sol, *_ = np.linalg.lstsq((A * s).T, (T * s).T, rcond=None)
    R = sol.T @ A - T
    return float(((R * R).sum(axis=0) / counts).sum())


def formula_fractions(data: ClusterData, s=None) -> Fraction:
    """Independent: ``tr(Y Δ2 (1 + Δ2)⁻¹ Yᵀ)`` in Fractions via SymPy's rational matrices."""
    import sympy as sp

    X = sp.Matrix([[sp.Rational(str(x)) for x in row] for row in data.X])
    labels = list(map(int, data.labels))
    Q, N = X.shape
    counts = [labels.count(j) for j in range(1, Q + 1)]
    M = sp.Matrix(Q, Q, lambda c, j: sum(X[c, n] for n in range(N) if labels[n] == j + 1) / counts[j])
    dev = sp.Matrix(Q, N, lambda c, n: X[c, n] - M[c, labels[n] - 1])
    if s is not None:
        for n in range(N):
            if not s[labels[n] - 1]:
                dev[:, n] = sp.zeros(Q, 1)
    D1 = M.inv() * dev
    D2 = sum((D1[:, n] * D1[:, n].T / counts[labels[n] - 1] for n in range(N)), sp.zeros(Q, Q))
    Y = sp.Matrix([[sp.Rational(str(x)) for x in row] for row in data.Y])
    v = (Y * D2 * (sp.eye(Q) + D2).inv() * Y.T).trace()
    return Fraction(int(v.p), int(v.q))


def construction_float(data: ClusterData, mu, theta_star: float):
    """Independent float forward pass of (2.63)–(2.65), (4.28), (4.75): returns ``C_N²`` and the smallest
    |pre-activation| with the sign the construction needs (negative when the construction breaks)."""
    X, labels, Y = as_float(data)
    Q = X.shape[0]
    M = np.stack([X[:, labels == j].mean(axis=1) for j in range(1, Q + 1)], axis=1)
    centre = M.mean(axis=1)
    f = [(centre - M[:, j]) / np.linalg.norm(centre - M[:, j]) for j in range(Q)]
    u = np.ones(Q) / math.sqrt(Q)
    lam = min(1.0, (1 / math.sqrt(Q - 1)) / math.tan(theta_star / 2))
    W_star = lam * np.eye(Q) + (1 - lam) * np.outer(u, u)
    Z, worst = X.copy(), np.inf
    for l in range(Q):
        # a rotation taking f_l to u: rotate in the plane of f_l and u (Rodrigues), independent of the library's choice
        a, b = f[l], u
        v = b - (a @ b) * a
        if np.linalg.norm(v) < 1e-15:
            R = np.eye(Q)
        else:
            v /= np.linalg.norm(v)
            c, s = a @ b, math.sqrt(max(0.0, 1 - (a @ b) ** 2))
            R = np.eye(Q) + s * (np.outer(v, a) - np.outer(a, v)) + (c - 1) * (np.outer(a, a) + np.outer(v, v))
        W = W_star @ R
        bias = -W @ M[:, l] + mu[l] * u
        U = W @ Z + bias[:, None]
        need = np.where((labels == l + 1) & (mu[l] < 0), -1.0, 1.0)
        worst = min(worst, float((U * need).min()))
        Z = np.linalg.solve(W, np.maximum(U, 0) - bias[:, None])
    P = np.stack([M[:, j] - mu[j] * f[j] for j in range(Q)], axis=1)
    R = Y @ np.linalg.inv(P) @ Z - Y[:, labels - 1]
    counts = np.bincount(labels)[labels]
    return float(((R * R).sum(axis=0) / counts).sum()), worst


_CONTEXTS = {}


def claims(data, *ids):
    """The named claims on ``data`` (one context per data set, so the runs of the construction are shared)."""
    ctx = _CONTEXTS.setdefault(id(data), (Context(data, data.Q), data))[0]
    return {cid: run_claims(ctx, cid)[0] for cid in ids}


@pytest.fixture(scope="module", params=list(DATA))
def named(request):
    return request.param, DATA[request.param]()


# -- the hypotheses ------------------------------------------------------------------------------
def test_hypotheses_against_floats(named):
    name, data = named
    h = paper_hypotheses(data)
    X, labels, _ = as_float(data)
    M = np.stack([X[:, labels == j].mean(axis=1) for j in range(1, data.Q + 1)], axis=1)
    centre = M.mean(axis=1)
    delta = max(np.linalg.norm(X[:, n] - M[:, labels[n] - 1]) for n in range(X.shape[1]))
    assert h.clustered == (4 * delta < min(np.linalg.norm(M[:, j] - centre) for j in range(data.Q)))
    for j in range(data.Q):
        g = centre - M[:, j]
        halves = [math.acos(np.clip((M[:, k] - M[:, j]) @ g / (np.linalg.norm(M[:, k] - M[:, j]) * np.linalg.norm(g)), -1, 1))
                  + math.asin(4 * delta / np.linalg.norm(M[:, k] - M[:, j])) for k in range(data.Q) if k != j]
        assert float(h.theta[j].mid()) == pytest.approx(2 * max(halves), abs=1e-12)
        assert (2 * max(halves) < math.pi) == all(h.half_angle_ok[j])
    assert h.holds


def test_thick_clusters_fail_the_hypotheses():
    """Iris projected to 3 principal components: the clusters are too thick for (2.14); the theorems do not apply."""
    from sklearn.datasets import load_iris
    from sklearn.decomposition import PCA

    iris = load_iris()
    Z = np.round(PCA(3).fit_transform(iris.data) + 10, 2)
    data = ClusterData.from_arrays([[Fraction(str(x)) for x in row] for row in Z], iris.target + 1)
    h = paper_hypotheses(data)
    assert not h.clustered
    got = claims(data, "E2.71")["E2.71"]
    assert got.status == "not_applicable"


# -- Theorem 2.3 and the range (2.58) ---------------------------------------------------------------
def test_theorem_23_zero_cost_against_float_construction(named):
    name, data = named
    d = claims(data, "P2.3")["P2.3"]
    assert d.status == "certified"
    ts = [Fraction(1, 3)] * data.Q
    mu = [shifted_mu(data, j, t) for j, t in enumerate(ts, start=1)]
    assert all(shift_in_I0(data, j, t) for j, t in enumerate(ts, start=1))
    run = build(data, mu)
    cost, worst = construction_float(data, [float(m.mid()) for m in mu], float(run.theta_star.mid()))
    assert run.signs_certified and worst > 0 and cost < 1e-20
    assert run.cost_squared.contains(0) and run.cost_squared_upper < 1e-30
    assert run.min_margin > 0  # the margins depend on the choice of R_l (only R_l f_l = u/|u| is fixed); the signs do not


def test_range_258_fails_for_two_clusters():
    """Q = 2: near the far end of (2.58) the first collapse point falls into the backward cone of layer 2 (the step
    (4.59)); both clusters land on one point and C_N² = |y_1 − y_2|² = 2, also in an independent float pass."""
    data = two_clusters()
    d = claims(data, "E2.58")["E2.58"]
    assert d.status == "refuted"
    assert "earlier collapse points" in d.main.counterexample
    D = D_estimate(data)
    t = Fraction(0.97 * D).limit_denominator(1000)
    d12 = math.dist(*[np.asarray(data.means, dtype=float)[:, j] for j in range(2)])
    assert d12 / 2 < float(t) < D  # the hand argument: D > d/2
    run = build(data, [-t, -t])
    assert run.violated and run.cost_squared_lower > 1.99
    cost, worst = construction_float(data, [-float(t)] * 2, float(run.theta_star.mid()))
    assert worst < 0 and cost == pytest.approx(2.0, rel=1e-9)
    steel = [s.check for s in d.steps if s.check is not None and "companion" in s.check.detail][0]
    assert steel.status == "certified"


def test_range_258_fails_on_the_embedded_data_past_the_centroid():
    """Embedded data: with every collapse point just past the centroid (µ_j = −1.01 |x̄ − x̄_j|, certified inside
    (2.58) for the default θ0) an earlier collapse point falls into a later backward cone; the independent float
    pass (another rotation) breaks there too and its cost is far from 0."""
    data = default_data()
    d = claims(data, "E2.58")["E2.58"]
    assert d.status == "refuted" and "earlier collapse points" in d.main.counterexample
    ts = [Fraction(101, 100)] * data.Q
    assert all(shift_in_I0(data, j, t) for j, t in enumerate(ts, start=1))
    mu = [shifted_mu(data, j, t) for j, t in enumerate(ts, start=1)]
    run = build(data, mu)
    cost, worst = construction_float(data, [float(m.mid()) for m in mu], float(run.theta_star.mid()))
    assert run.violated and worst < 0 and cost > 1


# -- Theorem 2.4 and (2.71) ----------------------------------------------------------------------
def test_271_refuted_against_numpy_and_fractions(named):
    name, data = named
    X, labels, Y = as_float(data)
    F = formula_fractions(data)
    assert to_fraction(formula_squared(data)) == F
    bias_free, affine = weighted_lstsq(X, labels, Y, bias=False), weighted_lstsq(X, labels, Y, bias=True)
    assert float(F) == pytest.approx(bias_free, rel=1e-10)  # the reading that holds
    assert affine < bias_free * (1 - 1e-6)  # as written it fails
    assert float(affine_fit(data.X, data)[1]) == pytest.approx(affine, rel=1e-10)
    got = claims(data, "E2.71", "P2.4")
    assert got["E2.71"].status == "refuted" and got["P2.4"].status == "certified"
    W0, _ = linear_fit(data.X, data)
    g = bias_gradient(W0, np.array([0 * W0[0, 0]] * data.Q, dtype=object), data.X, data)
    W0f = np.asarray(W0, dtype=float)
    counts = np.bincount(labels)[labels]
    gf = 2 * ((W0f @ X - Y[:, labels - 1]) / counts).sum(axis=1)
    assert np.allclose(np.asarray(g, dtype=float), gf, rtol=1e-9) and np.abs(gf).max() > 1e-6


def test_271_translation():
    """A translated copy: the affine minimum stays, (2.71) moves (numpy and Fractions)."""
    data = unequal_clusters()
    moved = translated(data, [5, 5, 5])
    X, labels, Y = as_float(data)
    assert weighted_lstsq(X, labels, Y, True) == pytest.approx(weighted_lstsq(X + 5, labels, Y, True), rel=1e-9)
    assert formula_fractions(moved) != formula_fractions(data)
    assert float(formula_fractions(moved)) == pytest.approx(weighted_lstsq(X + 5, labels, Y, False), rel=1e-10)


# -- Theorem 2.5 and (2.85) ----------------------------------------------------------------------
def test_285_depends_on_mu(named):
    name, data = named
    X, labels, Y = as_float(data)
    values = []
    for t in (Fraction(1, 3), Fraction(1, 2)):
        assert shift_in_I0(data, 1, t)
        Z = np.asarray(curated_points(data, [t] + [None] * (data.Q - 1)), dtype=float)
        M1 = X[:, labels == 1].mean(axis=1)
        centre = np.stack([X[:, labels == j].mean(axis=1) for j in range(1, data.Q + 1)]).mean(axis=0)
        assert np.allclose(Z[:, labels == 1], (M1 + float(t) * (centre - M1))[:, None])
        values.append(weighted_lstsq(Z, labels, Y, True))
        assert float(affine_fit(curated_points(data, [t] + [None] * (data.Q - 1)), data)[1]) == pytest.approx(values[-1], rel=1e-10)
    assert abs(values[0] - values[1]) > 1e-6
    F = formula_fractions(data, (0,) + (1,) * (data.Q - 1))
    assert to_fraction(formula_squared(data, (0,) + (1,) * (data.Q - 1))) == F
    assert all(abs(float(F) - v) > 1e-6 for v in values)
    got = claims(data, "E2.85", "P2.5")
    assert got["E2.85"].status == "refuted" and got["P2.5"].status == "refuted"


def test_mixed_s_slope_against_finite_differences():
    data = unequal_clusters()
    X, labels, Y = as_float(data)
    slope = float(collapse_slope(data, [Fraction(1, 3), None, None], 1))
    M1 = X[:, labels == 1].mean(axis=1)
    centre = np.stack([X[:, labels == j].mean(axis=1) for j in range(1, 4)]).mean(axis=0)

    def value(tt):
        Z = X.copy()
        Z[:, labels == 1] = (M1 + tt * (centre - M1))[:, None]
        return weighted_lstsq(Z, labels, Y, True)

    h = 1e-5
    assert slope == pytest.approx((value(1 / 3 + h) - value(1 / 3 - h)) / (2 * h), rel=1e-5)
    assert abs(slope) > 1e-4


@pytest.mark.slow
def test_symbolic_identities_at_Q3():
    from symgeom.paper.minima import bias_free_minimum_identity

    grad_V, value, grad_c = bias_free_minimum_identity(3)
    assert grad_V.is_zero_matrix and value == 0 and grad_c.is_zero_matrix


def test_check_prints_the_paper_verdicts_and_keeps_exit_status_for_own_claims(tmp_path, capsys):
    """`check` on Q = 2 data: (2.58) refuted as a verdict on the paper (status 0), labelled; JSON names the statement."""
    import json

    from symgeom.cli import main

    data = two_clusters()
    path = tmp_path / "two.csv"
    rows = ["x1,x2,cluster"] + [f"{data.X[0, n]},{data.X[1, n]},{data.labels[n]}" for n in range(data.N)]
    path.write_text("\n".join(rows) + "\n")
    assert main(["check", "--data", str(path), "--only", "E2.58", "--quiet", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "E2.58 REFUTED (the paper's Theorem 2.3, (2.58)" in out
    assert main(["check", "--data", str(path), "--only", "E2.58", "--quiet", "--json"]) == 0
    claim = json.loads(capsys.readouterr().out)["claims"][0]
    assert claim["status"] == "refuted" and claim["paper"].startswith("Theorem 2.3")


def test_bias_free_optimum_at_symbolic_Q_can_fail():
    """The symbolic-Q proof vanishes, and the same expansion at a wrong optimum (V0 = Y) does not."""
    import sympy as sp

    from symgeom.paper.minima import bias_free_gradients_at_symbolic_Q

    grad_V, grad_c = bias_free_gradients_at_symbolic_Q()
    assert grad_V.is_ZeroMatrix and grad_c.is_ZeroMatrix
    Q = sp.Symbol("Q", integer=True, positive=True)
    Y, D = sp.MatrixSymbol("Y", Q, Q), sp.MatrixSymbol("D", Q, Q)
    wrong = sp.expand((2 * (Y - Y) + 2 * Y * D).doit())  # the gradient in V at V = Y
    assert not getattr(wrong, "is_ZeroMatrix", False)
