"""G4 -- the symmetry of T5 explains ``L·Q`` of the ``L(Q² + Q) + Q`` degenerate dimensions; the
output fiber explains ``Q``; the remaining ``L·Q²`` are the freedom of each hidden layer's cone
(its apex, ``Q`` per layer, and its edge directions, ``Q² − Q`` per layer)."""

from __future__ import annotations

import sympy as sp

from symgeom._errors import ConstructionError
from symgeom.certify.certificates import CERTIFIED, CHECKED, REFUTED, UNDECIDED, Check, Derivation, Step, combine
from symgeom.certify.scope import Scope
from symgeom.claims.recipe import Recipe
from symgeom.certify.proofs import prove_zero
from symgeom.global_minima.degeneracy import derived_dimension
from symgeom.global_minima.minimizer import certify_global_minimizer, global_minimizer

from symgeom.numbers.printing import Latex, latex

from ._common import data_steps

ID = "G4"
TITLE = "What the degeneracy consists of"
STATEMENT = (
    r"Of the $L(Q^2+Q)+Q$ degenerate directions, the positive scalings of T5 account for $LQ$, the output fiber for "
    r"$Q$, and the freedom of the $L$ hidden cones for the remaining $LQ^2$: $LQ$ apex moves and $L(Q^2 - Q)$ edge directions."
)


def derive(ctx) -> Derivation:
    deg = ctx.degeneracy
    fam, data = ctx.minimizer, ctx.data
    _, dim, _, fiber, symmetry = derived_dimension()
    Qs, Ls = sp.symbols("Q L", positive=True, integer=True)
    cones = sp.expand(dim - symmetry - fiber)
    split = prove_zero(cones - (Ls * Qs + Ls * (Qs**2 - Qs)), "SymPy expansion", "apex L Q + edges L (Q^2 - Q)")
    rest = deg.nullity - deg.symmetry_rank - deg.fiber_rank
    expected = int(cones.subs({Qs: ctx.Q, Ls: ctx.L}))
    status = (CERTIFIED if deg.params.kind.is_exact else CHECKED) if rest == expected else REFUTED
    count = Check(status, "nullity minus the ranks of the symmetry and fiber directions",
                  f"{deg.nullity} - {deg.symmetry_rank} - {deg.fiber_rank} = {rest}, expected L Q^2 = {expected}",
                  residual=rest - expected, tolerance=None if status != CHECKED else 0,
                  counterexample=None if rest == expected else f"{rest} != {expected}")
    moved = []
    for scale in (sp.Rational(1, 2), sp.Rational(3, 2)):
        offsets = [o * data.kind.scalar(scale) for o in _offsets(fam)]
        try:
            other = global_minimizer(data, ctx.L, fam.order, gamma=fam.criterion.gamma, offsets=offsets)
            moved.append(certify_global_minimizer(other.member(), data, fam.order))
        except ConstructionError as e:  # the moved offsets left the admissible interval: nothing shown either way
            moved.append(Check(UNDECIDED, "apex move", str(e)))
    apex = combine(moved, "every apex moved at once (all offsets halved, then multiplied by 3/2): cost still 0 with all strict "
                   "sign conditions")
    return RECIPE.derivation(data_steps((
        *block_steps(ctx, deg),
        Step(_remainder_latex(dim, symmetry, fiber, cones), "What remains: the hidden cones' freedom.", split),
        Step(rf"{deg.nullity} - {deg.symmetry_rank} - {deg.fiber_rank} = {rest}",
             "Corroboration: the Hessian nullity less the symmetry and fiber ranks.", count),
        Step(r"p_k \to m_k + \sigma_k' n_k", "The apexes can move: other members of the family.", apex),
    )))


BLOCKS = {
    "symmetry": (r"\mathrm{scal}", lambda Q, L: L * Q,
                 r"Scaling neuron $i$ of layer $\ell$: $\delta W_\ell[i,:] = W_\ell[i,:]$, $\delta b_\ell[i] = b_\ell[i]$, "
                 r"$\delta W_{\ell+1}[:,i] = -W_{\ell+1}[:,i]$ (T5)."),
    "fiber": (r"\mathrm{fiber}", lambda Q, L: Q,
              r"$\delta[A \mid c] = e_i n^T$ in actual parameters (G2)."),
    "apex": (r"\mathrm{apex}", lambda Q, L: L * Q,
             r"$\delta b_\ell = e_i$, $\delta b_{\ell+1} = -W_{\ell+1} e_i$, and the output layer sends the cluster "
             r"collapsed at $\ell$ back to its target."),
    "edges": (r"\mathrm{edge}", lambda Q, L: L * (Q * Q - Q),
              r"The gauge $T = I + \varepsilon e_i e_j^T$, $i \ne j$: the apex stays, the edges $(W^{(\ell)})^{-1} T^{-1} e_j$ turn."),
}
"""Each block of tangent directions: its name, its expected count and how it is built."""


def block_steps(ctx, deg) -> list[Step]:
    """One step per block, with the rank it adds to the blocks before it (certified), then the whole."""
    steps = []
    for name, (label, expected, how) in BLOCKS.items():
        count, want = deg.block_counts[name], expected(ctx.Q, ctx.L)
        exact = deg.params.kind.is_exact
        ok = count == want
        check = Check((CERTIFIED if exact else CHECKED) if ok else REFUTED, f"rank added by the {name} directions",
                      f"{count} independent directions beyond the blocks before, expected {want}",
                      residual=count - want, tolerance=None if exact or not ok else 0,
                      counterexample=None if ok else f"{count} != {want}")
        steps.append(Step(rf"\operatorname{{rank}} V_{{{label}}} = {count}", how, check))
    steps.append(Step(rf"\operatorname{{rank}} V = {sum(deg.block_counts.values())} = \operatorname{{nullity}} J_F",
                      r"The four blocks together: in the kernel of $J_F$, independent, and spanning it.",
                      deg.checks["tangent"], key=True))
    return steps


def _remainder_latex(dim, symmetry, fiber, cones) -> Latex:
    """``L(Q^2 + Q) + Q - LQ - Q = LQ^2``, each term printed from its SymPy expression (factored as in the count)."""
    (L,) = [x for x in sp.expand(dim - fiber).free_symbols if x.name == "L"]
    terms = [latex(sp.collect(sp.expand(dim - fiber), L)) + " + " + latex(fiber), latex(symmetry), latex(fiber)]
    return Latex(" - ".join(terms) + " = " + latex(cones))


def _offsets(fam):
    by_cluster = [None] * fam.Q
    for cone in fam.cones:
        by_cluster[cone.cluster - 1] = cone.offset
    return by_cluster


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive)
