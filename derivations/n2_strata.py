"""N2 -- the stratum theorem: one local minimum for every non-empty set ``U`` of clusters kept.

(a) On the open set ``R_S`` the network is affine on the kept points, so ``C ≥ B_U`` (proved at
symbolic size, for every rank of the lifted kept points); (b) an explicit point ``θ_S ∈ R_S`` with
``C(θ_S) = B_U`` is built and certified on the data, hence a local minimum (attainment: these data);
(c) invertible hidden weights never reach ``B_U``; (d) the strata with ``|U| = 1`` hold zero-cost global
minimizers with ``Q − 1`` truncations; (f) with ``L = 2`` zero cost is reached outside every stratum when the
clusters project to disjoint intervals along a direction (proved at symbolic ``Q``, certified on the data);
(e) the minimizers are degenerate: the tangent dimension (explicit tangents of curves of minimizers spanning
the Hessian's kernel) is certified; a manifold dimension is not claimed.

Stated for the context's cost: both costs are weighted sums ``Σ_n w_n |r_n|²``, and (a) holds in the weighted
inner product (:func:`weighted_bound_step`); under the paper's ``C_N`` the values are those of ``C_N²``."""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from symgeom.numbers import sizes
from symgeom.certify.certificates import (CERTIFIED, CHECKED, NOT_APPLICABLE, PROVED, Check, Derivation, Scope, Step,
    combine, on_data, with_scope)
from symgeom.claims.recipe import Recipe
from symgeom.certify.proofs import prove_matrix_identity
from symgeom.local_minima.settling import EMPTY, LOCAL_MINIMUM, counts_text
from symgeom.numbers.printing import escape_tex, number_latex
from symgeom.local_minima.candidates import invertible_approach

from ._common import SIZE, data_steps
from symgeom._errors import ConstructionError
from symgeom.global_minima.interval_network import depth_two_proof, interval_network

