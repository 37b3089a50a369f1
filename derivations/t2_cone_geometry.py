"""T2 -- the geometry of a truncation map.

Apex ``p = −W⁻¹b``, forward cone ``K⁺ = p + W⁻¹R^Q_+``, backward cone ``K⁻ = p − W⁻¹R^Q_+``.
τ is the identity on ``K⁺``, maps ``K⁻`` to ``p``, and on a mixed sign region projects along
the columns of ``W⁻¹`` onto a face of ``K⁺``.

Everything is read in cone coordinates ``u = W(z − p) = Wz + b``, a bijection of ``R^Q``
for invertible ``W``: the matrix-level lemma ``W(τ(z) − p) = σ(u)`` turns T2 into
statements about σ on each sign pattern of ``u``.
"""

from __future__ import annotations


from functools import lru_cache

import numpy as np
import sympy as sp

from symgeom.numbers import arith, sizes
from symgeom.model.activation import Ramp, pattern_matrix, sigma
from symgeom.certify.certificates import Check, Derivation, Step, certify_equal, combine
from symgeom.certify.scope import Scope
from symgeom.claims.recipe import Recipe
from symgeom.certify.proofs import prove_matrix_identity
from symgeom.model.truncation import truncation_map

from ._common import (SIZE, case_split, coordinatewise, float_samples, indicator, msym, proof_sizes, ramp,
                      random_cone_coordinates, random_invertible, truncation_derivation)

ID = "T2"
TITLE = "Geometry of the truncation map"
STATEMENT = (
    r"For invertible $W$, with apex $p = -W^{-1}b$, $K^{+} = p + W^{-1}\mathbb{R}^Q_{+}$ and "
    r"$K^{-} = p - W^{-1}\mathbb{R}^Q_{+}$: $\tau_{W,b}$ is the identity on $K^{+}$, maps $K^{-}$ to $p$, "
    r"and on a mixed sign region projects along the columns of $W^{-1}$ onto a face of $K^{+}$."
)


@lru_cache(maxsize=None)
def coordinate_lemma() -> Step:
    """``W τ(z) + b = σ(Wz + b)``, i.e. ``W(τ(z) − p) = σ(W(z − p))`` (symbolic ``Q``)."""
    W, b, z = msym("W"), msym("b", 1), msym("z", 1)
    tau = W.I * (Ramp(W * z + b) - b)
    check = prove_matrix_identity(W * tau + b - Ramp(W * z + b), "matrix-expression algebra (MatrixSymbol, symbolic Q)",
                                  "W invertible", size=SIZE)
    p = msym("p", 1)
    return Step(sp.Eq(W * (sp.MatrixSymbol(r"\tau(z)", SIZE, 1) - p), Ramp(W * (z - p)), evaluate=False),
                r"Cone coordinates: $u = Wz + b = W(z - p)$, and those of $\tau(z)$ are $\sigma(u)$.", check)


@lru_cache(maxsize=None)
def general_step() -> Step:
    """The T2 statements about σ at symbolic ``Q``, coordinate by coordinate (the key step)."""
    u = msym("u", 1)
    s, D = ramp(u), indicator(u)
    check = coordinatewise([
        ("sigma(u) = D_I u", s - D * u, "= 0", "+-0"),
        ("D_I (u - sigma(u)) = 0", D * (u - s), "= 0", "+-0"),
        ("sigma(u) >= 0", s, ">= 0", "+-0"),
        ("u > 0 gives sigma(u) = u", s - u, "= 0", "+"),
        ("u <= 0 gives sigma(u) = 0", s, "= 0", "-0"),
    ], "D_I = diag([u_i > 0]); every Q >= 1")
    return Step(r"\sigma(u) = D_I u,\quad D_I(u - \sigma(u)) = 0,\quad \sigma(u) \ge 0\quad (u \in \mathbb{R}^Q,\ Q \text{ symbolic})",
                r"On the sign pattern $I = \{i : u_i > 0\}$: $\tau(z) = p + \sum_{i \in I} u_i\, W^{-1}e_i$ lies on the face "
                r"spanned by the edges $W^{-1}e_i$, $i \in I$, and $z - \tau(z)$ along the other edges; "
                r"$I = \{1, \dots, Q\}$ gives $\tau(z) = z$, $I = \emptyset$ gives $\tau(z) = p$. Proved for every $Q$: "
                r"entry $i$ of each side involves $u_i$ alone, and the scalar facts hold for $u_i > 0$, $< 0$, $= 0$.",
                check, key=True)


