"""The geometric lemmas behind G1's sufficient condition (:mod:`symgeom.global_minima.criterion`), proved with SymPy.

A collapsing layer has rows ``w_i = h_k v + t g_i`` (``v`` the unit normal from ``m_k`` to the affine hull of
the other means, ``v·(m_j − m_k) = h_k ≥ h`` for ``j ≠ k``; ``Σ g_i = 0``) and apex ``p = m_k + s_k v``.  Each
lemma is proved in two parts:

* a **vector identity** at symbolic size (``MatrixSymbol`` columns of ``Q`` rows): e.g.
  ``w_iᵀ d = h vᵀd + t g_iᵀd`` or ``z − p = (m_j − m_k) + Δ − s_k v``;
* a **scalar implication** as a certificate of positivity: ``conclusion = Σ multiplier × premise`` identically
  (SymPy expansion), every multiplier a product of nonnegative symbols, every premise a hypothesis or a cited
  inequality (Cauchy–Schwarz ``|a·b| ≤ |a||b|``, the triangle inequality, ``|x|₂ ≤ √Q |x|_∞ ≤ √Q |x|₂``), and a
  strict premise with a positive multiplier when the conclusion is strict.

The cited inequalities are standard and not re-proved; the lemmas' own steps are.

>>> all(c.status == "proved" for c in cone_lemma_checks())
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ..certify.certificates import PROVED, REFUTED, Check, combine, Scope
from ..certify.proofs import prove_matrix_identity

__all__ = ["Premise", "positive_combination", "cone_lemma_checks", "CITED", "cone_lemmas_check"]

CITED = ("Cauchy-Schwarz, the triangle inequality, the equivalence of the Euclidean and maximum norms (a factor "
         "sqrt(Q)), the gradients of the barycentric coordinates (norm 1/h_j, the unit normals their multiples), "
         "Levy-Desplanques (a strictly diagonally dominant matrix is invertible)")
"""The standard inequalities the lemmas cite."""


@dataclass(frozen=True)
class Premise:
    """``expr ≥ 0`` (``> 0`` when ``strict``), with the reason it holds."""

    expr: sp.Expr
    reason: str
    strict: bool = False


def positive_combination(name: str, conclusion: sp.Expr, terms, strict: bool) -> Check:
    """``conclusion ≥ 0`` (``> 0`` when ``strict``) from ``conclusion = Σ m·premise`` identically, every
    multiplier ``m`` provably ``≥ 0`` by SymPy's assumptions (positive when it multiplies the strict premise).
    ``terms``: ``[(multiplier, Premise)]``.  ``proved`` or ``refuted`` (naming what fails)."""
    rest = sp.expand(conclusion - sum(m * p.expr for m, p in terms))
    if rest != 0:
        return Check(REFUTED, name, counterexample=f"conclusion - sum of multiplier x premise = {rest}", scope=Scope.all_q())
    for m, p in terms:
        if not (sp.sympify(m).is_nonnegative or sp.sympify(m).is_positive):
            return Check(REFUTED, name, counterexample=f"multiplier {m} of '{p.reason}' not shown >= 0", scope=Scope.all_q())
    if strict and not any(p.strict and sp.sympify(m).is_positive for m, p in terms):
        return Check(REFUTED, name, counterexample="no strict premise with a positive multiplier", scope=Scope.all_q())
    premises = "; ".join(f"{p.expr} {'>' if p.strict else '>='} 0 ({p.reason})" for _, p in terms)
    return Check(PROVED, name, f"conclusion = sum of nonnegative multiplier x premise: {premises}", scope=Scope.all_q())


def _col(name: str, Q) -> sp.MatrixSymbol:
    return sp.MatrixSymbol(name, Q, 1)


def _vector_identities() -> list[Check]:
    """The identities at symbolic size behind the scalar steps."""
    Q = sp.Symbol("Q", integer=True, positive=True)
    v, g, d, mj, mk, D, vj = (_col(n, Q) for n in ("v", "g_i", "d", "m_j", "m_k", r"\Delta", "v_j"))
    h, t, sk, sj = sp.symbols("h_k t s_k s_j", positive=True)
    method = "matrix-expression algebra (MatrixSymbol columns, symbolic Q)"
    row = prove_matrix_identity((h * v + t * g).T * d - h * v.T * d - t * g.T * d, method,
                                "row i of W: w_i^T d = h_k v^T d + t g_i^T d", size=Q)
    point = prove_matrix_identity((mj + D) - (mk + sk * v) - ((mj - mk) + D - sk * v), method,
                                  "z - p = (m_j - m_k) + Delta - s_k v for z = m_j + Delta", size=Q)
    apex = prove_matrix_identity((mj + sj * vj) - (mk + sk * v) - ((mj - mk) + sj * vj - sk * v), method,
                                 "p_j - p_k = (m_j - m_k) + s_j v_j - s_k v_k", size=Q)
    own = prove_matrix_identity((mk + D) - (mk + sk * v) - (D - sk * v), method,
                                "z - p = Delta - s_k v for z = m_k + Delta", size=Q)
    return [row, point, apex, own]


def _membership() -> list[Check]:
    """``v·d > γ|d| ⇒ w_i·d > 0`` and ``v·d < −γ|d| ⇒ w_i·d < 0``, given ``t|g_i| ≤ γh_k``; and the
    construction's ``t = γ|n|_∞/(Q max|g|_∞)`` gives ``t|g_i| ≤ γh_k``."""
    h, t, gam, nd, G = sp.symbols(r"h_k t \gamma |d| |g_i|", positive=True)
    c, e = sp.symbols(r"v{\cdot}d g_i{\cdot}d", real=True)
    opening = Premise(gam * h - t * G, "t |g_i| <= gamma h_k: the cone's opening")
    forward = positive_combination("v.d > gamma|d| gives w_i.d = h_k v.d + t g_i.d > 0", h * c + t * e, [
        (h, Premise(c - gam * nd, "hypothesis v.d > gamma |d|", strict=True)), (nd, opening),
        (t, Premise(e + G * nd, "Cauchy-Schwarz: g_i.d >= -|g_i||d|"))], strict=True)
    backward = positive_combination("v.d < -gamma|d| gives -w_i.d > 0", -(h * c + t * e), [
        (h, Premise(-c - gam * nd, "hypothesis v.d < -gamma |d|", strict=True)), (nd, opening),
        (t, Premise(G * nd - e, "Cauchy-Schwarz: g_i.d <= |g_i||d|"))], strict=True)
    a, M, r = sp.symbols(r"|n_k|_\infty \max|g|_\infty \sqrt{Q}", positive=True)
    spread = gam * a / (r**2 * M)  # t with Q = r^2
    bound = positive_combination("t = gamma |n_k|_inf / (Q max|g|_inf) gives t |g_i| <= gamma h_k", gam * h - spread * G, [
        (gam, Premise(h - a, "|n_k|_inf <= |n_k|_2 = h_k")),
        (gam * a / r, Premise(r - 1, "sqrt(Q) >= 1")),
        (spread, Premise(r * M - G, "|g_i|_2 <= sqrt(Q) |g_i|_inf <= sqrt(Q) max|g|_inf"))], strict=False)
    return [forward, backward, bound]


