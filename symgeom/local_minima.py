"""Local minima (MATH.md §4): the no-truncation minimum N1 and the ``2^Q − 1`` candidates N2.

For a proper subset ``S ⊊ {1..Q}`` the candidate collapses the clusters of ``S`` (one per layer,
in increasing label order), keeps every other point strictly inside the open forward cone of every
layer, and uses the affine least-squares fit on the curated points as output map:
``[A | c] = Y^ext Z̃ᵀ (Z̃ Z̃ᵀ)⁻¹`` with ``Z̃ = [Z; 1ᵀ]``.  ``S = ∅`` is N1, whose cost is
``(1/2N) ‖Y^ext (I − Π)‖²_F`` with ``Π`` the orthogonal projector onto the row space of
``[X; 1ᵀ]``.

Each candidate is settled in the full parameter space by :func:`settle`: an exact gradient
(nonzero: ``not_critical``, confirmed by an exact descent step), and for critical points the
Hessian (``local_minimum`` with its argument, ``saddle`` with a direction of negative curvature,
or ``undecided``).

>>> from symgeom.data import default_data
>>> n1 = candidate(default_data(), 3)
>>> n1.truncated, float(n1.cost) < 0.01
((), True)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from . import arith
from ._errors import ConstructionError
from .certificates import CERTIFIED, CHECKED, FLOAT_RTOL, REFUTED, Check, certify_equal, combine
from .cost import cost
from .cumulative import CumulativeParameters, actual_parameters
from .data import ClusterData
from .derivatives import gauss_newton, gradient, parameter_name, spectral_nullity
from .minimizer import clustering_criterion, collapse_layers, default_offsets
from .network import Parameters, activation_pattern, preactivations

LOCAL_MINIMUM, NOT_CRITICAL, SADDLE, UNDECIDED = "local_minimum", "not_critical", "saddle", "undecided"


def projection_cost(Z: np.ndarray, data: ClusterData):
    """``(1/2N) ‖Y^ext (I − Π)‖²_F`` for points ``Z`` (``Π`` projects onto the row space of
    ``[Z; 1ᵀ]``), through sufficient statistics:
    ``‖Y^ext‖² − tr((Y^ext Z̃ᵀ)(Z̃ Z̃ᵀ)⁻¹(Z̃ Y^extᵀ))``."""
    Zt = _lifted(Z, data.kind)
    Yx = data.targets_ext
    cross = arith.matmul(Yx, Zt.T)
    gram = arith.matmul(Zt, Zt.T)
    total = np.sum(Yx * Yx) - np.trace(cross @ arith.inv(gram) @ cross.T)
    return total / (2 * data.N if data.kind == "float" else arith.to_exact(2 * data.N))


def least_squares_output(Z: np.ndarray, data: ClusterData) -> np.ndarray:
    """``[A | c] = Y^ext Z̃ᵀ (Z̃ Z̃ᵀ)⁻¹``, the affine least-squares map from ``Z`` to the targets."""
    Zt = _lifted(Z, data.kind)
    gram = arith.matmul(Zt, Zt.T)
    if arith.rank(gram) < gram.shape[0]:
        raise ConstructionError("the curated points do not affinely span R^Q: the least-squares output map is not unique")
    return arith.matmul(data.targets_ext, Zt.T) @ arith.inv(gram)


def _lifted(Z: np.ndarray, kind) -> np.ndarray:
    return np.vstack([Z, arith.full((1, Z.shape[1]), 1, kind)])


@dataclass(frozen=True, eq=False)
class Candidate:
    """The candidate for one proper subset ``S`` of the clusters."""

    data: ClusterData
    L: int
    truncated: tuple
    """``S``, the collapsed cluster labels in increasing order (``()`` for N1)."""
    cumulative: CumulativeParameters
    curated: np.ndarray
    """``Z``: the points after the hidden layers."""
    margins: tuple = field(repr=False)
    """Smallest slack of the strict sign conditions of each collapsing layer."""

    @cached_property
    def params(self) -> Parameters:
        return actual_parameters(self.cumulative)

    @cached_property
    def cost(self):
        return cost(self.params, self.data)

    @property
    def label(self) -> str:
        return "{" + ", ".join(map(str, self.truncated)) + "}" if self.truncated else "{}"


def candidate(data: ClusterData, L: int, truncated=()) -> Candidate:
    """Build the candidate that collapses the clusters ``truncated`` (N1 when empty)."""
    Q, kind = data.Q, data.kind
    S = tuple(sorted(int(k) for k in truncated))
    if len(set(S)) != len(S) or not set(S) < set(range(1, Q + 1)):
        raise ConstructionError(f"the truncated clusters must form a proper subset of 1..{Q}, got {S}")
    if len(S) > L:
        raise ConstructionError(f"collapsing {len(S)} clusters needs L >= {len(S)} (got L={L})")
    one = arith.array([1] * Q, kind)
    beta = arith.to_exact(1) if kind == "exact" else 1.0
    if S:
        crit = clustering_criterion(data)
        offsets = default_offsets(data, crit) if crit.holds else None
        cones, margins, Z = collapse_layers(data, S, crit, offsets)
        Ws, bs = [c.W for c in cones], [c.b for c in cones]
    else:
        lowest = min(data.X.reshape(-1), key=float)
        shift = beta + (-lowest if lowest < 0 else 0 * beta)
        Ws, bs, margins, Z = [arith.identity(Q, kind)], [shift * one], (), data.X
    while len(Ws) < L:
        Ws.append(Ws[-1])
        bs.append(bs[-1] + beta * one)
    G = least_squares_output(Z, data)
    cum = CumulativeParameters(tuple(Ws) + (G[:, :Q],), tuple(bs) + (G[:, Q],))
    return Candidate(data, L, S, cum, Z, tuple(margins))


def candidates(data: ClusterData, L: int) -> list[Candidate]:
    """All ``2^Q − 1`` candidates, ``S = ∅`` first, then by size and labels; those needing more than
    ``L`` layers are skipped."""
    Q = data.Q
    subsets = [S for r in range(Q) for S in itertools.combinations(range(1, Q + 1), r)]
    return [candidate(data, L, S) for S in subsets if len(S) <= L]


# -- settling a candidate --------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Verdict:
    """What the exact first- and second-order tests say about one candidate."""

    candidate: Candidate
    verdict: str
    """``local_minimum``, ``not_critical``, ``saddle`` or ``undecided``."""
    certificate: Check
    gradient_norm: float
    gradient_carriers: tuple
    """The parameters with the largest gradient entries, ``(name, value)``."""
    hessian_min_eigenvalue: float
    hessian_nullity: int
    hessian_tolerance: float
    output_layer_minimum: Check
    """Whether the candidate minimizes the cost restricted to the output layer."""
    descent: dict
    """A short float gradient-descent run: ``{"costs": [...], "steps": [...], "pattern_changed": bool}``."""

    def as_json(self) -> dict:
        from .certificates import json_number

        return {
            "truncated": list(self.candidate.truncated),
            "cost": json_number(self.candidate.cost),
            "verdict": self.verdict,
            "gradient_norm": self.gradient_norm,
            "hessian_min_eigenvalue": self.hessian_min_eigenvalue,
            "hessian_nullity": self.hessian_nullity,
            "certificate": self.certificate.as_json(),
            "gradient_descent": {k: self.descent[k] for k in ("steps", "costs", "eta", "pattern_changed")},
        }


def hessian_by_differences(params: Parameters, data: ClusterData, step: float = 1e-5) -> np.ndarray:
    """The Hessian as central differences of the closed-form gradient (float64)."""
    p = params.with_kind("float")
    fdata = data.with_kind("float")
    theta = p.vector().astype(float)
    cols = []
    for e in np.eye(theta.size) * step:
        plus = gradient(Parameters.from_vector(theta + e, p.Q, p.L), fdata)
        minus = gradient(Parameters.from_vector(theta - e, p.Q, p.L), fdata)
        cols.append((plus - minus) / (2 * step))
    H = np.stack(cols, axis=1)
    return (H + H.T) / 2


def _exact_descent(params: Parameters, data: ClusterData, direction: np.ndarray, base) -> Check:
    """An exact step ``θ + η d`` (``η = 2^-k``) with a strictly lower exact cost."""
    theta = params.vector()
    for k in range(0, 60):
        eta = arith.to_exact(f"1/{2**k}") if data.kind == "exact" else 2.0**-k
        moved = Parameters.from_vector(theta + eta * direction, params.Q, params.L)
        lower = cost(moved, data)
        if lower < base:
            status = CERTIFIED if data.kind == "exact" else CHECKED
            return Check(status, f"exact cost after the step eta = 2^-{k}" if data.kind == "exact" else
                         f"float cost after the step eta = 2^-{k}", f"cost {arith.format_number(base)} -> "
                         f"{arith.format_number(lower)}", margin=base - lower,
                         tolerance=None if data.kind == "exact" else FLOAT_RTOL)
    return Check("not_applicable", "descent step", "no step 2^-k, k < 60, lowered the cost")


def _gradient_descent(params: Parameters, data: ClusterData, H: np.ndarray, steps: int = 200) -> dict:
    p = params.with_kind("float")
    fdata = data.with_kind("float")
    lam = float(np.max(np.abs(np.linalg.eigvalsh(H)))) or 1.0
    eta = 0.5 / lam
    theta = p.vector().astype(float)
    start = activation_pattern(p, fdata.X)
    record, costs = {0, 1, 10, 50, steps}, []
    for t in range(steps + 1):
        current = Parameters.from_vector(theta, p.Q, p.L)
        if t in record:
            costs.append(cost(current, fdata))
        if t < steps:
            theta = theta - eta * gradient(current, fdata)
    end = activation_pattern(Parameters.from_vector(theta, p.Q, p.L), fdata.X)
    return {"steps": sorted(record), "costs": costs, "eta": eta, "pattern_changed": bool((start != end).any())}


def settle(cand: Candidate) -> Verdict:
    """Exact first-order test in the full parameter space, then the Hessian."""
    data, params = cand.data, cand.params
    exact = data.kind == "exact"
    g = gradient(params, data)
    gf = np.asarray(g, dtype=float)
    order = np.argsort(-np.abs(gf))[:3]
    carriers = tuple((parameter_name(int(i), params.Q), float(gf[i])) for i in order if gf[i] != 0)
    H = hessian_by_differences(params, data)
    eig = np.linalg.eigvalsh(H)
    nullity, zero_edge, nonzero_edge = spectral_nullity(eig)
    tol = float(np.sqrt(max(zero_edge, 1e-300) * nonzero_edge)) if nullity else 1e-6 * max(1.0, float(np.max(np.abs(eig))))
    out_slice = slice(params.L * (params.Q**2 + params.Q), None)
    out_grad = g[out_slice]
    output_min = combine([
        certify_equal(out_grad, 0 * out_grad, "gradient w.r.t. W_{L+1}, b_{L+1} vanishes",
                      scale=max(1.0, arith.magnitude(g), arith.magnitude(cand.curated) * float(np.sqrt(max(float(cand.cost), 0.0))))),
    ], "least-squares output map: minimum of the cost restricted to the output layer",
        "the restricted cost is a convex quadratic in (W_{L+1}, b_{L+1})")
    norm2 = np.sum(g * g)
    nonzero = norm2 != 0 if exact else float(np.sqrt(norm2)) > 1e-9 * max(1.0, float(cand.cost))
    if nonzero:
        names = ", ".join(f"{n} = {v:.3g}" for n, v in carriers)
        first = Check(CERTIFIED if exact else CHECKED, "exact gradient in the full parameter space" if exact
                      else "float gradient in the full parameter space",
                      f"|grad C|^2 = {arith.format_number(norm2)}; largest entries {names}",
                      residual=norm2, tolerance=None if exact else 1e-9)
        descent = _exact_descent(params, data, -g, cand.cost)
        cert = combine([first, descent], "nonzero exact gradient, and an exact step that lowers the cost"
                       if exact else "nonzero gradient, and a step that lowers the cost", first.detail)
        verdict = NOT_CRITICAL
    else:
        zero = Check(CERTIFIED if exact else CHECKED, "exact gradient in the full parameter space", "grad C = 0",
                     residual=norm2, tolerance=None if exact else 1e-9)
        if not cand.truncated:
            cert = _n1_certificate(cand, zero)
            verdict = LOCAL_MINIMUM if cert.status != REFUTED else UNDECIDED
        elif eig[0] < -tol:
            d = np.linalg.eigh(H)[1][:, 0]
            direction = arith.array([arith.to_exact(round(float(v), 6)) for v in d], data.kind) if exact else d
            second = _exact_descent(params, data, direction, cand.cost)
            if second.status in (CERTIFIED, CHECKED):
                cert = combine([zero, second], "zero gradient, negative curvature, and an exact step along it")
                verdict = SADDLE
            else:
                second = _exact_descent(params, data, -direction, cand.cost)
                cert = combine([zero, second], "zero gradient, negative curvature, and an exact step along it")
                verdict = SADDLE if second.status in (CERTIFIED, CHECKED) else UNDECIDED
        else:
            cert = Check("not_applicable", "second-order test", "zero gradient and a positive semidefinite Hessian "
                         "in floats: higher-order terms would decide")
            verdict = UNDECIDED
    descent_run = _gradient_descent(params, data, H)
    return Verdict(cand, verdict, cert, float(np.sqrt(float(norm2))), carriers, float(eig[0]), nullity, tol,
                   output_min, descent_run)


def _n1_certificate(cand: Candidate, zero: Check) -> Check:
    """N1 is a local minimum: in the open region where every point stays in the forward cones (strict
    pre-activations), the network is affine on the data, so ``C(θ) = Ĉ(G(θ))`` with ``G`` the
    cumulative output map; ``G(θ*)`` minimizes the convex ``Ĉ``, hence ``C ≥ C(θ*)`` there."""
    data, params = cand.data, cand.params
    pre = preactivations(params, data.X)
    from .certificates import certify_positive

    region = certify_positive(np.stack(pre), "every pre-activation strictly positive (open region)")
    Zt = _lifted(data.X, data.kind)
    R = _residuals(params, data)
    normal = certify_equal(arith.matmul(R, Zt.T), 0 * arith.matmul(R, Zt.T), "normal equations R [X; 1^T]^T = 0",
                           scale=max(1.0, arith.magnitude(R) * arith.magnitude(Zt) * data.N))
    formula = certify_equal(np.array([cand.cost], dtype=object if data.kind == "exact" else float),
                            np.array([projection_cost(data.X, data)], dtype=object if data.kind == "exact" else float),
                            "cost = (1/2N) |Y^ext (I - Pi)|^2")
    return combine([zero, region, normal, formula],
                   "zero gradient; cost depends on the output map only in an open region; least-squares optimality",
                   "C(theta) = C_hat(G(theta)) >= C_hat(G*) near theta*")


def _residuals(params: Parameters, data: ClusterData) -> np.ndarray:
    from .network import output

    return output(params, data.X) - data.targets_ext


def n1_hessian_nullity(cand: Candidate) -> tuple[int, int]:
    """``(P − rank, expected)`` with the exact Gauss–Newton matrix, which equals the Hessian at N1
    (the residual term ``Σ r_n·∇²F_n`` contracts with ``R [X; 1ᵀ]ᵀ = 0``)."""
    H = gauss_newton(cand.params, cand.data.X)
    P = cand.params.count
    return P - arith.rank(H), P - (cand.data.Q**2 + cand.data.Q)


def noise_expansion(data: ClusterData):
    """``C(ε)`` for the points ``m_j + ε Δx_{j,i}``: the leading coefficient in closed form,
    ``c₂ = (1/2N) [tr(A₀ S A₀ᵀ) − |A₀ S a|² / (aᵀ S a)]`` with ``S = Σ Δx Δxᵀ``, ``A₀`` the linear part
    of any affine map with ``A₀ m_j + c₀ = y_j``, and ``n = (a, β)`` the left null vector of
    ``[M; 1ᵀ]`` (``C(ε) = c₂ ε² + O(ε⁴)``: :func:`noise_series` shows the expansion is even)."""
    Q = data.Q
    M = data.means
    B = np.vstack([M, arith.array([[1] * Q], data.kind)])
    G0 = data.Y @ arith.inv(B.T @ B) @ B.T
    A0 = G0[:, :Q]
    D = data.deviations
    S = arith.matmul(D, D.T)
    n = arith.nullspace(B.T)[:, 0]
    a = n[:Q]
    aSa = a @ S @ a
    first = np.trace(A0 @ S @ A0.T)
    v = A0 @ S @ a
    value = first - (v @ v) / aSa if aSa != 0 else first
    return value / (2 * data.N if data.kind == "float" else arith.to_exact(2 * data.N))


def noise_series(data: ClusterData, order: int = 6):
    """SymPy: ``C(ε)`` exactly, for the points ``m_j + ε Δx_{j,i}`` of exact data, and its series at 0.

    The sufficient statistics make it cheap: ``Σ_i Δx_{j,i} = 0`` gives ``Y^ext X̃ᵀ = K`` (no ``ε``)
    and ``X̃ X̃ᵀ = G₀ + ε² G₂``, so ``C(ε) = (1/2N)[‖Y^ext‖² − tr(K adj(G) Kᵀ)/det G]`` is a
    rational function of ``ε²`` alone: the expansion has no odd terms."""
    eps = sp.Symbol("epsilon", positive=True)
    t = sp.Symbol("t")
    N, kind = data.N, data.kind
    means_ext = data.means[:, data.labels - 1]
    one = arith.full((1, N), 1, kind)
    Mt = np.vstack([means_ext, one])
    Dt = np.vstack([data.deviations, 0 * one])
    K = sp.Matrix(arith.to_sympy(arith.matmul(data.targets_ext, Mt.T)))
    G0 = sp.Matrix(arith.to_sympy(arith.matmul(Mt, Mt.T)))
    G2 = sp.Matrix(arith.to_sympy(arith.matmul(Dt, Dt.T)))
    G = (G0 + t * G2).applyfunc(sp.expand)
    det = sp.expand(G.det(method="berkowitz"))
    adj = G.adjugate(method="berkowitz").applyfunc(sp.expand)
    Yx = data.targets_ext
    norm = arith.to_sympy(np.sum(Yx * Yx))
    C_t = sp.cancel((norm * det - sp.expand((K * adj * K.T).trace())) / (2 * N * det))
    C = C_t.subs(t, eps**2)
    return eps, C, sp.series(C, eps, 0, order).removeO()
