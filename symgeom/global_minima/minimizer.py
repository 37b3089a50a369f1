"""Global minimizers for ``L ≥ Q`` (docs/mathematics/global-minima.md, G1–G2): the explicit family.

Layer ``ℓ = 1..Q`` collapses cluster ``k = π(ℓ)`` into the apex ``p_k`` of its cumulative cone:
rows of ``W^(ℓ)`` are ``n_k + t g_i``, where ``n_k = f_k − m_k`` points from ``m_k`` to its foot
``f_k`` on the affine hull of the other means (``|n_k| = h_k``), and ``g_1 … g_Q`` span
``n_k^⊥`` with ``Σ g_i = 0``; the apex is ``p_k = m_k + σ_k n_k``.  With ``v = n_k/h_k``,
``s = σ_k h_k`` and ``γ`` a bound on the cone's opening (``t·max|g_i| ≤ γ|n_k|``), a point ``z``
is in the open forward (backward) cone when ``v·(z − p) > γ|z − p|`` (``< −γ|z − p|``).
Layers ``ℓ > Q`` are ``W_ℓ = I``, ``b_ℓ = β(1, …, 1)``; the output map sends each apex to its
target, ``A p_k + c = y_k``, with ``[A | c] = Y [P; 1ᵀ]⁺ + ζ nᵀ`` (G2).

Sufficient condition (derived in :func:`criterion_constant`): the construction succeeds whenever
``ρ < c(γ, κ, Q) = min((1−γ)(1−γκ) / (2(1+γ)²), (1−γ) / ((1+γ)Q))``, ``κ = D/h`` the ratio of the
largest distance between means to the smallest altitude; the exact check of every strict sign
condition on the data may succeed where it does not.

>>> from symgeom.data.embedded import default_data
>>> fam = global_minimizer(default_data(), 3)
>>> fam.order, fam.criterion.holds
((1, 2, 3), True)
>>> from symgeom.calculus.cost import cost
>>> cost(fam.member(), default_data())
0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import numpy as np
import sympy as sp

from ..numbers import arith, sizes
from .._errors import ConstructionError
from ..certify.certificates import CERTIFIED, CHECKED, Check, FLOAT_RTOL, REFUTED, certify_positive, combine
from .cones import collapse_layers, default_offsets, filtered_collapse_margin, rational_inside
from ..calculus.cost import output_cost
from .criterion import Criterion, clustering_criterion
from ..model.cumulative import CumulativeParameters, actual_parameters
from ..data.clusters import ClusterData
from ..model.regions import affine_on_pattern
from ..numbers.filtered import (MAX_REGIONS, certified_patterns, float_points, minimum_candidates,
    pattern_groups)
from ..model.network import Parameters, forward
from ..model.symmetry import act
from ..model.truncation import layer_truncations, truncation_map
from ..numbers.printing import latex

__all__ = [
    "GlobalMinimizerFamily", "global_minimizer", "certify_global_minimizer", "LAYER_SIGNS", "IDENTITY_SIGNS",
    "affine_on_point", "OutputFiber",
]


# -- the family ------------------------------------------------------------------------
class OutputFiber:
    """G2's output fiber over the points ``P = [p_1 … p_Q]`` (:attr:`apexes`, column ``k`` where cluster ``k``
    ends, ``Q x Q``) that the output map must send to the targets ``Y`` (``self.data.Y``)."""

    @cached_property
    def lifted(self) -> np.ndarray:
        """``[P; 1ᵀ]``, ``(Q+1) x Q``."""
        one = arith.array([[1] * self.Q], self.data.kind)
        return np.vstack([self.apexes, one])

    @cached_property
    def fiber_normal(self) -> np.ndarray:
        """``n = (a, β)``, spanning the left null space of ``[P; 1ᵀ]``."""
        basis = arith.nullspace(self.lifted.T)
        if basis.shape[1] != 1:
            raise ConstructionError(f"the apexes are not affinely independent (left null space of [P; 1^T] has dimension {basis.shape[1]})")
        return basis[:, 0]

    @cached_property
    def particular_output(self) -> np.ndarray:
        """``Y [P; 1ᵀ]⁺ = Y (BᵀB)⁻¹ Bᵀ`` with ``B = [P; 1ᵀ]``: the output map with ``ζ = 0``."""
        B = self.lifted
        return self.data.Y @ arith.inv(B.T @ B) @ B.T

    def output_map(self, zeta=None) -> np.ndarray:
        """``[A | c] = Y [P; 1ᵀ]⁺ + ζ nᵀ`` (``Q x (Q+1)``)."""
        M = self.particular_output
        if zeta is not None:
            z = arith.array(list(zeta), self.data.kind)
            M = M + np.outer(z, self.fiber_normal)
        return M


@dataclass(frozen=True, eq=False)
class GlobalMinimizerFamily(OutputFiber):
    """The explicit family of global minimizers built on the data (G1, G2).

    Free parameters: the order of collapse, each layer's cone (apex offset, opening), the bias
    ``β`` of the identity layers, positive scalings and permutations of every hidden layer (T5),
    and the output-fiber vector ``ζ ∈ R^Q``.
    """

    data: ClusterData
    L: int
    order: tuple
    """``(π(1), …, π(Q))``: the cluster collapsed by each of the first ``Q`` layers."""
    criterion: Criterion
    cones: tuple
    """One :class:`CollapseCone` per collapsing layer."""
    beta: object
    """Bias of the identity layers ``ℓ > Q``."""
    margins: tuple = field(repr=False)
    """Per collapsing layer, the smallest ``|(W^(ℓ) z + b^(ℓ))_i|`` over the strict sign conditions."""

    @property
    def Q(self) -> int:
        return self.data.Q

    @cached_property
    def apexes(self) -> np.ndarray:
        """``P = [p_1 … p_Q]``: column ``k`` is the apex cluster ``k`` is collapsed to."""
        cols = [None] * self.Q
        for cone in self.cones:
            cols[cone.cluster - 1] = cone.apex
        return np.stack(cols, axis=1)

    @cached_property
    def hidden_cumulative(self) -> tuple[list, list]:
        """``(W^(ℓ), b^(ℓ))`` for ``ℓ = 1..L``."""
        Ws, bs = [c.W for c in self.cones], [c.b for c in self.cones]
        one = arith.array([1] * self.Q, self.data.kind)
        for _ in range(self.L - self.Q):
            Ws.append(Ws[-1])
            bs.append(bs[-1] + self.beta * one)
        return Ws, bs

    def cumulative(self, zeta=None) -> CumulativeParameters:
        """All cumulative parameters of the member with output-fiber vector ``ζ``."""
        Ws, bs = self.hidden_cumulative
        M = self.output_map(zeta)
        return CumulativeParameters(tuple(Ws) + (M[:, : self.Q],), tuple(bs) + (M[:, self.Q],))

    def member(self, zeta=None, scalings=None, permutations=None) -> Parameters:
        """The actual parameters of one member: output fiber ``ζ`` (default 0), and the symmetry
        ``(D_ℓ, Π_ℓ)`` applied at every hidden layer (default: none)."""
        params = actual_parameters(self.cumulative(zeta))
        if scalings is not None or permutations is not None:
            scalings = scalings if scalings is not None else [[1] * self.Q] * self.L
            permutations = permutations if permutations is not None else [tuple(range(self.Q))] * self.L
            params = act(params, [arith.array(list(s), self.data.kind) for s in scalings], permutations)
        return params

    def sample(self, rng: np.random.Generator) -> Parameters:
        """A random member: random apex offsets (when the criterion gives an interval), ``ζ``,
        scalings and permutations."""
        fam = self
        if self.criterion.holds and self.Q > 1:
            offsets = []
            for cone in self.cones:
                hk = self.data.altitudes[cone.cluster - 1]
                lo, hi = self.criterion.s_min, self.criterion.s_max
                u = sp.Rational(int(rng.integers(1, 16)), 16) if self.data.kind.is_exact else rng.uniform(0.05, 0.95)
                point = lo + u * (hi - lo)
                offsets.append(rational_inside(point * sp.Rational(99, 100) / hk, point / hk)
                               if self.data.kind.is_exact else float(point) / float(hk))
            by_cluster = [None] * self.Q
            for cone, o in zip(self.cones, offsets):
                by_cluster[cone.cluster - 1] = o
            fam = global_minimizer(self.data, self.L, self.order, gamma=self.criterion.gamma, offsets=by_cluster,
                                   beta=self.beta)
        small = [Fraction(int(v), 8) for v in rng.integers(-8, 9, size=self.Q)]
        scalings = [[Fraction(int(v), 4) for v in rng.integers(1, 13, size=self.Q)] for _ in range(self.L)]
        perms = [tuple(int(i) for i in rng.permutation(self.Q)) for _ in range(self.L)]
        if not self.data.kind.is_exact:
            small, scalings = [float(v) for v in small], [[float(v) for v in s] for s in scalings]
        return fam.member(small, scalings, perms)

    @cached_property
    def curated(self) -> list[np.ndarray]:
        """``[z^(0), …, z^(Q)]``: the data after each collapsing layer."""
        zs = [self.data.X]
        for cone in self.cones:
            zs.append(truncation_map(cone.W, cone.b)(zs[-1]))
        return zs

    @cached_property
    def rho_by_layer(self) -> tuple:
        """``ρ^(ℓ)``, ``ℓ = 0..L``: noise-to-signal ratio of the curated points (0 once all are collapsed)."""
        out = []
        for z in self.curated:
            out.append(ClusterData(X=z, labels=self.data.labels, Y=self.data.Y, kind=self.data.kind, source="curated").rho)
        return tuple(out) + (out[-1],) * (self.L - self.Q)

    def _latex(self, printer) -> str:
        P = latex(arith.to_sympy(self.apexes)) if self.data.kind.is_exact else "P"
        return (rf"\text{{global minimizers, }} Q={self.Q},\ L={self.L},\ \pi = {self.order},\ "
                rf"P = {P},\ [A \mid c] = Y [P; \mathbf{{1}}^T]^{{+}} + \zeta n^T")

    def _repr_latex_(self) -> str:
        return "$" + latex(self) + "$"

    def __str__(self) -> str:
        return (f"GlobalMinimizerFamily(Q={self.Q}, L={self.L}, order={self.order}, "
                f"criterion {'holds' if self.criterion.holds else 'fails'}, min margin {sizes.format_number(min(self.margins))})")


def global_minimizer(data: ClusterData, L: int, order=None, gamma=None, offsets=None, beta=1) -> GlobalMinimizerFamily:
    """Construct the explicit family of global minimizers (G1) for ``L ≥ Q``.

    ``order`` is the collapse order (cluster labels, default ``1..Q``); ``gamma`` bounds the cones'
    opening; ``offsets[k-1]`` is ``σ_k`` (apex ``m_k + σ_k n_k``).  Every strict sign condition is
    checked exactly (or in floats) on the data as the layers are built; the first violated one
    raises :class:`~symgeom.ConstructionError` naming the layer, the cluster, the point and the value.
    """
    Q = data.Q
    if L < Q:
        raise ConstructionError(f"the construction needs L >= Q (got L={L}, Q={Q})")
    order = tuple(range(1, Q + 1)) if order is None else tuple(int(k) for k in order)
    if sorted(order) != list(range(1, Q + 1)):
        raise ConstructionError(f"the order must be a permutation of the cluster labels 1..{Q}, got {order}")
    crit = clustering_criterion(data, gamma)
    if offsets is not None:
        offsets = [data.kind.scalar(o) for o in offsets]
    elif crit.holds:
        offsets = default_offsets(data, crit)
    beta = data.kind.scalar(beta)
    if not beta > 0:
        raise ConstructionError(f"the identity layers need beta > 0, got {beta}")
    cones, margins, _ = collapse_layers(data, order, crit, offsets)
    fam = GlobalMinimizerFamily(data, L, order, crit, cones, beta, margins)
    fam.fiber_normal  # noqa: B018 -- raises when the apexes are affinely dependent
    return fam


# -- certificates ----------------------------------------------------------------------
def certify_global_minimizer(params: Parameters, data: ClusterData, order) -> Check:
    """G1 for given parameters: cost 0, and every strict sign condition of the construction
    (layer ``ℓ ≤ Q`` collapses cluster ``order[ℓ-1]``; layers beyond ``Q`` keep every pre-activation
    positive).  Exact data: ``certified`` with the cost exactly 0; floats: ``checked``."""
    checks = _filtered_certificate_checks(params, data, order)
    if checks is None:
        checks = _exact_certificate_checks(params, data, order)
    exact = data.kind.is_exact
    kind = "exact rational" if exact else "float64"
    return combine(checks, f"{kind} cost and strict sign conditions",
                   f"{len(checks) - 1} groups of strict inequalities over N = {data.N} points, L = {params.L}")


def _cost_check(C, data: ClusterData) -> Check:
    """The cost of G1: exactly 0 (``certified``), or within the float tolerance (``checked``)."""
    if data.kind.is_exact:
        return Check(CERTIFIED, "exact cost", residual=C) if C == 0 else \
            Check(REFUTED, "exact cost", residual=C, counterexample=f"cost {C} != 0")
    tol = FLOAT_RTOL * max(1.0, float(np.max(np.abs(data.Y))) ** 2)
    return Check(CHECKED if C <= tol else REFUTED, "float cost", residual=C, tolerance=tol,
                 counterexample=None if C <= tol else f"cost {C!r} > {tol:.3g}")


LAYER_SIGNS = "sign conditions of layer {}"
IDENTITY_SIGNS = "pre-activations of the identity layers"


def _exact_certificate_checks(params: Parameters, data: ClusterData, order) -> list:
    """The checks of :func:`certify_global_minimizer`, every value computed in the data's arithmetic."""
    Q = data.Q
    checks, Z = [], data.X
    for layer, (tau, k) in enumerate(zip(layer_truncations(params)[:Q], order), start=1):
        U = tau.coordinates(Z)
        collapsed = data.labels == k
        checks.append(certify_positive(np.where(collapsed[None, :], -U, U), LAYER_SIGNS.format(layer)))
        Z = tau(Z)
    pre, xs = forward(params, data.X)
    if params.L > Q:
        checks.append(certify_positive(np.stack(pre[Q:params.L]), IDENTITY_SIGNS))
    checks.append(_cost_check(output_cost(xs[-1], data), data))
    return checks


