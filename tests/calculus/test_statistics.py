"""Costs, gradients, least-squares fits and region slacks from sufficient statistics (symgeom.calculus.statistics,
symgeom.local_minima.fit, symgeom.local_minima.region.slack_values) against the independent referee.

Expected values come from ``independent`` (Fractions: its own forward pass, cost and least squares) and from a
reverse sweep in Fractions written here, on data from the differential harness's generators (random targets among
them) and at random parameters and the explicit stratum points, whose rationals are large.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import independent as ind
from generators import dataset_plan
from symgeom.calculus import statistics
from symgeom.calculus.cost import Cost
from symgeom.data.clusters import ClusterData
from symgeom.local_minima.collapse import collapse_order
from symgeom.local_minima.strata import active_bound, stratum_minimizer, strata
from symgeom.model.network import random_parameters
from symgeom.numbers.filtered import grouped_moments

COSTS = (Cost.MEAN_SQUARED, Cost.PAPER)


def data_of(ds) -> ClusterData:
    targets = None if ds.targets is None else [[Fraction(v) for v in row] for row in ds.targets]
    return ClusterData.from_arrays([list(p) for p in ds.points], list(ds.labels), targets)


def sets():
    return [data_of(ds) for ds in dataset_plan({2: (3, 3, 2), 3: (5, 5, 3), 4: (3, 3, 2)}, seed=41)]


def referee_params(params):
    return [ind.fmat(W) for W in params.weights], [ind.fmat(b) for b in params.biases]


def referee_gradient(Ws, bs, X, labels, Y, paper: bool) -> list:
    """``∇ Σ_n w_n |r_n|²`` by a reverse sweep in Fractions, point by point (``[vec W_1, b_1, …]``)."""
    X, w = ind.fmat(X), ind.point_weights(labels, paper)
    xs, pres = [X], []
    for W, b in zip(Ws[:-1], bs[:-1]):
        u = W.dot(xs[-1]) + b.reshape(-1, 1)
        pres.append(u)
        xs.append(np.where(u > 0, u, ind.ZERO))
    delta = (Ws[-1].dot(xs[-1]) + bs[-1].reshape(-1, 1) - ind.targets_ext(Y, labels)) * (2 * w)[None, :]
    blocks = []
    for l in range(len(Ws) - 1, -1, -1):
        blocks.append(list(delta.dot(xs[l].T).reshape(-1)) + list(delta.sum(axis=1)))
        if l:
            delta = Ws[l].T.dot(delta) * (pres[l - 1] > 0)
    return [v for block in reversed(blocks) for v in block]


def as_fractions(values) -> list:
    return [ind.fr(v) for v in np.asarray(values).reshape(-1)]


@pytest.mark.parametrize("paper", [False, True])
def test_value_and_gradient_equal_the_referee_at_random_parameters(paper):
    cost, used = Cost.PAPER if paper else Cost.MEAN_SQUARED, 0
    for i, data in enumerate(sets()):
        params = random_parameters(data.Q, 1 + i % 3, seed=i)
        Ws, bs = referee_params(params)
        value, grad = cost.value_and_gradient(params, data)
        assert ind.fr(value) == ind.cost(Ws, bs, data.X, data.labels, data.Y, paper)
        assert as_fractions(grad) == referee_gradient(Ws, bs, data.X, data.labels, data.Y, paper)
        found = statistics.cluster_regions(params, data)
        used += found is not None
        if found is not None:  # single entries, each from its own sum over the regions
            referee = referee_gradient(Ws, bs, data.X, data.labels, data.Y, paper)
            for index in range(0, len(referee), 5):
                entry = statistics.statistics_gradient_entry(params, data, cost.cluster_weights(data), index)
                assert ind.fr(entry[0]) == ind.fr(value) and ind.fr(entry[1]) == referee[index]
    assert used >= 8  # the moments path decided most of them (the rest fell back to the exact pass)


@pytest.mark.parametrize("paper", [False, True])
def test_cost_at_the_stratum_points_equals_the_referee(paper):
    cost = Cost.PAPER if paper else Cost.MEAN_SQUARED
    for data in sets()[::2]:
        for S in strata(data.Q)[1:4]:
            try:
                theta = stratum_minimizer(data, len(S), collapse_order(data, S), cost)
            except Exception:  # no collapse order on these data: nothing constructed to compare
                continue
            Ws, bs = referee_params(theta.params)
            assert statistics.cluster_regions(theta.params, data) is not None
            assert ind.fr(cost.of(theta.params, data)) == ind.cost(Ws, bs, data.X, data.labels, data.Y, paper)


def test_grouped_moments_against_sums_of_fractions():
    data = sets()[4]
    groups = np.where(np.arange(data.N) % 4 == 0, -1, (data.labels - 1) % 2)  # some points left out
    S = grouped_moments(data.X, groups, 2)
    X = ind.fmat(data.X)
    for g in range(2):
        Z = np.vstack([X[:, groups == g], np.full((1, int((groups == g).sum())), ind.ONE, dtype=object)])
        assert as_fractions(S[g]) == list(Z.dot(Z.T).reshape(-1))


@pytest.mark.parametrize("paper", [False, True])
def test_active_bound_on_whole_and_partial_clusters_equals_the_referee(paper):
    cost = Cost.PAPER if paper else Cost.MEAN_SQUARED
    for data in sets():
        U = tuple(range(1, data.Q))
        mask = np.isin(data.labels, U)
        assert ind.fr(active_bound(data, mask, cost)) == ind.stratum_bound(data.X, data.labels, data.Y, U, paper)
        part = mask & (np.arange(data.N) % 3 != 1)  # a third of the points of U left out
        X, labels = ind.fmat(data.X), np.asarray(data.labels)
        w = ind.point_weights(labels, paper)[part]
        keep = np.flatnonzero(part)
        _, R = ind.least_squares(X[:, keep], labels[keep], data.Y, U, w)
        assert ind.fr(active_bound(data, part, cost)) == sum((R * R).sum(axis=0) * w, ind.ZERO)


def test_stratum_slacks_hold_the_exact_minimum_of_every_group():
    """The filtered slacks keep only the points that may hold each group's least slack: that least slack is the one
    the referee's full exact pass gives."""
    checked = 0
    for data in sets():
        for S in strata(data.Q)[1:]:
            try:
                theta = stratum_minimizer(data, len(S), collapse_order(data, S))
            except Exception:
                continue
            Ws, bs = referee_params(theta.params)
            pre = np.stack(ind.forward(Ws, bs, data.X)[0])
            labels = np.asarray(data.labels)
            kept = np.isin(labels, theta.kept)
            assert ind.fr(min(theta.slacks["kept"])) == min(pre[:, :, kept].min(axis=(0, 1)))
            for k in S:
                death = (-pre[:, :, labels == k]).min(axis=1).max(axis=0)
                assert ind.fr(min(theta.slacks[k])) == min(death)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("paper", [False, True])