def _offsets() -> list[Check]:
    """``v·(z − p) ≥ h − 2s`` and ``|z − p| ≤ D + 2s`` for the other current points, and the cone conditions
    (I1), (I2) that follow; ``s`` bounds every apex offset, ``δ ≤ s``."""
    h, s, dl, D, gam, sk, sj = sp.symbols(r"h s \delta D \gamma s_k s_j", positive=True)
    A, e, c, T, mjk, nD = sp.symbols(r"v{\cdot}(m_j-m_k) v{\cdot}\Delta v{\cdot}v_j |z-p| |m_j-m_k| |\Delta|", real=True)
    alt = Premise(A - h, "v.(m_j - m_k) = h_k >= h")
    s_dl, s_k, s_j = Premise(s - dl, "delta <= s"), Premise(s - sk, "s_k <= s"), Premise(s - sj, "s_j <= s")
    cs = Premise(e + dl, "Cauchy-Schwarz with |v| = 1: v.Delta >= -|Delta| >= -delta")
    point = positive_combination("v.(z - p) = v.(m_j - m_k) + v.Delta - s_k >= h - 2s (z in cluster j)",
                                 A + e - sk - (h - 2 * s), [(1, alt), (1, cs), (1, s_dl), (1, s_k)], strict=False)
    apex = positive_combination("v.(p_j - p_k) = v.(m_j - m_k) + s_j v.v_j - s_k >= h - 2s (earlier apex)",
                                A + sj * c - sk - (h - 2 * s), [(1, alt), (sj, Premise(c + 1, "Cauchy-Schwarz: v.v_j >= -1")),
                                                               (1, s_j), (1, s_k)], strict=False)
    tri = Premise(mjk + nD + sk - T, "triangle inequality on z - p = (m_j - m_k) + Delta - s_k v")
    norm = positive_combination("|z - p| <= D + 2s", D + 2 * s - T, [
        (1, tri), (1, Premise(D - mjk, "D = the diameter of the means")), (1, Premise(dl - nD, "|Delta| <= delta")),
        (1, s_dl), (1, s_k)], strict=False)
    apex_norm = positive_combination("|p_j - p_k| <= D + 2s", D + 2 * s - T, [
        (1, Premise(mjk + sj + sk - T, "triangle inequality on p_j - p_k = (m_j - m_k) + s_j v_j - s_k v_k, |v_j| = 1")),
        (1, Premise(D - mjk, "D = the diameter of the means")), (1, s_j), (1, s_k)], strict=False)
    P = sp.Symbol(r"v{\cdot}(z-p)", real=True)
    i2 = positive_combination("(I2) h - 2s > gamma (D + 2s) gives v.d > gamma |d| (forward cone)", P - gam * T, [
        (1, Premise(P - (h - 2 * s), "v.(z - p) >= h - 2s, above")),
        (1, Premise(h - 2 * s - gam * (D + 2 * s), "(I2)", strict=True)),
        (gam, Premise(D + 2 * s - T, "|z - p| <= D + 2s, above (points and apexes)"))], strict=True)
    i1 = positive_combination("(I1) s_k(1 - gamma) > delta(1 + gamma) gives v.d < -gamma |d| (collapsed cluster)",
                              -(e - sk) - gam * T, [
        (1, Premise(sk * (1 - gam) - dl * (1 + gam), "(I1)", strict=True)),
        (1, Premise(dl - e, "Cauchy-Schwarz with |v| = 1: v.Delta <= delta")),
        (gam, Premise(dl + sk - T, "triangle inequality on z - p = Delta - s_k v"))], strict=True)
    return [point, apex, norm, apex_norm, i2, i1]