ID = "N2"
TITLE = "One local minimum per stratum"
STATEMENT = (
    r"(Our reading of the announcement.) For every non-empty set $U \subseteq \{1, \dots, Q\}$ of clusters left "
    r"untruncated ($S$ the rest, $L \ge |S|$), let $R_S$ be the open set of parameters where every point of $U$ has "
    r"all pre-activations positive in every hidden layer and every point of a cluster of $S$ has all pre-activations "
    r"negative in some hidden layer. Then $\mathcal{C} \ge B_U = \frac{1}{2N}\|Y_U^{\mathrm{ext}}(I - \Pi_U)\|_F^2$ on "
    r"$R_S$; and when the clusters of $S$ can be ordered so that each is separated by a hyperplane from the kept "
    r"clusters and from those after it, the value $B_U$ is attained in $R_S$: one local minimum per stratum, "
    r"$2^Q - 1$ in all. (The bound is proved for all $Q$; attainment is certified on the data.) (Without separation $R_S$ may be empty: a point of a truncated cluster in the convex hull of "
    r"the kept points is never inactive.)"
)
@lru_cache(maxsize=None)
def bound_steps() -> tuple[Step, ...]:
    """(a) at symbolic size and for every rank of the lifted kept points: with a rank factorization
    ``X̃_U = B C`` (``B`` of full column rank ``r``, ``C`` of full row rank ``r``; one exists for every
    matrix, and ``r ≥ 1`` since the last row of ``X̃_U`` is ``1ᵀ``) the Moore–Penrose inverse is
    ``X̃_U⁺ = Cᵀ(CCᵀ)⁻¹(BᵀB)⁻¹Bᵀ``; SymPy proves its four Penrose conditions, that ``Π_U = X̃_U⁺ X̃_U`` is the
    orthogonal projector onto the row space, and the vanishing cross term of Pythagoras' identity for
    ``G* = Y_U X̃_U⁺``.  The sum-to-one lemma is proved where (c) uses it, for full row rank."""
    penrose, fit, sums = _bound_proofs()
    return (
        Step(r"x \in U:\ x^{(L+1)} = W^{(L+1)} x + b^{(L+1)} \ \text{on } R_S",
             r"Every pre-activation of a kept point is positive, so $\sigma$ acts as the identity on it and the layers "
             r"compose to the cumulative affine map $G(\theta) = [W^{(L+1)} \mid b^{(L+1)}]$.", None),
        Step(r"\tilde{X}_U = B C,\quad \tilde{X}_U^{+} = C^T (C C^T)^{-1} (B^T B)^{-1} B^T,\quad "
             r"\Pi_U = \tilde{X}_U^{+} \tilde{X}_U",
             r"Any rank $r$ of the lifted kept points: $B$ has full column rank, $C$ full row rank. The four Penrose "
             r"conditions hold, so $\tilde{X}_U^{+}$ is the Moore--Penrose inverse and $\Pi_U$ (symmetric, "
             r"idempotent since $\tilde{X}_U \tilde{X}_U^{+} \tilde{X}_U = \tilde{X}_U$) the orthogonal projector onto the row space of $\tilde{X}_U$.", _all_q(penrose)),
        Step(r"\|G \tilde{X}_U - Y_U\|_F^2 = \|Y_U (I - \Pi_U)\|_F^2 + \|(G - G^{*}) \tilde{X}_U\|_F^2",
             r"$G^{*} = Y_U \tilde{X}_U^{+}$ has residual $G^{*}\tilde{X}_U - Y_U = -Y_U(I - \Pi_U)$, and the cross "
             r"term $(G - G^{*}) \tilde{X}_U (G^{*}\tilde{X}_U - Y_U)^T$ vanishes, for every rank of $\tilde{X}_U$.",
             fit),
        Step(r"\mathcal{C}(\theta) \ge \frac{1}{2N}\|G(\theta)\tilde{X}_U - Y_U^{\mathrm{ext}}\|_F^2 \ge B_U \quad "
             r"(\theta \in R_S)",
             r"The truncated clusters contribute $\ge 0$. So a point of the open set $R_S$ with "
             r"$\mathcal{C} = B_U$ is a local minimum; no Hessian is needed.", None),
        Step(r"\mathbf{1}^T c_U(x) = \mathbf{1}^T E\, \tilde{X}_U^T (\tilde{X}_U \tilde{X}_U^T)^{-1} \tilde{x} = 1",
             r"When the kept points affinely span $\mathbb{R}^Q$ (full row rank, the case (c) uses), the least-squares "
             r"fit $G^{*}$ takes every $x$ into $\operatorname{aff}\{y_j : j \in U\}$: its barycentric coordinates "
             r"$c_U$ sum to one.", sums),
    )


def _bound_proofs() -> tuple[Check, Check, Check]:
    """The proofs of (a): the Penrose conditions of ``X̃_U⁺`` built from a rank factorization, the fit's residual
    with the vanishing cross term of Pythagoras' identity, and the sum-to-one lemma for full row rank."""
    n, r = sp.Symbol("n", integer=True, positive=True), sp.Symbol("r", integer=True, positive=True)
    Y, G = sp.MatrixSymbol(r"Y_U", SIZE, n), sp.MatrixSymbol("G", SIZE, SIZE + 1)
    B, C = sp.MatrixSymbol("B", SIZE + 1, r), sp.MatrixSymbol("C", r, n)
    Xt = B * C
    Xp = C.T * (C * C.T).I * (B.T * B).I * B.T
    Pi = Xp * Xt
    G_star = Y * Xp
    method = "matrix-expression algebra (MatrixSymbol, symbolic Q, n and rank r)"
    factor = "a rank factorization X_U = B C, B of full column rank r, C of full row rank r (every rank r, at least 1)"
    penrose = combine([prove_matrix_identity(e, method, factor, size=SIZE) for e in
                       (Xt * Xp * Xt - Xt, Xp * Xt * Xp - Xp, (Xt * Xp).T - Xt * Xp, Pi.T - Pi)],
                      method, "the four Penrose conditions of the pseudo-inverse built from B and C (so Pi_U, the pseudo-inverse "
                      "times X_U, is symmetric by the fourth condition and idempotent by the first)", scope=Scope.all_q())
    residual = prove_matrix_identity(G_star * Xt - Y * Pi, method, factor, size=SIZE)
    cross = (G - G_star) * Xt * (G_star * Xt - Y).T
    pythagoras = prove_matrix_identity(cross, method, factor, size=SIZE)
    Xf = sp.MatrixSymbol(r"\tilde{X}_U", SIZE + 1, n)
    e, x = sp.MatrixSymbol("e", SIZE + 1, 1), sp.MatrixSymbol(r"\tilde{x}", SIZE + 1, 1)
    sums = prove_matrix_identity(e.T * Xf * Xf.T * (Xf * Xf.T).I * x - e.T * x,
                                 "matrix-expression algebra (MatrixSymbol, symbolic Q and n)",
                                 "full row rank of the lifted kept points (the hypothesis of (c)); the one-hot rows sum "
                                 "to the row of ones, the last row of the lifted data", size=SIZE)
    fit = combine([_all_q(residual), _all_q(pythagoras)], method, "residual of the fit and the cross term",
                  scope=Scope.all_q())
    return penrose, fit, Check(sums.status, sums.method, sums.detail, scope=Scope.all_q())


