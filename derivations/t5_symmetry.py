"""T5 -- positive scalings and permutations of hidden neurons.

``τ_{DΠW, DΠb} = τ_{W,b}``; in actual parameters ``W_ℓ → DΠW_ℓ``, ``b_ℓ → DΠb_ℓ``,
``W_{ℓ+1} → W_{ℓ+1}ΠᵀD⁻¹`` leaves the network function unchanged.  The one property of σ
used: ``σ(DΠu) = DΠσ(u)`` (positive homogeneity, coordinate by coordinate).
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
import sympy as sp

from symgeom.model.activation import Ramp, commutation_lemma, sign_pattern_symbols, sign_patterns, sigma
from symgeom.certify.certificates import (PROVED, REFUTED, Check, on_data, Derivation, Step, certify_equal, combine,
    Scope)
from symgeom.claims.recipe import Recipe
from symgeom.certify.proofs import prove_matrix_identity
from symgeom.model.network import layers, weight_symbols
from symgeom.model.symmetry import act, permutation_matrix, random_symmetry
from symgeom.model.truncation import layer_truncations

from ._common import SIZE, msym, proof_sizes, split_scope

ID = "T5"
TITLE = "Symmetry: positive scalings and permutations"
STATEMENT = (
    r"For a positive diagonal $D$ and a permutation $\Pi$, $\tau_{D\Pi W, D\Pi b} = \tau_{W,b}$; in actual "
    r"parameters, $W_\ell \to D\Pi W_\ell$, $b_\ell \to D\Pi b_\ell$, $W_{\ell+1} \to W_{\ell+1}\Pi^{T} D^{-1}$ "
    r"leaves the network function unchanged."
)
ASSUMPTIONS = "D positive diagonal, Pi a permutation (Pi^T = Pi^-1), W invertible; sigma(D Pi u) = D Pi sigma(u)"


def _pull(expr, D, P):
    return expr.replace(lambda e: isinstance(e, Ramp) and e.arg.has(D), lambda e: e.pull_out(D, P))


@lru_cache(maxsize=None)
def matrix_level_steps() -> tuple[Step, ...]:
    D, P, W, b, z, x = msym("D"), msym(r"\Pi"), msym("W"), msym("b", 1), msym("z", 1), msym("x", 1)
    Wn, bn = msym(r"W_{\ell+1}"), msym(r"b_{\ell+1}", 1)
    method = "matrix-expression algebra (MatrixSymbol, symbolic Q)"
    lemma = commutation_lemma()
    lemma_check = Check(PROVED if all(e == 0 for e in lemma) else REFUTED, "SymPy, cases t > 0 and t <= 0",
                        "d > 0, t real", scope=Scope.all_q(), counterexample=None if all(e == 0 for e in lemma) else f"residuals {lemma}")
    tau_new = (D * P * W).I * (Ramp(D * P * W * z + D * P * b) - D * P * b)
    tau_old = W.I * (Ramp(W * z + b) - b)
    trunc = prove_matrix_identity(_pull(sp.expand(tau_new - tau_old).doit(), D, P), method, ASSUMPTIONS, size=SIZE)
    net_new = Wn * P.I * D.I * Ramp(D * P * W * x + D * P * b) + bn
    net_old = Wn * Ramp(W * x + b) + bn
    net = prove_matrix_identity(_pull(sp.expand(net_new - net_old).doit(), D, P), method, ASSUMPTIONS, size=SIZE)
    return (
        Step(sp.Eq(sp.Max(sp.Symbol("d") * sp.Symbol("t"), 0), sp.Symbol("d") * sp.Max(sp.Symbol("t"), 0), evaluate=False),
             r"Positive homogeneity of the ramp; coordinate $i$ of $\sigma(D\Pi u)$ is $\max(d_i u_{\pi(i)}, 0)$, "
             r"so $\sigma(D\Pi u) = D\Pi\sigma(u)$.", lemma_check),
        Step(sp.Eq(tau_new, tau_old, evaluate=False),
             r"$(D\Pi W)^{-1} = W^{-1}\Pi^{-1}D^{-1}$ and the commutation lemma.", trunc, key=True),
        Step(sp.Eq(net_new, net_old, evaluate=False),
             r"The next layer sees $W_{\ell+1}\Pi^{T}D^{-1}\,\sigma(D\Pi(W_\ell x + b_\ell))$ with $\Pi^{T} = \Pi^{-1}$.", net),
    )


@lru_cache(maxsize=None)
def expansion_check(Q: int) -> Check:
    """Explicit ``Q``: every sign pattern of ``u``, every permutation, symbolic ``d_i > 0``,
    ``b`` and next-layer weights; σ evaluated by SymPy's ``Max``."""
    d = sp.diag(*[sp.Symbol(f"d_{i + 1}", positive=True) for i in range(Q)])
    b = sp.Matrix([sp.Symbol(f"b_{i + 1}", real=True) for i in range(Q)])
    Wn = weight_symbols(Q, 2)
    checks = []
    for pattern in sign_patterns(Q):
        u = sign_pattern_symbols(pattern)
        for perm in itertools.permutations(range(Q)):
            P = sp.Matrix(permutation_matrix(perm))
            DP = d * P
            residuals = list(sigma(DP * u) - DP * sigma(u))
            residuals += list(DP.inv() * (sigma(DP * u) - DP * b) - (sigma(u) - b))
            residuals += list(Wn * P.T * d.inv() * sigma(DP * u) - Wn * sigma(u))
            ok = all(sp.expand(e) == 0 or sp.simplify(e) == 0 for e in residuals)
            checks.append(Check(PROVED if ok else REFUTED, "expansion",
                                counterexample=None if ok else f"Q={Q}, pattern {pattern}, permutation {perm}"))
    return combine(checks, f"explicit Q = {Q}: {2**Q} sign patterns x {len(checks) // 2**Q} permutations")