def _case(u):
    pattern = [bool(e.is_positive) for e in u]
    D = pattern_matrix(pattern)
    s = sigma(u)
    zeros = list(s - D * u) + list(D * (u - s))
    if all(pattern):
        zeros += list(s - u)
    if not any(pattern):
        zeros += list(s)
    return zeros, list(s)


def float_sample(Q: int, seed: int) -> Check:
    """Random float ``W``, ``b`` and points of every sign region: τ against the T2 statements."""
    rng = np.random.default_rng(seed)
    W, b = random_invertible(Q, rng), rng.standard_normal(Q)
    tau = truncation_map(W, b)
    u = random_cone_coordinates(Q, rng)
    Z = tau.apex[:, None] + np.linalg.solve(W, u)
    image = tau(Z)
    kept = np.where(u > 0, u, 0.0)
    return certify_equal(W @ (image - tau.apex[:, None]), kept, f"float64 sample, Q = {Q}",
                         f"{u.shape[1]} random points of random sign patterns (seed {seed})", scale=float(np.abs(u).max()))


def data_check(ctx) -> Check:
    """Three truncation maps on the data points: apex at the centroid of the means (mixed
    regions), and the same cone shifted until the data lie in ``K⁺``, then in ``K⁻``."""
    data, W = ctx.data, ctx.parameters.weights[0]
    one = arith.array([1] * ctx.Q, ctx.kind)
    centroid = data.means @ one / one.sum()
    reach = np.max(np.abs(W @ (data.X - centroid[:, None]))) + 1
    checks, counts = [], []
    for shift in (0, -reach, reach):
        tau = truncation_map(W, -(W @ centroid) - shift * one)
        checks.append(_statements(tau, data.X))
        forward, backward = tau.in_forward_cone(data.X, strict=False), tau.in_backward_cone(data.X, strict=False)
        counts.append(f"{int(forward.sum())}/{int(backward.sum())}/{int((~(forward | backward)).sum())}")
    kind = ctx.kind.label
    return combine(checks, f"{kind} check on the data",
                   "apex at the centroid of the means, then shifted along W^-1(1,...,1) both ways; "
                   f"points in K+/K-/mixed regions: {', '.join(counts)}")


def _statements(tau, Z) -> Check:
    """T2 on the columns of ``Z``: identity on ``K⁺``, apex on ``K⁻``, face and direction elsewhere."""
    u, image, p = tau.coordinates(Z), tau(Z), tau.apex[:, None]
    forward, backward = tau.in_forward_cone(Z, strict=False), tau.in_backward_cone(Z, strict=False)
    # float rounding grows with the terms that cancel: |W| |z| Q + |b|
    scale = max(1, sizes.magnitude(tau.W) * max(sizes.magnitude(Z), sizes.magnitude(p)) * Z.shape[0]
                + sizes.magnitude(tau.b))
    return combine([
        certify_equal(image[:, forward], Z[:, forward], "identity on K+", scale=scale),
        certify_equal(image[:, backward], np.repeat(p, int(backward.sum()), axis=1), "K- to the apex", scale=scale),
        certify_equal(tau.coordinates(image), np.where(u > 0, u, 0 * u), "onto the face spanned by the kept edges",
                      scale=scale),
        certify_equal(np.where(u > 0, tau.W @ (Z - image), 0 * u), 0 * u, "along the dropped edges", scale=scale),
    ], "T2 statements")


def derive(ctx) -> Derivation:
    sizes = proof_sizes(ctx.Q)
    split = case_split(sizes, _case, "u_i > 0 on the pattern, u_i <= 0 off it; sigma evaluated by SymPy's Max")
    sample = float_samples(float_sample, ctx, 0)
    return truncation_derivation(
        ctx, RECIPE, lemmas=(coordinate_lemma(), general_step()),
        split=(r"\sigma(u) = D_I u,\quad D_I(u - \sigma(u)) = 0,\quad \sigma(u) \ge 0", split),
        sample=(r"W(\tau(z) - p) = \sigma(W(z - p))", "Random invertible W and points in every region.", sample),
        data=(r"\tau(z) \text{ on the data: } K^{+} \mapsto \text{itself},\ K^{-} \mapsto p,\ \text{mixed} \mapsto "
              r"\text{face}", "The statements checked point by point on the data.", data_check(ctx)))


RECIPE = Recipe(ID, TITLE, STATEMENT, Scope.all_q(), derive)
