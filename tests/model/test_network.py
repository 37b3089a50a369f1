"""Forward pass, cost, symbolic cost per activation pattern, cumulative parameters."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symgeom import ParameterError
from symgeom.calculus.cost import cost, pattern_region, symbolic_cost, symbolic_points, symbolic_targets
from symgeom.model.cumulative import actual_parameters, cumulative_parameters, cumulative_symbolic
from symgeom.data.clusters import example_data
from symgeom.model.network import (Parameters, activation_pattern, centred_parameters, layers, random_parameters,
    symbolic_parameters)


def plain_cost(params, data):
    """An independent cost: plain Python lists, one point at a time."""
    total = Fraction(0)
    W = [[[Fraction(str(v)) for v in row] for row in M.tolist()] for M in params.weights]
    b = [[Fraction(str(v)) for v in vec.tolist()] for vec in params.biases]
    Q = params.Q
    for n in range(data.N):
        x = [Fraction(str(v)) for v in data.X[:, n].tolist()]
        for l in range(params.L + 1):
            pre = [sum(W[l][i][k] * x[k] for k in range(Q)) + b[l][i] for i in range(Q)]
            x = pre if l == params.L else [max(v, Fraction(0)) for v in pre]
        y = [Fraction(str(v)) for v in data.Y[:, data.labels[n] - 1].tolist()]
        total += sum((x[i] - y[i]) ** 2 for i in range(Q))
    return total / (2 * data.N)


@pytest.mark.parametrize("Q,L,seed", [(1, 1, 0), (2, 2, 1), (3, 3, 2), (4, 2, 3)])
def test_cost_against_plain_computation(Q, L, seed):
    data = example_data(Q, seed)
    params = centred_parameters(random_parameters(Q, L, seed=seed), data.X)
    assert Fraction(str(cost(params, data))) == plain_cost(params, data)


@pytest.mark.parametrize("Q,L", [(2, 1), (3, 3), (5, 4)])
def test_exact_and_float_forward_passes_agree(Q, L):
    data = example_data(Q, Q)
    exact = centred_parameters(random_parameters(Q, L, seed=L), data.X)
    floats = exact.with_kind("float")
    xe, xf = layers(exact, data.X), layers(floats, data.with_kind("float").X)
    for a, b in zip(xe, xf):
        assert a.dtype == object and b.dtype == float
        np.testing.assert_allclose(a.astype(float), b, rtol=1e-12, atol=1e-12)
    assert float(cost(exact, data)) == pytest.approx(cost(floats, data.with_kind("float")), rel=1e-12)


def test_symbolic_cost_on_the_actual_pattern_is_the_exact_cost():
    Q, L = 2, 2
    data = example_data(Q, 4)
    params = centred_parameters(random_parameters(Q, L, seed=9), data.X)
    Ws, bs = symbolic_parameters(Q, L)
    points = symbolic_points(Q, data.sizes)
    targets = symbolic_targets(Q)
    pattern = activation_pattern(params, data.X)  # (L, Q, N)
    patterns = [tuple(tuple(int(v) for v in pattern[l, :, n]) for l in range(L)) for n in range(data.N)]
    values = {}
    for W, Wv in zip(Ws, params.weights):
        values.update({s: sp.Rational(v) for s, v in zip(W, Wv.reshape(-1))})
    for b, bv in zip(bs, params.biases):
        values.update({s: sp.Rational(v) for s, v in zip(b, bv)})
    order = np.argsort(data.labels, kind="stable")  # symbolic points are listed cluster by cluster
    for (j, x), n in zip(points, order):
        values.update({s: sp.Rational(v) for s, v in zip(x, data.X[:, n])})
    for y, j in zip(targets, range(Q)):
        values.update({s: sp.Rational(v) for s, v in zip(y, data.Y[:, j])})
    patterns_sorted = [patterns[n] for n in order]
    C, region = symbolic_cost(Ws, bs, points, targets, patterns_sorted)
    assert C.is_polynomial(*C.free_symbols)
    assert C.xreplace(values) == sp.Rational(cost(params, data))
    assert all(bool(r.xreplace(values)) for r in region)
    # another pattern gives another polynomial whose region excludes these values
    flipped = [tuple(tuple(1 - v for v in layer) for layer in p) for p in patterns_sorted]
    _, region2 = symbolic_cost(Ws, bs, points, targets, flipped)
    assert not all(bool(r.xreplace(values)) for r in region2)


def test_pattern_region_is_strict():
    Ws, bs = symbolic_parameters(1, 1)
    x = sp.Matrix([sp.Symbol("x", real=True)])
    (r,) = pattern_region(Ws, bs, x, ((1,),))
    assert isinstance(r, sp.StrictGreaterThan)


@pytest.mark.parametrize("kind", ["exact", "float"])
def test_cumulative_round_trip(kind):
    p = random_parameters(3, 4, kind, seed=2)
    back = actual_parameters(cumulative_parameters(p))
    for a, b in zip(back.weights + back.biases, p.weights + p.biases):
        if kind == "exact":
            assert (a == b).all()
        else:
            np.testing.assert_allclose(a, b, atol=1e-12)


def test_cumulative_by_hand_and_symbolic():
    Ws, bs = symbolic_parameters(2, 1)
    Wc, bc = cumulative_symbolic(Ws, bs)
    assert Wc[1] == Ws[1] * Ws[0] and bc[1] == Ws[1] * bs[0] + bs[1]
    p = Parameters.from_lists([[[2, 0], [0, 3]], [[1, 1], [0, 1]]], [[1, 0], [0, 5]])
    c = cumulative_parameters(p)
    assert c.weights[1].tolist() == [[2, 3], [0, 3]] and c.biases[1].tolist() == [1, 5]


def test_parameters_validation():
    with pytest.raises(ParameterError, match="L\\+1 weight matrices"):
        Parameters.from_lists([[[1]]], [[0]])
    with pytest.raises(ParameterError, match="W_2 has shape"):
        Parameters.from_lists([[[1, 0], [0, 1]], [[1]]], [[0, 0], [0, 0]])
    with pytest.raises(ParameterError, match="singular"):
        actual_parameters(cumulative_parameters(Parameters.from_lists([[[1, 1], [1, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]]],
                                                                      [[0, 0]] * 3)))


def test_parameter_vector_round_trip():
    p = random_parameters(3, 2, "float", seed=1)
    q = Parameters.from_vector(p.vector(), 3, 2)
    assert p.count == 3 * 12 and all((a == b).all() for a, b in zip(p.weights + p.biases, q.weights + q.biases))


@pytest.mark.parametrize("Q,L,seed", [(1, 2, 0), (2, 2, 1), (3, 3, 2)])
def test_sufficient_statistics_match_per_point_sums(Q, L, seed):
    """Gauss-Newton matrix and gradient by regions and moments == sums of per-point Jacobians."""
    from symgeom.calculus.derivatives import gauss_newton, gradient, output_jacobian
    from symgeom.model.network import output

    data = example_data(Q, seed)
    params = centred_parameters(random_parameters(Q, L, seed=seed), data.X)
    J = [output_jacobian(params, data.X[:, n]) for n in range(data.N)]
    r = output(params, data.X) - data.targets_ext
    H = sum(j.T @ j for j in J) / data.N
    g = sum(j.T @ r[:, n] for n, j in enumerate(J)) / data.N
    assert (gauss_newton(params, data.X) == H).all()
    assert (gradient(params, data) == g).all()
    assert len(np.unique(activation_pattern(params, data.X).reshape(L * Q, -1), axis=1).T) > 1  # several regions
