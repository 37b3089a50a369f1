"""T1 -- the hidden layers as recursive truncations in input space.

With ``z^(0) = x`` and ``z^(ℓ) = τ_{W^(ℓ),b^(ℓ)}(z^(ℓ-1))``:
``x^(ℓ) = W^(ℓ) z^(ℓ) + b^(ℓ)`` (``ℓ ≤ L``) and ``x^(L+1) = W^(L+1) z^(L) + b^(L+1)``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from symgeom.model.activation import Ramp, pattern_matrix, sign_patterns
from symgeom.numbers import arith
from symgeom.certify.certificates import (PROVED, REFUTED, Check, Derivation, Step, certify_equal, combine,
    exact_recheck, on_data, Scope)
from symgeom.claims.recipe import Recipe
from symgeom.certify.proofs import prove_matrix_identity
from symgeom.model.cumulative import cumulative_parameters
from symgeom.model.network import bias_symbols, layers, weight_symbols
from symgeom.model.truncation import curated_points
from symgeom.numbers.printing import Latex, latex

from ._common import SIZE, msym, proof_sizes, split_scope

ID = "T1"
TITLE = "Layers as recursive truncation"
STATEMENT = (
    r"With $z^{(0)} = x$ and $z^{(\ell)} = \tau_{W^{(\ell)},b^{(\ell)}}(z^{(\ell-1)})$, "
    r"$x^{(\ell)} = W^{(\ell)} z^{(\ell)} + b^{(\ell)}$ for $\ell \le L$ and "
    r"$x^{(L+1)} = W^{(L+1)} z^{(L)} + b^{(L+1)}$: the network curates its inputs by $L$ "
    r"truncations in input space, then applies one affine map."
)
ASSUMPTIONS = r"W_1, ..., W_L invertible; Q a positive integer symbol; sigma an arbitrary function applied coordinatewise"


def induction_chain(W_l, b_l, x_prev, z_prev) -> Latex:
    """The induction step as one chain, each side printed from its SymPy expression:
    ``σ(W_ℓ x^(ℓ-1) + b_ℓ) = σ(W^(ℓ) z^(ℓ-1) + b^(ℓ)) = W^(ℓ) (W^(ℓ))^{-1}(σ(…) − b^(ℓ)) + b^(ℓ) = W^(ℓ) z^(ℓ) + b^(ℓ)``."""
    Wn, bn, zn = msym(r"W^{(\ell)}"), msym(r"b^{(\ell)}", 1), msym(r"z^{(\ell)}", 1)
    inner = Ramp(Wn * z_prev + bn)
    undone = sp.MatAdd(sp.MatMul(Wn, Wn.I, sp.MatAdd(inner, -bn, evaluate=False), evaluate=False), bn, evaluate=False)
    rows = [latex(Ramp(W_l * x_prev + b_l)), latex(inner), latex(undone), latex(Wn * zn + bn)]
    return Latex(r"\begin{aligned} " + rows[0] + " &= " + r" \\ &= ".join(rows[1:]) + r" \end{aligned}")


@lru_cache(maxsize=None)
def matrix_level_steps() -> tuple[Step, ...]:
    """The induction, with matrix symbols of symbolic size ``Q``."""
    W_l, Wc_prev, b_l, bc_prev = msym(r"W_{\ell}"), msym(r"W^{(\ell-1)}"), msym(r"b_{\ell}", 1), msym(r"b^{(\ell-1)}", 1)
    z_prev = msym(r"z^{(\ell-1)}", 1)
    Wc, bc = W_l * Wc_prev, W_l * bc_prev + b_l
    x_prev = Wc_prev * z_prev + bc_prev
    x_l = Ramp(W_l * x_prev + b_l)
    z_l = Wc.I * (Ramp(Wc * z_prev + bc) - bc)
    step = prove_matrix_identity(
        x_l - (Wc * z_l + bc), "matrix-expression algebra (MatrixSymbol, symbolic Q)", ASSUMPTIONS, size=SIZE
    )
    W_out, b_out, Wc_L, bc_L, z_L = msym(r"W_{L+1}"), msym(r"b_{L+1}", 1), msym(r"W^{(L)}"), msym(r"b^{(L)}", 1), msym(r"z^{(L)}", 1)
    out = prove_matrix_identity(
        (W_out * (Wc_L * z_L + bc_L) + b_out) - ((W_out * Wc_L) * z_L + (W_out * bc_L + b_out)),
        "matrix-expression algebra (MatrixSymbol, symbolic Q)", ASSUMPTIONS, size=SIZE,
    )
    x0, I = msym("x", 1), sp.Identity(SIZE)
    base = prove_matrix_identity(I * x0 + sp.ZeroMatrix(SIZE, 1) - x0, "matrix-expression algebra", "", size=SIZE)
    sym = sp.MatrixSymbol
    return (
        Step(sp.Eq(sym("x^{(0)}", SIZE, 1), sp.MatAdd(sp.MatMul(sym("W^{(0)}", SIZE, SIZE), sym("z^{(0)}", SIZE, 1)), sym("b^{(0)}", SIZE, 1)), evaluate=False),
             r"Base case: $W^{(0)} = I$, $b^{(0)} = 0$, $z^{(0)} = x^{(0)} = x$.", base),
        Step(sp.Eq(sym(r"x^{(\ell)}", SIZE, 1), Ramp(W_l * x_prev + b_l), evaluate=False),
             r"Induction hypothesis $x^{(\ell-1)} = W^{(\ell-1)} z^{(\ell-1)} + b^{(\ell-1)}$ inserted in the layer map.", None),
        Step(induction_chain(W_l, b_l, x_prev, z_prev),
             r"$W^{(\ell)} = W_\ell W^{(\ell-1)}$, $b^{(\ell)} = W_\ell b^{(\ell-1)} + b_\ell$: both sides apply $\sigma$ to "
             r"the same argument, and $W^{(\ell)} (W^{(\ell)})^{-1} = I$.", step, key=True),
        Step(sp.Eq(sym("x^{(L+1)}", SIZE, 1), (W_out * Wc_L) * z_L + (W_out * bc_L + b_out), evaluate=False),
             r"Output layer: $x^{(L+1)} = W_{L+1} x^{(L)} + b_{L+1}$ with the case $\ell = L$ inserted.", out),
    )


@lru_cache(maxsize=None)
def expansion_check(Q: int) -> Check:
    """The induction step with explicit ``Q x Q`` symbol matrices, on every activation pattern.

    With ``x = W' z + b'`` (``W' = W^(ℓ-1)``), the layer's pre-activation ``a = W_ℓ x + b_ℓ`` and
    the truncation's ``a' = W^(ℓ) z + b^(ℓ)`` are the same polynomials, so they share the
    pattern ``D``; on it ``x^(ℓ) = D a`` and ``z^(ℓ) = adj(W^(ℓ))(D a' − b^(ℓ)) / det W^(ℓ)``, and
    ``det·(W^(ℓ) z^(ℓ) + b^(ℓ) − x^(ℓ)) = (W^(ℓ) adj W^(ℓ) − det·I)(D a' − b^(ℓ)) + det·D(a' − a)``.
    """
    Wp, bp, W, b = weight_symbols(Q, 0, "v"), bias_symbols(Q, 0, "c"), weight_symbols(Q, 1), bias_symbols(Q, 1)
    z = sp.Matrix(Q, 1, lambda i, _: sp.Symbol(f"z_{i + 1}", real=True))
    Wc, bc = W * Wp, W * bp + b
    a, a2 = W * (Wp * z + bp) + b, Wc * z + bc
    cramer = (Wc * Wc.adjugate() - Wc.det(method="berkowitz") * sp.eye(Q)).expand()
    same_argument = (a2 - a).expand()
    checks = []
    for pattern in sign_patterns(Q):
        D = pattern_matrix(pattern)
        residual = (cramer * (D * a2 - bc) + D * same_argument).expand()
        ok = residual.is_zero_matrix and same_argument.is_zero_matrix
        checks.append(Check(PROVED if ok else REFUTED, "polynomial expansion",
                            counterexample=None if ok else f"pattern {pattern}: residual {residual.T}"))
    return combine(checks, f"full polynomial expansion, Q = {Q}, {2**Q} activation patterns")


def _pass_vs_truncation(params, X, what: str, detail: str) -> tuple[Check, np.ndarray]:
    """``x^(ℓ) = W^(ℓ) z^(ℓ) + b^(ℓ)`` for ``ℓ = 1..L+1`` at the columns of ``X``: the check and ``|lhs − rhs|``
    stacked (``(L+1) x Q x N``; exact entries for exact arithmetic)."""
    cum = cumulative_parameters(params)
    xs, zs = layers(params, X), curated_points(params, X)
    lhs = np.stack(xs[1:])
    rhs = np.stack([W @ z + b[:, None] for W, b, z in zip(cum.weights, cum.biases, zs[1:] + [zs[-1]])])
    return certify_equal(lhs, rhs, what, detail), lhs - rhs


def data_check(ctx) -> Check:
    """Forward pass against recursive truncation on the data, with seeded random parameters.  In float64 the
    points whose residual exceeds the tolerance are recomputed in exact rational arithmetic (the parameters and
    points as the rationals their float values print as), which settles them: rounding, or a counterexample."""
    params, X = ctx.parameters, ctx.data.X
    patterns = {tuple(col) for col in np.vstack([x > 0 for x in layers(params, X)[1:-1]]).T}
    check, diff = _pass_vs_truncation(
        params, X, f"{ctx.kind.label} forward pass vs recursive truncation on the data",
        f"N = {ctx.data.N} points, L = {ctx.L}, seeded random parameters (seed {ctx.seed}); "
        f"{len(patterns)} distinct activation patterns met")
    if check.status != REFUTED or ctx.kind.is_exact:
        return check
    cols = np.flatnonzero((np.abs(diff) > check.tolerance).any(axis=(0, 1)))
    exact, _ = _pass_vs_truncation(params.with_kind("exact"), arith.array(X[:, cols], "exact"),
                                   "exact rational forward pass vs recursive truncation", f"{cols.size} points")
    return exact_recheck(check, exact, f"the {cols.size} points beyond the float64 tolerance")


def derive(ctx) -> Derivation:
    sizes = proof_sizes(ctx.Q, limit=3)
    expansion = combine([expansion_check(Q) for Q in sizes],
                        f"full polynomial expansion over all activation patterns, Q = {', '.join(map(str, sizes))}",
                        "explicit Q-by-Q symbol matrices; W^(l) z + b^(l) and W_l x^(l-1) + b_l shown to be the same polynomial, "
                        "then Cramer's rule", scope=split_scope(sizes))
    steps = matrix_level_steps() + (
        Step(r"W^{(\ell)} z^{(\ell)} + b^{(\ell)} = x^{(\ell)} \text{ on every activation pattern}",
             r"The induction step again, entry by entry, for explicit sizes.", expansion),
        Step(r"x^{(\ell)}_{j,i} = W^{(\ell)} z^{(\ell)}_{j,i} + b^{(\ell)},\ \ell = 1, \dots, L+1",
             "Both sides computed on the data.", on_data(data_check(ctx))),
    )
    return RECIPE.derivation(steps)


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.all_q(), derive)
