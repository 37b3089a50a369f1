"""N1 -- no truncation: every configuration with all data strictly inside the open forward cone of
every layer and the affine least-squares output map is a local minimum, of cost
``(1/2N) ‖Y^ext (I − Π)‖²_F``; the minimizers near it form a manifold of dimension ``L(Q² + Q)``."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symgeom import arith
from symgeom.certificates import CERTIFIED, CHECKED, NOT_APPLICABLE, REFUTED, Check, Derivation, Step, certify_equal, combine, prove_zero
from symgeom.local_minima import n1_hessian_nullity, noise_expansion, noise_series, projection_cost

ID = "N1"
TITLE = "The no-truncation local minimum"
STATEMENT = (
    r"Every configuration with all data strictly inside the open forward cone of every layer and the affine "
    r"least-squares output map is a local minimum, of cost $\frac{1}{2N}\|Y^{\mathrm{ext}}(I - \Pi)\|_F^2$ "
    r"($\Pi$ the orthogonal projector onto the row space of $[X; \mathbf{1}^T]$); the minimizers near it form a "
    r"manifold of dimension $L(Q^2 + Q)$, and $\mathcal{C} = c_2 \varepsilon^2 + O(\varepsilon^4)$ when the noise is "
    r"scaled by $\varepsilon$."
)
SERIES_MAX_Q = 4


def _explicit_projector(data):
    """``(1/2N)‖Y^ext(I − Π)‖²`` with the ``N x N`` projector written out (small ``N`` only)."""
    Xt = np.vstack([data.X, arith.full((1, data.N), 1, data.kind)])
    Pi = Xt.T @ arith.inv(Xt @ Xt.T) @ Xt
    I = arith.identity(data.N, data.kind)
    R = data.targets_ext @ (I - Pi)
    return np.sum(R * R) / (2 * data.N if data.kind == "float" else arith.to_exact(2 * data.N))


def derive(ctx) -> Derivation:
    verdicts = ctx.local_minima
    if not isinstance(verdicts, list):
        return Derivation(ID, TITLE, STATEMENT, (Step(r"\text{N1}", "The candidate cannot be built here.",
                                                      Check(NOT_APPLICABLE, "construction", str(verdicts)), key=True),))
    v = verdicts[0]
    cand, data = v.candidate, ctx.data
    exact = data.kind == "exact"
    kind = "exact rational" if exact else "float64"
    ways = [certify_equal(np.array([cand.cost], dtype=object if exact else float),
                          np.array([projection_cost(data.X, data)], dtype=object if exact else float),
                          f"{kind}: network cost = projection formula through sufficient statistics")]
    if data.N <= 200:
        ways.append(certify_equal(np.array([cand.cost], dtype=object if exact else float),
                                  np.array([_explicit_projector(data)], dtype=object if exact else float),
                                  f"{kind}: network cost = formula with the explicit N x N projector"))
    formula = combine(ways, "the constructed network's cost against the projection formula, two ways")
    Qs, Ls = sp.symbols("Q L", positive=True, integer=True)
    dim = sp.expand((Ls + 1) * (Qs**2 + Qs) - (Qs**2 + Qs))
    dim_proof = prove_zero(dim - Ls * (Qs**2 + Qs), "SymPy expansion", "P minus the Q^2 + Q entries of the output map G")
    if exact and data.Q <= 4:
        nullity, expected = n1_hessian_nullity(cand)
        rank = Check(CERTIFIED if nullity == expected else REFUTED, "exact rank of (1/N) J^T J",
                     f"nullity {nullity}, expected L(Q^2+Q) = {expected}", residual=nullity - expected,
                     counterexample=None if nullity == expected else f"nullity {nullity}")
    else:
        nullity, expected = v.hessian_nullity, data.parameter_count(ctx.L) - (data.Q**2 + data.Q)
        rank = Check(CHECKED if nullity == expected else REFUTED, "float Hessian (differences of the exact gradient)",
                     f"nullity {nullity}, expected {expected}", residual=nullity - expected, tolerance=v.hessian_tolerance,
                     counterexample=None if nullity == expected else f"nullity {nullity}")
    fd = Check(CHECKED if v.hessian_nullity == expected and v.hessian_min_eigenvalue > -v.hessian_tolerance else REFUTED,
               "Hessian by central differences of the gradient (float64)",
               f"smallest eigenvalue {v.hessian_min_eigenvalue:.3g}, nullity {v.hessian_nullity}",
               margin=v.hessian_min_eigenvalue, tolerance=v.hessian_tolerance,
               counterexample=None if v.hessian_nullity == expected else f"nullity {v.hessian_nullity} != {expected}")
    c2 = noise_expansion(data)
    steps = [
        Step(r"\mathcal{C}[\theta^{*}] = \frac{1}{2N}\|Y^{\mathrm{ext}}(I - \Pi)\|_F^2 = " + _num(cand.cost, exact),
             r"On the open region where every pre-activation is positive the network is the affine map "
             r"$x \mapsto G(\theta)[x; 1]$, so the cost is a least-squares residual.", formula),
        Step(r"\nabla \mathcal{C}[\theta^{*}] = 0,\quad \mathcal{C}(\theta) = \hat{\mathcal{C}}(G(\theta)) \ge "
             r"\hat{\mathcal{C}}(G^{*})", r"The cost depends on $\theta$ only through the cumulative output map $G$, "
             r"and $G^{*}$ minimizes the convex $\hat{\mathcal{C}}$: a local minimum.", v.certificate, key=True),
        Step(sp.Eq(sp.Symbol(r"\dim"), dim), r"$G$ is a submersion (through $W_{L+1}, b_{L+1}$ alone), so "
             r"$G^{-1}(G^{*})$ is a manifold of dimension $P - (Q^2 + Q)$.", dim_proof),
        Step(rf"\operatorname{{nullity}} \nabla^2\mathcal{{C}} = {nullity}",
             r"The residual term of the Hessian contracts with $R[X; \mathbf{1}^T]^T = 0$, so "
             r"$\nabla^2 \mathcal{C} = \frac{1}{N}J^T J$.", rank),
        Step(r"\lambda_{\min}(\nabla^2 \mathcal{C}) \ge 0", "Independent: differences of the gradient.", fd),
    ]
    if exact and data.Q <= SERIES_MAX_Q:
        eps, C, series = noise_series(data)
        coefficient = series.coeff(eps, 2)
        same = certify_equal(np.array([arith.to_exact(coefficient)], dtype=object), np.array([c2], dtype=object),
                             "closed-form c_2 = coefficient of epsilon^2 in the SymPy series")
        no_linear = prove_zero(series.coeff(eps, 0) + series.coeff(eps, 1) + series.coeff(eps, 3) + series.coeff(eps, 5),
                               "SymPy series: no constant and no odd term")
        steps.append(Step(sp.Eq(sp.Symbol(r"\mathcal{C}(\varepsilon)"), series + sp.Order(eps**6)),
                          r"Noise scaled by $\varepsilon$; $c_2 = \frac{1}{2N}[\operatorname{tr}(A_0 S A_0^T) - "
                          r"|A_0 S a|^2 / (a^T S a)]$ with $S = \sum \Delta x \Delta x^T$, $A_0$ any exact affine fit of "
                          r"the means, $a$ the normal of their hyperplane.", combine([same, no_linear], same.method)))
    if data.Q > 1:
        rho2 = arith.to_sympy(data.rho) ** 2 if exact else float(data.rho) ** 2
        coef = sp.nsimplify(arith.to_sympy(c2) / rho2) if exact else float(c2) / rho2
        steps.append(Step(rf"\mathcal{{C}} \approx c_2 \varepsilon^2 = ({_num(coef, exact)})\,\rho^2",
                          r"In terms of the noise-to-signal ratio ($\rho$ scales with $\varepsilon$).", None))
    return Derivation(ID, TITLE, STATEMENT, tuple(steps))


def _num(x, exact) -> str:
    from symgeom.printing import latex

    x = arith.to_sympy(x) if not isinstance(x, sp.Basic) else x
    text = latex(x) if exact and len(str(x)) < 30 else ""
    approx = arith.format_number(float(x))
    return f"{text} \\approx {approx}" if text else approx
