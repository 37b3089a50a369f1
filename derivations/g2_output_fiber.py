"""G2 -- the output maps sending the curated points to their targets form an affine space of
dimension ``Q``: ``[A | c] = Y [P; 1ᵀ]⁺ + ζ nᵀ``, ``n`` spanning the left null space of ``[P; 1ᵀ]``."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symgeom.numbers import arith, sizes
from symgeom.certify.certificates import Derivation, Step, certify_equal, combine
from symgeom.certify.scope import Scope
from symgeom.claims.recipe import Recipe
from symgeom.global_minima.degeneracy import rank_check

from ._common import data_steps

ID = "G2"
TITLE = "The output fiber"
STATEMENT = (
    r"The output maps with $[A \mid c] \begin{bmatrix} P \\ \mathbf{1}^{T} \end{bmatrix} = Y$ form an affine space of "
    r"dimension $Q$: $[A \mid c] = Y \begin{bmatrix} P \\ \mathbf{1}^{T} \end{bmatrix}^{+} + \zeta n^{T}$, $\zeta \in \mathbb{R}^Q$, "
    r"where $n = (a, \beta)$ spans the left null space of $\begin{bmatrix} P \\ \mathbf{1}^{T} \end{bmatrix}$."
)


def derive(ctx) -> Derivation:
    fam = ctx.collapsed_minimizer  # P: the cone apexes, or the sequential construction's images (L >= Q)
    data, Q = fam.data, ctx.Q  # the sequential point is built on the data read exactly
    B = fam.lifted
    _, rank = rank_check(B, "[P; 1^T]", Q)
    pinv = arith.inv(B.T @ B) @ B.T
    left_inverse = certify_equal(pinv @ B, arith.identity(Q, data.kind), "B^+ B = I")
    null = certify_equal(fam.fiber_normal @ B, 0 * fam.fiber_normal[:Q], "n^T [P; 1^T] = 0",
                         scale=max(1, sizes.magnitude(fam.fiber_normal) * sizes.magnitude(B) * (Q + 1)))
    rng = np.random.default_rng(ctx.seed + 1)
    members = []
    for _ in range(3):
        zeta = [arith.to_exact(f"{int(v)}/4") for v in rng.integers(-8, 9, size=Q)]
        if not data.kind.is_exact:
            zeta = [float(z) for z in zeta]
        members.append(certify_equal(fam.output_map(zeta) @ B, data.Y, "[A | c] [P; 1^T] = Y"))
    fits = combine([left_inverse, null] + members, "closed form checked on the constructed apexes",
                   f"three random zeta; {data.kind.label} arithmetic")
    Qs = sp.Symbol("Q", positive=True, integer=True)
    n_display = ", ".join(sizes.format_number(x) for x in fam.fiber_normal)
    return RECIPE.derivation(data_steps((
        Step(sp.Eq(sp.Symbol(r"\dim"), sp.expand(Qs * (Qs + 1) - Qs * Qs)),
             r"$Q$ rows of $[A \mid c]$, each in $\mathbb{R}^{Q+1}$, constrained by $\operatorname{rank} [P; \mathbf{1}^T] = Q$ "
             r"equations: $Q(Q + 1 - Q) = Q$ free parameters.", rank),
        Step(r"[A \mid c] = Y \begin{bmatrix} P \\ \mathbf{1}^{T} \end{bmatrix}^{+} + \zeta n^{T},\quad n = (" + n_display + ")",
             r"$B^{+} = (B^T B)^{-1} B^T$ is a left inverse of $B = [P; \mathbf{1}^T]$, and $n^T B = 0$.", fits, key=True),
    )))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive)
