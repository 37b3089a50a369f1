"""A float comparison that fails is settled in exact arithmetic before it may refute: rounding beyond the
float tolerance leaves the claim checked, a real difference stays refuted (with an exact counterexample)."""

import pytest

from symgeom import Context
from symgeom.certify import certificates
from symgeom.certify.certificates import CHECKED, REFUTED
from symgeom.data.clusters import example_data
from symgeom.derivations import t1_recursive_truncation
from symgeom.model.truncation import TruncationMap


@pytest.fixture
def float_context():
    return Context(example_data(3, kind="float"), 4)


def test_rounding_beyond_the_tolerance_is_settled_exactly(float_context, monkeypatch):
    """With a float tolerance far below float64's rounding (1e-30 relative), the float comparison of T1 fails
    on every point; the exact recomputation of those points finds them equal, so T1 on the data is checked."""
    monkeypatch.setattr(certificates, "FLOAT_RTOL", 1e-30)
    check = t1_recursive_truncation.data_check(float_context)
    assert check.status == CHECKED, check.detail
    assert "recomputed in exact rational arithmetic: equal" in check.method
    assert check.residual > check.tolerance  # the float comparison alone did fail


def test_a_real_difference_stays_refuted(float_context, monkeypatch):
    """A broken truncation map (the bias added back instead of subtracted) differs exactly: still refuted,
    now with an exact counterexample."""
    real = TruncationMap.__call__

    def broken(self, Z):
        b = self.b[:, None] if Z.ndim == 2 else self.b
        return real(self, Z) + 2 * self.W_inv @ (b if Z.ndim == 2 else b)

    monkeypatch.setattr(TruncationMap, "__call__", broken)
    check = t1_recursive_truncation.data_check(float_context)
    assert check.status == REFUTED
    assert "exact rational" in check.method and check.counterexample
