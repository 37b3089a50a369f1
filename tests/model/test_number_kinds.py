"""Parameters and data of different number kinds are refused with symgeom's own error, and the strategy
:func:`symgeom.strategies.data_and_parameters` draws them of one kind."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symgeom
from symgeom.calculus.cost import Cost
from symgeom.model.network import random_parameters
from symgeom.data.embedded import default_data
from symgeom.strategies import data_and_parameters

import independent


@pytest.mark.parametrize("params_kind, data_kind, words", [
    ("exact", "float", ("parameters are exact rationals", "data are float64", "params.with_kind('float')",
                        "default_data('exact')")),
    ("float", "exact", ("parameters are float64", "data are exact rationals", "params.with_kind('exact')",
                        "default_data('float')")),
])
def test_mixed_kinds_raise_kind_error(params_kind, data_kind, words):
    with pytest.raises(symgeom.KindError) as info:
        symgeom.cost(random_parameters(3, 3, params_kind), default_data(data_kind))
    assert isinstance(info.value, symgeom.ParameterError) and isinstance(info.value, TypeError)
    for w in words:
        assert w in str(info.value)


def test_mixed_kinds_refused_by_every_cost():
    with pytest.raises(symgeom.KindError):
        Cost.PAPER.of(random_parameters(2, 1, "exact"), default_data("float"))


def _exact(a):
    return np.vectorize(lambda v: Fraction(v) if isinstance(v, float) else Fraction(str(v)), otypes=[object])(a)


@settings(max_examples=25, deadline=None)
@given(data_and_parameters(scale_exponent=st.integers(-3, 3), max_size=3))
def test_data_and_parameters_share_a_kind(drawn):
    data, params = drawn
    assert params.kind == data.kind and params.Q == data.Q
    C = symgeom.cost(params, data)
    Ws, bs = [_exact(W) for W in params.weights], [_exact(b) for b in params.biases]
    X, Y = _exact(data.X), _exact(data.Y)
    expected = independent.cost(Ws, bs, X, data.labels, Y)
    if data.kind == "exact":
        assert Fraction(str(C)) == expected
    else:  # float64 rounds each operation: within 1e-9 of the scale of the terms summed
        _, out = independent.forward(Ws, bs, X)
        scale = 1 + sum((out * out).sum(axis=0)) + sum((independent.targets_ext(Y, data.labels) ** 2).sum(axis=0))
        assert abs(Fraction(C) - expected) <= Fraction(1, 10**9) * scale
