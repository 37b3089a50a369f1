"""Global minimizers for ``L ≥ Q`` (MATH.md §3, G1–G2): the explicit family.

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

>>> from symgeom.data import default_data
>>> fam = global_minimizer(default_data(), 3)
>>> fam.order, fam.criterion.holds
((1, 2, 3), True)
>>> from symgeom.cost import cost
>>> cost(fam.member(), default_data())
0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache

import numpy as np
import sympy as sp

from . import arith
from ._errors import ConstructionError
from .certificates import CERTIFIED, CHECKED, FLOAT_RTOL, REFUTED, Check, combine
from .cost import output_cost
from .cumulative import CumulativeParameters, actual_parameters
from .data import ClusterData
from .network import Parameters, forward
from .symmetry import act
from .truncation import truncation_map


# -- the sufficient condition ----------------------------------------------------------
@lru_cache(maxsize=None)
def criterion_constant():
    """``(c, bounds)``: SymPy derivation of the constant ``c(γ, κ, Q)`` with ``ρ < c`` sufficient.

    The apex offset ``s`` must satisfy (I1) ``s(1−γ) > δ(1+γ)`` (collapsed cluster inside the open
    backward cone), (I2) ``h − 2s > γ(D + 2s)`` (other clusters and earlier apexes inside the open
    forward cone: ``v·(z−p) ≥ h − 2s`` and ``|z−p| ≤ D + 2s`` for ``s ≥ δ``) and (I3) ``s < h/Q``
    (the apexes stay affinely independent: their barycentric matrix ``I − s G`` has
    ``‖sG‖_∞ ≤ sQ/h < 1``).  Such ``s`` exists iff ``δ`` is below the solution of
    ``s_min(δ) = min(s_I2, s_I3)``.
    """
    g, k, Q, d, h, s = sp.symbols("gamma kappa Q delta h s", positive=True)
    s_min = d * (1 + g) / (1 - g)
    s_i2 = sp.solve(sp.Eq(h - 2 * s, g * (k * h + 2 * s)), s)[0]
    s_i3 = h / Q
    c_i2, c_i3 = (sp.factor(sp.simplify(sp.solve(sp.Eq(s_min, upper), d)[0] / h)) for upper in (s_i2, s_i3))
    return sp.Min(c_i2, c_i3), {"s_min": s_min, "s_I2": s_i2, "s_I3": s_i3, "c_I2": c_i2, "c_I3": c_i3,
                                "symbols": (g, k, Q, d, h)}


@dataclass(frozen=True)
class Criterion:
    """The closed-form test ``ρ < c`` for the data, with the numbers behind it."""

    gamma: object
    """Bound on the opening of every cone (rational)."""
    kappa: object
    """``κ = D / h``."""
    constant: object
    """``c(γ, κ, Q)``."""
    rho: object
    """The data's ``ρ``."""
    holds: bool
    """Whether ``ρ < c``."""
    s_min: object
    """Smallest admissible apex offset ``δ(1+γ)/(1−γ)``."""
    s_max: object
    """Largest admissible apex offset ``min((h − γD)/(2(1+γ)), h/Q)``."""


def clustering_criterion(data: ClusterData, gamma=None) -> Criterion:
    """Evaluate the sufficient condition ``ρ < c`` on the data (exactly for exact data)."""
    c, b = criterion_constant()
    g, k, Q, d, h = b["symbols"]
    exact = data.kind.is_exact
    if data.Q == 1:
        kappa = sp.Integer(0) if exact else 0.0
    elif exact:
        kappa = sp.sqrt(arith.to_sympy(data.diameter_squared) / arith.to_sympy(min(data.altitudes_squared)))
    else:
        kappa = math.sqrt(float(data.diameter_squared) / float(min(data.altitudes_squared)))
    if gamma is None:
        gamma = sp.Rational(1, 2 * (1 + int(sp.ceiling(kappa))))
    gamma = arith.to_sympy(arith.to_exact(gamma)) if exact else float(gamma)
    if not 0 < gamma < 1:
        raise ConstructionError(f"the cone parameter gamma must lie in (0, 1), got {gamma}")
    values = {g: gamma, k: kappa, Q: data.Q}
    if data.Q == 1:
        s_max = sp.oo if exact else math.inf
        constant = sp.oo if exact else math.inf
    else:
        hv, dv = data.h, data.delta
        values.update({h: hv if exact else float(hv), d: dv if exact else float(dv)})
        s_max = sp.Min(*(e.subs(values) for e in (b["s_I2"], b["s_I3"])))
        constant = c.subs(values)
        if not exact:
            s_max, constant = float(s_max), float(constant)
    s_min = b["s_min"].subs({g: gamma, d: data.delta}) if exact else float(data.delta) * (1 + gamma) / (1 - gamma)
    holds = bool(data.rho < constant)
    return Criterion(gamma, kappa, constant, data.rho, holds, s_min, s_max)


