"""N4 -- neurons dead at every point: local minima of reduced rank beside the strata.

On the open set ``R^dead_d`` (``d`` neurons of hidden layer 1 strictly inactive at every point, every other neuron of
every hidden layer strictly active at every point) the network is one affine map of rank ``≤ q = Q − d`` on the data,
so ``C ≥ B^(q) = B + λ_{q+1} + ⋯ + λ_Q`` (``B`` N1's value, ``λ_i`` the eigenvalues of ``M = A* Σ A*ᵀ``): (a) completing
the square and (c) the projector identity are proved at symbolic size, (b) is the Eckart–Young theorem, and (d) the
explicit points of :mod:`symgeom.local_minima.dead_neurons` reach the bound on the data."""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from symgeom.certify.certificates import NOT_APPLICABLE, Check, Scope, Step, combine
from symgeom.certify.proofs import prove_matrix_identity
from symgeom.claims.recipe import Recipe
from symgeom.local_minima.dead_neurons import dead_counts_text

from ._common import SIZE, data_steps

ID = "N4"
TITLE = "Neurons dead at every point"
STATEMENT = (
    r"Let $R^{\mathrm{dead}}_d$ ($1 \le d < Q$) be the open set where $d$ neurons of hidden layer 1 are strictly "
    r"inactive at every point and every other neuron of every hidden layer strictly active at every point. On it the "
    r"network is affine on the data with linear part of rank at most $q = Q - d$, and $\mathcal{C} \ge B^{(q)} = B + "
    r"\lambda_{q+1} + \dots + \lambda_Q$ ($B$ the value of N1, $\lambda_1 \ge \dots \ge \lambda_Q$ the eigenvalues of "
    r"$M = A^{*} \Sigma A^{*T}$, $A^{*}$ the linear part of the weighted least-squares fit, $\Sigma$ the weighted "
    r"covariance of the points). The bound is attained for every $L \ge 1$: local minima, of value above N1's exactly "
    r"when $\operatorname{rank} M > q$ (never for $d = 1$: $\operatorname{rank} M \le Q - 1$, the centered targets of "
    r"$Q$ clusters being dependent)."
)


@lru_cache(maxsize=None)
def square_step() -> Step:
    """(a): ``(A X − Y) W (A X − Y)ᵀ = (A* X − Y) W (A* X − Y)ᵀ + (A − A*) X W Xᵀ (A − A*)ᵀ`` for centered data
    ``X``, ``Y`` (``n`` points of symbolic number), weights ``W = V Vᵀ`` and the fit ``A* = Y W Xᵀ (X W Xᵀ)⁻¹``."""
    n = sp.Symbol("n", integer=True, positive=True)
    X, Y = sp.MatrixSymbol("X_c", SIZE, n), sp.MatrixSymbol("Y_c", SIZE, n)
    V, A = sp.MatrixSymbol("V", n, n), sp.MatrixSymbol("A", SIZE, SIZE)
    W = V * V.T
    Sigma = X * W * X.T
    fit = Y * W * X.T * Sigma.I
    identity = (A * X - Y) * W * (A * X - Y).T - (fit * X - Y) * W * (fit * X - Y).T - (A - fit) * Sigma * (A - fit).T
    check = prove_matrix_identity(identity, "matrix-expression algebra (MatrixSymbol, symbolic Q and n)",
                                  "W = V V^T (the weights), X_c, Y_c centered at the weighted means, Sigma = X_c W X_c^T",
                                  size=SIZE)
    return Step(r"\sum_n w_n |A x_n + c - y_n|^2 \ge B + \operatorname{tr}\big((A - A^{*}) \Sigma (A - A^{*})^T\big)",
                r"Weighted Pythagoras about the means (N3 (a)) leaves the centered residual, equal for $c = \bar{y} - "
                r"A \bar{x}$; the identity, traced, splits it into the fit's residual $B$ and a square.", check)


def eckart_young_step() -> Step:
    """(b): the Eckart–Young theorem, in the weighted inner product."""
    return Step(r"\min_{\operatorname{rank} A \le q} \operatorname{tr}\big((A - A^{*}) \Sigma (A - A^{*})^T\big) = "
                r"\lambda_{q+1} + \dots + \lambda_Q",
                r"With $K = A^{*}\Sigma^{1/2}$ and $Z = A \Sigma^{1/2}$ ($\operatorname{rank} Z \le q$), the trace is "
                r"$\|Z - K\|_F^2$ on the span of the data; by the Eckart--Young theorem its least value is the sum of the "
                r"$d$ smallest squared singular values of $K$, the eigenvalues of $K K^T = M$, attained at $Z = P K$, "
                r"$P = U U^T$ for $q$ orthonormal top eigenvectors $U$ of $M$.", None)


@lru_cache(maxsize=None)
def projector_step() -> Step:
    """(c): ``M (I − U Uᵀ)² = M (I − U Uᵀ)`` for ``Uᵀ U = I``: by the cyclic trace, the cost of ``A = U Uᵀ A*`` is
    ``B + tr(M) − tr(Uᵀ M U)``."""
    q = sp.Symbol("q", integer=True, positive=True)
    U, M = sp.MatrixSymbol("U", SIZE, q), sp.MatrixSymbol("M", SIZE, SIZE)
    I = sp.Identity(SIZE)
    check = prove_matrix_identity(M * (I - U * U.T) * (I - U * U.T) - M * (I - U * U.T),
                                  "matrix-expression algebra with U^T U = I (MatrixSymbol, symbolic Q and q)",
                                  "U: q orthonormal columns", size=SIZE, relations={(U.T, U): sp.Identity(q)})
    return Step(r"\operatorname{tr}\big((I - P) M (I - P)\big) = \operatorname{tr} M - \operatorname{tr}(U^T M U)",
                r"$(A - A^{*}) \Sigma (A - A^{*})^T = (I - P) M (I - P)$ for $A = P A^{*}$; its trace is that of "
                r"$M (I - P)^2 = M (I - P)$, which is $\lambda_{q+1} + \dots + \lambda_Q$ for the top eigenvectors.",
                check)


def family_step(ctx) -> Step:
    """(d): the points on the data, one combined certificate."""
    family = ctx.dead_neurons
    if not family:
        check = Check(NOT_APPLICABLE, "dead-neuron points", "Q = 1: no neuron can die while another lives")
        text = "none (Q = 1)"
    else:
        text = dead_counts_text(family)
        check = combine([m.certificate for m in family], "every dead-neuron point: " + family[0].certificate.method,
                        "; ".join(f"d = {m.dead}: {m.verdict}" for m in family), scope=Scope.these_data())
    return Step(r"\theta_d \in R^{\mathrm{dead}}_d,\ \mathcal{C}(\theta_d) = B^{(Q-d)}",
                r"Layer 1: $d$ zero rows with bias $-1$ over the rows $U^T A^{*}$ with a bias $\beta$ so large that "
                r"every live pre-activation is at least $3/4$ (Cauchy--Schwarz); identities beyond; the output map "
                r"$[0 \mid U]$. A rational point with $U$ rounded lies in the region too: its exact cost is at least the "
                rf"bound's enclosure and reaches it within the rounding. On these data: {text}.", check, key=True)


def derive(ctx):
    steps = (square_step(), eckart_young_step(), projector_step(), family_step(ctx))
    return RECIPE.derivation(data_steps(steps), STATEMENT + ctx.cost.value_note("B^{(q)}", short=True))


__all__ = ["derive", "ID", "TITLE", "STATEMENT"]


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive)
