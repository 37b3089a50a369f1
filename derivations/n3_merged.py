"""N3 -- merged strata: local minima beyond the ``2^Q − 1`` strata, and no stratum minimum when ``|S| > L``.

Points that die in one hidden layer leave it at ``x^(ℓ) = 0`` and share one output.  (a) On the open set
``R_{U,P}`` (``U`` active, each group ``G`` of the partition ``P`` of the truncated clusters dying whole in one
layer) ``C ≥ B_{U,P} = B_U + Σ_G Σ_{k∈G} M_k |y_k − ȳ_G|²``, by the weighted Pythagoras identity (proved at
symbolic size); (b) the explicit points of :mod:`symgeom.local_minima.families` reach it (certified on the data):
local minima of value ``> B_U``; (c) on a stratum with ``|S| > L`` the truncated points have at most ``L`` outputs,
so ``C ≥ B_U + F_L(S) > B_U`` there (certified exactly on the data), the bound reached by a merged stratum of an
optimal grouping when its construction applies."""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from symgeom.certify.certificates import CERTIFIED, CHECKED, NOT_APPLICABLE, Check, Scope, Step, combine
from symgeom.certify.proofs import prove_matrix_identity
from symgeom.claims.recipe import Recipe
from symgeom.local_minima.families import family_counts_text
from symgeom.numbers import sizes

from ._common import SIZE, data_steps

ID = "N3"
TITLE = "Merged strata"
STATEMENT = (
    r"For $U \subseteq \{1, \dots, Q\}$ (possibly empty) and a partition $P$ of the other clusters into groups, one "
    r"of several clusters, let $R_{U,P}$ be the open set where every point of $U$ is strictly active in every hidden "
    r"layer and every point of each group $G$ strictly inactive in one common hidden layer. On $R_{U,P}$, "
    r"$\mathcal{C} \ge B_{U,P} = B_U + \sum_G \sum_{k \in G} M_k |y_k - \bar{y}_G|^2$ ($M_k = N_k w_k$, $\bar{y}_G$ "
    r"the $M$-weighted mean target of $G$), attained when $L \ge |P|$ and the groups can be cut off one by one by "
    r"hyperplanes: local minima beside the strata. On a stratum with $|S| > L$, $\mathcal{C} \ge B_U + F_L(S) > B_U$ "
    r"($F_L(S)$: the least such sum over groupings of $S$ into at most $L$ groups)."
)


@lru_cache(maxsize=None)
def pythagoras_step() -> Step:
    """(a): ``Σ_k M_k (o − y_k)(o − y_k)ᵀ = (Σ M_k)(o − ȳ)(o − ȳ)ᵀ + Σ_k M_k (ȳ − y_k)(ȳ − y_k)ᵀ`` at symbolic
    size, masses ``M = V Vᵀ`` (the diagonal of cluster masses is of this form)."""
    Q, g = SIZE, sp.Symbol("g", integer=True, positive=True)
    Y, V = sp.MatrixSymbol("Y_G", Q, g), sp.MatrixSymbol("V", g, g)
    e, o = sp.MatrixSymbol("e", g, 1), sp.MatrixSymbol("o", Q, 1)
    M = V * V.T
    mass = e.T * M * e
    ybar = Y * M * e * mass.I
    identity = (o * e.T - Y) * M * (o * e.T - Y).T - ((o - ybar) * mass * (o - ybar).T + (ybar * e.T - Y) * M * (ybar * e.T - Y).T)
    check = prove_matrix_identity(identity, "matrix-expression algebra (MatrixSymbol, symbolic Q and group size g)",
                                  "M = V V^T (the masses), e the ones, ybar = Y M e / (e^T M e)", size=Q)
    return Step(r"\sum_{k \in G} M_k |o - y_k|^2 = \Big(\sum_{k \in G} M_k\Big) |o - \bar{y}_G|^2 + \sum_{k \in G} M_k |y_k - \bar{y}_G|^2",
                r"A point dead in layer $\ell$ has $x^{(\ell)} = 0$: the points dying in one layer share one output $o$, "
                r"and a group pays at least its spread about $\bar{y}_G$ (the identity, traced); $U$ pays at least $B_U$ "
                r"(N2 (a)). $R_{U,P}$ is open, so a point of it at cost $B_{U,P}$ is a local minimum.", check)


def outputs_step(ctx) -> Step:
    """(c): the strata with ``|S| > L`` (some exist): their bound ``B_U + F_L(S)``, each exactly above ``B_U``."""
    over = [st for st in ctx.strata if st.outputs_bound is not None]
    exact = ctx.kind.is_exact
    gaps = [st.outputs_bound - st.bound for st in over]
    ok = all(gap > 0 for gap in gaps)
    detail = ", ".join(f"S = {st.label}: F_L(S) = {sizes.format_number(gap)}" for st, gap in zip(over, gaps))
    check = Check(CERTIFIED if exact and ok else CHECKED if ok else NOT_APPLICABLE,
                  ("exact" if exact else "float64") + " least grouping of the truncated targets into at most L "
                  "outputs (dynamic programming over subsets of the labels)", detail,
                  margin=min(gaps) if ok else None, tolerance=None if exact else 0, scope=Scope.these_data())
    return Step(r"|S| > L:\ \mathcal{C} \ge B_U + F_L(S) > B_U \ \text{on } R_S",
                r"On $R_S$ the truncated points have at most $L$ outputs $o_\ell$, and cluster $k \in S$ pays at least "
                r"$M_k \min_\ell |o_\ell - y_k|^2$: at best the clusters are grouped, each group at its mean. $F_L(S) > 0$ "
                r"for $|S| > L$ (distinct targets); a reached merged stratum of an optimal grouping is the minimum on $R_S$.",
                check)


def family_step(ctx) -> Step:
    """(b): the merged strata on the data, one combined certificate."""
    families, left = ctx.merged
    text = family_counts_text(families, left)
    if not families:
        check = Check(NOT_APPLICABLE, "merged strata", f"none settled ({text})")
    else:
        check = combine([f.certificate for f in families], f"every merged stratum settled: {ctx.kind.label} cost equal "
                        f"to its bound and every strict sign condition ({text})",
                        ", ".join(f"{f.label}: {f.verdict}" for f in families), scope=Scope.these_data())
    return Step(r"\mathcal{C}(\theta_{U,P}) = B_{U,P},\ \theta_{U,P} \in R_{U,P}",
                r"N2 (b)'s construction, each group collapsed whole in its layer and sent to $\bar{y}_G$ (for $U = \emptyset$ "
                r"a constant coordinate stands in for the fit); each certified point is a local minimum. "
                rf"On these data: {text}.", check,
                key=True)


def derive(ctx):
    steps = [pythagoras_step(), family_step(ctx)]
    if any(st.outputs_bound is not None for st in ctx.strata):
        steps.append(outputs_step(ctx))
    return RECIPE.derivation(data_steps(tuple(steps)), STATEMENT + ctx.cost.value_note("B_{U,P}", short=True))


__all__ = ["derive", "ID", "TITLE", "STATEMENT"]


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive)
