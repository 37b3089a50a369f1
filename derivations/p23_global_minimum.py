"""P2.3 -- the paper's Theorem 2.3 with its own construction: for ``L ≥ Q`` the cost ``C_N`` reaches 0 at the
cumulative parameters (2.63)–(2.65) and the output (4.75), a second construction beside symgeom's G1."""

from __future__ import annotations

from symgeom.certify.certificates import Derivation, Step
from symgeom.certify.scope import Scope
from symgeom.claims.recipe import Recipe
from symgeom.paper.construction import precision

from . import _paper

ID = "P2.3"
PAPER = "Theorem 2.3, (2.57), (2.59)"
TITLE = "Theorem 2.3: zero cost by the paper's construction"
STATEMENT = (
    r"The paper's Theorem 2.3 under its hypotheses (2.14), (2.51)--(2.52) and $L \ge Q$: $\min C_N = 0$ (2.57), attained at "
    r"$W^{(\ell)}_* = W_* R_\ell$, $b^{(\ell)}_* = -W^{(\ell)}_* \bar x_{0,\ell} + \mu_\ell R_\ell f_\ell$ (2.63)--(2.65), "
    r"where $W_* = \tilde R\, \mathrm{diag}(1, \lambda, \dots, \lambda) \tilde R^T$ (4.28) and $R_\ell f_\ell = "
    r"u_Q/|u_Q|$, with cluster $\ell$ "
    r"collapsed to $\bar x_{0,\ell} - \mu_\ell f_\ell$ in layer $\ell$ (2.59) and the output "
    r"$W^{(L+1)} = Y (X_0^{red}[\mu])^{-1}$, bias 0 (4.75)."
)
INSTEAD = "as stated, at the mu checked (see (2.58) for the range of mu)"


def derive(ctx) -> Derivation:
    _paper.require(ctx)
    shifts, ok = _paper.choices(ctx)["inner"]
    r = _paper.run(ctx, shifts, ctx.L)
    with precision():
        shown = rf"$\theta_* = {r.theta_star.str(8, radius=False)}$, $\lambda = {r.lam.str(8, radius=False)}$"
    return RECIPE.derivation((
        Step(r"W_* = \lambda I + (1 - \lambda) u_Q u_Q^T / Q,\quad \lambda = \tan(\theta_Q/2) / \tan(\theta_*/2)",
             r"(4.28)--(4.29) with $\tan(\theta_Q/2) = 1/\sqrt{Q-1}$ and $\theta_* = \theta_0 + \max_j \theta_{*,j}$, "
             r"$\theta_0 = (\pi - \max_j \theta_{*,j})/2$ (the paper leaves $\theta_0 > 0$ free); " + shown + ". "
             r"$R_\ell$: the Householder reflection taking $f_\ell$ to $u_Q/|u_Q|$, then the swap of two coordinates."),
        Step(r"C_N\big[W_*^{(L)}, b_*^{(L)}[\mu], W^{(L+1)}, 0\big] = 0",
             r"Every collapsing cluster strictly inside its backward cone, every other current point (later clusters "
             r"and the earlier collapse points of (4.59)) strictly inside the forward cone; then by T2 $\tau$ collapses "
             r"and keeps exactly, each cluster lands on its collapse point and the output maps it to $y_j$.",
             _paper.sign_check(ctx, shifts, r, f"L = {ctx.L}", ok), key=True),
    ))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive, paper=PAPER, instead=INSTEAD)