def _all_q(check: Check) -> Check:
    """The check with the scope of a proof at symbolic size."""
    return with_scope(check, Scope.all_q()) if check.status == PROVED else check


@lru_cache(maxsize=None)
def weighted_bound_step() -> Step:
    """(a) for a weighted sum of squares, at symbolic size: with ``W = V Vᵀ`` (``V = W^{1/2}``, positive diagonal)
    the weighted fit ``G_W = Y_U W X̃_Uᵀ (X̃_U W X̃_Uᵀ)⁻¹`` leaves the cross term ``(G − G_W) X̃_U V (G_W X̃_U V − Y_U V)ᵀ``
    zero: Pythagoras for the columns scaled by ``√w_n``."""
    n = sp.Symbol("n", integer=True, positive=True)
    Xt, Y, G = sp.MatrixSymbol(r"\tilde{X}_U", SIZE + 1, n), sp.MatrixSymbol(r"Y_U", SIZE, n), sp.MatrixSymbol("G", SIZE, SIZE + 1)
    V = sp.MatrixSymbol("V", n, n)
    G_w = Y * V * V.T * Xt.T * (Xt * V * V.T * Xt.T).I
    cross = (G - G_w) * Xt * V * (G_w * Xt * V - Y * V).T
    full = prove_matrix_identity(cross, "matrix-expression algebra (MatrixSymbol, symbolic Q and n)",
                                 "W = V V^T; the weighted lifted kept points have full row rank", size=SIZE)
    # every rank: the unweighted proof on the scaled columns, X_U V = B (C V) with C V of full row rank
    r = sp.Symbol("r", integer=True, positive=True)
    B, C = sp.MatrixSymbol("B", SIZE + 1, r), sp.MatrixSymbol("C", r, n)
    XV, CV = B * C * V, C * V
    G_p = Y * V * CV.T * (CV * CV.T).I * (B.T * B).I * B.T
    any_rank = prove_matrix_identity((G - G_p) * XV * (G_p * XV - Y * V).T,
                                     "matrix-expression algebra (MatrixSymbol, symbolic Q, n and rank r)",
                                     "W = V V^T; X_U = B C a rank factorization, the fit Y_U V (X_U V)^+", size=SIZE)
    check = combine([full, any_rank], "matrix-expression algebra (MatrixSymbol, symbolic Q, n and rank r)",
                    "the weighted fit's cross term: full row rank, and every rank with the pseudo-inverse of X_U V",
                    scope=Scope.all_q())
    return Step(r"\sum_{n \in U} w_n |G \tilde{x}_n - y_{j(n)}|^2 = B_U + \|(G - G_W) \tilde{X}_U W^{1/2}\|_F^2",
                r"Both costs are weighted sums of squares $\sum_n w_n |r_n|^2$ ($w_n = 1/(2N)$, or $1/N_{j(n)}$ for the "
                r"paper's $C_N^2$): with $W = \operatorname{diag}(w_n)$ the weighted fit "
                r"$G_W = Y_U W \tilde{X}_U^T (\tilde{X}_U W \tilde{X}_U^T)^{-1}$ (for any rank: "
                r"$Y_U W^{1/2} (\tilde{X}_U W^{1/2})^{+}$) leaves the cross term zero, so the bound "
                r"$B_U$ of each cost is its weighted least-squares residual on $U$, and the barycentric coordinates of "
                r"$G_W$ still sum to one for full row rank (the constant is fitted exactly).",
                Check(check.status, check.method, check.detail, scope=Scope.all_q()))


