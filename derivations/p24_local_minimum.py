"""P2.4 -- the paper's Theorem 2.4: for ``L = Q`` and ``µ ∈ I1 = (2δ|u_Q|, ∞)^Q`` the construction's truncations fix
``X0`` (2.70), and the point with the best output is a local minimum of ``C_N`` that is not global."""

from __future__ import annotations

from symgeom.numbers import arith, sizes
from symgeom.certify.certificates import CERTIFIED, REFUTED, Check, Derivation, Step, combine, Scope
from symgeom.claims.recipe import Recipe
from symgeom.paper.minima import affine_fit

from . import _paper

ID = "P2.4"
PAPER = "Theorem 2.4, (2.70)"
TITLE = "Theorem 2.4: the data fixed, a local minimum"
STATEMENT = (
    r"The paper's Theorem 2.4 ($L = Q$): for $\mu \in (2\delta|u_Q|, \infty)^Q$ the truncation maps of the construction "
    r"of Theorem 2.3 fix the data, $\tau(X_0) = X_0$ (2.70), and minimizing over the output $(W_{L+1}, b_{L+1})$ gives a "
    r"degenerate local minimum of $C_N$ that is not global. Its value is (2.71), claim E2.71."
)
INSTEAD = ("as stated when the output weight may be any matrix, with the value of the local minimum the weighted affine "
           "least-squares residual of X0 (not (2.71)); with W_(L+1) in GL(Q) no local minimum: the best output is singular")


def derive(ctx) -> Derivation:
    _paper.require(ctx, "L = Q")
    c = _paper.choices(ctx)
    fixed = [_paper.sign_check(ctx, c[n][0], _paper.run(ctx, c[n][0]), n, c[n][1]) for n in ("kept", "kept_far")]
    data = _paper.exact_data(ctx)
    (A, _), value = affine_fit(data.X, data)
    rank = arith.rank(A)
    singular = Check(CERTIFIED if rank < ctx.Q else REFUTED, "exact rational rank of the best output map",
                     f"rank W_(L+1) = {rank} < Q = {ctx.Q}: the Q targets lie on an affine hyperplane w.y = k, which the "
                     "least-squares fit reproduces exactly, so w^T W_(L+1) = 0", scope=Scope.these_data(),
                     counterexample=None if rank < ctx.Q else f"rank W_(L+1) = {rank}")
    fixes = combine(fixed, "interval arithmetic (arb): every point strictly in every forward cone, at two mu in I1",
                    "; ".join(f.detail for f in fixed))
    local = Check(CERTIFIED if fixes.status == CERTIFIED else fixes.status,
                  "lower bound on an open set: every point strictly active in every layer, so the network is affine on "
                  "the data nearby and C_N squared >= the weighted affine least-squares residual, attained by the best output",
                  f"min_(W,b) C_N squared = {sizes.format_number(value)}", margin=fixes.margin,
                  counterexample=fixes.counterexample, scope=Scope.these_data())
    not_global = Check(CERTIFIED if value > 0 else REFUTED, "exact rational value > 0", f"C_N squared = {sizes.format_number(value)}",
                       margin=value, counterexample=None if value > 0 else "the local minimum has cost 0", scope=Scope.these_data())
    return RECIPE.derivation((
        Step(r"\tau_{W_*^{(L)}, b_*^{(L)}[\mu]}(X_0) = X_0", r"(2.70): Lemma 5.1 and (4.40)/(4.64) with $\mu_\ell > 0$; "
             r"checked in balls at $\mu$ just above $2\delta|u_Q|$ and far above.", fixes),
        Step(r"C_N^2 \ge \min_{W, b} C_N^2(W X_0 + b\,1^T) \text{ near the point}",
             r"Hence the point with the best affine output is a local minimum; the hidden parameters move freely "
             r"nearby without changing the cost (degenerate).", local, key=True),
        Step(r"\min_{W,b} C_N^2 > 0", r"Not global: every cluster has a nonzero deviation (2.12).", not_global),
        Step(r"\operatorname{rank} W_{L+1} < Q",
             r"The reading above lets the output weight be any matrix. With $W_{L+1}$ invertible, a reading of "
             r"(2.26)--(2.27), the best output is singular (this check) and the cost is strictly convex in the output, "
             r"so its minimum over invertible outputs is not attained: no local minimum at these points.", singular),
    ))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive, paper=PAPER, instead=INSTEAD)
