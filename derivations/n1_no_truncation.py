"""N1 -- no truncation: every configuration with all data strictly inside the open forward cone of
every layer and the affine least-squares output map is a local minimum, of cost
``(1/2N) ‖Y^ext (I − Π)‖²_F``; the minimizers near it form a manifold of dimension ``L(Q² + Q)``.

Stated for the context's cost (:class:`symgeom.calculus.cost.Cost`): under the paper's ``C_N`` the output map is the
weighted fit (``w_n = 1/N_j``), the value is ``C_N² = ‖Y^ext W^{1/2}(I − Π_W)‖²_F`` with ``Π_W`` the
``W``-orthogonal projector, and every derivative is that of ``C_N²``."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symgeom.numbers import arith, sizes
from symgeom.certify.certificates import (CHECKED, FLOAT_RTOL, NOT_APPLICABLE, UNDECIDED, Check, Derivation, Step,
    certify_equal, combine, float_range_check, on_data)
from symgeom.certify.scope import Scope
from symgeom.claims.recipe import Recipe
from symgeom.certify.proofs import prove_zero
from symgeom.calculus.derivatives import spectral_nullity
from symgeom.local_minima.no_truncation import hessian_times, noise_expansion, noise_series, projection_cost
from ._common import data_steps
from symgeom.numbers.printing import decimal_latex, number_latex

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
"""Largest Q whose exact noise series SymPy expands (the determinant grows fast beyond)."""
EXPLICIT_PROJECTOR_MAX_N = 200
"""Largest N for the second route through the explicit N x N projector."""


def _explicit_projector(data, cost):
    """``Σ_n w_n |(Y^ext(I − Π_W))_n|²`` with the ``N x N`` projector ``Π_W = W X̃ᵀ(X̃ W X̃ᵀ)⁻¹X̃`` written out
    (``W`` the cost's weights; ``Π`` itself when they are uniform): ``(1/2N)‖Y^ext(I − Π)‖²`` for the
    mean-squared cost (small ``N`` only)."""
    Xt = np.vstack([data.X, arith.full((1, data.N), 1, data.kind)])
    w = cost.fit_weights(data)
    Xw = Xt if w is None else Xt * w[None, :]
    Pi = Xw.T @ arith.inv(Xw @ Xt.T) @ Xt  # Y^ext Π_W = G_W X̃, the weighted fit's values
    I = arith.identity(data.N, data.kind)
    R = data.targets_ext @ (I - Pi)
    return cost.of_residuals(R, data.labels, data)


FD_METHOD = "Hessian by central differences of the gradient along random orthonormal directions (float64)"
FD_OVERSAMPLING = 8
"""Directions beyond the certified rank of the Hessian in the sketch of :func:`difference_hessian_check`."""
FD_SEED = 0
"""Seed of the sketch's random directions (fixed: the same output on the same input)."""


def difference_hessian_check(n1, params, data, cost=None) -> Check:
    """The float Hessian by differences of the gradient against the certified nullity ``n``, sketched: with
    ``Ω`` (``P x k``) orthonormal random directions, ``k = P − n + FD_OVERSAMPLING`` (at most ``P``; ``P`` when
    no nullity was certified), the ``2k``
    gradients give ``H Ω`` and the ``k x k`` matrix ``Ωᵀ H Ω``.  For generic ``Ω`` and ``rank H ≤ k`` it has the
    rank and the inertia of ``H`` (``H = Z D Zᵀ`` and ``ZᵀΩ`` of full row rank), so its nullity at the largest
    gap gives ``nullity H = P − k + nullity(Ωᵀ H Ω)``; a rank above ``P − n`` shows as fewer than
    ``FD_OVERSAMPLING`` zero eigenvalues, a smaller one as more, either way a disagreement.  ``checked`` when it
    agrees and no eigenvalue is below ``−tol``, ``undecided`` when float64 does not resolve it,
    ``not_applicable`` beyond the float64 range.  ``cost``: whose weighted sum is differentiated (default: the
    stratum's)."""
    cost = n1.cost_kind if cost is None else cost
    declined = float_range_check(FD_METHOD, parameters=params.vector(), data=data.X, targets=data.Y)
    if declined is not None:
        return declined
    P = params.count
    n = n1.hessian_nullity
    k = P if n is None else min(P, P - n + FD_OVERSAMPLING)
    omega = np.linalg.qr(np.random.default_rng(FD_SEED).standard_normal((P, k)))[0]
    sketch = omega.T @ hessian_times(params, data, omega, cost=cost)
    if not np.all(np.isfinite(sketch)):
        return Check(UNDECIDED, FD_METHOD, "the float64 Hessian has non-finite entries at these magnitudes")
    eig = np.linalg.eigvalsh((sketch + sketch.T) / 2)
    sketch_nullity, zero_edge, nonzero_edge = spectral_nullity(eig)
    fd_nullity = P - k + sketch_nullity
    tol = float(np.sqrt(max(zero_edge, 1e-300) * nonzero_edge)) if sketch_nullity else 1e-6 * max(1.0, float(np.max(np.abs(eig))))
    agrees = fd_nullity == n1.hessian_nullity and eig[0] > -tol
    return Check(CHECKED if agrees else UNDECIDED, FD_METHOD,
                 f"{k} directions ({2 * k} gradients); smallest eigenvalue of the sketch {eig[0]:.3g}, nullity {fd_nullity} "
                 f"at its largest spectral gap {zero_edge:.3g} -> {nonzero_edge:.3g}"
                 + ("" if agrees else f"; float64 does not resolve what the certificate shows (nullity {n1.hessian_nullity})"),
                 margin=float(eig[0]), tolerance=tol)


FORMULA_METHOD = "the constructed network's cost against the projection formula, two ways"


def _float_unresolved(Xt: np.ndarray) -> Check | None:
    """``None`` when float64 resolves the projection formula on the lifted data ``[X; 1ᵀ]``; otherwise an
    ``undecided`` check saying why.  The formula's Gram matrix ``[X; 1ᵀ][X; 1ᵀ]ᵀ`` has condition number
    ``κ²`` (``κ`` that of ``[X; 1ᵀ]``), so its float64 value may be off by about ``(Q+1) u κ² ‖Y^ext‖²/2N``
    (``u = 2⁻⁵³``): beyond ``FLOAT_RTOL`` of the scale a mismatch is rounding, not a counterexample."""
    kappa = float(np.linalg.cond(Xt))
    reach = Xt.shape[0] * 2.0**-53 * kappa**2
    if reach < FLOAT_RTOL:
        return None
    return Check(UNDECIDED, FORMULA_METHOD,
                 f"float64 cannot resolve the formula on these data: [X; 1^T] has condition number {kappa:.3g}, so "
                 f"rounding may reach {reach:.3g} of the scale, beyond the tolerance {FLOAT_RTOL:g}; exact mode decides it")


def derive(ctx) -> Derivation:
    n1 = ctx.strata[0]
    data = ctx.data
    cost = ctx.cost
    exact = data.kind.is_exact
    params = n1.minimizer.params
    key = Step(r"\theta^{*} \in R_{\emptyset},\ \mathcal{C}[\theta^{*}] = B_{\{1,\dots,Q\}}",
               r"The stratum $S = \emptyset$ of N2: every pre-activation strictly positive and the cost equal to the "
               r"bound, so a local minimum by the bound of N2 (a).", n1.certificate, key=True)
    Xt = np.vstack([data.X, arith.full((1, data.N), 1, data.kind)])
    if arith.rank(arith.matmul(Xt, Xt.T)) < data.Q + 1:
        why = (f"the N = {data.N} points do not affinely span R^{data.Q}: the projection formula, the noise expansion "
               "and the nullity count need the lifted data matrix to have full row rank")
        return RECIPE.derivation((key, Step(r"\operatorname{rank}[X; \mathbf{1}^T] < Q + 1",
                                                           "The closed forms below do not apply.",
                                                           Check(NOT_APPLICABLE, "full row rank", why))), STATEMENT + cost.claim_note)
    formula = None if exact else _float_unresolved(Xt)
    formula = _formula_check(n1, data, cost) if formula is None else formula
    g = cost.gradient(params, data)
    zero_gradient = certify_equal(g, 0 * g, f"{data.kind.label} gradient in the full parameter space",
                                  scale=max(1, sizes.magnitude(data.X)) * max(1, sizes.magnitude(data.Y)))
    Qs, Ls = sp.symbols("Q L", positive=True, integer=True)
    expected = sp.expand((Ls + 1) * (Qs**2 + Qs) - (Qs**2 + Qs))
    count = prove_zero(expected - Ls * (Qs**2 + Qs), "SymPy expansion (arithmetic of the counts, not a dimension proof)",
                       "P minus the Q^2 + Q entries of the output map G")
    fd = difference_hessian_check(n1, params, data)
    steps = [
        Step(_value_latex(cost) + " = " + _num(n1.cost, exact) + cost.value_latex(n1.cost),
             r"On the open region where every pre-activation is positive the network is the affine map "
             r"$x \mapsto G(\theta)[x; 1]$, so the cost is a least-squares residual.", formula),
        key,
        Step(r"\nabla \mathcal{C}[\theta^{*}] = 0", "Corroboration: the gradient vanishes (normal equations).",
             zero_gradient),
        Step(sp.Eq(sp.Symbol(r"\dim"), expected), r"$G$ is a submersion (through $W_{L+1}, b_{L+1}$ alone), so "
             r"$G^{-1}(G^{*})$ has dimension $P - (Q^2 + Q)$.", count),
        Step(rf"\operatorname{{nullity}} \nabla^2\mathcal{{C}} = {_nullity(n1.hessian_nullity)} = \dim",
             r"Explicit tangent directions (gauge and bias translations at every layer) span the kernel of "
             r"$\nabla^2 \mathcal{C} = \frac{1}{N}J^T J$ (the stratum code certifies $H V = 0$ and "
             r"$\operatorname{rank} V = \operatorname{nullity} H$ on these data).", on_data(n1.dimension_check)),
        Step(r"\lambda_{\min}(\nabla^2 \mathcal{C}) \ge 0", "Independent: differences of the gradient along random directions.", fd),
    ]
    return RECIPE.derivation(data_steps(tuple(steps + _noise_steps(data, cost))), STATEMENT + cost.claim_note)


def _formula_check(n1, data, cost) -> Check:
    """The network's cost at ``θ*`` against the projection formula (and, for small ``N``, the explicit projector)."""
    dtype, kind = data.kind.dtype, data.kind.label
    ways = [certify_equal(np.array([n1.cost], dtype=dtype), np.array([projection_cost(data.X, data, cost)], dtype=dtype),
                          f"{kind}: network cost = projection formula through sufficient statistics")]
    if data.N <= EXPLICIT_PROJECTOR_MAX_N:
        ways.append(certify_equal(np.array([n1.cost], dtype=dtype), np.array([_explicit_projector(data, cost)], dtype=dtype),
                                  f"{kind}: network cost = formula with the explicit N x N projector"))
    return combine(ways, FORMULA_METHOD)


def _noise_steps(data, cost) -> list:
    """The expansion ``C ≈ c_2 ε²`` in the noise: the closed form against the SymPy series (exact, small ``Q``), and
    ``c_2`` in units of ``ρ²``."""
    exact, steps = data.kind.is_exact, []
    c2 = noise_expansion(data, cost)
    if exact and data.Q <= SERIES_MAX_Q:
        eps, C, series = noise_series(data, cost=cost)
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
    return steps


def _value_latex(cost) -> str:
    """The N1 value: ``cost``'s weighted sum at ``θ*`` as the least-squares residual of all the points."""
    return cost.latex_decided + r"[\theta^{*}] = " + cost.residual_latex


def _nullity(n) -> str:
    """The nullity, or a mark where float64 does not resolve it."""
    return str(n) if n is not None else r"\text{(unresolved in float64)}"


def _num(x, exact) -> str:
    """An exact value with its decimal approximation, or a float."""
    x = arith.to_sympy(x) if not isinstance(x, sp.Basic) else x
    approx = decimal_latex(float(x))
    return f"{number_latex(x)} \\approx {approx}" if exact and len(str(x)) < 30 else approx


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive)