def _set(S) -> str:
    return r"\{" + ", ".join(map(str, S)) + r"\}" if S else r"\emptyset"


def _number(x) -> str:
    return number_latex(x)


def stratum_steps(strata) -> list[Step]:
    """(b): one step per stratum, the exact certificate of ``θ_S``."""
    steps = []
    for st in strata:
        if st.verdict == EMPTY:
            text = rf"S = {_set(st.truncated)}:\ R_S = \emptyset"
            why = (rf"Stratum $S = {_set(st.truncated)}$ is empty: " + escape_tex(st.reason) + r". On points strictly "
                   r"active in every layer the network is affine, so a convex combination of the kept points is "
                   r"strictly active wherever they are; the stratum's hypothesis fails and attainment does not apply.")
        elif st.minimizer is None:
            text = rf"S = {_set(st.truncated)}:\ \text{{not reached}}"
            why = rf"Stratum $S = {_set(st.truncated)}$ is not reached: " + escape_tex(st.reason) + "."
        else:
            text = rf"S = {_set(st.truncated)}:\ \mathcal{{C}}(\theta_S) = B_U = {_number(st.bound)}"
            kind = "The no-truncation point N1" if not st.truncated else "An explicit rank-deficient point"
            why = (f"{kind} (weight ranks {', '.join(map(str, st.weight_ranks))}){', a global minimizer' if st.is_global else ''}: "
                   r"cost equal to $B_U$ and every strict sign condition of $R_S$, " + f"{st.certificate.status}.")
        steps.append(Step(text, why, _scoped(st.certificate)))
    return steps


def _scoped(check: Check) -> Check:
    """The check with the scope of a certificate on these data, when it states none
    (:func:`~symgeom.certify.certificates.on_data`)."""
    return check if check.scope is not None else on_data(check)


def derive(ctx) -> Derivation:
    strata = ctx.strata
    steps = list(bound_steps()) + [weighted_bound_step()]
    steps += stratum_steps(strata)
    reached = combine([st.certificate for st in strata], f"every non-empty stratum: {ctx.kind.label} cost equal to the stratum "
                      f"bound and every strict sign condition of the stratum ({counts_text(strata)})",
                      ", ".join(f"S = {st.label}: {st.verdict}" for st in strata), scope=Scope.these_data())
    steps.append(Step(r"\mathcal{C}(\theta_S) = B_U,\ \theta_S \in R_S \ \text{for every stratum}",
                      r"With the bound (a), each $\theta_S$ is a local minimum of $\mathcal{C}$.", reached, key=True))
    steps += invertible_steps(ctx, strata)
    steps += global_steps(ctx, strata)
    steps += depth_two_steps(ctx)
    steps.append(degeneracy_step(strata))
    count = sum(st.verdict == LOCAL_MINIMUM for st in strata)
    globals_ = sum(st.verdict == LOCAL_MINIMUM and st.is_global for st in strata)
    steps.append(Step(rf"\#\{{\text{{strata reached}}\}} = {count} \text{{ of }} 2^{{{ctx.Q}}} - 1 = {len(strata)}",
                      f"{count} local minima certified on these data, {globals_} of them global (cost 0); "
                      f"{counts_text(strata)}.", None))
    return RECIPE.derivation(data_steps(tuple(steps)), STATEMENT + ctx.cost.claim_note)


