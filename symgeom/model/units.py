"""Units of measurement for float64: the change of units ``x' = (x − c)/s``, ``y' = y/t`` under which float
mode computes, and why every claim transfers back to the data as given.

Float64 checks compare residuals with tolerances ``FLOAT_RTOL · max(1, scale)`` and form second and fourth
powers of the data (costs, Hessians), so they mean what they say in units where the data are of order one.
Float mode computes on the data **as given** (the identity units) whenever every nonzero coordinate of the
points and targets lies within ``10^±FLOAT_SAFE_EXPONENT`` (and none is a float subnormal), the largest ones
within ``10^±MAGNITUDE_DIGITS``, and the inputs' offset does not dominate their extent (:func:`needs_units`);
there its checks are those of the data themselves.
Only otherwise does it measure

* **inputs** in units ``x' = (x − c)/s``: ``c`` is the midpoint of the bounding box rounded to
  ``10^-OFFSET_DIGITS`` of its half-width (an exact short decimal), always, and ``s = 10^k`` with
  ``1 <= max_n |x_n − c|_∞ / s < 10`` (the data's extent about ``c`` is of order one).  Translating always
  matters: with ``c = 0`` an offset sets ``s``, the clusters come out thin in the new units (``h' ≪ 1``), the
  construction's weights grow like ``1/h'`` and the float checks' ``max(1, ·)`` floors no longer measure them.
  ``s`` is **one number**, not one per coordinate: the change must be a similarity so that distances keep their
  ratios (``ρ = δ/h``), cones stay cones and an orthogonal ``W`` stays a multiple of one (T4); a per-coordinate
  scaling would not.  It is a **power of ten** because data are decimal text: ``c`` and ``s`` are short exact
  decimals, and data given as ``10^k`` times decimals come back as exactly those decimals.
* **targets** in units ``y' = y/t``, ``t = 10^m`` with ``1 <= max |y_jq| / t < 10``: a scaling only.  The setting
  (docs/mathematics/index.md) assumes linearly independent targets (docs/mathematics/strata.md uses that
  ``aff{y_j : j ∈ U}`` misses ``y_k``); a scaling keeps them independent, a translation ``y − d`` need not (``d = y_1`` makes one target zero).

Why every claim transfers (the conventions of docs/mathematics/index.md: ``x^(ℓ) = σ(W_ℓ x^(ℓ-1) + b_ℓ)``,
``x^(L+1) = W_{L+1} x^(L) + b_{L+1}``, ``C = (1/2N) Σ |x^(L+1)_{j,i} − y_j|²``).  For parameters ``θ`` let
``θ' = φ(θ)``: ``W_1' = s W_1``, ``b_1' = W_1 c + b_1``, ``W_ℓ', b_ℓ'`` unchanged for ``2 <= ℓ <= L``,
``W_{L+1}' = W_{L+1}/t``, ``b_{L+1}' = b_{L+1}/t``.  Then ``W_1' x' + b_1' = W_1 (x − c) + W_1 c + b_1 =
W_1 x + b_1``: every hidden pre-activation is the same number, so activation patterns, the strata ``R_S``
and the slacks of the sign conditions are identical; ``F_{θ'}(x') = F_θ(x)/t`` and
``C'(θ') = (1/2N) Σ |F_θ(x)/t − y_j/t|² = C(θ)/t²``.  ``φ`` is linear and invertible (``s, t ≠ 0``), so zero
costs, critical points and local minima correspond; ``rank W_ℓ`` is unchanged; the Hessians satisfy
``H'(φθ) = t⁻² A⁻ᵀ H(θ) A⁻¹`` (``A`` the matrix of ``φ``'s linear part), with the same rank, nullity and
signs of eigenvalues (Sylvester); manifold dimensions are unchanged (``φ`` is a diffeomorphism) and ``φ``
commutes with the symmetry of T5 (``DΠW_1, DΠb_1 ↦ DΠW_1', DΠb_1'``), so G4's count is unchanged.  On
the data, ``δ' = δ/s``, ``h' = h/s``, ``ρ' = ρ``; ``[X'; 1ᵀ]`` is an invertible row operation on ``[X; 1ᵀ]``,
so every projector ``Π_U`` is unchanged and ``B_U' = B_U/t²``.  No claim compares an input length with a
target length, so ``s`` and ``t`` are independent.  Costs, bounds and cost margins shown in these units are
``1/t²`` times those of the data as given; lengths are ``1/s`` times.

The numbers shown in changed units: costs, bounds, gaps and cost margins are ``C' = C/t²``, gradients those of
``C'`` in ``θ'``; lengths (``δ``, ``h``) are divided by ``s``; ``ρ``, statuses, ranks, nullities and dimensions
are those of the data as given.  The sign margins of a given point (``locate``) are its hidden pre-activations,
the same numbers as on the data as given; the sign margins of constructed points (``check``) are those of the
construction in these units, which is not ``φ`` of the construction on the data as given: G1's ``min_margin`` is
``s²`` times smaller there, the strata's margins mix slacks of different scalings, and only their signs
transfer (checked on the data of ``base.csv`` scaled by 100: G1's ``min_margin`` 143/80 becomes 17875, a
stratum margin 33/10 becomes 42999).

>>> u = Units((15,), -1, 0, 2)
>>> u.as_json()["c"], u.as_json()["s"], u.as_json()["t"]
(['1.5'], '1', '100')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..numbers import arith, sizes
from ..numbers.json_numbers import approx_json
from .._errors import DataError
from ..data.clusters import ClusterData
from .network import Parameters

__all__ = ["Units", "choose_units", "float_units", "offset_dominated", "needs_units", "needs_exact_reading", "in_units", "OFFSET_DIGITS", "RADIUS_BITS"]

OFFSET_DIGITS = 2
"""The units change when the inputs' offset exceeds ``10^2`` times their extent (the half-width of the
bounding box); then ``c`` is that midpoint rounded to ``10^-2`` of the half-width.  Below it float mode computes on
the data as given, as before units existed (offsets 100 times an extent 1.6 are checked there in the tests); at
an offset 1500 times it, the float checks of G3 on the data as given measure the offset, not the clusters
(their finite-difference steps and ``max(1, ·)`` floors are absolute), and refuted what exact mode certifies."""

MAGNITUDE_DIGITS = 3
"""The units change when the largest coordinate of the points or of the targets lies beyond ``10^±3``: the float
checks' floors ``max(1, ·)``, rank thresholds and finite-difference steps are absolute, made for data of order
one; on data as given at ``10^5`` they refuted G3 (Hessian rank, finite-difference nullity) that exact mode
certifies (a case the fuzzing found).  Data of order one, such as the default data times 20, stay as given."""

RADIUS_BITS = 44
"""Float64 refuses data with a cluster whose (nonzero) radius is below ``2^-44 ≈ 5.7e-14`` of the data's extent
about ``c``: its points, rounded to float64's 53 bits, would keep fewer than 9 bits (under 3 digits) of the
cluster's shape, and the data float64 computes on would no longer be these data.  Above it float mode computes:
costs and bounds stay right (clusters of relative radius ``1e-8``, ``ILL_CONDITIONED`` in
``tests/local_minima/test_local_minima.py``, are checked against exact bounds), but Hessian eigenvalues set by a cluster's shape
scale like ``(radius/extent)²``, so below about ``√ε`` relative radius float64 cannot resolve nullities and
dimensions: those checks say ``undecided`` (:func:`symgeom.calculus.derivatives.unresolved_nullity`), never a number."""

@dataclass(frozen=True)
class Units:
    """A change of units: ``c = centre · 10^centre_exponent``, ``s = 10^input_exponent``,
    ``t = 10^target_exponent`` (exact decimals)."""

    centre: tuple
    """Integers ``m_i`` with ``c_i = m_i · 10^centre_exponent``."""
    centre_exponent: int
    input_exponent: int
    """``s = 10^input_exponent``: inputs ``x' = (x − c)/s``."""
    target_exponent: int
    """``t = 10^target_exponent``: targets ``y' = y/t``."""

    @classmethod
    def identity(cls, Q: int) -> "Units":
        """No change: ``c = 0``, ``s = t = 1``."""
        return cls((0,) * Q, 0, 0, 0)

    @property
    def is_identity(self) -> bool:
        return not any(self.centre) and self.input_exponent == 0 and self.target_exponent == 0

    @property
    def c(self) -> np.ndarray:
        """The centre ``c`` (exact, shape ``(Q,)``)."""
        return arith.array([Fraction(m) * _power(self.centre_exponent) for m in self.centre], "exact")

    @property
    def s(self):
        """The input unit ``s`` (exact)."""
        return arith.to_exact(_power(self.input_exponent))

    @property
    def t(self):
        """The target unit ``t`` (exact)."""
        return arith.to_exact(_power(self.target_exponent))

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """``X' = (X − c 1ᵀ)/s`` in the kind of ``X`` (exact, or float64 with two roundings)."""
        kind = arith.kind_of(X)
        return (X - _cast(self.c, kind)[:, None]) / _cast(self.s, kind)

    def targets(self, Y: np.ndarray) -> np.ndarray:
        """``Y' = Y/t`` in the kind of ``Y``."""
        return Y / _cast(self.t, arith.kind_of(Y))

    def parameters(self, params: Parameters) -> Parameters:
        """``θ' = φ(θ)``: ``W_1' = s W_1``, ``b_1' = W_1 c + b_1``, ``W_{L+1}' = W_{L+1}/t``,
        ``b_{L+1}' = b_{L+1}/t``, the other layers unchanged; ``F_{θ'}(x') = F_θ(x)/t``."""
        s, c, t = (_cast(v, params.kind) for v in (self.s, self.c, self.t))
        W, b = list(params.weights), list(params.biases)
        W[0], b[0] = s * W[0], W[0] @ c + b[0]
        W[-1], b[-1] = W[-1] / t, b[-1] / t
        return Parameters(tuple(W), tuple(b))

    def original_parameters(self, params: Parameters) -> Parameters:
        """``θ = φ⁻¹(θ')``: ``W_1 = W_1'/s``, ``b_1 = b_1' − W_1 c``, ``W_{L+1} = t W_{L+1}'``,
        ``b_{L+1} = t b_{L+1}'``."""
        s, c, t = (_cast(v, params.kind) for v in (self.s, self.c, self.t))
        W, b = list(params.weights), list(params.biases)
        W[0] = W[0] / s
        b[0] = b[0] - W[0] @ c
        W[-1], b[-1] = t * W[-1], t * b[-1]
        return Parameters(tuple(W), tuple(b))

    def as_json(self) -> dict:
        """``changed`` (not the identity), ``c``, ``s``, ``t`` as exact decimal strings (``x' = (x − c)/s``,
        ``y' = y/t``) and their float64 values under ``approx``; how the numbers shown relate to the data as
        given is this module's documentation, not part of the record."""
        return {"changed": not self.is_identity, "c": [_decimal(m, self.centre_exponent) for m in self.centre],
                "s": _decimal(1, self.input_exponent), "t": _decimal(1, self.target_exponent),
                "approx": {"c": [approx_json(v) for v in self.c], "s": approx_json(self.s), "t": approx_json(self.t)}}

    def __str__(self) -> str:
        j = self.as_json()
        return (f"x' = (x - c)/s with c = ({', '.join(j['c'])}), s = {j['s']}; y' = y/t with t = {j['t']}; "
                f"costs shown are C/t^2")


