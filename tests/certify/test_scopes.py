"""Scopes that match the proofs: N2's bound for every rank of the lifted kept points, the removed dimension count,
and N2's step for L = 2."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symgeom.local_minima.strata
from symgeom.claims.registry import Context
from symgeom.data.clusters import ClusterData
from symgeom.data.embedded import default_data
from symgeom.derivations.n2_strata import bound_steps, depth_two_step
from symgeom.certify.proofs import prove_matrix_identity
from symgeom.certify.scope import Scope


def test_n2_bound_is_proved_for_every_rank():
    checks = [s.check for s in bound_steps() if s.check is not None]
    assert [c.status for c in checks] == ["proved"] * 3 and all(c.scope == Scope.all_q() for c in checks)
    assert "rank r" in checks[0].method and "rank r" in checks[1].method


def test_weighted_bound_is_proved_for_every_rank():
    from symgeom.derivations.n2_strata import weighted_bound_step

    check = weighted_bound_step().check
    assert check.status == "proved" and "rank r" in check.method


def test_a_wrong_pseudo_inverse_is_refuted_at_symbolic_rank():
    """Without (B^T B)^-1 the cross term does not vanish: the fallback evaluates the rank symbol too."""
    Q, n, r = (sp.Symbol(s, integer=True, positive=True) for s in "Qnr")
    B, C = sp.MatrixSymbol("B", Q + 1, r), sp.MatrixSymbol("C", r, n)
    Y, G = sp.MatrixSymbol("Y", Q, n), sp.MatrixSymbol("G", Q, Q + 1)
    X, Xp = B * C, C.T * (C * C.T).I * B.T
    assert prove_matrix_identity((G - Y * Xp) * X * (Y * Xp * X - Y).T, "m", size=Q).status == "refuted"


def test_pythagoras_for_rank_deficient_lifted_points_numerically():
    """Independently with numpy: kept points on a line in R^3 (lifted rank 2 < 4), the pseudo-inverse fit's cost
    plus the distance of any G from it in the data norm is the cost of G."""
    rng = np.random.default_rng(0)
    t = rng.standard_normal(9)
    X = np.vstack([np.outer([1.0, -2.0, 0.5], t) + np.array([[1.0], [0.0], [2.0]]), np.ones((1, 9))])
    assert np.linalg.matrix_rank(X) == 2
    Y = rng.standard_normal((3, 9))
    Gs = Y @ np.linalg.pinv(X)
    for _ in range(5):
        G = rng.standard_normal((3, 4))
        lhs = np.sum((G @ X - Y) ** 2)
        rhs = np.sum((Gs @ X - Y) ** 2) + np.sum(((G - Gs) @ X) ** 2)
        assert abs(lhs - rhs) <= 1e-9 * lhs


def test_the_unproved_dimension_count_is_gone():
    assert not hasattr(symgeom.local_minima.strata, "minimizer_dimension")


def test_depth_two_theorem_is_proved_at_symbolic_q():
    from symgeom.global_minima.interval_network import depth_two_proof

    check = depth_two_proof()
    assert check.status == "proved" and check.scope == Scope.all_q()


def test_n2_depth_two_step():
    assert depth_two_step(Context(default_data(), 3)).check.status == "certified"
    crossing = ClusterData.from_arrays([["-2", "-2"], ["2", "2"], ["-1", "-1"], ["1", "1"], ["-2", "2"], ["2", "-2"],
                                        ["0", "1/2"]], [1, 1, 1, 1, 2, 2, 2], source="crossing")
    step = depth_two_step(Context(crossing, 2))
    assert step.check.status == "not_applicable" and "disjoint intervals" in step.check.detail


def test_scope_words_and_covering_rule():
    """The words of each scope (as the outputs show them) and the covering rule, case by case by hand: all Q covers
    everything, Q <= k covers Q <= j for j <= k only, exact data cover float data but not the reverse, float samples
    and a single size cover only themselves."""
    from symgeom.certify.certificates import Check, covers

    words = {Scope.all_q(): "all Q", Scope.up_to(3): "Q <= 3", Scope.up_to(8, float_samples=True): "Q <= 8, float samples",
             Scope.at(2): "Q = 2", Scope.these_data(): "these data", Scope.these_data(float=True): "these data, float",
             Scope.random_points(): "random rational points"}
    assert {s: str(s) for s in words} == words
    every = list(words) + [Scope.up_to(2), Scope.up_to(4)]
    covering = {(str(a), str(b)) for a in every for b in every if covers(a, b)}
    expected = {(str(a), str(b)) for a in every for b in every if a == b or a == Scope.all_q()}
    expected |= {("Q <= 3", "Q <= 2"), ("Q <= 4", "Q <= 2"), ("Q <= 4", "Q <= 3"), ("these data", "these data, float")}
    assert covering == expected
    assert not covers(None, Scope.these_data())
    with pytest.raises(TypeError, match="Scope"):
        Check("proved", "x", scope="all Q")
    with pytest.raises(ValueError):
        Scope.at(2).__class__("at", None)
    with pytest.raises(ValueError):
        Scope(Scope.all_q().reach, None, True)
