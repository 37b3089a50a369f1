"""T3 -- τ is idempotent and its image is exactly ``K⁺``.

In cone coordinates τ acts as σ (T2's lemma), so ``τ∘τ = τ`` is ``σ∘σ = σ``, ``image ⊆ K⁺``
is ``σ(u) ≥ 0`` and ``K⁺ ⊆ image`` is ``σ(v) = v`` for ``v ≥ 0``.
"""

from __future__ import annotations


import numpy as np
import sympy as sp

from symgeom.model.activation import sigma
from functools import lru_cache

from symgeom.certify.certificates import (PROVED, REFUTED, Check, Derivation, Step, certify_equal, certify_positive,
    combine)
from symgeom.certify.scope import Scope
from symgeom.claims.recipe import Recipe
from symgeom.model.truncation import layer_truncations, truncation_map

from ._common import (case_split, coordinatewise, float_samples, msym, proof_sizes, ramp, random_cone_coordinates,
                      random_invertible, split_scope, truncation_derivation)
from .t2_cone_geometry import coordinate_lemma

ID = "T3"
TITLE = "Idempotence and image"
STATEMENT = r"$\tau_{W,b} \circ \tau_{W,b} = \tau_{W,b}$, and the image of $\tau_{W,b}$ is exactly $K^{+}$."


@lru_cache(maxsize=None)
def general_step() -> Step:
    """``σ∘σ = σ``, ``σ ≥ 0`` and ``σ(v) = v`` for ``v ≥ 0`` at symbolic ``Q``, coordinate by coordinate."""
    u, v = msym("u", 1), msym("v", 1)
    s = ramp(u)
    check = coordinatewise([
        ("sigma(sigma(u)) = sigma(u)", ramp(s) - s, "= 0", "+-0"),
        ("sigma(u) >= 0", s, ">= 0", "+-0"),
        ("sigma(v) = v for v >= 0", ramp(v) - v, "= 0", "+"),
    ], "every Q >= 1; v in the closed orthant")
    return Step(r"\sigma(\sigma(u)) = \sigma(u),\quad \sigma(u) \ge 0,\quad \sigma(v) = v\ (v \ge 0)\quad (Q \text{ symbolic})",
                r"So $\tau(\tau(z)) = \tau(z)$, $\tau(z) \in K^{+}$ for every $z$, and every $k = p + W^{-1}v \in K^{+}$ "
                r"is its own image: the image is all of $K^{+}$. Proved for every $Q$, one coordinate at a time.",
                check, key=True)


def _case(u):
    s = sigma(u)
    return list(sigma(s) - s), list(s)


def _forward_case(Q: int) -> Check:
    v = sp.Matrix([sp.Symbol(f"v_{i + 1}", nonnegative=True) for i in range(Q)])
    ok = all(sp.simplify(e) == 0 for e in sigma(v) - v)
    return Check(PROVED if ok else REFUTED, "SymPy Max with v_i >= 0",
                 counterexample=None if ok else f"Q={Q}: sigma(v) != v")


def float_sample(Q: int, seed: int) -> Check:
    rng = np.random.default_rng(seed)
    W, b = random_invertible(Q, rng), rng.standard_normal(Q)
    tau = truncation_map(W, b)
    Z = tau.apex[:, None] + np.linalg.solve(W, random_cone_coordinates(Q, rng))
    once = tau(Z)
    return certify_equal(tau(once), once, f"float64 sample, Q = {Q}", f"seed {seed}")


def data_check(ctx) -> Check:
    """On the data: the truncations of the seeded network, applied twice."""
    checks = []
    for tau in layer_truncations(ctx.parameters):
        once = tau(ctx.data.X)
        checks.append(certify_equal(tau(once), once, "tau(tau(z)) = tau(z)"))
        cone = tau.coordinates(once)
        checks.append(certify_positive(cone, "image in the closed cone K+", strict=False))
    kind = ctx.kind.label
    return combine(checks, f"{kind} check on the data",
                   f"the L = {ctx.L} truncations of seeded random parameters, applied twice to all N = {ctx.data.N} points; "
                   "image coordinates >= 0")


def derive(ctx) -> Derivation:
    sizes = proof_sizes(ctx.Q)
    split = case_split(sizes, _case, "u_i > 0 on the pattern, u_i <= 0 off it; sigma evaluated by SymPy's Max")
    onto = combine([_forward_case(Q) for Q in sizes], f"SymPy Max with nonnegative symbols, Q = {', '.join(map(str, sizes))}",
                   scope=split_scope(sizes))
    sample = float_samples(float_sample, ctx, 100)
    return truncation_derivation(
        ctx, RECIPE, lemmas=(coordinate_lemma(), general_step()),
        split=(r"\sigma(\sigma(u)) = \sigma(u),\quad \sigma(u) \ge 0", split),
        extra=(Step(r"\sigma(v) = v \text{ for } v \in \mathbb{R}^Q_{+}",
                    "Corroboration: explicit sizes with nonnegative symbols.", onto),),
        sample=(r"\tau(\tau(z)) = \tau(z)", "Random invertible W and points in every region.", sample),
        data=(r"\tau(\tau(x_{j,i})) = \tau(x_{j,i}),\ \tau(x_{j,i}) \in K^{+}", "On the data.", data_check(ctx)))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.all_q(), derive)
