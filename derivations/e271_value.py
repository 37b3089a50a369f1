"""E2.71 -- the value (2.71) of the local minimum of Theorem 2.4, read every way the text allows."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from symgeom.numbers import arith, sizes
from symgeom.certify.certificates import CERTIFIED, PROVED, REFUTED, UNDECIDED, Check, Derivation, Step, Scope
from symgeom.claims.recipe import Recipe
from symgeom.paper.minima import (affine_fit, bias_free_gradients_at_symbolic_Q, bias_free_minimum_identity,
    bias_gradient, decomposition_identity, formula_squared, layer_bias_free_fit, linear_fit, translated)

from . import _paper

ID = "E2.71"
PAPER = "Theorem 2.4, (2.71)-(2.73)"
TITLE = "(2.71): the value of the local minimum of Theorem 2.4"
STATEMENT = (
    r"The paper's (2.71): $\min_{W_{L+1}, b_{L+1}} C_N = \| Y |\Delta_2|^{1/2} (1 + \Delta_2)^{-1/2} \|$ with "
    r"$\Delta_1 = (X_0^{red})^{-1} \Delta X_0$, $\Delta_2 = \Delta_1 \mathcal{N}^{-1} \Delta_1^T$ (2.72)--(2.73); squared, "
    r"$\operatorname{tr}(Y \Delta_2 (1 + \Delta_2)^{-1} Y^T)$."
)
INSTEAD = ("(2.71) squared is the minimum over W^(L+1) with the cumulative output bias b^(L+1) = 0 (a linear fit of X0); "
           "the minimum over (W_{L+1}, b_{L+1}) is the weighted affine least-squares residual, smaller unless Delta_2 1 = 0")
TRANSLATION = 5


@lru_cache(maxsize=None)
def symbolic_check() -> Check:
    """The two identities of :mod:`symgeom.paper.minima` with SymPy at ``Q = 2``."""
    grad_V, value, grad_c = bias_free_minimum_identity(2)
    zero = decomposition_identity(2, (2, 3)) == 0 and value == 0 and grad_V.is_zero_matrix and grad_c.is_zero_matrix
    if not zero:
        return Check(REFUTED, "SymPy", counterexample="an identity does not simplify to 0", scope=Scope.at(2))
    return Check(PROVED, "SymPy, symbolic entries at Q = 2 (means, deviations of clusters of sizes 2 and 3, V, c, Y, "
                 "symmetric Delta_2)", "the decomposition of the weighted cost into the fit of the means plus the "
                 "deviation term; at the bias-free optimum the gradient in V vanishes, the value is the square of (2.71) "
                 "and the gradient in the bias is the one stated above (symgeom.paper.minima)", scope=Scope.at(2))


@lru_cache(maxsize=None)
def symbolic_Q_check() -> Check:
    """The optimum and the bias gradient at symbolic ``Q`` (:func:`bias_free_gradients_at_symbolic_Q`)."""
    grad_V, grad_c = bias_free_gradients_at_symbolic_Q()
    if not (getattr(grad_V, "is_ZeroMatrix", False) and getattr(grad_c, "is_ZeroMatrix", False)):
        return Check(REFUTED, "SymPy, MatrixSymbol", counterexample=f"residuals {grad_V}, {grad_c}", scope=Scope.all_q())
    return Check(PROVED, "SymPy, MatrixSymbol of symbolic size Q: expansion and the cancellation K (I + Delta_2) = I",
                 "Delta_2 symmetric (it is a weighted Gram matrix)", scope=Scope.all_q())


def derive(ctx) -> Derivation:
    _paper.require(ctx, "L = Q")
    data = _paper.exact_data(ctx)
    f = sizes.format_number
    F, (_, A) = formula_squared(data), affine_fit(data.X, data)
    W0, L0 = linear_fit(data.X, data)
    g = bias_gradient(W0, np.array([arith.to_exact(0)] * data.Q, dtype=object), data.X, data)
    as_written = (Check(CERTIFIED, "exact rational values", f"(2.71) squared = {f(F)} = min", residual=F - A, scope=Scope.these_data())
                  if F == A else
                  Check(REFUTED, "exact weighted least squares (normal equations in rationals)", f"(2.71) squared = {f(F)}",
                        residual=F - A, scope=Scope.these_data(),
                        counterexample=f"(2.71) squared = {f(F)} but min over (W_L+1, b_L+1) of C_N squared = "
                                       f"{f(A)}; at the bias-free optimum the gradient of C_N squared in b_L+1 = "
                                       f"({', '.join(f(x) for x in g)}) != 0"))
    shifted = translated(data, [TRANSLATION] * data.Q)
    Ft, At = formula_squared(shifted), affine_fit(shifted.X, shifted)[1]
    moved = Check(CERTIFIED if (At == A and Ft != F) else UNDECIDED, "exact values on the data translated by "
                  f"({TRANSLATION}, ..., {TRANSLATION})", f"(2.71) squared: {f(F)} -> {f(Ft)}; min over affine outputs: {f(A)} -> "
                  f"{f(At)}", scope=Scope.these_data())
    linear = Check(CERTIFIED if L0 == F else REFUTED, "exact: min over W of C_N squared at W X0 against (2.71) squared", f"both {f(L0)}",
                   residual=L0 - F, counterexample=None if L0 == F else f"{f(L0)} != {f(F)}", scope=Scope.these_data())
    c = _paper.choices(ctx)
    own_bias = layer_bias_check(ctx, data, c, F)
    return RECIPE.derivation((
        Step(r"C_N^2(V (X_0^{red})^{-1} X_0 + c\,1^T) = \|V + c\,1^T - Y\|^2 + \operatorname{tr}(V \Delta_2 V^T)",
             r"Each cluster's deviations sum to 0, so the cross terms vanish; the bias-free minimum is at "
             r"$V_0 = Y (1 + \Delta_2)^{-1}$ with value $\operatorname{tr}(Y \Delta_2 (1+\Delta_2)^{-1} Y^T)$, and there "
             r"$\partial_c C_N^2 = -2 Y \Delta_2 (1 + \Delta_2)^{-1} 1$.", symbolic_check()),
        Step(r"\partial_V F(V_0, 0) = 0,\quad \partial_c F(V_0, 0) = -2 Y (1 + \Delta_2)^{-1} \Delta_2 \mathbf{1}",
             r"At symbolic $Q$, with $F(V, c) = \|V + c\,1^T - Y\|^2 + \operatorname{tr}(V \Delta_2 V^T)$ and "
             r"$V_0 = Y (1 + \Delta_2)^{-1}$: the bias-free optimum, and its bias gradient, zero only if "
             r"$\Delta_2 \mathbf{1} = 0$ ($Y$ and $1 + \Delta_2$ are invertible).", symbolic_Q_check()),
        Step(r"\min_{W_{L+1}, b_{L+1}} C_N^2 = \operatorname{tr}(Y \Delta_2 (1 + \Delta_2)^{-1} Y^T) \ ?",
             r"As written (the output bias free): $\tau(X_0) = X_0$, so $X^{(L)}$ is an invertible affine image of $X_0$ and "
             r"the minimum is the weighted affine least-squares residual of $X_0$.", as_written, key=True),
        Step(r"\min_{W^{(L+1)}} C_N^2(W^{(L+1)} X_0) = \operatorname{tr}(Y \Delta_2 (1 + \Delta_2)^{-1} Y^T)",
             r"Steelman, the reading that holds: the cumulative output bias fixed at $b^{(L+1)} = 0$, as in (4.73). "
             r"(With the layer's own bias $b_{L+1} = 0$ instead, the fit is linear in $X_0 - p_L$, $p_L$ the last apex: "
             r"it depends on $\mu_L$. Minimizing over $\mu$ too leaves the affine value. The norm and its square "
             r"order values alike.)", linear),
        Step(r"x \mapsto x + a", r"A minimum over affine outputs cannot change under translation of the data; (2.71) does.",
             moved),
            Step(r"b_{L+1} = 0", r"The reading with the layer's own output bias 0: a linear fit of $X_0 - p_L$ (the "
             r"paper's $b^{(L)} \ne 0$), at two $\mu \in I_1$.", own_bias),
    ))


def layer_bias_check(ctx, data, c, F):
    """Values of ``min_{W_{L+1}} C_N²`` with ``b_{L+1} = 0`` at the two ``µ ∈ I1`` (the last layer's apex moves)."""
    f = sizes.format_number
    values = [layer_bias_free_fit(data, data.X, c[n][0][-1]) for n in ("kept", "kept_far")]
    varies = values[0] != values[1] and F not in values
    return Check(CERTIFIED if varies else UNDECIDED, "exact weighted least squares at two mu in I1",
                 f"values {f(values[0])} (~{float(values[0]):.6g}) and {f(values[1])} (~{float(values[1]):.6g}) "
                 f"against (2.71) squared ~{float(F):.6g}: this reading depends on mu and misses (2.71)",
                 scope=Scope.these_data())


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive, paper=PAPER, instead=INSTEAD)