def in_units(params: Parameters, data: ClusterData) -> Parameters:
    """``params`` (given in the units of the data as read) in the units of ``data``: ``φ(θ)`` when the data
    carry a change of units, ``θ`` itself otherwise.  ``φ`` is applied exactly (float parameters are read
    through their shortest decimals) and the result rounded once to the data's kind: in float64, ``b_1' = W_1 c + b_1``
    cancels the offset's leading digits and would keep only rounding."""
    units = data.units
    if units is None or units.is_identity:
        return params
    return units.parameters(params.with_kind("exact")).with_kind(data.kind)


def _power(k: int) -> Fraction:
    return Fraction(10) ** k


def _cast(value, kind):
    """An exact scalar or array as the given kind."""
    if isinstance(value, np.ndarray):
        return arith.array(value, kind)
    return value if arith.Kind(kind).is_exact else float(value)


def _decimal(m: int, e: int) -> str:
    """The exact decimal text of ``m · 10^e``: plain when short (``1.5``, ``300``), else ``<m>e<e>``."""
    if m == 0:
        return "0"
    while m % 10 == 0:
        m, e = m // 10, e + 1
    if e > 6 or e < -6 - len(str(abs(m))):
        return f"{m}e{e}"
    if e >= 0:
        return str(m * 10**e)
    sign, digits = ("-" if m < 0 else ""), str(abs(m)).rjust(1 - e, "0")
    return f"{sign}{digits[:e]}.{digits[e:]}"


