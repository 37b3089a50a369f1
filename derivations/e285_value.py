"""E2.85 -- the value (2.85) of the local minima of Theorem 2.5 and its independence of ``µ``."""

from __future__ import annotations

from symgeom.numbers import sizes
from symgeom.certify.certificates import CERTIFIED, REFUTED, UNDECIDED, Check, Derivation, Scope, Step
from symgeom.claims.recipe import Recipe
from symgeom.paper.minima import affine_fit, curated_points, formula_squared, linear_fit

from . import _paper

ID = "E2.85"
PAPER = "Theorem 2.5, (2.80)-(2.85), mu-independence"
TITLE = "(2.85): the value for every s, the same for every collapse parameter"
STATEMENT = (
    r"The paper's (2.85): \[\min_{W_{L+1}, b_{L+1}} C_N = \|Y |\Delta_2[s]|^{1/2} (1 + \Delta_2[s])^{-1/2}\|\] with "
    r"$\Delta_1[s] = (X_0^{red})^{-1} \Delta X_0[s]$, the deviations of the collapsed clusters set to 0 (2.80)--(2.83); "
    r"this value does not depend on $\mu \in \prod_j I_{s_j}$."
)
INSTEAD = ("for mixed s the minimum over the output depends on mu (it is the weighted affine least-squares residual of "
           "tau(X0), (2.84)); (2.85) is neither it nor the bias-free minimum; (2.85) squared is the bias-free minimum with "
           "the collapsed cluster left at its mean (mu_j = 0; certified on the data when step 4 says so): it drops the "
           "shift -mu_j f_j of (2.84)")


def derive(ctx) -> Derivation:
    _paper.require(ctx, "L = Q")
    data, f = _paper.exact_data(ctx), sizes.format_number
    c = _paper.choices(ctx)
    s = (0,) + (1,) * (ctx.Q - 1)
    F = formula_squared(data, s)
    rows = []
    for name in ("inner", "second"):
        t = c[name][0][0]
        Z = curated_points(data, [t] + [None] * (ctx.Q - 1))
        rows.append((name, t, affine_fit(Z, data)[1], linear_fit(Z, data)[1], c[name][1]))
    (_, ta, A, La, oka), (_, tb, B, Lb, okb) = rows
    admissible = oka and okb
    depends = Check(REFUTED if (A != B and admissible) else CERTIFIED, "exact weighted least squares at two mu_1 in I0",
                    f"s = {''.join(map(str, s))}; t_1 = {ta}: {f(A)}; t_1 = {tb}: {f(B)}",
                    residual=A - B, scope=Scope.these_data(),
                    counterexample=(f"min over (W_L+1, b_L+1) of C_N squared is {f(A)} at mu_1 = -{ta}|m - m_1| and "
                                    f"{f(B)} at mu_1 = -{tb}|m - m_1|, both in I0 (certified): it depends on mu")
                    if (A != B and admissible) else None)
    value = Check(REFUTED if F not in (A, B) else CERTIFIED, "exact: (2.85) squared against the minimum over the output",
                  f"(2.85) squared = {f(F)}", residual=F - A, scope=Scope.these_data(),
                  counterexample=f"(2.85) squared = {f(F)} but the minimum is {f(A)} and {f(B)}"
                  if F not in (A, B) else None)
    bias_free = Check(CERTIFIED, "exact weighted least squares, cumulative output bias 0",
                      f"{f(La)} and {f(Lb)} against (2.85) squared ~{float(F):.6g}: "
                      + ("also depends on mu" if La != Lb else "equal"), scope=Scope.these_data())
    at_mean = linear_fit(curated_points(data, [0] + [None] * (ctx.Q - 1)), data)[1]  # cluster 1 at its mean
    diagnosis = Check(CERTIFIED if at_mean == F else UNDECIDED, "exact weighted least squares, cumulative output bias 0, "
                      "the collapsed cluster at its own mean (mu_1 = 0, outside I0)",
                      f"{f(at_mean)} against (2.85) squared = {f(F)}: " + ("equal, so (2.85) drops the shift -mu_j f_j "
                      "of (2.84)" if at_mean == F else "not equal: the diagnosis does not hold on these data"),
                      residual=at_mean - F, scope=Scope.these_data())
    return RECIPE.derivation((
        Step(r"\min_{W_{L+1}, b_{L+1}} C_N^2 \text{ at two } \mu_1 \in I_0",
             r"$\tau(X_0)$ by (2.84) (P2.5 certifies it) with cluster 1 at $\bar x_{0,1} - \mu_1 f_1$: the best affine "
             r"output sees the collapse point, which moves with $\mu_1$.", depends, key=True),
        Step(r"\|Y |\Delta_2[s]|^{1/2} (1 + \Delta_2[s])^{-1/2}\|^2", "The stated value, squared.", value),
        Step(r"\min_{W^{(L+1)}} C_N^2(W^{(L+1)} \tau(X_0))",
             r"Steelman: the bias-free reading, the one that makes (2.71) true; it too moves with $\mu_1$ and "
             r"differs from (2.85).", bias_free),
        Step(r"\min_{W^{(L+1)}} C_N^2 \text{ at } \mu_1 = 0",
             r"What (2.85) is: the bias-free minimum with the collapsed cluster left at its own mean, where the formula's "
             r"$\Delta X_0[s]$ puts it (its deviations set to 0, no shift $-\mu_j f_j$).", diagnosis),
    ))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive, paper=PAPER, instead=INSTEAD)