def invertible_steps(ctx, strata) -> list[Step]:
    """(c): the invertible candidates are not critical, and invertible weights only approach ``B_U``."""
    applicable = [st for st in strata if st.invertible is not None and st.invertible.spans]
    steps = []
    if applicable:
        not_critical = combine([st.invertible.certificate for st in applicable],
                               "each invertible candidate: nonzero gradient, cost above the bound",
                               ", ".join(f"S = {st.label}: gradient norm {st.invertible.gradient_norm:.3g}"
                                         for st in applicable), scope=Scope.these_data())
        steps.append(Step(r"\nabla \mathcal{C}(\theta_S^{\mathrm{inv}}) \ne 0",
                          r"Remark, for the strata whose kept points affinely span $\mathbb{R}^Q$: the point of the "
                          r"truncation-map coordinates (collapse into cone apexes with invertible weights, "
                          r"least-squares output) is not even critical. That is a fact about one point per stratum, not "
                          r"about the strata.", not_critical))
    reached = [st for st in applicable if st.minimizer is not None]
    if reached:
        st = max(reached, key=lambda s: len(s.truncated))
        approach = invertible_approach(st.minimizer)
        exact = ctx.kind.is_exact
        ok = all(p.invertible and p.inside and p.excess > 0 for p in approach)
        detail = "; ".join(f"epsilon = {sizes.format_number(p.epsilon)}: excess {sizes.format_number(p.excess)}"
                           for p in approach)
        check = Check(CERTIFIED if exact else CHECKED, "exact costs after adding epsilon times the identity to every "
                      "hidden weight (all invertible, still in the stratum)", detail, tolerance=None if exact else 0,
                      scope=Scope.these_data()) if ok else \
            Check(NOT_APPLICABLE, "invertible approach", "a perturbed point left the stratum or stayed singular: " + detail)
        steps.append(Step(r"W_1, \dots, W_L \text{ invertible}:\ \mathcal{C} > B_U \text{ on } R_S,\ "
                          r"\inf = B_U",
                          r"When the kept points affinely span $\mathbb{R}^Q$, $\mathcal{C} = B_U$ would force the "
                          r"unique fit $G = G^{*}$, whose image "
                          r"$\operatorname{aff}\{y_j : j \in U\}$ misses every $y_k$, $k \in S$ (independent targets); "
                          rf"yet moving $\theta_S$ for $S = {_set(st.truncated)}$ by $\varepsilon I$ makes every hidden "
                          r"weight invertible and the cost tends to $B_U$. The minimizers lie outside the truncation-map "
                          r"coordinates.", check))
    return steps


def global_steps(ctx, strata) -> list[Step]:
    """(d): ``|U| = 1`` gives zero cost with ``Q − 1`` truncations."""
    singles = [st for st in strata if len(st.kept) == 1]
    if not singles:
        return []
    check = combine([st.certificate for st in singles], f"{ctx.kind.label} cost 0 with one truncation fewer than clusters",
                    "kept cluster " + ", ".join(str(st.kept[0]) for st in singles), scope=Scope.these_data())
    return [Step(rf"|U| = 1:\ B_U = 0,\ \min \mathcal{{C}} = 0 \text{{ with }} Q - 1 = {ctx.Q - 1} \text{{ truncations}}",
                 r"A single kept cluster is fitted exactly by a constant: these strata hold global minimizers "
                 rf"(\texttt{{symgeom construct -{{}}-L {ctx.Q - 1} -{{}}-out minimizer.json}} writes one, with the "
                 r"report's \texttt{-{}-data}), one layer fewer than the construction of G1.", check)]


DEPTH_TWO_MAX_Q = 6
"""``check`` searches a direction for the depth-2 construction up to this ``Q`` (``construct`` at every ``Q``)."""


def depth_two_steps(ctx) -> list[Step]:
    """(f): zero cost with ``L = 2`` hidden layers for every ``Q``, outside every stratum, when the clusters project
    to disjoint intervals along some direction (:mod:`symgeom.interval_network`): the theorem at symbolic ``Q``,
    then the construction on these data."""
    return [Step(r"x \in \pi(j):\ y_{\pi(Q)} - \sum_{k=j}^{Q-1} (y_{\pi(k+1)} - y_{\pi(k)}) = y_{\pi(j)}",
                 r"The depth-2 theorem below at symbolic $Q$: the output telescopes, and every hidden pre-activation "
                 r"has its sign strictly.", depth_two_proof()), depth_two_step(ctx)]


