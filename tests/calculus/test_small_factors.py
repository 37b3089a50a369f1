"""The Hessian and the tangent directions of the strata through small factors: the Jacobian factor ``F``
(``FᵀF = Σ JₙᵀJₙ``), the rank of the tangent directions by block elimination, and the sketched
finite-difference cross-check of N1 -- each against an independent computation, and each shown able to fail."""

import dataclasses

import numpy as np
import pytest

from symgeom.data.embedded import default_data
from symgeom.data.clusters import example_data
from symgeom.global_minima.degeneracy import jacobian_factor, layered_rank
from symgeom.calculus.derivatives import gauss_newton, output_jacobian
from symgeom.derivations.n1_no_truncation import difference_hessian_check
from symgeom.local_minima.settling import settle_stratum
from symgeom.model.network import random_parameters
from symgeom.local_minima.no_truncation import hessian_times
from symgeom.local_minima.strata import collapse_order, stratum_minimizer


def per_point_gram(params, X):
    """``Σ_n J_nᵀ J_n`` from the closed-form Jacobian of every point separately (no regions, no moments)."""
    J = [output_jacobian(params, X[:, n]) for n in range(X.shape[1])]
    return sum(j.T @ j for j in J)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_jacobian_factor_at_random_parameters(seed):
    """Many activation regions, inputs in general position: ``FᵀF`` is the sum of the per-point ``JₙᵀJₙ``."""
    params = random_parameters(3, 2, kind="float", seed=seed)
    X = np.random.default_rng(seed).normal(size=(3, 150))
    F = jacobian_factor(params, X)
    expected = per_point_gram(params, X)
    assert F.shape[1] == params.count
    assert np.abs(F.T @ F - expected).max() <= 1e-10 * np.abs(expected).max()


@pytest.mark.parametrize("S", [(), (1,), (1, 3), (2, 3)])
def test_jacobian_factor_at_stratum_minimizers(S):
    """Collapsed clusters (live layers constant on their region) give one row per output, the kept region at
    most ``Q(Q+1)``; ``FᵀF / N`` is the Gauss–Newton matrix and the per-point Gram matrix over ``N``."""
    data = default_data().with_kind("float")
    theta = stratum_minimizer(data, 3, collapse_order(data, S))
    F = jacobian_factor(theta.params, data.X)
    Q = data.Q
    assert F.shape[0] <= Q * (Q + 1) + Q * len(S)
    expected = per_point_gram(theta.params, data.X)
    assert np.abs(F.T @ F - expected).max() <= 1e-10 * np.abs(expected).max()
    H = np.asarray(gauss_newton(theta.params, data.X), dtype=float)
    assert np.abs(F.T @ F / data.N - H).max() <= 1e-10 * np.abs(H).max()


