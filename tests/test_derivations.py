"""T1-T5: statuses on the default data, the proofs at explicit sizes, and checks that fail
when the mathematics or the code under them is wrong."""

import numpy as np
import pytest
import sympy as sp

from symgeom import Context, run_claims
from symgeom.activation import Ramp, sigma
from symgeom.certificates import (CERTIFIED, CHECKED, PROVED, REFUTED, certify_equal, certify_positive,
                                  prove_matrix_identity, prove_zero)
from symgeom.data import default_data, example_data
from symgeom.derivations import RECIPES, t1_recursive_truncation, t2_cone_geometry, t3_idempotence, t4_orthogonal_projection, t5_symmetry
from symgeom.derivations._common import SIZE, case_split, msym
from symgeom.truncation import TruncationMap


@pytest.fixture(scope="module")
def derivations():
    return {d.id: d for d in run_claims(Context(default_data(), 3))}


def test_all_claims_present_and_proved(derivations):
    assert list(derivations) == ["T1", "T2", "T3", "T4", "T5", "G1", "G2", "G3", "G4", "N1", "N2"] == list(RECIPES)
    for d in derivations.values():
        assert d.status == (PROVED if d.id.startswith("T") else CERTIFIED)
        data_checks = [c for c in d.checks if c.status == CERTIFIED]
        assert data_checks, f"{d.id} has no exact certificate on the data"


def test_t1_and_t5_are_proved_at_symbolic_size(derivations):
    for cid in ("T1", "T5"):
        symbolic = [c for c in derivations[cid].checks if "symbolic Q" in c.method]
        assert symbolic and all(c.status == PROVED for c in symbolic)


@pytest.mark.parametrize("Q", [1, 2, 3])
def test_expansions_at_explicit_sizes(Q):
    assert t1_recursive_truncation.expansion_check(Q).status == PROVED
    assert t5_symmetry.expansion_check(Q).status == PROVED
    for module in (t2_cone_geometry, t3_idempotence, t4_orthogonal_projection):
        check = case_split((Q,), module._case, "")
        assert check.status == PROVED and f"{2**Q} sign patterns" in check.method


@pytest.mark.parametrize("Q", range(1, 9))
def test_float_samples_up_to_eight(Q):
    for module in (t2_cone_geometry, t3_idempotence, t4_orthogonal_projection):
        check = module.float_sample(Q, seed=Q)
        assert check.status == CHECKED and check.tolerance > 0 and check.residual <= check.tolerance


def test_float_mode_claims_no_more_than_it_checked():
    ds = run_claims(Context(example_data(2, 5, kind="float"), 2))
    for d in ds:
        assert d.status != CERTIFIED and all(c.status != CERTIFIED for c in d.checks)
    for d in ds[:5]:
        data_check = d.steps[-1].check
        assert data_check.status == CHECKED and data_check.tolerance is not None


@pytest.mark.parametrize("Q,L", [(1, 1), (2, 3), pytest.param(4, 4, marks=pytest.mark.slow)])
def test_claims_on_other_sizes(Q, L):
    ds = run_claims(Context(example_data(Q, Q + L), L))
    expected = [PROVED] * 5 + ([CERTIFIED] * 4 if L >= Q else ["not_applicable"] * 4)
    expected += [CERTIFIED, CERTIFIED]  # N1; N2 (every stratum reached)
    assert [d.status for d in ds] == expected


# -- checks that must fail -------------------------------------------------------------
def test_false_matrix_identity_is_refuted():
    W, b, z = msym("W"), msym("b", 1), msym("z", 1)
    wrong = W.I * Ramp(W * z + b) - (W.I * (Ramp(W * z + b) - b))  # forgot "- b"
    check = prove_matrix_identity(wrong, "test", size=SIZE)
    assert check.status == REFUTED and check.counterexample


def test_false_scalar_identity_is_refuted():
    x = sp.Symbol("x", real=True)
    assert prove_zero(sp.Max(2 * x, 0) - sp.Max(x, 0), "test").status == REFUTED


def test_case_split_refutes_a_false_claim():
    # "sigma(u) = u on every pattern" is false off the forward cone
    check = case_split((2,), lambda u: (list(sigma(u) - u), []), "")
    assert check.status == REFUTED and "pattern" in check.counterexample


def test_certifiers_refute():
    a = np.array([1, 2], dtype=object)
    assert certify_equal(a, a + 1, "x").status == REFUTED
    assert certify_positive(np.array([1, 0], dtype=object), "x").status == REFUTED
    assert certify_positive(np.array([1, 0], dtype=object), "x", strict=False).status == CERTIFIED
    assert certify_equal(np.array([1.0]), np.array([1.0 + 1e-3]), "x").status == REFUTED


def test_a_wrong_truncation_map_is_caught(monkeypatch):
    """Break tau (forget to subtract b): the data certificates of T1-T4 must refute."""
    def broken(self, Z):
        b = self.b[:, None] if Z.ndim == 2 else self.b
        from symgeom.arith import relu
        return self.W_inv @ relu(self.W @ Z + b)

    monkeypatch.setattr(TruncationMap, "__call__", broken)
    ctx = Context(default_data(), 2)
    for recipe in (t1_recursive_truncation, t2_cone_geometry, t3_idempotence, t4_orthogonal_projection):
        check = recipe.data_check(ctx)
        assert check.status == REFUTED, recipe.__name__
    assert run_claims(ctx, "T1")[0].status == REFUTED


def test_a_wrong_symmetry_is_caught(monkeypatch):
    import symgeom.symmetry as sym

    real = sym.act
    monkeypatch.setattr(t5_symmetry, "act", lambda p, s, perms: real(p, [-x for x in s], perms))
    assert t5_symmetry.data_check(Context(default_data(), 2)).status == REFUTED
