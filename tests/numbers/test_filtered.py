"""The floating-point filter gives the exact results of the exact path, and leaves undecidable cases to it."""

from fractions import Fraction

import flint
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


# -- subnormal conversions: the filter's bound covers them (else it declines) -------------------
TINY = Fraction(1, 2**1074)  # the spacing of float64 below 2^-1022


def fmpq_array(rows) -> np.ndarray:
    return np.array([[flint.fmpq(v.numerator, v.denominator) for v in row] for row in rows], dtype=object)


def test_extremes_with_subnormal_coordinates_are_the_exact_ones():
    """Coordinates k·η + 0.49η and k·η + 0.51η round to neighbouring subnormals; a weight 10^300 magnifies that
    conversion error to 1e-21, above the values' own difference, so only a bound that covers it keeps the extremes."""
    from symgeom.numbers.filtered import exact_extreme

    big, k = Fraction(10) ** 300, 2024
    cols = [[(k + Fraction(49, 100)) * TINY, (k + Fraction(51, 100)) * TINY], [big * TINY / 2, Fraction(0)]]
    values = [big * cols[0][n] + cols[1][n] for n in range(2)]
    a = np.array([flint.fmpq(10**300), flint.fmpq(1)], dtype=object)
    X = fmpq_array(cols)
    assert Fraction(str(exact_extreme(a, X, np.arange(2), True))) == max(values)
    assert Fraction(str(exact_extreme(a, X, np.arange(2), False))) == min(values)


def test_slacks_and_signs_with_subnormal_coordinates_are_the_exact_ones():
    from symgeom.local_minima.region import active_slack, nonzero_preactivations, slack_values
    from symgeom.model.network import Parameters

    big, k = Fraction(10) ** 300, 2024
    cols = [[(k + Fraction(49, 100)) * TINY, (k + Fraction(51, 100)) * TINY],
            [big * TINY / 2, -Fraction(4, 10) * big * TINY]]
    b1 = big * TINY * (-k - Fraction(3, 10))
    W1, b = [[big, Fraction(1)], [Fraction(0), Fraction(1)]], [b1, Fraction(1)]
    pre = [[sum(W1[i][j] * cols[j][n] for j in range(2)) + b[i] for i in range(2)] for n in range(2)]
    params = Parameters.from_lists([[[str(v) for v in r] for r in W1], [["1", "0"], ["0", "1"]]],
                                   [[str(v) for v in b], ["0", "0"]])
    got = slack_values(params, fmpq_array(cols), {"kept": (np.arange(2), active_slack)})["kept"]
    assert min(Fraction(str(v)) for v in got) == min(min(p) for p in pre) < 0  # the negative slack is kept
    zero = Parameters.from_lists([[[str(Fraction(1, 10**320)), "0"], ["0", "1"]], [["1", "0"], ["0", "1"]]],
                                 [[str(-Fraction(1, 10**20)), "1"], ["0", "0"]])
    X = fmpq_array([[big], [Fraction(0)]])  # 10^-320 · 10^300 − 10^-20 = 0 exactly
    assert nonzero_preactivations(zero, X) is False
