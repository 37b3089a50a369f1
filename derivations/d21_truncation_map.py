"""D2.1 -- the paper's Definition 2.1: the truncation map (2.37), its scaling invariance (2.66), and rank
preservation (2.38) of the paper's construction on the data."""

from __future__ import annotations

from flint import arb_mat

from symgeom.numbers import arith
from symgeom.certify.certificates import CERTIFIED, UNDECIDED, Check, Derivation, Step, certify_equal, Scope
from symgeom.claims.recipe import Recipe
from symgeom.model.truncation import truncation_map

from . import _paper

ID = "D2.1"
PAPER = "Definition 2.1, (2.66)"
TITLE = "Definition 2.1: truncation maps, scaling, rank preservation"
STATEMENT = (
    r"The paper's Definition 2.1: $\tau_{W,b}(X) = W^{-1}(\sigma(WX + B) - B)$, invariant under "
    r"$(W, b) \mapsto (\lambda W, \lambda b)$, $\lambda > 0$ (2.66); $\tau$ is rank preserving for $X_0$ when "
    r"$\tau(X_0)$ and its matrix of cluster means have the ranks of $X_0$ and of the means (2.38). The paper's "
    r"construction of Theorem 2.3 is rank preserving on these data."
)
INSTEAD = "as stated; (2.66) is the case D = lambda I of T5"


def scaling_check(ctx) -> Check:
    """(2.66) on the data: ``τ_{λW, λb} = τ_{W,b}`` for ``λ = 3/2`` and the first seeded layer."""
    W, b = ctx.parameters.weights[0], ctx.parameters.biases[0]
    lam = arith.to_exact("3/2") if ctx.kind.is_exact else 1.5
    return certify_equal(truncation_map(lam * W, lam * b)(ctx.data.X), truncation_map(W, b)(ctx.data.X),
                         "tau_{lambda W, lambda b}(X0) = tau_{W,b}(X0), lambda = 3/2, on the data",
                         "the case D = lambda I, Pi = I of claim T5 (proved there for all Q)")


def rank_check(ctx) -> Check:
    """``τ(X0) = X0[µ]`` has rank ``Q``: its means ``x̄_j − µ_j f_j`` have a determinant ball excluding 0."""
    _paper.require(ctx)
    shifts, _ = _paper.choices(ctx)["inner"]
    r = _paper.run(ctx, shifts)
    det = arb_mat([[r.apexes[j][i] for j in range(ctx.Q)] for i in range(ctx.Q)]).det()
    ok = not det.contains(0) and r.signs_certified
    return Check(CERTIFIED if ok else UNDECIDED, "interval arithmetic (arb): det X0red[mu] excludes 0",
                 f"rank X0 = {arith.rank(_paper.exact_data(ctx).X)}; at {_paper.mu_text(ctx, shifts)}; "
                 f"det X0red[mu] in {det.str(5)}", scope=Scope.these_data())


def derive(ctx) -> Derivation:
    return RECIPE.derivation((
        Step(r"\tau_{\lambda W, \lambda b} = \tau_{W, b},\ \lambda > 0",
             r"Scaling invariance (2.66): $\sigma$ is positively homogeneous.", scaling_check(ctx)),
        Step(r"\operatorname{rank} \tau_{W_*^{(L)}, b_*^{(L)}}(X_0) = \operatorname{rank} X_0 = Q",
             "Rank preservation (2.38) of the construction of Theorem 2.3: the collapse points are linearly independent.",
             rank_check(ctx), key=True),
    ))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive, paper=PAPER, instead=INSTEAD)