def layered_matrix(rng, blocks, size, groups):
    """Columns supported on blocks ``(h, h+1)``: ``groups[h]`` random ones, then as many exact duplicates
    (linear combinations within the same group) -- so the rank is that of the random columns alone."""
    cols = []
    for h, count in enumerate(groups):
        G = np.zeros((blocks * size, count))
        G[h * size:min(h + 2, blocks) * size] = rng.normal(size=(min(h + 2, blocks) * size - h * size, count))
        cols += [G, G @ rng.normal(size=(count, count // 2))]
    return np.hstack(cols)


@pytest.mark.parametrize("groups", [(3, 5, 2, 4), (8, 8, 8, 1), (1, 0, 6, 3), (10, 2, 0, 0)])
def test_layered_rank_against_a_full_decomposition(groups):
    """The block elimination finds the rank numpy's full SVD finds, with a wide gap around its tolerance."""
    rng = np.random.default_rng(sum(groups))
    A = layered_matrix(rng, 4, 5, groups)
    rank, tol, kept, dropped = layered_rank(A, 5)
    assert rank == np.linalg.matrix_rank(A)
    assert kept > 1e3 * tol > 1e6 * dropped


def test_layered_rank_refuses_a_column_across_three_blocks():
    A = np.zeros((12, 2))
    A[[0, 9], 0] = 1  # blocks 0 and 2 of size 4
    A[5, 1] = 1
    with pytest.raises(ValueError, match="two consecutive blocks"):
        layered_rank(A, 4)


@pytest.mark.parametrize("data,S", [(default_data(), ()), (default_data(), (1, 3)), (example_data(3), (2,))])
def test_float_stratum_dimension_equals_the_exact_one(data, S):
    """The float path (Jacobian factor, block elimination) certifies the dimension the exact ranks give."""
    exact = settle_stratum(data, data.Q, S)
    fl = settle_stratum(data.with_kind("float"), data.Q, S)
    assert exact.dimension_check.status == "certified" and fl.dimension_check.status == "checked"
    assert fl.hessian_nullity == exact.hessian_nullity and fl.tangent_dimension == exact.tangent_dimension


def test_hessian_times_at_n1_is_the_gauss_newton_product():
    """At N1 the Hessian is the Gauss–Newton matrix: differences of the gradient along random directions
    reproduce ``H D``."""
    data = default_data().with_kind("float")
    params = settle_stratum(data, 3, ()).minimizer.params
    D = np.random.default_rng(5).normal(size=(params.count, 4))
    H = np.asarray(gauss_newton(params, data.X), dtype=float)
    assert np.abs(hessian_times(params, data, D) - H @ D).max() <= 1e-6 * np.abs(H).max()


def test_sketched_difference_check_agrees_and_can_disagree():
    """The sketch confirms the certified nullity at N1, and says undecided for a nullity one off either way."""
    data = default_data()
    n1 = settle_stratum(data, 3, ())
    params = n1.minimizer.params
    ok = difference_hessian_check(n1, params, data)
    assert ok.status == "checked" and n1.hessian_nullity == 3 * (9 + 3)
    assert ok.margin > -ok.tolerance
    for wrong in (n1.hessian_nullity - 1, n1.hessian_nullity + 1):
        off = difference_hessian_check(dataclasses.replace(n1, hessian_nullity=wrong), params, data)
        assert off.status == "undecided", off.detail


@pytest.mark.parametrize("Q,L", [(2, 2), (3, 3), (5, 4), (9, 8)])
def test_pattern_groups_against_a_dictionary(Q, L):
    """Every column in exactly one group, grouped exactly as a dictionary keyed by the tuple of signs groups them
    (``L Q`` from 4 to 72 bits: one 64-bit word, mostly padding, and two words)."""
    from symgeom.numbers.filtered import pattern_groups
    from symgeom.model.network import preactivations

    params = random_parameters(Q, L, kind="float", seed=Q)
    pre = preactivations(params, np.random.default_rng(L).normal(size=(Q, 400)))
    expected = {}
    for n in range(400):
        expected.setdefault(tuple(bool(u[i, n] > 0) for u in pre for i in range(Q)), []).append(n)
    first, inverse = pattern_groups(np.stack([u > 0 for u in pre]))
    groups = [np.flatnonzero(inverse == g) for g in range(first.size)]
    assert sorted(cols.tolist() for cols in groups) == sorted(expected.values())
    for n, cols in zip(first, groups):
        assert expected[tuple(bool(u[i, n] > 0) for u in pre for i in range(Q))] == cols.tolist()


@pytest.mark.parametrize("seed", [0, 1])
def test_float_cost_and_gradient_against_regions_and_differences(seed):
    """The reverse sweep gives the cost of the forward pass and the gradient of the per-region closed form,
    and both agree with central differences of the cost along random directions."""
    from symgeom.calculus.cost import cost
    from symgeom.calculus.derivatives import float_cost_and_gradient, gradient
    from symgeom.model.network import Parameters

    data = example_data(3).with_kind("float")
    params = random_parameters(3, 3, kind="float", seed=seed)
    C, g = float_cost_and_gradient(params, data)
    assert C == pytest.approx(float(cost(params, data)), rel=1e-14)
    assert np.abs(g - gradient(params, data)).max() <= 1e-12 * max(1.0, np.abs(g).max())
    theta, h = params.vector().astype(float), 1e-6
    for d in np.random.default_rng(seed).normal(size=(3, params.count)):
        up = float(cost(Parameters.from_vector(theta + h * d, 3, 3), data))
        down = float(cost(Parameters.from_vector(theta - h * d, 3, 3), data))
        assert (up - down) / (2 * h) == pytest.approx(g @ d, rel=1e-5, abs=1e-8)
