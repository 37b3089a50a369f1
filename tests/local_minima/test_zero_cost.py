"""Zero cost below G1's depth (symgeom.local_minima.sequential), checked by the independent Fraction forward pass."""

from fractions import Fraction

import pytest

from symgeom._errors import ConstructionError
from symgeom.data.clusters import example_data
from symgeom.data.embedded import default_data
from symgeom.global_minima.interval_network import IntervalNetwork
from symgeom.local_minima.strata import StratumMinimizer
from symgeom.local_minima.sequential import keep_one_cluster, zero_cost_below_q

from test_local_minima import assert_in_stratum, fraction_cost, fraction_forward, fraction_parameters


def test_q_minus_one_truncations_reach_cost_zero_exactly():
    data = default_data()
    point = zero_cost_below_q(data, data.Q - 1)
    assert isinstance(point, StratumMinimizer) and point.kept == (3,) and point.truncated == (1, 2)
    weights, biases = fraction_parameters(point.params)
    X = [[Fraction(str(v)) for v in data.X[:, n]] for n in range(data.N)]
    pre, outs = fraction_forward(weights, biases, X)
    assert fraction_cost(outs, data) == 0
    assert_in_stratum(pre, data, point.kept, point.collapse_layers)


def test_keep_one_cluster_tries_the_largest_label_first():
    point, errors = keep_one_cluster(default_data())
    assert point.kept == (3,) and errors == []


def test_one_hidden_layer_below_q_minus_one_is_refused_with_the_reason():
    data = example_data(3, 0)
    with pytest.raises(ConstructionError, match=r"L >= Q - 1 = 2 \(got L = 1\)"):
        zero_cost_below_q(data, 1)
    with pytest.raises(ConstructionError, match="1 <= L < Q"):
        zero_cost_below_q(data, 3)


def test_two_layers_at_q_4_take_the_interval_network_with_cost_zero():
    data = example_data(4, 0)
    try:
        point = zero_cost_below_q(data, 2)
    except ConstructionError as e:
        pytest.fail(f"the example data separate along a direction: {e}")
    assert isinstance(point, IntervalNetwork)
    weights, biases = fraction_parameters(point.params)
    X = [[Fraction(str(v)) for v in data.X[:, n]] for n in range(data.N)]
    _, outs = fraction_forward(weights, biases, X)
    assert fraction_cost(outs, data) == 0