# -- cones -----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CollapseCone:
    """The cumulative cone of the layer that collapses one cluster."""

    layer: int
    """``ℓ``, the hidden layer (1-based)."""
    cluster: int
    """``k``, the collapsed cluster (1-based)."""
    normal: np.ndarray
    """``n_k = f_k − m_k``; ``v = n_k / h_k`` is the cone's axis."""
    offset: object
    """``σ_k``: the apex is ``p_k = m_k + σ_k n_k``."""
    spread: object
    """``t``: the rows of ``W`` are ``n_k + t g_i``."""
    W: np.ndarray
    """``W^(ℓ)``."""
    b: np.ndarray
    """``b^(ℓ) = −W^(ℓ) p_k``."""

    @cached_property
    def apex(self) -> np.ndarray:
        """``p_k = −W⁻¹ b``."""
        return truncation_map(self.W, self.b).apex


def complement_simplex(n: np.ndarray) -> np.ndarray:
    """``Q`` vectors ``g_i`` (columns) spanning ``n^⊥`` with ``Σ g_i = 0``, rational for rational ``n``:
    ``g_j = e_j − (n_j / n_a) e_a`` for ``j ≠ a`` (``a`` the largest entry of ``n``), and minus their sum."""
    Q = n.shape[0]
    kind = arith.kind_of(n)
    a = int(np.argmax(np.abs(n.astype(float))))
    G = arith.zeros((Q, Q), kind)
    cols = [j for j in range(Q) if j != a]
    for c, j in enumerate(cols):
        G[j, c] = G[j, c] + 1
        G[a, c] = G[a, c] - n[j] / n[a]
    if Q > 1:
        G[:, Q - 1] = -G[:, : Q - 1].sum(axis=1)
    return G


def collapse_cone(data: ClusterData, cluster: int, layer: int, gamma, offset) -> CollapseCone:
    """The cone collapsing ``cluster`` at ``layer`` with apex offset ``σ = offset``; its opening
    ``t·max|g_i|/|n|`` is at most ``gamma`` (``t = γ |n|_∞ / (Q max_i |g_i|_∞)``)."""
    k = cluster - 1
    n = data.normals[:, k]
    G = complement_simplex(n)
    Q, kind = data.Q, data.kind
    gmax = np.max(np.abs(G)) if G.size else 0
    if gmax == 0:
        t = kind.scalar(0)
    else:
        gam = kind.scalar(gamma)
        t = gam * np.max(np.abs(n)) / (Q * gmax)
    W = n[None, :] + t * G.T
    apex = data.means[:, k] + offset * n
    return CollapseCone(layer, cluster, n, offset, t, W, -(W @ apex))


def _simplest_between(x: Fraction, y: Fraction) -> Fraction:
    """The rational with the smallest denominator strictly between ``x < y`` (continued fractions)."""
    fl = math.floor(x)
    if fl + 1 < y:
        return Fraction(fl + 1)
    low = 1 / (y - fl)  # >= 1
    if x == fl:
        return fl + 1 / Fraction(math.floor(low) + 1)
    return fl + 1 / _simplest_between(low, 1 / (x - fl))


def _rational_inside(lo, hi):
    """A short rational strictly inside the middle half of ``(lo, hi)``; ``lo``, ``hi`` may be
    algebraic (SymPy).  Found on decimal approximations, then confirmed by exact comparison."""
    lo, hi = sp.sympify(lo), sp.sympify(hi)
    mid, quarter = (lo + hi) / 2, (hi - lo) / 4
    for digits in (30, 60, 120, 240):
        a, b = (Fraction(str(sp.N(e, digits))) for e in (mid - quarter, mid + quarter))
        if a < b:
            q = _simplest_between(a, b)
            r = sp.Rational(q.numerator, q.denominator)
            if bool(lo < r) and bool(r < hi):
                return arith.to_exact(q)
    raise ConstructionError(f"no rational apex offset found in ({lo}, {hi})")