def depth_two_step(ctx) -> Step:
    """(f) on these data: the interval network certified, or why not."""
    if ctx.Q < 2 or ctx.Q > DEPTH_TWO_MAX_Q:
        check = Check(NOT_APPLICABLE, "disjoint intervals along a direction (LP)", f"not searched by check at Q = "
                      f"{ctx.Q} (Q = 2 to {DEPTH_TWO_MAX_Q}); symgeom construct --L 2 --out F searches at every Q >= 2")
    else:
        try:
            check = interval_network(ctx.data, 2, exhaustive=False).certificate
        except ConstructionError as e:
            check = Check(NOT_APPLICABLE, "disjoint intervals along a direction (LP)", str(e))
    return Step(r"L = 2:\ \min \mathcal{C} = 0 \text{ when } v \cdot x \text{ separates the clusters into disjoint intervals}",
                r"If the projections $v \cdot x$ of the clusters lie in disjoint intervals $[a_k, b_k]$, "
                r"$b_k < a_{k+1}$ (clusters $\pi(1), \dots, \pi(Q)$ along $v$), set $g_k = a_{k+1} - b_k$, "
                r"$\varepsilon_k = g_k/3$, $\tau_k = b_k + \varepsilon_k$, layer 1 $r_k = \sigma(v \cdot x - \tau_k)$, "
                r"layer 2 $s_k = \sigma(\varepsilon_k - r_k)$ ($k < Q$; neuron $Q$ dead, bias $-1$) and output "
                r"$y_{\pi(Q)} - \sum_k (y_{\pi(k+1)} - y_{\pi(k)}) s_k/\varepsilon_k$. On cluster $\pi(j)$: "
                r"$v \cdot x - \tau_k \le -\varepsilon_k$ for $k \ge j$ and $\ge 2\varepsilon_k$ for $k < j$, so "
                r"$s_k = \varepsilon_k$ for $k \ge j$, $s_k = 0$ for $k < j$, and the output telescopes to "
                r"$y_{\pi(j)}$: cost 0, a global minimum for every $Q$ (and every $L \ge 2$, with layers "
                r"$\sigma(x + \mathbf{1})$ after the second). Every point has a dead neuron and a middle cluster is "
                r"mixed, so the point lies outside every stratum: global minima of cost 0 exist outside the strata, "
                r"already at depth $L = 2$. On these data (direction by LP, decided exactly):", check)


def degeneracy_step(strata) -> Step:
    """(e): the tangent dimension at each ``θ_S``: explicit tangents of curves of minimizers span ``ker H``."""
    checks = [st.dimension_check for st in strata if st.dimension_check is not None]
    detail = ", ".join(f"S = {st.label}: tangent dimension {st.tangent_dimension}, nullity {st.hessian_nullity}"
                       for st in strata if st.dimension_check is not None)
    check = combine(checks, "explicit tangent directions span the kernel of the Hessian", detail, scope=Scope.these_data())
    return Step(r"\operatorname{rank} V = \operatorname{nullity} \nabla^2 \mathcal{C}(\theta_S)",
                r"$V$: tangent vectors of explicit curves of minimizers: the gauge "
                r"$(T W_\ell, T b_\ell, W_{\ell+1} T^{-1})$ at every hidden layer, bias translations after the last "
                r"collapse, and straight lines that move one layer inside the kernel of its block of "
                r"$\frac{1}{N} J^T J$ (on a fixed activation pattern the outputs are affine in one layer). With "
                r"$\nabla^2 \mathcal{C} = \frac{1}{N} J^T J$ there and $\operatorname{rank} V$ equal to its nullity, "
                r"every direction of the kernel is the tangent of a curve of minimizers (the tangent dimension), and "
                r"every manifold of minimizers through $\theta_S$ has at most that dimension. That the minimizer set "
                r"is a manifold of that dimension is not shown: a kernel spanned by tangents of curves does not make "
                r"the set a manifold (for $(xy)^2$ the two axes span the kernel at $0$)."
                + (r" Under the paper's cost the Hessian of $C_N^2$ at $\theta_S$ is $2 J^T W J$ (the residual term "
                   r"vanishes by the weighted normal equations), whose kernel is that of $J^T J$: $W$ is positive "
                   r"diagonal." if strata and strata[0].cost_kind.is_norm else ""), check)


__all__ = ["derive", "ID", "TITLE", "STATEMENT"]


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive)
