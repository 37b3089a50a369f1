"""G3 -- near the construction, ``C⁻¹(0)`` is a smooth manifold of dimension ``L(Q² + Q) + Q``:
the hidden cumulative parameters range over an open set, the output map over the fiber of G2.
Its tangent space is the kernel of the Jacobian of the ``Q`` cluster outputs; the Hessian at the
minimizer is ``(1/N) JᵀJ`` and its nullity is that dimension."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symgeom.numbers import arith
from symgeom.certify.certificates import (CHECKED, NOT_APPLICABLE, REFUTED, UNDECIDED, Check, Derivation, Step, combine,
    float_range_check)
from symgeom.certify.scope import Scope
from symgeom.claims.recipe import Recipe
from symgeom.certify.proofs import prove_zero
from symgeom.calculus.cost import cost
from symgeom.calculus.derivatives import cluster_jacobian
from symgeom.global_minima.degeneracy import derived_dimension, rank_check
from symgeom.local_minima.sequential import certify_sequential
from symgeom.calculus.derivatives import spectral_nullity, unresolved_nullity
from symgeom.global_minima.minimizer import certify_global_minimizer
from symgeom.model.network import Parameters

from ._common import data_steps

ID = "G3"
TITLE = "Degeneracy of the global minimum"
STATEMENT = (
    r"Near the construction, $\mathcal{C}^{-1}(0)$ is a smooth manifold of dimension $L(Q^2 + Q) + Q$ "
    r"(codimension $Q^2$); its tangent space is the kernel of the Jacobian $J_F$ of the $Q$ cluster outputs, and the "
    r"Hessian $\frac{1}{N} J^{T} J$ at the minimizer has nullity $L(Q^2 + Q) + Q$."
)
FD_MAX_PARAMETERS = 60
"""Finite-difference Hessians only for ``P`` up to this (``P²`` cost evaluations)..."""
FD_MAX_WORK = 2 * 10**7
"""... and for ``P² N`` up to this (the number of point evaluations they take)."""


def finite_difference_hessian(params: Parameters, data, step: float = 1e-4) -> np.ndarray:
    """Central second differences of the float cost, entry by entry (independent of any Jacobian)."""
    theta = params.vector().astype(float)
    P, Q, L = theta.size, params.Q, params.L
    fdata = data.with_kind("float")

    def C(t):
        return cost(Parameters.from_vector(t, Q, L), fdata)

    E = np.eye(P) * step
    H = np.empty((P, P))
    for i in range(P):
        for j in range(i, P):
            H[i, j] = H[j, i] = (C(theta + E[i] + E[j]) - C(theta + E[i] - E[j]) - C(theta - E[i] + E[j])
                                 + C(theta - E[i] - E[j])) / (4 * step * step)
    return H


def _float_verdict(deg, ok: bool):
    """``checked`` when a float cross-check agrees; when it disagrees, ``refuted`` only if the Hessian itself is
    a float one -- against an exact Hessian a float disagreement is ``undecided`` (exact evidence outranks it)."""
    if ok:
        return CHECKED
    return UNDECIDED if arith.kind_of(deg.hessian).is_exact else REFUTED


def _out_of_float_range(deg, data, method: str):
    """The :func:`float_range_check` of the parameters and the data behind a float cross-check of G3."""
    return float_range_check(method, parameters=deg.params.vector(), data=data.X, targets=data.Y)


FD_METHOD = "central finite differences of the float cost (step 1e-4)"


def fd_check(deg, data) -> Check:
    declined = _out_of_float_range(deg, data, "finite-difference Hessian")
    if declined is not None:
        return declined
    params = deg.params.with_kind("float")
    if params.count > FD_MAX_PARAMETERS or params.count**2 * data.N > FD_MAX_WORK:
        return Check(NOT_APPLICABLE, "finite-difference Hessian",
                     f"P = {params.count}, N = {data.N}: P^2 N above {FD_MAX_WORK:.0e} point evaluations, skipped")
    Hfd = finite_difference_hessian(params, data)
    H = np.asarray(deg.hessian, dtype=float)
    scale = max(1.0, float(np.abs(H).max()))
    tol = 1e-5 * scale
    diff = float(np.abs(Hfd - H).max())
    eig = np.linalg.eigvalsh((Hfd + Hfd.T) / 2)
    nullity, zero_edge, nonzero_edge = spectral_nullity(eig)
    ok = diff <= tol and nullity == deg.dimension
    detail = f"nullity {nullity} at the largest spectral gap {zero_edge:.2g} -> {nonzero_edge:.2g} (expected {deg.dimension})"
    unresolved = None if ok or diff > tol else unresolved_nullity(eig, params.count, None, error=diff)
    if unresolved is not None:  # the entries agree; the differences cannot resolve the nullity: no counterexample
        return Check(UNDECIDED, FD_METHOD, f"{detail}; the differences do not resolve the nullity: {unresolved}",
                     residual=diff, tolerance=tol)
    return Check(_float_verdict(deg, ok), FD_METHOD, detail, residual=diff, tolerance=tol,
                 counterexample=None if ok else f"difference {diff:.3g}, nullity {nullity}")


def tangent_check(deg, data, rng) -> Check:
    """Cost along a random kernel direction of ``J_F`` grows like ``ε⁴``; along a random direction like ``ε²``."""
    declined = _out_of_float_range(deg, data, "cost along directions")
    if declined is not None:
        return declined
    params = deg.params.with_kind("float")
    fdata = data.with_kind("float")
    kernel = arith.nullspace(np.asarray(deg.cluster_jacobian, dtype=float))
    theta = params.vector().astype(float)
    t = kernel @ rng.standard_normal(kernel.shape[1])
    t /= np.linalg.norm(t)
    r = rng.standard_normal(theta.size)
    r /= np.linalg.norm(r)
    eps = (1e-2, 1e-3)

    def costs(direction):
        return [cost(Parameters.from_vector(theta + e * direction, params.Q, params.L), fdata) for e in eps]

    def slope(c):
        return float(np.log(c[0] / c[1]) / np.log(eps[0] / eps[1])) if min(c) > 0 else float("inf")

    c_t, c_r = costs(t), costs(r)
    s_t, s_r = slope(c_t), slope(c_r)
    flat = max(c_t) <= 1e-28
    ok = (flat or s_t > 3.5) and 1.5 < s_r < 2.5
    tangent = "cost exactly 0 (the zero set is flat there)" if flat else f"log-log slope {s_t:.3f} (expected 4)"
    return Check(_float_verdict(deg, ok), "cost along directions, eps = 1e-2 and 1e-3 (float64)",
                 f"random tangent direction: {tangent}; random direction: slope {s_r:.3f} (expected 2); "
                 "accepted: tangent slope > 3.5 or cost <= 1e-28, random slope in (1.5, 2.5)",
                 margin=(s_t - 3.5) if not flat else None, tolerance=0.5,
                 counterexample=None if ok else f"slopes {s_t:.3f} (tangent), {s_r:.3f} (random)")


def sequential_derivation(ctx, theta) -> Derivation:
    """G3 at the sequential construction's point (``L ≥ Q``, every cluster collapsed): ``rank J_F = Q²`` there gives
    the manifold of dimension ``P − Q²`` by the same regular-value argument; the explicit tangent directions
    (apex moves, edge turns) belong to the cone construction and are not built."""
    data = theta.data
    _, dim, parametrized, _, _ = derived_dimension()
    symbolic = prove_zero(dim - parametrized, "SymPy expansion (arithmetic of the two counts, not a dimension proof)",
                          "P - Q^2 (equations F_k = y_k) equals L(Q^2+Q) + Q (parametrization)")
    _, rank = rank_check(cluster_jacobian(theta.params, data), "J_F", ctx.Q ** 2)
    tangent = Check(NOT_APPLICABLE, "explicit tangent directions", "the apex moves and edge turns are built from the "
                    f"cone construction, which does not apply: {ctx.unavailable()}")
    return Derivation(ID, TITLE, STATEMENT, data_steps((
        Step(sp.Eq(sp.Symbol(r"\dim \mathcal{C}^{-1}(0)"), dim), "P parameters minus the Q^2 equations F_k = y_k.",
             symbolic),
        Step(r"\mathcal{C}[\theta^{*}] = 0", f"The point: G1's sequential construction ({theta.hypothesis}), every "
             "cluster strictly inactive in its own layer, every other pre-activation strictly positive.",
             certify_sequential(theta)),
        Step(rf"\operatorname{{rank}} J_F = Q^2 = {ctx.Q ** 2}",
             r"Near $\theta^{*}$ every strict sign condition persists, so each cluster keeps one output $F_k$ and "
             r"$\mathcal{C}^{-1}(0) = F^{-1}(Y)$ there; rank $Q^2$ makes $F$ a submersion (regular value theorem).",
             rank, key=True),
        Step(r"\ker J_F = \operatorname{span} V", "The tangent space by explicit directions.", tangent),
    )))


def derive(ctx) -> Derivation:
    fam = ctx.collapsed_minimizer
    if ctx.unavailable() is not None:
        return sequential_derivation(ctx, fam)
    deg = ctx.degeneracy
    fam, data = ctx.minimizer, ctx.data
    P_sym, dim, parametrized, fiber, _ = derived_dimension()
    symbolic = prove_zero(dim - parametrized, "SymPy expansion (arithmetic of the two counts, not a dimension proof)",
                          "P - Q^2 (equations F_k = y_k) equals L(Q^2+Q) + Q (parametrization)")
    rng = np.random.default_rng(ctx.seed + 3)
    zeta = [arith.to_exact(f"{int(v)}/3") for v in rng.integers(-6, 7, size=ctx.Q)]
    along = combine([certify_global_minimizer(fam.member(zeta=z), data, fam.order)
                     for z in ([float(v) for v in zeta] if not data.kind.is_exact else zeta, [0] * ctx.Q)],
                    "moves along the family (output fiber)")
    Qs, Ls = sp.symbols("Q L", positive=True, integer=True)
    return RECIPE.derivation(data_steps((
        Step(sp.Eq(sp.Symbol(r"\dim \mathcal{C}^{-1}(0)"), dim),
             r"$P = (L+1)(Q^2+Q)$ parameters minus the $Q^2$ equations $F_k(\theta) = y_k$; the same count as the "
             r"parametrization by $L(Q^2 + Q)$ hidden cumulative parameters and the $Q$-dimensional fiber "
             r"(the count the construction below must reach).", symbolic),
        Step(rf"\operatorname{{rank}} V = \operatorname{{nullity}} J_F = {deg.nullity},\quad J_F V = 0",
             r"$V$: the scalings ($LQ$), the output fiber ($Q$), the apex moves ($LQ$) and the edge turns "
             r"($L(Q^2 - Q)$), built as vectors in parameter space (G4); $J_F V = 0$, $V$ of full column rank and "
             r"$\operatorname{rank} V = P - \operatorname{rank} J_F$, so they span the tangent space $\ker J_F$ and the "
             r"dimension is certified.", deg.checks["tangent"], key=True),
        Step(rf"\operatorname{{rank}} J_F = Q^2 = {ctx.Q ** 2}",
             r"$J_F$ in closed form: the layer-$\ell$ block of a point's Jacobian is $M_\ell \otimes (x^{(\ell-1)}, 1)^T$, "
             r"$M_\ell = M_{\ell+1} W_{\ell+1} D_\ell$. Near $\theta^{*}$ every strict sign condition persists, so every "
             r"cluster stays collapsed and $\mathcal{C} = \frac{1}{2N}\sum_k N_k |F_k - y_k|^2$: $\mathcal{C}^{-1}(0) = "
             r"F^{-1}(Y)$ there. Rank $Q^2$ makes $F$ a submersion, so by the regular value theorem $F^{-1}(Y)$ is a "
             r"manifold of dimension $P - Q^2$ near $\theta^{*}$.",
             deg.checks["jacobian_rank"], key=True),
        Step(r"\tfrac{1}{N}\sum_{j,i} J_{j,i}^{T} J_{j,i} = \tfrac{1}{N}\sum_k N_k J_k^{T} J_k",
             "All points of a cluster share the Jacobian of their cluster output (sufficient statistics per activation "
             "pattern on the left, Q representatives on the right).", deg.checks["hessian_from_clusters"]),
        Step(rf"\operatorname{{nullity}} \nabla^2 \mathcal{{C}} = {fam.data.parameter_count(ctx.L)} - {deg.hessian_rank} = "
             rf"{deg.nullity}",
             "At a zero of the cost the Hessian is the Gauss-Newton matrix.", deg.checks["hessian_rank"]),
        Step(r"\nabla^2_{\mathrm{FD}} \mathcal{C} \approx \tfrac{1}{N} J^{T} J",
             "Independent: finite differences of the cost itself.", fd_check(deg, data)),
        Step(r"\mathcal{C}(\theta^{*} + \varepsilon t) = O(\varepsilon^{4}),\ t \in \ker J_F",
             "Moving along the tangent space.", tangent_check(deg, data, rng)),
        Step(r"\mathcal{C}(\theta_\zeta) = 0", "Moving along the family: members with other output-fiber vectors.", along),
    )))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive)