def _independence() -> list[Check]:
    """(I3) ``s < h/Q`` keeps the apexes affinely independent: their barycentric coordinates with respect to the
    means are the columns of ``I − E``, ``E_jk = s_k h_k ∇λ_j·∇λ_k``, ``|E_jk| ≤ s_k/h_j ≤ s/h``; so each row of
    ``I − E`` is strictly diagonally dominant: ``1 − Σ_k |E_jk| > 0``."""
    h, s, Q = sp.symbols("h s Q", positive=True)
    R = sp.Symbol(r"\sum_k |E_{jk}|", nonnegative=True)
    return [positive_combination("(I3) s < h/Q gives 1 - sum_k |E_jk| > 0: I - E strictly diagonally dominant",
                                 1 - R, [(1, Premise(Q * s / h - R, "Q entries |E_jk| <= s/h (Cauchy-Schwarz, "
                                                                    "|grad lambda_j| = 1/h_j)")),
                                         (Q / h, Premise(h / Q - s, "(I3)", strict=True))], strict=True)]


@lru_cache(maxsize=None)
def cone_lemma_checks() -> tuple[Check, ...]:
    """Every identity and implication of the lemmas, each ``proved`` (scope all ``Q``) or ``refuted``."""
    return tuple(_vector_identities() + _membership() + _offsets() + _independence())


def cone_lemmas_check() -> Check:
    """The lemmas as one check."""
    return combine(cone_lemma_checks(), "SymPy: the cone lemmas as vector identities at symbolic Q and positivity "
                   "certificates", "conclusion = sum of nonnegative multiplier x premise, citing " + CITED + "; "
                   "cone membership of every point beyond the opening gamma around the axis v (rows h_k v + t g_i), the "
                   "lower bound h - 2s on v.(z - p), the upper bound D + 2s on |z - p|, the conditions (I1), (I2) of the "
                   "criterion giving the cone conditions, and (I3) keeping the apexes affinely independent", scope=Scope.all_q())