def _bounds(X: np.ndarray) -> tuple[list, list]:
    """Per coordinate, the smallest and largest value of the data as exact fractions."""
    return [arith.to_fraction(v) for v in X.min(axis=1)], [arith.to_fraction(v) for v in X.max(axis=1)]


def offset_dominated(data: ClusterData) -> bool:
    """Whether the data's offset exceeds ``10^OFFSET_DIGITS`` times their extent (the half-width of their
    bounding box): then float64 spends more than ``OFFSET_DIGITS`` digits of each coordinate on the offset."""
    lo, hi = _bounds(data.X)
    half = max((h - l) / 2 for l, h in zip(lo, hi))
    return half > 0 and max(abs(h + l) / 2 for l, h in zip(lo, hi)) > 10**OFFSET_DIGITS * half


def _subnormal(a: np.ndarray) -> bool:
    """Whether a float array holds a subnormal value (nonzero, below ``2^-1022``: fewer than 53 bits kept)."""
    if arith.kind_of(a).is_exact:
        return False
    flat = np.abs(np.asarray(a, dtype=float))
    return bool(np.any((flat > 0) & (flat < np.finfo(float).tiny)))


def needs_units(data: ClusterData) -> bool:
    """Whether float64 cannot compute on the data as given: a nonzero coordinate of the points or targets
    lies beyond ``10^±FLOAT_SAFE_EXPONENT`` (or is a float subnormal), the largest coordinate of the points or
    of the targets lies beyond ``10^±MAGNITUDE_DIGITS``, or the inputs' offset dominates their extent
    (:func:`offset_dominated`).  Otherwise the units are the identity and float mode computes on the
    data as given, exactly as before units existed."""
    return (not sizes.float_representable(data.X, data.Y) or _subnormal(data.X) or _subnormal(data.Y)
            or not _moderate(data.X) or not _moderate(data.Y) or offset_dominated(data))