def _filtered_certificate_checks(params: Parameters, data: ClusterData, order):
    """The same checks as :func:`_exact_certificate_checks` when every one of them holds, through the
    floating-point filter (:mod:`symgeom.numbers.filtered`): signs certified in float64 with error bounds, the
    margins and the cost exact.  The cost is exact because every activation pattern met collapses the
    network to a constant map (``A = 0``, checked exactly per pattern), so each point's output is exactly
    that constant.  ``None`` (nothing certified this way) when the data are not exact or anything fails or
    is too close to call; the exact computation then decides, and reports any failure."""
    if not data.kind.is_exact or params.kind != data.kind:
        return None
    Q, L = data.Q, params.L
    checks, apexes = [], []
    for layer, (tau, k) in enumerate(zip(layer_truncations(params)[:Q], order), start=1):
        margin = filtered_collapse_margin(tau.W, tau.b, data, order[:layer - 1], apexes, k)
        if margin is None:
            return None
        checks.append(certify_positive(np.array([margin], dtype=object), LAYER_SIGNS.format(layer)))
        apexes.append(tau.apex)
    found = certified_patterns(params, float_points(data))
    if found is None:
        return None
    active, pre, bounds = found
    first, inverse = pattern_groups(active)
    if first.size > MAX_REGIONS:
        return None
    if L > Q:
        if not active[Q:L].all():
            return None
        where = minimum_candidates(np.stack(pre[Q:L]), np.stack(bounds[Q:L]))
        if where is None:
            return None
        margin = min(affine_on_point(params, active[:, :, n], l + Q + 1, data.X[:, n])[i]
                     for l, i, n in zip(*where))
        checks.append(certify_positive(np.array([margin], dtype=object), IDENTITY_SIGNS))
    total = data.kind.scalar(0)
    for g, n in enumerate(first):
        A, c = affine_on_pattern(params, active[:, :, n], L + 1)
        if any(x != 0 for x in A.reshape(-1)):
            return None
        counts = np.bincount(data.labels[inverse == g], minlength=Q + 1)[1:]
        r = c[:, None] - data.Y
        total += sum(int(m) * (r[:, j] @ r[:, j]) for j, m in enumerate(counts) if m)
    checks.append(_cost_check(total / data.kind.scalar(2 * data.N), data))
    return checks


def affine_on_point(params: Parameters, pattern: np.ndarray, layer: int, x: np.ndarray) -> np.ndarray:
    """The exact pre-activation of ``layer`` at the input ``x`` whose activation pattern is ``pattern``."""
    A, c = affine_on_pattern(params, pattern, layer)
    return A @ x + c
