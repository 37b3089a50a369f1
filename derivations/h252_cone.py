"""H2.52 -- the paper's cone condition (2.51)–(2.52): ``max_j θ_*,j < π``."""

from __future__ import annotations

from symgeom.certify.certificates import CERTIFIED, NOT_APPLICABLE, Check, Derivation, Step, Scope
from symgeom.claims.recipe import Recipe
from symgeom.paper.construction import precision

from . import _paper

ID = "H2.52"
PAPER = "(2.49)-(2.52)"
TITLE = "Cone condition (2.51)-(2.52)"
STATEMENT = (
    r"The paper's cone condition: with $f_j$ the unit vector from $\bar x_{0,j}$ towards $\bar x$ (2.49), the smallest "
    r"opening $\theta_{*,j}$ of a cone at $\bar x_{0,j}$ with axis $f_j$ containing every ball $B_{4\delta}(\bar x_{0,j'})$, "
    r"$j' \ne j$ (2.51), is below $\pi$ for every $j$ (2.52). With $a = \bar x_{0,j'} - \bar x_{0,j}$ and $4\delta < |a|$: "
    r"$\theta_{*,j}/2 = \max_{j'} \angle(a, f_j) + \arcsin(4\delta/|a|)$."
)
INSTEAD = "a hypothesis: decided exactly on the data, angles as arb balls"


def derive(ctx) -> Derivation:
    h = _paper.hypotheses(ctx)
    with precision():
        shown = ", ".join("undefined" if t is None else t.str(8, radius=False) for t in h.theta)
    far = Check(CERTIFIED if h.far_enough else NOT_APPLICABLE, "exact rational comparison of 16 delta squared with the squared distances of the means",
                "" if h.far_enough else "fails on these data: a ball B_4delta(m_j') contains m_j", scope=Scope.these_data())
    cone = Check(CERTIFIED if h.cone_condition else NOT_APPLICABLE,
                 "exact rational decision of each half-opening against a right angle (its squared cosines and sines are rational)",
                 f"theta_*,j = {shown} (arb balls, radians; pi = 3.14159265)" + ("" if h.cone_condition else
                                                                                "; fails on these data"), scope=Scope.these_data())
    return RECIPE.derivation((
        Step(r"4\delta < |\bar x_{0,j'} - \bar x_{0,j}|", "The balls of (2.51) miss the apex.", far),
        Step(r"\max_j \theta_{*,j} < \pi", r"Each half-opening $\alpha + \beta < \pi/2$ decided in rationals: "
             r"$\cos^2\alpha$, $\sin^2\beta = 16\delta^2/|a|^2$ are rational.", cone, key=True),
    ))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive, paper=PAPER, instead=INSTEAD)
