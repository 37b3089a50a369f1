"""H2.14 -- the paper's clustering hypothesis (2.14) and the linear independence of the means (2.15), (2.48)."""

from __future__ import annotations

from symgeom.numbers import sizes
from symgeom.certify.certificates import CERTIFIED, NOT_APPLICABLE, Check, Derivation, Step, Scope
from symgeom.claims.recipe import Recipe

from . import _paper

ID = "H2.14"
PAPER = "(2.14), (2.48)"
TITLE = "Hypothesis (2.14): clustered data, linearly independent means"
STATEMENT = (
    r"The paper's hypothesis (2.14): $\delta = \max_{j,i} |\Delta x_{0,j,i}| < c_0 \min_j |\bar x_{0,j} - \bar x|$ for "
    r"some $0 < c_0 < 1/4$, and the means $\bar x_{0,j}$ are linearly independent (so $X_0^{red}$ is invertible). "
    r"Decided exactly: such a $c_0$ exists iff $16\delta^2 < \min_j |\bar x_{0,j} - \bar x|^2$."
)
INSTEAD = "a hypothesis: decided exactly on the data"


def _decided(holds: bool, method: str, detail: str, margin=None) -> Check:
    if holds:
        return Check(CERTIFIED, method, detail, margin=margin, scope=Scope.these_data())
    return Check(NOT_APPLICABLE, method, "fails on these data: " + detail, scope=Scope.these_data())


def derive(ctx) -> Derivation:
    h = _paper.hypotheses(ctx)
    f = sizes.format_number
    return RECIPE.derivation((
        Step(r"\operatorname{rank} X_0^{red} = Q", "Exact rank of the matrix of means.",
             _decided(h.linearly_independent, "exact rank (FLINT)", f"Q = {ctx.Q}")),
        Step(r"16\,\delta^2 < \min_j |\bar x_{0,j} - \bar x|^2",
             r"Then $c_0 = $ any number in $(\delta / \min_j |\bar x_{0,j} - \bar x|, 1/4)$ serves.",
             _decided(h.clustered, "exact rational comparison",
                      f"delta squared = {f(h.delta_squared)}, smallest squared distance of a mean to their average = {f(h.min_spread_squared)}, "
                      f"c0 must exceed the square root of {f(h.c0_lower)}", margin=h.min_spread_squared - 16 * h.delta_squared),
             key=True),
    ))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive, paper=PAPER, instead=INSTEAD)
