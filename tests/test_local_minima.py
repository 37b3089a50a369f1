"""N1 and N2: costs, verdicts and their certificates, each re-verified by an independent method."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symgeom import arith
from symgeom.cli import main
from symgeom.cost import cost
from symgeom.data import ClusterData, default_data
from symgeom.derivatives import gradient
from symgeom.local_minima import candidate, candidates, noise_expansion, noise_series, projection_cost, settle
from symgeom.network import Parameters

from strategies_data import anisotropic_data

CASES = [(Q, L) for Q in range(1, 5) for L in (Q, Q + 1, Q + 2)]


def plain_least_squares_cost(data):
    """Independent N1 cost: numpy least squares on the float data."""
    X = np.asarray(data.X, dtype=float)
    Xt = np.vstack([X, np.ones(X.shape[1])])
    Y = np.asarray(data.targets_ext, dtype=float)
    G, *_ = np.linalg.lstsq(Xt.T, Y.T, rcond=None)
    return float(np.sum((G.T @ Xt - Y) ** 2) / (2 * data.N))


@pytest.mark.parametrize("Q,L", CASES)
def test_verdicts(Q, L):
    data = anisotropic_data(Q, 10 + Q)
    verdicts = [settle(c) for c in candidates(data, L)]
    assert len(verdicts) == 2**Q - 1
    n1 = verdicts[0]
    assert n1.candidate.truncated == () and n1.verdict == "local_minimum"
    assert float(n1.candidate.cost) == pytest.approx(plain_least_squares_cost(data), rel=1e-9, abs=1e-15)
    assert n1.candidate.cost == projection_cost(data.X, data)
    for v in verdicts[1:]:
        assert v.verdict == "not_critical"
        assert v.output_layer_minimum.status == "certified"
        _independent_checks(v)


def _independent_checks(v):
    """The exact gradient against central differences of the float cost, and a lower exact cost nearby."""
    params, data = v.candidate.params, v.candidate.data
    g = np.asarray(gradient(params, data), dtype=float)
    p = params.with_kind("float")
    fdata = data.with_kind("float")
    theta = p.vector()
    h = 1e-6
    for i in np.argsort(-np.abs(g))[:5]:
        e = np.zeros_like(theta)
        e[i] = h
        fd = (cost(Parameters.from_vector(theta + e, p.Q, p.L), fdata)
              - cost(Parameters.from_vector(theta - e, p.Q, p.L), fdata)) / (2 * h)
        assert fd == pytest.approx(g[i], rel=1e-4, abs=1e-10)
    # a small exact step against the largest gradient entry lowers the exact cost
    i = int(np.argmax(np.abs(g)))
    step = np.array([arith.to_exact(0)] * theta.size, dtype=object)
    base = v.candidate.cost
    for k in range(8, 40):
        step[i] = arith.to_exact(Fraction(-int(np.sign(g[i])), 2**k))
        if cost(Parameters.from_vector(params.vector() + step, params.Q, params.L), data) < base:
            break
    else:
        pytest.fail("no exact step against the gradient lowered the cost")


def test_n1_hessian_is_an_exact_gram_matrix():
    """Exact PSD certificate: the Hessian at N1 equals (1/N) J^T J with J from SymPy's own
    differentiation of every point's pattern polynomial, so x^T H x = |J x|^2 / N >= 0."""
    from symgeom.cost import pattern_output
    from symgeom.derivatives import gauss_newton
    from symgeom.network import activation_pattern, symbolic_parameters

    data = anisotropic_data(2, 4)
    cand = candidate(data, 2)
    params = cand.params
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


def test_n1_hessian_is_psd_with_the_derived_nullity():
    data = default_data()
    v = settle(candidate(data, 3))
    assert v.hessian_min_eigenvalue > -v.hessian_tolerance
    assert v.hessian_nullity == 3 * (9 + 3)


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


def test_candidate_validation():
    from symgeom import ConstructionError

    with pytest.raises(ConstructionError, match="proper subset"):
        candidate(default_data(), 3, (1, 2, 3))
    with pytest.raises(ConstructionError, match="needs L >= 2"):
        candidate(default_data(), 1, (1, 2))


def test_check_json_local_minima(capsys):
    assert main(["check", "--json", "--only", "N2"]) == 1  # N2 is refuted on the default data
    import json

    out = json.loads(capsys.readouterr().out)
    lm = out["local_minima"]
    assert [m["truncated"] for m in lm] == [[], [1], [2], [3], [1, 2], [1, 3], [2, 3]]
    assert lm[0]["verdict"] == "local_minimum" and all(m["verdict"] == "not_critical" for m in lm[1:])
    assert all(isinstance(m["cost"], str) for m in lm) and lm[1]["gradient_norm"] > 0
    n2 = out["claims"][0]
    assert n2["status"] == "refuted" and any("S = {1}" in c.get("counterexample", "") for c in n2["checks"])
