"""T4 -- for orthogonal ``W``, τ is the Euclidean nearest-point projection onto ``K⁺``.

With ``W⁻¹ = Wᵀ``, cone coordinates are an isometry: ``|z − k| = |u − v|`` for
``z = p + Wᵀu``, ``k = p + Wᵀv``.  So it suffices that ``|u − v|² ≥ |u − σ(u)|²`` for
every ``v ≥ 0``, on each sign pattern of ``u``.
"""

from __future__ import annotations


from functools import lru_cache

import numpy as np
import sympy as sp

from symgeom.numbers import arith, sizes
from symgeom.model.activation import sigma
from symgeom.certify.certificates import Check, Derivation, Step, certify_equal, certify_positive, combine
from symgeom.certify.scope import Scope
from symgeom.claims.recipe import Recipe
from symgeom.certify.proofs import prove_matrix_identity
from symgeom.model.truncation import truncation_map

from ._common import (SAMPLE_POINTS, SIZE, case_split, coordinatewise, float_samples, msym, proof_sizes, ramp,
                      random_cone_coordinates, truncation_derivation)
from .t2_cone_geometry import coordinate_lemma

ID = "T4"
TITLE = "Orthogonal truncation is the nearest-point projection"
STATEMENT = r"For orthogonal $W$, $\tau_{W,b}(z) = \operatorname{argmin}_{k \in K^{+}} |z - k|$."


@lru_cache(maxsize=None)
def isometry_step() -> Step:
    W, a = msym("W"), msym("a", 1)
    expr = ((W.I * a).T * (W.I * a) - a.T * a).doit().xreplace({W.T: W.I})
    check = prove_matrix_identity(expr, "matrix-expression algebra with W^T = W^-1 (MatrixSymbol, symbolic Q)",
                                  "W orthogonal", size=SIZE)
    return Step(r"|W^{-1} a|^2 = a^{T} W^{-T} W^{-1} a = a^{T} a \quad (W^{-1} = W^{T})",
                r"For orthogonal $W$ the cone coordinates are an isometry: $|z - k| = |u - v|$.", check)


@lru_cache(maxsize=None)
def general_step() -> Step:
    """``|u − v|² ≥ |u − σ(u)|²`` for every ``v ≥ 0``, ``σ(u) − u ≥ 0`` and ``(u − σ(u))·σ(u) = 0`` at
    symbolic ``Q``: the squared distances and the inner product are sums over the coordinates, and each
    summand is settled in every sign case of one coordinate."""
    u, v = msym("u", 1), msym("v", 1)
    s = ramp(u)
    check = coordinatewise([
        ("|u - v|^2 - |u - sigma(u)|^2 >= 0", (u - v).T * (u - v) - (u - s).T * (u - s), ">= 0", "+-0"),
        ("sigma(u) - u >= 0", s - u, ">= 0", "+-0"),
        ("(u - sigma(u)) . sigma(u) = 0", (u - s).T * s, "= 0", "+-0"),
    ], "every Q >= 1; v in the closed orthant")
    return Step(r"|u - v|^2 - |u - \sigma(u)|^2 = \sum_{i} \left[(u_i - v_i)^2 - (u_i - \sigma(u_i))^2\right] \ge 0, \\ "
                r"(u - \sigma(u)) \cdot \sigma(u) = 0\quad (Q \text{ symbolic})",
                r"Termwise for every $v \in \mathbb{R}^Q_{+}$: so $|z - k| \ge |z - \tau(z)|$ for every $k \in K^{+}$, and "
                r"$z - \tau(z)$ lies in the polar cone, orthogonal to $\tau(z) - p$. Proved for every $Q$.", check, key=True)


def _case(u):
    Q = u.shape[0]
    v = sp.Matrix([sp.Symbol(f"v_{i + 1}", nonnegative=True) for i in range(Q)])
    s = sigma(u)
    gaps = [(u[i] - v[i]) ** 2 - (u[i] - s[i]) ** 2 for i in range(Q)]
    polar = list(s - u)
    complementarity = sum((u[i] - s[i]) * s[i] for i in range(Q))
    return [complementarity], gaps + polar


