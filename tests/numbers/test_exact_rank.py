"""Exact ranks at every Q and the rule that a float result never refutes on its own.

The expected ranks come from computations written here: ranks by construction (products of integer
factors), a Gaussian elimination modulo a prime of this file's own (not the module's primes), Fraction
determinants, and the hand count ``P - Q^2``."""

from fractions import Fraction

import flint
import numpy as np
import pytest
from test_false_words import _csv, exact, rank_mod, thin_simplex

from symgeom.certify.certificates import CERTIFIED, REFUTED, UNDECIDED, Check, Derivation, Step
from symgeom.certify.scope import Scope
from symgeom.claims.recipe import Recipe
from symgeom.claims.registry import Context, redecided
from symgeom.data.clusters import ClusterData
from symgeom.global_minima.degeneracy import rank_check
from symgeom.numbers.exact_rank import PRIMES, certified_rank, integer_matrix, minor_mod


def fraction_det(rows) -> Fraction:
    """Determinant by Fraction elimination."""
    A = [[Fraction(str(v)) for v in row] for row in rows]
    n, det = len(A), Fraction(1)
    for c in range(n):
        p = next((i for i in range(c, n) if A[i][c] != 0), None)
        if p is None:
            return Fraction(0)
        if p != c:
            A[c], A[p], det = A[p], A[c], -det
        det *= A[c][c]
        for i in range(c + 1, n):
            f = A[i][c] / A[c][c]
            A[i] = [a - f * b for a, b in zip(A[i], A[c])]
    return det


# -- the rank certificate itself ------------------------------------------------------------
@pytest.mark.parametrize("m,n,r,seed", [(6, 9, 4, 0), (12, 7, 7, 1), (30, 30, 17, 2), (5, 5, 0, 3)])
def test_certified_rank_of_products_of_known_rank(m, n, r, seed):
    rng = np.random.default_rng(seed)
    A = rng.integers(-9, 10, size=(m, r))
    B = rng.integers(-9, 10, size=(r, n))
    den = rng.integers(1, 7, size=(m, 1))
    M = [[Fraction(int(v), int(den[i, 0])) for v in row] for i, row in enumerate(A @ B)]
    expected = rank_mod(M)  # <= r by construction; == r unless the random factors are degenerate
    assert expected <= r
    cert = certified_rank(exact(M))
    assert cert.rank == expected == cert.lower


def test_kernel_vectors_bound_the_rank_above():
    # 40 x 40 of rank 3: no size bound helps, the exact kernel (37 vectors) does
    rng = np.random.default_rng(5)
    U = rng.integers(-5, 6, size=(40, 3))
    K = rng.integers(-5, 6, size=(40, 37))
    # rows orthogonal to the columns of K: A = U C with C's rows in ker K^T, built as C = Z - Z K (K^T K)^-1 K^T
    Kq = [[Fraction(int(v)) for v in row] for row in K]
    KtK = exact([[sum(Kq[i][a] * Kq[i][b] for i in range(40)) for b in range(37)] for a in range(37)])
    proj = np.array(exact(Kq) @ np.array(flint.fmpq_mat(37, 37, KtK.reshape(-1).tolist()).inv().entries(),
                                         dtype=object).reshape(37, 37) @ exact(Kq).T)
    Z = exact(rng.integers(-5, 6, size=(3, 40)).tolist())
    C = Z - Z @ proj
    A = exact(U.tolist()) @ C
    assert all(x == 0 for x in (A @ exact(Kq)).reshape(-1))  # independent: the construction annihilates K
    cert = certified_rank(A, kernel=exact(Kq))
    assert cert.annihilated and cert.kernel_rank == 37 and cert.rank == 3 == rank_mod(A.tolist()) and not cert.eliminated


def test_a_prime_dividing_the_minor_is_retried():
    p = PRIMES[0]
    cert = certified_rank(exact([[p, 0], [0, 1]]))
    assert cert.rank == 2 and cert.primes == PRIMES[:2]


def test_the_minor_is_nonzero_over_the_rationals():
    rng = np.random.default_rng(7)
    M = exact((rng.integers(-3, 4, size=(7, 4)) @ rng.integers(-3, 4, size=(4, 9))).tolist())
    rows, cols = minor_mod(integer_matrix(M), PRIMES[0])
    assert len(rows) == len(cols) == rank_mod(M.tolist())
    assert fraction_det([[M[i, j] for j in cols] for i in rows]) != 0


def test_rank_check_refutes_only_what_the_certified_bounds_exclude():
    # rank 2 matrix, claimed rank 3: the exact rank refutes; a claim of rank 2 is certified
    M = exact([[1, 2, 3], [2, 4, 6], [1, 0, 1]])
    assert rank_check(M, "M", 3)[1].status == REFUTED
    assert rank_check(M, "M", 2)[1].status == CERTIFIED


