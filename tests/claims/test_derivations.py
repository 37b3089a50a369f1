"""T1-T5: statuses on the default data, the proofs at explicit sizes, and checks that fail
when the mathematics or the code under them is wrong."""

import numpy as np
import pytest
import sympy as sp

from symgeom import Context, run_claims
from symgeom.model.activation import Ramp, sigma
from symgeom.certify.certificates import CERTIFIED, CHECKED, PROVED, REFUTED, Scope, certify_equal, certify_positive
from symgeom.certify.proofs import prove_matrix_identity, prove_zero
from symgeom.data.embedded import default_data
from symgeom.data.clusters import example_data
from symgeom.derivations import RECIPES, t1_recursive_truncation, t2_cone_geometry, t3_idempotence, t4_orthogonal_projection, t5_symmetry
from symgeom.derivations._common import SIZE, case_split, msym
from symgeom.model.truncation import TruncationMap


@pytest.fixture(scope="module")
def derivations():
    return {d.id: d for d in run_claims(Context(default_data(), 3))}


def test_claims_agree_with_independent_computations(derivations):
    """Every claim and step states its scope; the T-claims' headline is a proof for all Q; the G- and
    N-claims' numbers agree with computations that do not go through symgeom's certificates."""
    from fractions import Fraction

    from symgeom.certify.certificates import covers, Scope

    own = ["T1", "T2", "T3", "T4", "T5", "G1", "G2", "G3", "G4", "N1", "N2", "N3", "N4", "N5"]
    assert list(derivations) == list(RECIPES) and list(derivations)[:14] == own  # the paper's statements follow
    for d in derivations.values():
        assert all(c.scope for c in d.checks), d.id
        assert covers(d.main.scope, d.scope) and (d.status != REFUTED or d.id not in own), d.id
        if d.id.startswith("T"):
            assert d.scope == Scope.all_q() and d.main.scope == Scope.all_q()
    data = default_data()
    Q, L = data.Q, 3
    ctx = Context(data, L)
    # G1: the constructed member has cost exactly 0, recomputed point by point in Fractions
    theta = ctx.minimizer.member()
    total = Fraction(0)
    for n in range(data.N):
        x = [Fraction(str(v)) for v in data.X[:, n]]
        for l, (W, b) in enumerate(zip(theta.weights, theta.biases)):
            pre = [sum(Fraction(str(W[i, k])) * x[k] for k in range(Q)) + Fraction(str(b[i])) for i in range(Q)]
            x = pre if l == L else [max(v, Fraction(0)) for v in pre]
        total += sum((a - Fraction(str(c))) ** 2 for a, c in zip(x, data.Y[:, data.labels[n] - 1]))
    assert total == 0
    # G3/G4: the certified block counts add up to the float nullity of the Hessian (numpy SVD, independent)
    deg = ctx.degeneracy
    s = np.linalg.svd(np.asarray(deg.hessian, dtype=float), compute_uv=False)
    float_nullity = int(np.sum(s <= 1e-9 * s[0]))
    assert sum(deg.block_counts.values()) == float_nullity == L * (Q * Q + Q) + Q
    assert deg.block_counts == {"symmetry": L * Q, "fiber": Q, "apex": L * Q, "edges": L * (Q * Q - Q)}


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
    assert [d.status for d in ds[:5]] == [PROVED] * 5 and all(d.main.scope == Scope.all_q() for d in ds[:5])
    for d in ds[5:9]:  # the G-claims need L >= Q
        assert d.status == (CERTIFIED if L >= Q else "not_applicable"), d.id
    assert all(d.status != REFUTED for d in ds[:11])  # symgeom's own claims; the paper's (2.58) fails at Q = 2


GRID = [(Q, L) for Q in (2, 3, 4) for L in (Q, Q + 1, Q + 2)]


@pytest.mark.slow
@pytest.mark.parametrize("Q,L", GRID)
def test_dimensions_by_construction_on_example_data(Q, L):
    """G3, G4 and N1 on `symgeom example` data: the dimension comes from constructed directions with exact
    ranks, and it equals the nullity of the Gauss-Newton matrix counted independently by numpy's SVD."""
    from symgeom.calculus.derivatives import gauss_newton
    from symgeom.local_minima.settling import settle_stratum

    data = example_data(Q)
    ctx = Context(data, L)
    ds = {d.id: d for d in run_claims(ctx) if d.id in ("G3", "G4", "N1")}
    for cid, d in ds.items():
        assert d.status == CERTIFIED and d.main.scope == Scope.these_data(), cid
    n1 = settle_stratum(data, L, ())
    H = np.asarray(gauss_newton(n1.minimizer.params, data.X), dtype=float)
    s = np.linalg.svd(H, compute_uv=False)
    assert n1.dimension_check.status == CERTIFIED
    assert n1.tangent_dimension == int(np.sum(s <= 1e-9 * s[0])) == L * (Q * Q + Q)


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
        from symgeom.numbers.arith import relu
        return self.W_inv @ relu(self.W @ Z + b)

    monkeypatch.setattr(TruncationMap, "__call__", broken)
    ctx = Context(default_data(), 2)
    for recipe in (t1_recursive_truncation, t2_cone_geometry, t3_idempotence, t4_orthogonal_projection):
        check = recipe.data_check(ctx)
        assert check.status == REFUTED, recipe.__name__
    assert run_claims(ctx, "T1")[0].status == REFUTED


def test_a_wrong_symmetry_is_caught(monkeypatch):
    import symgeom.model.symmetry as sym

    real = sym.act
    monkeypatch.setattr(t5_symmetry, "act", lambda p, s, perms: real(p, [-x for x in s], perms))
    assert t5_symmetry.data_check(Context(default_data(), 2)).status == REFUTED
