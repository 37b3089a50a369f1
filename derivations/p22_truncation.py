"""P2.2 -- the paper's Proposition 2.2 (layers as recursive truncation, (2.39)–(2.45)) is symgeom's T1."""

from __future__ import annotations

from dataclasses import replace

from symgeom.certify.certificates import Derivation, Step, combine, Scope
from symgeom.claims.recipe import Recipe

from .t1_recursive_truncation import matrix_level_steps

ID = "P2.2"
PAPER = "Proposition 2.2"
TITLE = "Proposition 2.2: layers as recursive truncation"
STATEMENT = (
    r"The paper's Proposition 2.2 ((2.39)--(2.45)): with the cumulative parameters $W^{(\ell)} = W_\ell \cdots W_1$, "
    r"$b^{(\ell)} = W_\ell b^{(\ell-1)} + b_\ell$, the $\ell$-th hidden layer is $W^{(\ell)}$ times $\ell$ nested "
    r"truncations of the inputs plus $b^{(\ell)}$. This is claim T1; its proof is T1's and is not repeated here."
)
INSTEAD = "as stated (symgeom's T1)"


def derive(ctx) -> Derivation:
    steps = matrix_level_steps()
    key = combine([s.check for s in steps if s.check is not None],
                  "T1's induction in matrix symbols of symbolic size (see claim T1)", scope=Scope.all_q())
    return RECIPE.derivation(tuple(replace(s, key=False) for s in steps) + (
        Step(r"X^{(\ell)} = W^{(\ell)} \tau_{W^{(\ell)}, b^{(\ell)}}(X^{(0)}) + B^{(\ell)}",
             "(2.40) is T1's statement with the paper's names; T1 also expands every activation pattern at small Q "
             "and checks the data.", key, key=True),))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.all_q(), derive, paper=PAPER, instead=INSTEAD)