def random_orthogonal(Q: int, rng) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((Q, Q)))
    return q * np.sign(np.diag(r))


def float_sample(Q: int, seed: int) -> Check:
    """Random orthogonal ``W``: τ(z) against the closest of many random cone points, and the
    projection's optimality conditions (Moreau) in the original coordinates."""
    rng = np.random.default_rng(seed)
    W, b = random_orthogonal(Q, rng), rng.standard_normal(Q)
    tau = truncation_map(W, b)
    Z = tau.apex[:, None] + W.T @ random_cone_coordinates(Q, rng)
    Y = tau(Z)
    K = tau.apex[:, None] + W.T @ rng.uniform(0, 3, size=(Q, 20 * SAMPLE_POINTS))
    best = np.min(np.linalg.norm(Z[:, :, None] - K[:, None, :], axis=0), axis=1)
    return combine([
        certify_positive(best - np.linalg.norm(Z - Y, axis=0), "no sampled cone point is closer", strict=False),
        _moreau(W, tau.apex[:, None], Z, Y),
    ], f"float64 sample, Q = {Q}", f"seed {seed}")


def _moreau(W, p, Z, Y) -> Check:
    """``y`` is the projection of ``z`` onto ``K⁺ = p + Wᵀ R^Q_+`` iff ``W(y − p) ≥ 0``,
    ``W(z − y) ≤ 0`` and ``(z − y)·(y − p) = 0``."""
    return combine([
        certify_positive(W @ (Y - p), "y in K+", strict=False),
        certify_positive(-(W @ (Z - Y)), "z - y in the polar cone", strict=False),
        certify_equal(np.sum((Z - Y) * (Y - p), axis=0), 0 * Z[0], "complementarity",
                      scale=max(1, sizes.magnitude(Z - Y) * sizes.magnitude(Y - p) * Z.shape[0])),
    ], "optimality conditions")


def cayley_orthogonal(Q: int, seed: int, kind) -> np.ndarray:
    """A rational orthogonal matrix ``(I − S)(I + S)⁻¹`` from a seeded skew-symmetric ``S``."""
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.integers(-3, 4, size=(Q, Q)), 1)
    S = arith.array((upper - upper.T).tolist(), kind) / arith.array([2], kind)[0]
    I = arith.identity(Q, kind)
    return (I - S) @ arith.inv(I + S)


def data_check(ctx) -> Check:
    data = ctx.data
    W = cayley_orthogonal(ctx.Q, ctx.seed, ctx.kind)
    centroid = data.means @ arith.array([1] * ctx.Q, ctx.kind) / arith.array([ctx.Q], ctx.kind)[0]
    tau = truncation_map(W, -(W @ centroid))
    Y = tau(data.X)
    kind = ctx.kind.label
    return combine([
        certify_equal(W @ W.T, arith.identity(ctx.Q, ctx.kind), "W W^T = I"),
        _moreau(W, tau.apex[:, None], data.X, Y),
    ], f"{kind} optimality conditions on the data",
        f"rational orthogonal W (Cayley transform, seed {ctx.seed}), apex at the centroid of the means, N = {data.N} points")


def derive(ctx) -> Derivation:
    sizes = proof_sizes(ctx.Q)
    split = case_split(sizes, _case, "u_i > 0 on the pattern, u_i <= 0 off it, v_i >= 0; sigma evaluated by SymPy's Max")
    sample = float_samples(float_sample, ctx, 200)
    return truncation_derivation(
        ctx, RECIPE, lemmas=(coordinate_lemma(), isometry_step(), general_step()),
        split=(r"(u_i - v_i)^2 - (u_i - \sigma(u_i))^2 \ge 0,\quad \sigma(u) - u \ge 0,\quad "
               r"(u - \sigma(u)) \cdot \sigma(u) = 0", split),
        sample=(r"|z - \tau(z)| \le |z - k|,\ k \in K^{+}", "Random orthogonal W against sampled cone points.", sample),
        data=(r"W(\tau(z) - p) \ge 0,\ W(z - \tau(z)) \le 0,\ (z - \tau(z))\cdot(\tau(z) - p) = 0",
              "The projection's optimality conditions on the data.", data_check(ctx)))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.all_q(), derive)
