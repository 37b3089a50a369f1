"""The floating-point filter gives the exact results of the exact path, and leaves undecidable cases to it."""

import numpy as np
import pytest

from symgeom.numbers import arith, filtered
from symgeom.calculus import derivatives
from symgeom.data.embedded import default_data
from symgeom.data.clusters import example_data
from symgeom.global_minima.minimizer import (_exact_certificate_checks, _filtered_certificate_checks,
    certify_global_minimizer, global_minimizer)
from symgeom.model.network import Parameters, centred_parameters, random_parameters
from symgeom.local_minima.strata import stratum_minimizer

CASES = [(default_data(), 3), (default_data(), 5), (example_data(2, 1), 2), (example_data(4), 4)]


@pytest.mark.parametrize("data,L", CASES, ids=lambda v: str(v) if isinstance(v, int) else v.source)
def test_filtered_certificate_equals_the_exact_one(data, L):
    fam = global_minimizer(data, L)
    for params in (fam.member(), fam.sample(np.random.default_rng(5))):
        fast = _filtered_certificate_checks(params, data, fam.order)
        assert fast is not None
        slow = _exact_certificate_checks(params, data, fam.order)
        assert [c.as_json() for c in fast] == [c.as_json() for c in slow]
        assert [c.margin for c in fast] == [c.margin for c in slow]


def test_a_failing_condition_is_left_to_the_exact_path():
    data = default_data()
    fam = global_minimizer(data, 3)
    p = fam.member()
    moved = Parameters((p.weights[0] * arith.to_exact(-1),) + p.weights[1:], p.biases)
    assert _filtered_certificate_checks(moved, data, fam.order) is None
    assert certify_global_minimizer(moved, data, fam.order).status == "refuted"


def test_a_zero_value_is_never_certified():
    data = default_data()
    W = arith.identity(data.Q, "exact")
    b = -data.X[:, 0]  # W x_1 + b = 0 exactly
    assert filtered.exact_minimum(W, b, data.X, filtered.float_points(data), np.ones(data.N)) is None


@pytest.mark.parametrize("data,L", CASES[2:], ids=lambda v: str(v) if isinstance(v, int) else v.source)
def test_exact_gauss_newton_from_region_moments_equals_the_forward_pass(data, L, monkeypatch):
    points = [global_minimizer(data, L).member(), stratum_minimizer(data, L, (1,)).params,
              centred_parameters(random_parameters(data.Q, L, seed=2), data.X)]
    fast = [derivatives.gauss_newton(p, data.X) for p in points]
    monkeypatch.setattr(filtered, "region_moments", lambda *args: None)
    for p, H in zip(points, fast):
        assert (H == derivatives.gauss_newton(p, data.X)).all()