def data_check(ctx) -> Check:
    params = ctx.parameters
    scalings, perms = random_symmetry(ctx.Q, ctx.L, ctx.kind, seed=ctx.seed)
    moved = act(params, scalings, perms)
    X = ctx.data.X
    checks = [certify_equal(layers(moved, X)[-1], layers(params, X)[-1], "network function unchanged")]
    for l, (t_old, t_new, d, pi) in enumerate(zip(layer_truncations(params), layer_truncations(moved), scalings, perms), 1):
        checks.append(certify_equal(t_new(X), t_old(X), f"tau of layer {l} unchanged"))
        DP = np.diag(d) @ permutation_matrix(pi).astype(d.dtype)
        checks.append(certify_equal(t_new.W, DP @ t_old.W, f"W^({l}) -> D Pi W^({l})"))
    kind = ctx.kind.label
    return combine(checks, f"{kind} check on the data",
                   f"seeded random D_l, Pi_l at each of the L = {ctx.L} hidden layers (seed {ctx.seed}); N = {ctx.data.N} points")


def derive(ctx) -> Derivation:
    sizes = proof_sizes(ctx.Q, limit=3)
    expansion = combine([expansion_check(Q) for Q in sizes],
                        f"full expansion over sign patterns and permutations, Q = {', '.join(map(str, sizes))}",
                        scope=split_scope(sizes))
    steps = matrix_level_steps() + (
        Step(r"\sigma(D\Pi u) = D\Pi\sigma(u),\ \tau_{D\Pi W, D\Pi b} = \tau_{W,b},\ W_{\ell+1}\Pi^{T}D^{-1}\sigma(D\Pi u) = W_{\ell+1}\sigma(u)",
             "All three identities for explicit sizes, every sign pattern and permutation.", expansion),
        Step(r"x^{(L+1)}(\theta') = x^{(L+1)}(\theta),\quad W'^{(\ell)} = D_\ell \Pi_\ell W^{(\ell)}",
             "On the data, with the symmetry applied at every hidden layer.", on_data(data_check(ctx))),
    )
    return RECIPE.derivation(steps)


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.all_q(), derive)