def _moderate(a: np.ndarray) -> bool:
    """Whether the largest ``|a_ij|`` lies within ``10^±MAGNITUDE_DIGITS`` (the scale the float checks' absolute
    floors and thresholds are made for)."""
    top = sizes.magnitude(a)
    return bool(top) and abs(sizes.log10_abs(top)) <= MAGNITUDE_DIGITS


def choose_units(data: ClusterData) -> Units:
    """The units of float mode (module docstring): the identity unless :func:`needs_units`; otherwise ``c`` the
    midpoint of the bounding box rounded to ``10^-OFFSET_DIGITS`` of its half-width (always: a scaling alone of
    offset data would make the clusters thin in the new units, and the float checks' ``max(1, ·)`` floors would
    then dwarf the construction's weights, which grow like ``1/h'``), ``s`` from the spread about ``c`` and
    ``t`` from the targets."""
    if not needs_units(data):
        return Units.identity(data.Q)
    lo, hi = _bounds(data.X)
    half = max((h - l) / 2 for l, h in zip(lo, hi))
    e = sizes.decimal_exponent(half) - OFFSET_DIGITS if half else 0
    centre = tuple(round((h + l) / 2 / _power(e)) for l, h in zip(lo, hi))
    if not any(centre):
        centre, e = (0,) * data.Q, 0
    c = [m * _power(e) for m in centre]
    extent = max(max(abs(h - ci), abs(l - ci)) for l, h, ci in zip(lo, hi, c))
    k = sizes.decimal_exponent(extent) if extent else 0
    m = sizes.decimal_exponent(arith.to_fraction(np.max(np.abs(data.Y))))
    return Units(centre, e, k, m)


