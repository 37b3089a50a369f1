"""Fuzzing with hypothesis (over 1000 examples in all): no crash, no exact status that an
independent check contradicts, float mode never claiming more than it checked, exact and float
modes agreeing where both run."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from symgeom import ConstructionError, DataError
from symgeom.numbers import arith, sizes
from symgeom.certify.certificates import CERTIFIED, PROVED, REFUTED
from symgeom.claims.registry import Context, run_claims
from symgeom.calculus.cost import cost
from symgeom.data.files import read_csv
from symgeom.derivations import t1_recursive_truncation, t2_cone_geometry, t3_idempotence, t4_orthogonal_projection, t5_symmetry
from symgeom.global_minima.minimizer import global_minimizer
from symgeom.strategies import activation_patterns, clustered_data, parameter_points
from symgeom.testing import assert_truncation_identity
from symgeom.model.truncation import truncation_map
from symgeom.model.units import float_units

FUZZ = settings(max_examples=250, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def plain_cost(params, data):
    """Independent exact cost: Python Fractions, one point at a time."""
    F = lambda v: Fraction(str(v))  # noqa: E731
    total = Fraction(0)
    for n in range(data.N):
        x = [F(v) for v in data.X[:, n]]
        for l, (W, b) in enumerate(zip(params.weights, params.biases)):
            pre = [sum(F(W[i, k]) * x[k] for k in range(params.Q)) + F(b[i]) for i in range(params.Q)]
            x = pre if l == params.L else [max(v, Fraction(0)) for v in pre]
        y = [F(v) for v in data.Y[:, data.labels[n] - 1]]
        total += sum((a - c) ** 2 for a, c in zip(x, y))
    return total / (2 * data.N)


AS_GIVEN = {"scale_exponent": st.integers(-6, 6), "spread_exponent": st.just(0)}
"""Magnitudes and spreads where float64 computes on the data as given (no change of units): the tests below
that compare float values of the data themselves; the full range goes through float mode's units
(:func:`test_float_mode_never_refutes_what_exact_certifies`)."""

MIN_CONSTRUCTED_SHARE = 0.8
"""At least this share of generated clustered data sets must be constructed and certified: a blanket
refusal fails the test."""
MIN_CHECKED_SHARE = 0.8
"""At least this share of the float data checks must be substantive (``checked``, not ``not_applicable``)."""


@pytest.mark.slow
def test_construction_is_certified_or_refused():
    outcomes = []

    @FUZZ
    @given(data=clustered_data(kind=st.just("exact"), **AS_GIVEN), extra=st.integers(0, 2))
    def one(data, extra):
        L = data.Q + extra
        try:
            fam = global_minimizer(data, L)
        except ConstructionError as e:
            assert "layer" in str(e) or "affinely" in str(e)
            outcomes.append(False)
            return
        theta = fam.member()
        assert plain_cost(theta, data) == 0  # independent of the certificate's own arithmetic
        floats = data.with_kind("float")
        scale = max(1.0, float(np.max(np.abs(np.asarray(data.Y, dtype=float)))))
        assert cost(theta.with_kind("float"), floats) <= 1e-6 * scale**2 or float(min(fam.margins)) < 1e-9
        outcomes.append(True)

    one()
    assert outcomes and sum(outcomes) >= MIN_CONSTRUCTED_SHARE * len(outcomes), f"{sum(outcomes)}/{len(outcomes)} constructed"


@pytest.mark.slow
@FUZZ
@given(data=clustered_data(**AS_GIVEN))
def test_statistics_exact_and_float_agree(data):
    other = data.with_kind("float" if data.kind == "exact" else "exact")
    scale = sizes.saturating_float(sizes.magnitude(data.X))  # float means carry rounding of order eps * scale
    assert float(data.delta) == pytest.approx(float(other.delta), rel=1e-9, abs=1e-12 * scale)
    assert float(data.h) == pytest.approx(float(other.h), rel=1e-9)
    assert float(data.rho) == pytest.approx(float(other.rho), rel=1e-9, abs=1e-12)


@pytest.mark.slow
@FUZZ
@given(st.integers(1, 4).flatmap(lambda Q: st.tuples(st.just(Q), st.integers(1, 3))).flatmap(
    lambda QL: st.tuples(parameter_points(QL[0], QL[1]), st.lists(st.lists(st.integers(-20, 20), min_size=QL[0],
                                                                              max_size=QL[0]), min_size=1, max_size=6))))
def test_layers_are_truncations(case):
    params, cols = case
    X = arith.array(np.array(cols, dtype=object).T, "exact")
    assert assert_truncation_identity(params, X).status == "certified"


@FUZZ
@given(st.integers(1, 4).flatmap(lambda Q: st.tuples(parameter_points(Q, 1), activation_patterns(Q, 1),
                                                     st.lists(st.integers(1, 9), min_size=Q, max_size=Q))))
def test_truncation_map_on_every_sign_pattern(case):
    params, (pattern,), mags = case
    W, b = params.weights[0], params.biases[0]
    tau = truncation_map(W, b)
    u = arith.array([m if on else -m for m, on in zip(mags, pattern)], "exact")
    z = tau.apex + tau.W_inv @ u  # a point with exactly this sign pattern
    image = tau(z)
    kept = arith.array([m if on else 0 for m, on in zip(mags, pattern)], "exact")
    assert (tau.coordinates(image) == kept).all()  # T2: the kept coordinates, the others dropped
    assert (tau(image) == image).all()  # T3
    assert tau.in_forward_cone(image[:, None], strict=False)[0]


def test_float_data_checks_never_claim_exactness():
    outcomes = []

    @settings(max_examples=80, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(data=clustered_data(Q=st.integers(1, 3), kind=st.just("float"), max_size=4, **AS_GIVEN))
    def one(data):
        ctx = Context(data, data.Q)
        for recipe in (t1_recursive_truncation, t2_cone_geometry, t3_idempotence, t4_orthogonal_projection, t5_symmetry):
            check = recipe.data_check(ctx)
            assert check.status in ("checked", "not_applicable"), (recipe.__name__, check)
            outcomes.append(check.status == "checked")

    one()
    assert outcomes and sum(outcomes) >= MIN_CHECKED_SHARE * len(outcomes), f"{sum(outcomes)}/{len(outcomes)} checked"


@FUZZ
@given(st.text(alphabet="x123456789,.-\neE/cluster nan", max_size=80))
def test_csv_garbage_never_crashes(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("csv") / "d.csv"
    path.write_text(text)
    try:
        read_csv(path)
    except DataError as e:
        assert str(path) in str(e)


UNITS_FUZZ = settings(max_examples=32, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate],  # shrinking exact data of 600 digits takes minutes
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
MIN_COMPARED_SHARE = 0.5
"""At least this share of the drawn data sets must be computed in float64 (not refused), so the comparison
is not vacuous; the spreads below ``2^-44`` of the extent, which float mode refuses, are about a quarter."""


@pytest.mark.slow
def test_float_mode_never_refutes_what_exact_certifies():
    """On data of magnitude 1e-300 .. 1e300 and spreads down to 1e-200 (exact, or float rounded once), float
    mode (in the units of :func:`~symgeom.model.units.float_units`) either refuses the data with a documented
    ``DataError`` or settles every claim without refuting one that the exact certificate on the same data
    certifies or proves; and no other exception escapes."""
    outcomes = []

    @UNITS_FUZZ
    @given(data=clustered_data(Q=st.integers(1, 3), max_size=3), extra=st.integers(0, 1))
    def one(data, extra):
        L = data.Q + extra
        exact = {d.id: d.status for d in run_claims(Context(data.with_kind("exact"), L))}
        try:
            scaled = float_units(data)
        except DataError as e:
            assert e.remedy == "exact" and "exact arithmetic" in str(e)  # a refusal names the way out
            outcomes.append(False)
            return
        for d in run_claims(Context(scaled, L)):
            assert not (d.status == REFUTED and exact[d.id] in (CERTIFIED, PROVED)), \
                (d.id, exact[d.id], d.main.counterexample, scaled.units)
        outcomes.append(True)

    one()
    assert outcomes and sum(outcomes) >= MIN_COMPARED_SHARE * len(outcomes), f"{sum(outcomes)}/{len(outcomes)} compared"