def default_offsets(data: ClusterData, crit: Criterion) -> list:
    """The apex offsets ``σ_k`` with ``σ_k h_k`` in the middle of ``(s_min, s_max)`` (when ``ρ < c``)."""
    exact = data.kind.is_exact
    out = []
    for k in range(data.Q):
        if data.Q == 1:
            lo, hi, hk = crit.s_min, 2 * crit.s_min + 1, (sp.Integer(1) if exact else 1.0)
        else:
            lo, hi, hk = crit.s_min, crit.s_max, data.altitudes[k]
        out.append(_rational_inside(sp.sympify(lo) / hk, sp.sympify(hi) / hk) if exact else float((lo + hi) / 2) / float(hk))
    return out


def fitted_cone(data: ClusterData, cluster: int, layer: int, Z: np.ndarray, crit: Criterion, tries: int = 4) -> CollapseCone:
    """The exact check in constructive form, for data where ``ρ < c`` fails: with the cone's rows
    fixed, ``W(z − p) = W(z − m_k) − σ |n_k|² 1``, so the admissible offsets form the interval
    ``max_{z ∈ cluster k} max_i (W(z − m_k))_i / |n_k|² < σ < min_{z ∉ cluster k} min_i (W(z − m_k))_i / |n_k|²``,
    computed exactly on the current points ``Z`` (row by row, divided by ``(W n_k)_i = |n_k|² > 0``).  The opening is halved until the interval is
    non-empty; otherwise :class:`ConstructionError` names the two points in conflict."""
    k = cluster - 1
    n, m = data.normals[:, k], data.means[:, k]
    norm2 = np.sum(n * n)
    inside = data.labels == cluster
    for attempt in range(tries):
        g = crit.gamma / 4**attempt
        cone = collapse_cone(data, cluster, layer, g, 0 * norm2)
        ratios = (cone.W @ (Z - m[:, None])) / (cone.W @ n)[:, None]
        need = ratios[:, inside]
        allow = ratios[:, ~inside]
        lo = max(need.reshape(-1), key=float)
        hi = min(allow.reshape(-1), key=float) if allow.size else lo + 2 * abs(lo) + 1
        if lo < hi:
            sigma = _rational_inside(arith.to_sympy(lo), arith.to_sympy(hi)) if data.kind.is_exact else (lo + hi) / 2
            return collapse_cone(data, cluster, layer, g, sigma)
    i_lo = int(np.argmax(need.astype(float)) % need.shape[1])
    i_hi = int(np.argmin(allow.astype(float)) % allow.shape[1])
    point_lo = int(np.flatnonzero(inside)[i_lo]) + 1
    point_hi = int(np.flatnonzero(~inside)[i_hi]) + 1
    raise ConstructionError(
        f"layer {layer} (collapsing cluster {cluster}): no apex p = m_{cluster} + sigma n_{cluster} puts cluster {cluster} "
        f"strictly inside the open backward cone and every other point strictly inside the open forward cone: point "
        f"{point_lo} (cluster {cluster}) needs sigma > {arith.format_number(lo)} but point {point_hi} (cluster "
        f"{int(data.labels[point_hi - 1])}) needs sigma < {arith.format_number(hi)}; the data are not sufficiently "
        f"clustered: rho = {arith.format_number(crit.rho)} >= c = {arith.format_number(crit.constant)}")