def float_units(data: ClusterData, targets: str | None = None) -> ClusterData:
    """The data in float64, in the units of :func:`choose_units` (carried as ``.units``; float data needing
    no change are returned as they are): exact data are transformed exactly and rounded once, float data
    are transformed in float64, and the result is validated again (rounding may merge points).  Refused (``DataError``,
    saying why) only when float64 cannot hold the data even in these units: a cluster narrower than
    ``2^-RADIUS_BITS`` of the extent, targets whose float64 values are dependent (``targets`` names their file in
    the message), or means that round to an affinely dependent set."""
    if data.units is not None and not data.kind.is_exact:
        return data
    units = choose_units(data)
    thin = _thin_clusters(data, units, merged=False)
    if thin:
        j, ratio = thin[0]
        raise DataError(f"{data.source}: float64 cannot hold cluster {j}: its radius is 10^{ratio:.0f} of the data's "
                        f"extent about c, below the 2^-{RADIUS_BITS} float64 needs to keep a cluster's shape (its points "
                        "would round together); use exact arithmetic, which takes the data as given", remedy="exact")
    if units.is_identity and not data.kind.is_exact:
        return data  # float data already in units of order one: as given (``units`` stays ``None``)
    X = arith.array(units.inputs(data.X), "float")
    Y = arith.array(units.targets(data.Y), "float")
    if arith.rank(Y) < data.Q:
        exponents = [sizes.decimal_exponent(sizes.magnitude(y)) for y in data.Y.T]  # per target y_j (a column)
        each = arith.array(np.stack([arith.array(y, "exact") / arith.to_exact(_power(e))
                                     for y, e in zip(data.Y.T, exponents)], axis=1), "float")
        if arith.rank(each) == data.Q:  # each target in its own unit is independent: their sizes are the cause
            cause = (f"their sizes span 10^{min(exponents)} .. 10^{max(exponents)}, a ratio no common unit t "
                     "changes")
        else:
            cause = ("they are nearly parallel: they differ by less than float64's 16 digits resolve, and no "
                     "change of units separates them")
        raise DataError(f"{targets or data.source + ' (targets)'}: in float64 the targets are linearly dependent "
                        f"(numerical rank {arith.rank(Y)} < Q = {data.Q}) although they are independent as given: "
                        f"{cause}; use exact arithmetic", remedy="exact")
    try:
        return ClusterData(X=X, labels=data.labels, Y=Y, kind="float", source=data.source, units=units)
    except DataError as e:
        raise DataError(f"in float64, in units {units}: {e}; use exact arithmetic, which takes the data as given",
                        remedy="exact") from None


def needs_exact_reading(data: ClusterData) -> bool:
    """Whether float data read from decimal text may have lost, in the reading, digits that float mode's units
    would keep: the units change (:func:`needs_units`: values beyond the safe range, subnormal points or
    targets, which keep fewer than 53 bits, or a dominant offset), or a cluster of two or more points is
    thinner than ``2^-RADIUS_BITS`` of the extent (its points may have rounded together).  The text is then
    read again exactly and :func:`float_units` decides on the exact values."""
    return needs_units(data) or bool(_thin_clusters(data, choose_units(data), merged=True))


def _thin_clusters(data: ClusterData, units: Units, merged: bool) -> list:
    """``(j, log10(δ_j / extent))`` of the clusters whose radius ``δ_j`` is below ``2^-RADIUS_BITS`` of the extent
    ``max |x − c|_∞``, computed in the units ``units`` (no overflow); radius 0 counts only with ``merged`` and
    for clusters of two or more points (points that may have rounded together)."""
    Z = units.inputs(data.X)
    extent2 = arith.to_fraction(np.max(np.abs(Z))) ** 2
    means = (Z @ data.membership) / arith.array(list(data.sizes), data.kind)[None, :]
    dev2 = np.sum((Z - means[:, data.labels - 1]) ** 2, axis=0)
    out = []
    for j, n in enumerate(data.sizes, start=1):
        r2 = arith.to_fraction(arith.largest(dev2[data.labels == j]))
        if r2 * 4**RADIUS_BITS < extent2 and (r2 > 0 or (merged and n > 1)):
            out.append((j, sizes.log10_abs(r2 / extent2) / 2 if r2 else -math.inf))
    return out
