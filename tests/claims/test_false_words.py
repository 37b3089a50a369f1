"""Regressions: false `refuted` words on data symgeom's own generator does not make (ill-conditioned means at
Q = 5 in exact mode, a thin simplex at Q = 3 in float mode).  The expected ranks are computed here (a Gaussian
elimination modulo a prime of this file's own, and the hand count P - Q^2)."""

import math
from fractions import Fraction

import flint
import numpy as np
import pytest

from symgeom.certify.certificates import CERTIFIED, REFUTED
from symgeom.claims.registry import Context, run_claims
from symgeom.data.clusters import ClusterData
from symgeom.global_minima.degeneracy import analyse
from symgeom.global_minima.minimizer import global_minimizer

TEST_PRIME = 1_000_000_007
"""A prime of the tests' own, below the module's word-size primes."""


def exact(rows) -> np.ndarray:
    """An object array of FLINT rationals from nested lists of ints, Fractions or decimal strings."""
    return np.array([[flint.fmpq(Fraction(v).numerator, Fraction(v).denominator) for v in row] for row in rows],
                    dtype=object)


def rank_mod(rows, q: int = TEST_PRIME) -> int:
    """Rank of a rational matrix modulo ``q`` by plain Gaussian elimination on Python ints (a lower bound of
    the rational rank: the denominators, cleared row by row, are units mod ``q`` for these data)."""
    M = []
    for row in rows:
        fr = [Fraction(int(v.p), int(v.q)) if isinstance(v, flint.fmpq) else Fraction(str(v)) for v in row]
        den = 1
        for f in fr:
            den = den * f.denominator // math.gcd(den, f.denominator)
        assert den % q
        M.append([(f.numerator * (den // f.denominator)) % q for f in fr])
    r, cols = 0, len(M[0]) if M else 0
    for c in range(cols):
        pivot = next((i for i in range(r, len(M)) if M[i][c]), None)
        if pivot is None:
            continue
        M[r], M[pivot] = M[pivot], M[r]
        inv = pow(M[r][c], -1, q)
        for i in range(len(M)):
            if i != r and M[i][c]:
                f = M[i][c] * inv % q
                M[i] = [(a - f * b) % q for a, b in zip(M[i], M[r])]
        r += 1
    return r


# -- G3/G4 at Q = 5 on ill-conditioned means (false `refuted` in exact mode before) -----------------
def ill_conditioned_means(Q: int = 5, spread: float = 0.01, n: int = 4, seed: int = 0) -> ClusterData:
    """Means ``m_k`` the rows of a sheared diagonal with scales ``4^k`` (condition number ~ 10^3), clusters of
    ``n`` points uniform in a cube of half-side ``spread``, decimals rounded to 4 places."""
    M = np.diag([4.0**k for k in range(Q)])
    for k in range(1, Q):
        M[k, k - 1] = 0.9 * 4.0 ** (k - 1) * (1 + 0.05 * k)
    rng = np.random.default_rng(seed)
    points = [[f"{v:.4f}" for v in M[k] + spread * rng.uniform(-1, 1, Q)] for k in range(Q) for _ in range(n)]
    return ClusterData.from_arrays(points, [k + 1 for k in range(Q) for _ in range(n)], source="ill-conditioned")


def test_g3_g4_certified_exactly_at_q5_ill_conditioned():
    data = ill_conditioned_means()
    assert data.rho < 0.1  # well clustered, yet the means are badly conditioned
    Q = L = 5
    deg = analyse(global_minimizer(data, L))
    P = (L + 1) * (Q * Q + Q)
    # independent: J_F has Q^2 rows, and its rank modulo this file's prime is Q^2, so rank J_F = 25 exactly
    assert rank_mod(deg.cluster_jacobian.tolist()) == Q * Q == deg.jacobian_rank
    assert deg.nullity == P - Q * Q == 155 == L * (Q * Q + Q) + Q
    assert deg.block_counts == {"symmetry": 25, "fiber": 5, "apex": 25, "edges": 100}
    assert all(c.status == CERTIFIED for c in deg.checks.values()), {k: c.status for k, c in deg.checks.items()}


@pytest.mark.slow
def test_g3_g4_claims_certified_at_q5_ill_conditioned():
    ctx = Context(ill_conditioned_means(), 5)
    for cid in ("G3", "G4"):
        (d,) = run_claims(ctx, cid)
        assert d.status == CERTIFIED, (cid, d.main)


# -- a thin simplex at Q = 3 in float mode (false `refuted` in float mode before) --------------------
def thin_simplex(h: float = 0.06, delta: float = 0.009, n: int = 5, seed: int = 0) -> list:
    """Rows ``x1, x2, x3, cluster``: a triangle of means with altitude ``h`` (base 1) offset by (1, 1, 1), and
    clusters of ``n`` points in a cube of half-diagonal ``delta``, decimals rounded to 4 places."""
    T = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.5, h, 0.0]]) + 1.0
    rng = np.random.default_rng(seed)
    return [[f"{v:.4f}" for v in T[k] + delta / np.sqrt(3) * rng.uniform(-1, 1, 3)] + [str(k + 1)]
            for k in range(3) for _ in range(n)]


def _csv(tmp_path, rows):
    path = tmp_path / "thin.csv"
    path.write_text("x1,x2,x3,cluster\n" + "".join(",".join(r) + "\n" for r in rows))
    return path


def test_float_refutation_on_a_thin_simplex_is_redecided_exactly(tmp_path):
    from symgeom.cli import app as cli
    from symgeom.cli import loading

    rows = thin_simplex()
    args = cli.build_parser().parse_args(["check", "--data", str(_csv(tmp_path, rows)), "--L", "3", "--float"])
    ctx = loading.make_context(args)
    assert not ctx.kind.is_exact
    for cid in ("G3", "G4"):
        (d,) = run_claims(ctx, cid)
        assert any(c.status == REFUTED for c in d.checks), cid  # float64 refutes on its own ...
        assert d.status == CERTIFIED and d.warnings, cid  # ... and the exact re-decision certifies


def test_float_check_of_a_thin_simplex_exits_0_with_the_exact_nullity(tmp_path, capsys):
    import json

    from symgeom.cli import main

    path = _csv(tmp_path, thin_simplex())
    assert main(["check", "--data", str(path), "--L", "3", "--float", "--only", "G4", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    Q, L = 3, 3
    assert out["claims"][0]["status"] == CERTIFIED and out["claims"][0]["warnings"]
    assert out["global_minimizer"]["hessian_nullity"] == L * (Q * Q + Q) + Q == 39  # hand count P - Q^2


def test_n1_nullity_exact_at_q5_ill_conditioned():
    # S = {} (N1) is one stratum: exact at every Q; the nullity is P - rank H with rank H from this file's own
    # elimination modulo its prime, and equals the hand count L (Q^2 + Q)
    from symgeom.calculus.derivatives import gauss_newton
    from symgeom.local_minima.settling import settle_stratum

    data = ill_conditioned_means()
    Q = L = 5
    st = settle_stratum(data, L, ())
    H = gauss_newton(st.minimizer.params, data.X)
    assert st.dimension_check.status == CERTIFIED and st.verdict == "local_minimum"
    assert st.hessian_nullity == st.manifold_dimension == (L + 1) * (Q * Q + Q) - rank_mod(H.tolist()) == L * (Q * Q + Q)
