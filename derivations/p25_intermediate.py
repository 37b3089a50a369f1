"""P2.5 -- the paper's Theorem 2.5: for ``L = Q`` and ``µ_j ∈ I0 ∪ I1`` the truncations collapse exactly the
clusters with ``µ_j ∈ I0`` (2.84), and each of the ``2^Q − 1`` sign vectors ``s ≠ 0`` gives a local minimum."""

from __future__ import annotations

import itertools

from symgeom.numbers import sizes
from symgeom.certify.certificates import CERTIFIED, REFUTED, UNDECIDED, Check, Derivation, Step, combine, Scope
from symgeom.claims.recipe import Recipe
from symgeom.paper.minima import collapse_slope

from . import _paper

ID = "P2.5"
PAPER = "Theorem 2.5, (2.84), the count 2^Q - 1"
TITLE = "Theorem 2.5: a local minimum for every s"
STATEMENT = (
    r"The paper's Theorem 2.5 ($L = Q$): for $\mu_j \in I_0 = (-D, -2\delta|u_Q|)$ (cluster $j$ collapsed, $s_j = 0$) or "
    r"$\mu_j \in I_1 = (2\delta|u_Q|, \infty)$ (kept, $s_j = 1$), $\tau(X_0)$ is (2.84), and minimizing over the output "
    r"gives a degenerate local minimum for every $s$: $2^Q - 1$ local minima that are not global ($s \ne 0$)."
)
INSTEAD = ("(2.84) as stated; the points with mixed s are not critical (the best output's cost moves with mu_j); "
           "one local minimum per kept set U exists with rank-deficient weights: symgeom's stratum theorem N2")
MAX_MIXED = 6
"""At most this many mixed sign vectors are run (all of them for Q <= 3)."""


def mixed_vectors(Q: int) -> list:
    """The sign vectors ``s`` with some 0 and some 1, fewest collapsed clusters first."""
    out = [s for s in itertools.product((0, 1), repeat=Q) if 0 < sum(s) < Q]
    return sorted(out, key=lambda s: (-sum(s), s))[:MAX_MIXED]


def mixed_run(ctx, s):
    """``(shifts, run, admissible)`` for ``s``: collapsed clusters at the inner shift, kept ones at ``kept``."""
    c = _paper.choices(ctx)
    shifts = tuple(c["kept"][0][j] if keep else c["inner"][0][j] for j, keep in enumerate(s))
    return shifts, _paper.run(ctx, shifts), c["kept"][1] and c["inner"][1]


def slope_check(ctx, s, shifts, signs: Check) -> Check:
    """``d/dt min_{W,b} C_N²`` along the collapse point of the first collapsed cluster, exact."""
    j = s.index(0) + 1
    slope = collapse_slope(_paper.exact_data(ctx), [None if keep else shifts[k] for k, keep in enumerate(s)], j)
    label = "".join(map(str, s))
    if signs.status != CERTIFIED:
        return Check(UNDECIDED, "exact slope", f"s = {label}: the sign conditions are not certified", scope=Scope.these_data())
    if slope == 0:
        return Check(UNDECIDED, "exact slope", f"s = {label}: slope 0 at t = {shifts[j - 1]}", scope=Scope.these_data())
    return Check(REFUTED, "exact derivative of the best output's C_N squared along mu_j (envelope theorem, weighted normal "
                 "equations in rationals)", f"s = {label}", residual=slope, scope=Scope.these_data(),
                 counterexample=f"s = {label}: the slope in t of min over (W, b) of C_N squared = {sizes.format_number(slope)} "
                                f"!= 0 at t_{j} = {shifts[j - 1]} (mu_{j} = -t_{j}|m - m_{j}|, inside the open I0; the sign "
                                f"conditions are strict), so moving mu_{j} lowers the cost: not a local minimum")


def derive(ctx) -> Derivation:
    _paper.require(ctx, "L = Q")
    Q = ctx.Q
    signs, slopes = [], []
    for s in mixed_vectors(Q):
        shifts, r, ok = mixed_run(ctx, s)
        check = _paper.sign_check(ctx, shifts, r, "s = " + "".join(map(str, s)), ok)
        signs.append(check)
        slopes.append(slope_check(ctx, s, shifts, check))
    image = combine(signs, f"interval arithmetic (arb) at {len(signs)} mixed s", "; ".join(c.detail for c in signs))
    minima = combine(slopes, f"exact slopes at {len(slopes)} mixed s")
    return RECIPE.derivation((
        Step(r"\tau(X_0) = [\cdots\ s_j X_{0,j} + (1 - s_j)(\bar x_{0,j} - \mu_j f_j) u_{N_j}^T\ \cdots]",
             "(2.84): every strict sign condition of every layer certified in balls.", image),
        Step(r"\frac{d}{d\mu_j} \min_{W_{L+1}, b_{L+1}} C_N^2 \ne 0",
             r"Steelman: with the output re-optimized (the reading of (2.85)) and only the hidden parameters moved, "
             r"the cost moves with $\mu_j$ to first order, so the point is not a local minimum in any reading that "
             r"lets $\mu_j$ move.", minima, key=True),
        Step(rf"2^Q - 1 = {2 ** Q - 1}",
             r"The count of sign vectors $s \ne 0$. On these data $s = (1, \dots, 1)$ is a local minimum (P2.4) and "
             r"$s = 0$ the global one (P2.3); the mixed $s$ are not critical. Symgeom's stratum theorem (N2, beyond the "
             r"paper) is the repaired statement: one local minimum per nonempty kept set $U$, value the weighted "
             r"least-squares residual of $U$, reached only with rank-deficient weights."),
    ))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive, paper=PAPER, instead=INSTEAD)
