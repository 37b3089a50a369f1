"""G1 -- for sufficiently clustered data and ``L ≥ Q``, ``min C = 0``, attained by an explicit
construction: layer ``ℓ ≤ Q`` collapses cluster ``π(ℓ)`` into the apex of its cumulative cone,
layers beyond ``Q`` act as the identity, the output map sends each apex to its target.

Where that construction does not apply (``ρ ≥ c`` and the exact sign checks fail, or ``L = Q − 1``), G1 is
decided under the weaker hypothesis *sequentially separable* (:mod:`symgeom.local_minima.sequential`): each
cluster of an order cut off by a hyperplane from the clusters after it, ``L ≥ Q − 1``."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symgeom.numbers import sizes
from symgeom._errors import ConstructionError
from symgeom.certify.certificates import (PROVED, REFUTED, CERTIFIED, CHECKED, NOT_APPLICABLE, Check, Derivation,
    Step, certify_positive, combine, Scope)
from symgeom.claims.recipe import Recipe
from symgeom.certify.proofs import prove_zero
from symgeom.global_minima.cone_lemmas import cone_lemmas_check
from symgeom.global_minima.criterion import (clustering_criterion, criterion_constant, criterion_implications,
    gamma_in_unit_interval)
from symgeom.global_minima.minimizer import certify_global_minimizer
from symgeom.local_minima.sequential import certify_sequential
from symgeom.local_minima.strata import separator
from symgeom.numbers.printing import Latex, array_latex, latex, number_latex, readable_latex

from ._common import data_steps

ID = "G1"
TITLE = "Global minimizers for L >= Q"
STATEMENT = (
    r"If the data are sufficiently clustered and $L \ge Q$, then $\min \mathcal{C} = 0$, attained by the "
    r"explicit construction: layer $\ell \le Q$ collapses cluster $\pi(\ell)$ into the apex of its cumulative cone, "
    r"layers $\ell > Q$ act as the identity, and $A p_k + c = y_k$."
)
SAMPLES = 3


def criterion_steps(fam) -> tuple[Step, ...]:
    c, b = criterion_constant()
    g, k, Q, d, h = b["symbols"]
    checks = [prove_zero(b["s_min"].subs(d, b[f"c_{n}"] * h) - b[f"s_{n}"], "substitution back") for n in ("I2", "I3")]
    checks += [implication_check(*item) for item in criterion_implications()]
    derived = combine(checks, "SymPy: each branch of c solves s_min = s_max for delta / h, and each "
                      "implication from rho < c to a strict sign condition reduces to slack = (positive factor) times premise",
                      "s_min = delta(1+gamma)/(1-gamma); s_max = min((h - gamma D)/(2(1+gamma)), h/Q); D = kappa h; "
                      "0 < gamma < 1; rho < min(c_I2, c_I3) is rho < c_I2 and rho < c_I3", scope=Scope.all_q())
    crit = fam.criterion
    exact = fam.data.kind.is_exact
    if crit.holds:
        margin = sp.nsimplify(crit.constant - crit.rho) if exact else float(crit.constant - crit.rho)
        status = CERTIFIED if exact else CHECKED
        on_data = Check(status, "rho < c, exact comparison of algebraic numbers" if exact else "rho < c in float64",
                        f"gamma = {crit.gamma}, kappa = {sizes.format_number(crit.kappa)}, "
                        f"c = {sizes.format_number(crit.constant)}, rho = {sizes.format_number(crit.rho)}",
                        margin=margin, tolerance=None if exact else 1e-12)
    else:
        on_data = Check(NOT_APPLICABLE, "rho < c", f"rho = {sizes.format_number(crit.rho)} >= c = "
                        f"{sizes.format_number(crit.constant)}: the exact sign checks decide")
    rho, kappa, gamma = sp.symbols(r"\rho \kappa \gamma", positive=True)
    c_display = c.subs({g: gamma, k: kappa})
    return (
        Step(Latex(rf"{latex(rho)} < {readable_latex(c_display)}"),
             r"Sufficient condition: an apex offset $s$ with $s(1-\gamma) > \delta(1+\gamma)$ (collapsed cluster in the "
             r"open backward cone), $h - 2s > \gamma(D + 2s)$ (everything else in the open forward cone) and $s < h/Q$ "
             r"(apexes affinely independent) exists iff $\rho < c$, $\kappa = D/h$; SymPy writes each condition's slack "
             r"as a positive factor times $c - \rho$ or times the offset's distance to the end of its interval.", derived),
        Step(r"v \cdot d > \gamma |d| \Rightarrow W d > 0,\quad v \cdot (z - p) \ge h - 2s,\quad |z - p| \le D + 2s",
             r"The geometric lemmas behind (I1)--(I3): rows $h_k v + t g_i$ with $t|g_i| \le \gamma h_k$ put $z$ in the open "
             r"forward (backward) cone when $v \cdot (z - p) > \gamma |z - p|$ ($< -\gamma|z - p|$); every other current "
             r"point (a point of a cluster not yet collapsed, or an earlier apex) has $v \cdot (z - p) \ge h - 2s$ and "
             r"$|z - p| \le D + 2s$, $s$ the largest apex offset; the apexes' barycentric matrix $I - E$ is strictly "
             r"diagonally dominant when $s < h/Q$. Each: a vector identity at symbolic $Q$ and a positivity certificate "
             r"(conclusion $=$ sum of nonnegative multipliers times premises) citing Cauchy--Schwarz, the triangle "
             r"inequality, $|x|_2 \le \sqrt{Q}|x|_\infty$, the gradients of barycentric coordinates and "
             r"L\'evy--Desplanques.", cone_lemmas_check()),
        Step(rf"\rho = {number_latex(crit.rho)},\quad c = {number_latex(crit.constant)},\quad \gamma = {number_latex(crit.gamma)},\quad "
             rf"\kappa = {number_latex(crit.kappa)}", "The condition on these data.", on_data),
    )


def implication_check(name, slack, factor, premise) -> Check:
    """``premise > 0 ⇒ slack > 0``, proved by ``slack − factor·premise = 0`` and ``factor > 0`` (SymPy, for
    ``0 < γ < 1``)."""
    identity = prove_zero(slack - factor * premise, name)
    positive = factor.xreplace(gamma_in_unit_interval())
    if identity.status == PROVED and sp.simplify(positive).is_positive:
        return identity
    return Check(REFUTED, name, counterexample=f"slack - factor x premise = {sp.simplify(slack - factor * premise)}, "
                 f"factor {factor} not shown positive", scope=Scope.all_q())


def construction_step(fam) -> Step:
    table = array_latex([r"\ell", r"\pi(\ell)", r"\sigma_{\pi(\ell)}", r"\text{smallest slack}"],
                        [(cone.layer, cone.cluster, cone.offset, margin) for cone, margin in zip(fam.cones, fam.margins)])
    return Step(table, r"Layer $\ell$ has apex $p_k = m_k + \sigma_k n_k$ ($n_k$ from $m_k$ to the hull of the other means) "
                       r"and rows $n_k + t\,g_i$; every strict sign condition was checked as the layer was built.")


def rho_step(fam) -> Step:
    table = array_latex([r"\ell"] + list(range(len(fam.rho_by_layer))), [[r"\rho^{(\ell)}"] + list(fam.rho_by_layer)])
    return Step(table, "Noise-to-signal ratio of the curated points after each layer (0 once every cluster is collapsed).")


STATEMENT_SEQUENTIAL = (
    r"If the clusters are sequentially separable in an order $\pi$ (each $\pi(i)$ cut off by a hyperplane from "
    r"$\pi(i+1), \dots, \pi(Q)$) and $L \ge Q - 1$, then $\min \mathcal{C} = 0$, attained by the layer-wise "
    r"construction: layer $i$ collapses $\pi(i)$ along its hyperplane (the stratum point with the single kept "
    r"cluster $\pi(Q)$, $B_U = 0$), and for $L \ge Q$ layer $Q$ collapses $\pi(Q)$ too."
)


def hyperplane_check(data, order) -> Check:
    """Each ``π(i)``, ``i < Q``, strictly on the negative side of its hyperplane and every point of
    ``π(i+1), …, π(Q)`` strictly on the positive side, recomputed exactly on the data."""
    checks = []
    for i, k in enumerate(order[:-1]):
        a, beta = separator(data, k, order[i + 1:])
        inside, rest = data.labels == k, np.isin(data.labels, order[i + 1:])
        v = a @ data.X[:, inside | rest] - beta
        checks.append(certify_positive(np.where(inside[inside | rest], -v, v),
                                       f"cluster {k} cut off from {', '.join(map(str, order[i + 1:]))}"))
    return combine(checks, "a hyperplane per peeled cluster, exact strict inequalities",
                   f"{len(checks)} hyperplanes, order {order}")


def sequential_derivation(ctx) -> Derivation:
    """G1 under the hypothesis *sequentially separable* when the cone construction does not apply."""
    theta, reason = ctx.sequential
    if theta is None:
        raise ConstructionError(f"{ctx.unavailable()}; the sequential construction does not apply either: {reason}")
    crit = clustering_criterion(ctx.data)
    cone = Check(NOT_APPLICABLE, "the cone construction (rho < c, or its exact sign checks)",
                 f"rho = {sizes.format_number(crit.rho)}, c = {sizes.format_number(crit.constant)}: {ctx.unavailable()}")
    order = ", ".join(map(str, theta.order))
    return Derivation(ID, TITLE, STATEMENT_SEQUENTIAL, data_steps((
        Step(r"\text{cone construction}", "The closed-form sufficient condition and the cone construction "
             "do not apply here: G1 is decided under the weaker hypothesis below.", cone),
        Step(rf"\pi = ({order})", f"Hypothesis: {theta.hypothesis}. Peeling decides over all orders: separability "
             "from a set implies it from every subset.", hyperplane_check(theta.data, theta.order)),
        Step(r"\mathcal{C}[\theta^{*}] = 0",
             f"The constructed parameters ({theta.hypothesis}, L = {theta.L}; {theta.collapse_text}): every output "
             "equals its target, every strict sign condition holds, exactly.",
             certify_sequential(theta), key=True),
    )))


def derive(ctx) -> Derivation:
    if ctx.unavailable() is not None:
        return sequential_derivation(ctx)
    fam = ctx.minimizer
    data = ctx.data
    rng = np.random.default_rng(ctx.seed)
    base = certify_global_minimizer(fam.member(), data, fam.order)
    samples = combine([certify_global_minimizer(fam.sample(rng), data, fam.order) for _ in range(SAMPLES)],
                      f"{SAMPLES} random members (apex offsets, zeta, scalings, permutations)")
    return RECIPE.derivation(data_steps(criterion_steps(fam) + (
        construction_step(fam),
        Step(r"\mathcal{C}[\theta^{*}] = 0", "The constructed parameters: cost and every strict sign condition.", base, key=True),
        Step(r"\mathcal{C}[\theta] = 0 \text{ for random members } \theta", "Random members of the family.", samples),
        rho_step(fam),
    )))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.these_data(), derive)