def test_a_subnormal_weight_does_not_mislead_the_moments(paper):
    """W_2[0,0] = 10^-320 converts to float64 with a relative error near 1e-5; with an activation of 10^300 and a
    bias that leaves the exact pre-activation at +ε/2 of the product (the float one at −ε/2), a filter that trusted the
    relative bound would take the wrong pattern.  Cost and gradient must be the referee's."""
    cost = Cost.PAPER if paper else Cost.MEAN_SQUARED
    data = ClusterData.from_arrays([["1", "1"], ["2", "2"], ["3", "1"]], [1, 2, 1])
    w, big = Fraction(1, 10**320), Fraction(10) ** 300
    eps = Fraction(float(w)) / w - 1
    b = -w * big * (1 + eps / 2)
    rows = [[[big, 0], [0, 1]], [[w, 0], [0, 1]], [[1, 0], [0, 1]]]
    from symgeom.model.network import Parameters

    params = Parameters.from_lists([[[str(v) for v in r] for r in W] for W in rows], [["0", "0"], [str(b), "0"], ["0", "0"]])
    Ws, bs = referee_params(params)
    value, grad = cost.value_and_gradient(params, data)
    assert ind.fr(value) == ind.cost(Ws, bs, data.X, data.labels, data.Y, paper)
    assert as_fractions(grad) == referee_gradient(Ws, bs, data.X, data.labels, data.Y, paper)


def test_a_fit_of_no_points_is_zero():
    from symgeom.local_minima.fit import moment_fit, moment_residual
    from symgeom.numbers import arith

    S, T = arith.zeros((2, 3, 3), "exact"), arith.array([[1, 0], [0, 1]], "exact")
    F = moment_fit(S, T)
    assert all(v == 0 for v in F.reshape(-1)) and moment_residual(F, S, T) == 0