def test_undecided_when_the_bounds_never_meet(monkeypatch):
    import symgeom.numbers.exact_rank as er

    monkeypatch.setattr(er, "ELIMINATION_MAX_ENTRIES", 0)
    M = exact([[1, 2, 3], [2, 4, 6], [1, 0, 1]])  # rank 2, no kernel given: 2 <= rank <= 3
    r, check = rank_check(M, "M", 3)
    assert check.status == UNDECIDED and r == 2


def test_a_float_context_re_reads_its_csv_exactly(tmp_path):
    from symgeom.cli import app as cli
    from symgeom.cli import loading

    rows = thin_simplex()
    args = cli.build_parser().parse_args(["check", "--data", str(_csv(tmp_path, rows)), "--L", "3", "--float"])
    ctx = loading.make_context(args)
    assert not ctx.kind.is_exact and ctx.exact.data.kind.is_exact
    X = ctx.exact.data.X  # the decimals as rationals
    assert all(X[i, n] == flint.fmpq(Fraction(rows[n][i]).numerator, Fraction(rows[n][i]).denominator)
               for n in range(len(rows)) for i in range(3))


def _recipe(float_status, exact_status):
    """A recipe whose one key check has ``float_status`` in float mode and ``exact_status`` in exact mode."""
    def derive(ctx):
        status = exact_status if ctx.kind.is_exact else float_status
        kind = "exact" if ctx.kind.is_exact else "float"
        return Derivation("X", "x", "x", (Step("x", "x", Check(status, f"{kind} check", counterexample=f"{kind} "
                                                                 "counterexample" if status == REFUTED else None),
                                                key=True),))
    return Recipe("X", "x", "x", Scope.these_data(), derive)


@pytest.mark.parametrize("exact_status", [REFUTED, CERTIFIED, UNDECIDED])
def test_only_an_exact_counterexample_refutes(exact_status):
    data = ClusterData.from_arrays([["0", "0"], ["0.1", "0"], ["3", "0"], ["3", "0.1"]], [1, 1, 2, 2], kind="float")
    ctx = Context(data, 1)
    d = redecided(ctx, _recipe(REFUTED, exact_status), _recipe(REFUTED, exact_status).derive(ctx))
    assert d.status == exact_status
    if exact_status == REFUTED:
        assert d.main.counterexample == "exact counterexample" and not d.warnings
    else:
        assert [w.counterexample for w in d.warnings] == ["float counterexample"]
    exact_ctx = Context(data.with_kind("exact"), 1)  # exact runs are returned as they are
    assert redecided(exact_ctx, _recipe(REFUTED, exact_status), _recipe(REFUTED, REFUTED).derive(exact_ctx)).status == REFUTED


def test_a_float_check_never_refutes_an_exact_run_alone():
    floaty = Check(REFUTED, "float64 comparison", tolerance=1e-9, counterexample="rounding")
    d = Derivation("X", "x", "x", (Step("x", "x", Check(UNDECIDED, "exact, inconclusive"), key=True),
                                   Step("y", "y", floaty)))
    assert d.status == UNDECIDED and d.warnings == [floaty]


@pytest.mark.slow  # importing scikit-learn takes seconds
@pytest.mark.parametrize("loader,extra", [("load_wine", 5), ("load_iris", 2)])
def test_certified_rank_on_bundled_data_with_dependent_columns(loader, extra):
    # a data matrix (points rounded to two decimals) with `extra` columns that are integer combinations of the
    # others: rank = the number of features (the test's own elimination mod its prime; numpy agrees)
    datasets = pytest.importorskip("sklearn.datasets")
    X = np.round(getattr(datasets, loader)().data, 2)
    rng = np.random.default_rng(11)
    R = rng.integers(-3, 4, size=(X.shape[1], extra))
    rows = [[f"{v:.2f}" for v in row] for row in X]
    A = exact(rows)
    A = np.hstack([A, A @ exact(R.tolist())])
    expected = rank_mod(A.tolist())
    assert expected == X.shape[1] == np.linalg.matrix_rank(np.hstack([X, X @ R]))
    kernel = exact(np.vstack([R, -np.eye(extra, dtype=int)]).tolist())  # [X, X R] [R; -I] = 0
    cert = certified_rank(A, kernel=kernel)
    assert cert.rank == expected and cert.annihilated and cert.kernel_rank == extra
    assert rank_check(A, "the data matrix", expected + 1)[1].status == REFUTED


def test_an_exact_rank_deficit_still_refutes(monkeypatch):
    # mutation: one edge turn too few -- the exact ranks must say so (no float anywhere), and G4 is refuted
    import symgeom.global_minima.degeneracy as dg
    from symgeom.claims.registry import run_claims
    from symgeom.data.embedded import default_data

    original = dg.edge_directions
    monkeypatch.setattr(dg, "edge_directions", lambda params: original(params)[:, :-1])
    (d,) = run_claims(Context(default_data(), 3), "G4")
    assert d.status == REFUTED and not d.main.is_float and d.redecision is None
    assert d.main.method == "rank added by the edges directions" and d.main.counterexample == "17 != 18"