# -- the family ------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GlobalMinimizerFamily:
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
                offsets.append(_rational_inside(point * sp.Rational(99, 100) / hk, point / hk)
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
        from .printing import latex

        P = latex(arith.to_sympy(self.apexes)) if self.data.kind.is_exact else "P"
        return (rf"\text{{global minimizers, }} Q={self.Q},\ L={self.L},\ \pi = {self.order},\ "
                rf"P = {P},\ [A \mid c] = Y [P; \mathbf{{1}}^T]^{{+}} + \zeta n^T")

    def _repr_latex_(self) -> str:
        from .printing import latex

        return "$" + latex(self) + "$"

    def __str__(self) -> str:
        return (f"GlobalMinimizerFamily(Q={self.Q}, L={self.L}, order={self.order}, "
                f"criterion {'holds' if self.criterion.holds else 'fails'}, min margin {arith.format_number(min(self.margins))})")


def global_minimizer(data: ClusterData, L: int, order=None, gamma=None, offsets=None, beta=1) -> GlobalMinimizerFamily:
    """Construct the explicit family of global minimizers (G1) for ``L ≥ Q``.

    ``order`` is the collapse order (cluster labels, default ``1..Q``); ``gamma`` bounds the cones'
    opening; ``offsets[k-1]`` is ``σ_k`` (apex ``m_k + σ_k n_k``).  Every strict sign condition is
    checked exactly (or in floats) on the data as the layers are built; the first violated one
    raises :class:`~symgeom.ConstructionError` naming the layer, the cluster, the point and the value.
    """
    Q = data.Q
    if L < Q:
        raise ConstructionError(f"the construction needs L ≥ Q (got L={L}, Q={Q})")
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


def collapse_layers(data: ClusterData, order, crit: Criterion, offsets=None):
    """Layers ``1..len(order)``, layer ``ℓ`` collapsing cluster ``order[ℓ-1]`` into the apex of its
    cone (closed-form offsets when given, else fitted exactly to the current points), every strict
    sign condition checked as the layer is built.  Returns ``(cones, margins, curated points)``."""
    cones, margins, Z = [], [], data.X
    for layer, k in enumerate(order, start=1):
        if offsets is None:
            cone = fitted_cone(data, k, layer, Z, crit)
        else:
            cone = collapse_cone(data, k, layer, crit.gamma, offsets[k - 1])
        U = cone.W @ Z + cone.b[:, None]
        margins.append(_sign_margin(U, data.labels == k, layer, k, data, crit))
        cones.append(cone)
        Z = truncation_map(cone.W, cone.b)(Z)
    return tuple(cones), tuple(margins), Z


def _sign_margin(U: np.ndarray, collapsed: np.ndarray, layer: int, k: int, data: ClusterData, crit: Criterion):
    """Smallest slack of the strict conditions ``U < 0`` on the collapsed cluster and ``U > 0``
    elsewhere; raises :class:`ConstructionError` at the first violation."""
    slack = np.where(collapsed[None, :], -U, U)
    flat = slack.reshape(-1)
    i = int(np.argmin(flat))
    worst = flat[i]
    tol = 0 if flat.dtype == object else FLOAT_RTOL * max(1.0, float(np.max(np.abs(U))))
    if not worst > tol:
        row, col = divmod(i, U.shape[1])
        j = int(data.labels[col])
        where = "open backward cone" if j == k else "open forward cone"
        sign = "< 0" if j == k else "> 0"
        reason = (f"layer {layer} (collapsing cluster {k}): point {col + 1} (cluster {j}) is not strictly inside the "
                  f"{where}: (W^({layer}) z + b^({layer}))_{row + 1} = {arith.format_number(U[row, col])}, needs {sign}")
        if not crit.holds:
            reason += (f"; the data are not sufficiently clustered: rho = {arith.format_number(crit.rho)} "
                       f">= c = {arith.format_number(crit.constant)}")
        raise ConstructionError(reason)
    return worst


# -- certificates ----------------------------------------------------------------------
def certify_global_minimizer(params: Parameters, data: ClusterData, order) -> Check:
    """G1 for given parameters: cost 0, and every strict sign condition of the construction
    (layer ``ℓ ≤ Q`` collapses cluster ``order[ℓ-1]``; layers beyond ``Q`` keep every pre-activation
    positive).  Exact data: ``certified`` with the cost exactly 0; floats: ``checked``."""
    from .certificates import certify_positive
    from .truncation import layer_truncations

    Q = data.Q
    checks, Z = [], data.X
    for layer, (tau, k) in enumerate(zip(layer_truncations(params)[:Q], order), start=1):
        U = tau.coordinates(Z)
        collapsed = data.labels == k
        checks.append(certify_positive(np.where(collapsed[None, :], -U, U), f"sign conditions of layer {layer}"))
        Z = tau(Z)
    pre, xs = forward(params, data.X)
    if params.L > Q:
        checks.append(certify_positive(np.stack(pre[Q:params.L]), "pre-activations of the identity layers"))
    C = output_cost(xs[-1], data)
    exact = data.kind.is_exact
    if exact:
        cost_check = Check(CERTIFIED, "exact cost", residual=C) if C == 0 else \
            Check(REFUTED, "exact cost", residual=C, counterexample=f"cost {C} != 0")
    else:
        tol = FLOAT_RTOL * max(1.0, float(np.max(np.abs(data.Y))) ** 2)
        cost_check = Check(CHECKED if C <= tol else REFUTED, "float cost", residual=C, tolerance=tol,
                           counterexample=None if C <= tol else f"cost {C!r} > {tol:.3g}")
    checks.append(cost_check)
    kind = "exact rational" if exact else "float64"
    return combine(checks, f"{kind} cost and strict sign conditions",
                   f"{len(checks) - 1} groups of strict inequalities over N = {data.N} points, L = {params.L}")
