"""Exact signs of many affine values at floating-point speed: a certified floating-point filter.

The values ``u = W x + b`` over every column ``x`` of the data are evaluated in float64 together with a
rigorous bound on their rounding error; wherever ``|u_float| > bound`` the sign of the exact value is
certain.  Only the few entries that may be the smallest are then evaluated exactly (FLINT rationals), so
an exact minimum costs a handful of exact dot products instead of one rational per entry.  When the
filter cannot decide a sign the functions here return ``None`` and the caller computes exactly: results
are the exact ones, bit for bit, either way.

The bound: inputs converted to float64 carry a relative error of at most one unit in the last place
(``2u``, ``u = 2⁻⁵³``) in the normal range and an absolute error of at most :data:`SUBNORMAL_SPACING` below it
(a subnormal or flushed-to-zero conversion), and a float dot product of ``n`` terms in any order (with or without
fused multiply-add) errs by at most ``γ_n = nu/(1 − nu)`` times the sum of the absolute products, so
``|u_float − u| ≤ (n + 5) u (1 + O(nu)) (|W| |x| + |b|) + η (Σ|x| + Σ_j |W_{ij}| + 1)`` (``η`` the spacing: a
converted entry of ``W``, ``x`` or ``b`` off by ``η`` moves the value by at most ``η`` times its factor);
:data:`ERROR_SAFETY` doubles it, which also covers the rounding of the bound's own evaluation, and
``(n + 1) 2⁻¹⁰²²`` covers underflow in the products and sums.  A propagated error ``E`` of the input contributes
``|W| E``.

>>> from symgeom.data.embedded import default_data
>>> from symgeom.numbers import arith
>>> data = default_data()
>>> W, b = arith.identity(3, "exact"), arith.array(["1", "1", "1"], "exact")
>>> exact_minimum(W, b, data.X, float_points(data), np.ones(data.N))  # every coordinate + 1 is > 0: the smallest
4/5
>>> exact_minimum(W, -b, data.X, float_points(data), np.ones(data.N)) is None  # some are < 0: decided exactly elsewhere
True
"""

from __future__ import annotations

import math
import weakref

import flint
import numpy as np

from . import arith
from .decimals import magnitude_of_integers

__all__ = [
    "UNIT_ROUNDOFF", "ERROR_SAFETY", "UNDERFLOW", "SUBNORMAL_SPACING", "MAX_EXACT_CANDIDATES", "MAX_REGIONS", "FLOAT_EXACT_INTEGERS",
    "INT64_HEADROOM", "float_copy", "float_points", "lifted_integers", "carry_integers", "rounding_bound",
    "affine_float", "minimum_candidates", "exact_minimum", "exact_extreme", "certified_patterns",
    "region_moments", "grouped_moments", "lifted_rows", "pattern_groups", "group_bounds"]

UNIT_ROUNDOFF = 2.0**-53
"""``u``, the unit roundoff of float64."""
ERROR_SAFETY = 2.0
"""Factor applied to the first-order error bound (covers second-order terms and the bound's own rounding)."""
UNDERFLOW = 2.0**-1022
"""Absolute error allowance per term for underflow."""
SUBNORMAL_SPACING = 2.0**-1074
"""The spacing of float64 below ``2⁻¹⁰²²``: a rational converted there (or flushed to 0) is off by at most half of it,
an error relative to nothing, which the relative bound does not cover."""
MAX_EXACT_CANDIDATES = 256
"""More candidates for the minimum than this and the filter gives up (the caller computes exactly)."""
MAX_REGIONS = 4096
"""More distinct activation patterns than this and the per-region exact work is left to the exact path."""

FLOAT_EXACT_INTEGERS = 2**53
"""Integers below this in size are float64 values exactly."""
INT64_HEADROOM = 2**62
"""Integer second moments are summed in int64 only when ``N max|x̃|²`` stays below this (no overflow)."""

_COPIES: dict = {}
"""``id(X) -> (weak reference to X, {name: copy})``: conversions of an exact array, kept while it lives."""


def _copy(X: np.ndarray, name: str, convert):
    """``convert(X)``, computed once per exact array ``X`` (arrays are immutable by convention here)."""
    key = id(X)
    entry = _COPIES.get(key)
    if entry is None or entry[0]() is not X:
        entry = (weakref.ref(X, lambda _, k=key: _COPIES.pop(k, None)), {})
        _COPIES[key] = entry
    if name not in entry[1]:
        entry[1][name] = convert(X)
    return entry[1][name]


def float_copy(X: np.ndarray) -> np.ndarray:
    """``X`` in float64 (each entry within one unit in the last place), converted once per exact array (from
    its carried integer form ``K / d`` when ``K`` and ``d`` are float64 values exactly: one rounding, as
    ``float`` of each rational); a float array is itself."""
    if X.dtype != object:
        return np.asarray(X, dtype=float)

    def convert(a):
        carried = _carried(a)
        if carried is not None and _largest(*carried) < FLOAT_EXACT_INTEGERS:
            return carried[0] / carried[1]
        return np.asarray(a, dtype=float)

    return _copy(X, "float", convert)


def float_points(data) -> np.ndarray:
    """The data's ``X`` in float64 (converted once per data set)."""
    return float_copy(data.X)


def lifted_integers(X: np.ndarray):
    """``(K, d)`` with ``[X; 1ᵀ] = K / d``: ``K`` an int64 array, ``d`` the common denominator (FLINT's
    ``fmpq_mat.numer_denom``, or the integer form the data carry, :func:`carry_integers`), converted once per
    array; ``None`` when ``N max|K|²`` could overflow int64."""
    def convert(a):
        rows, cols = a.shape
        carried = _carried(a)
        if carried is not None:
            return None if _overflows(cols, _largest(*carried)) else _lift(*carried)
        num, den = flint.fmpq_mat(rows, cols, a.reshape(-1).tolist()).numer_denom()
        den = int(den)
        # |K| <= max|X| d, and max|X| <= (1 + 2^-50) max|float(X)|: a bound without touching each integer;
        # |K| >= max|float(X)| d roughly, so d or max|float(X)| d beyond 2^31 overflow int64 already (and
        # would overflow the float product below: exact data of any size reach here)
        scale = float(np.max(np.abs(float_copy(a)), initial=0.0))
        if _overflows(cols, den) or not scale * den < 2.0**31:
            return None
        largest = max(den, math.ceil(scale * (1 + 2.0**-50) * den) + 1)
        if _overflows(cols, largest):
            return None
        return _lift(np.fromiter(map(int, num.entries()), dtype=np.int64, count=rows * cols).reshape(rows, cols), den)

    return _copy(X, "lifted integers", convert)


def carry_integers(X: np.ndarray, K: np.ndarray, d: int) -> None:
    """Record ``X = K / d`` (``K`` int64, ``d`` the least common denominator) as the integer form of the exact
    array ``X``, so that :func:`lifted_integers` and :func:`float_copy` take it instead of converting ``X``
    entry by entry (nothing is computed until they are asked)."""
    _copy(X, "integers", lambda a: (K, d))


def _carried(X: np.ndarray):
    """``(K, d)`` recorded by :func:`carry_integers` for ``X``, or ``None``."""
    entry = _COPIES.get(id(X))
    return entry[1].get("integers") if entry is not None and entry[0]() is X else None


def _largest(K: np.ndarray, d: int) -> int:
    """``max(d, max|K|)``, exactly."""
    return max(d, magnitude_of_integers(K))


def _overflows(cols: int, largest: int) -> bool:
    """Whether sums of ``cols`` products of integers of size up to ``largest`` may leave the int64 headroom."""
    return cols * largest * largest >= INT64_HEADROOM


def _lift(K: np.ndarray, den: int):
    """``([K; d 1ᵀ], d)``: the integer form of ``[X; 1ᵀ]``."""
    return np.vstack([K, np.full((1, K.shape[1]), den, dtype=np.int64)]), den


def rounding_bound(W_abs: np.ndarray, x_abs: np.ndarray, b_abs: np.ndarray, carried=None) -> np.ndarray:
    """Bound on ``|fl(W x + b) − (W x + b)|`` from the absolute values of the float operands (columns of
    ``x_abs``), plus ``|W| carried`` for an input already off by at most ``carried``."""
    terms = W_abs.shape[1] + 1
    bound = (terms + 5) * UNIT_ROUNDOFF * (W_abs @ x_abs + b_abs[:, None])
    bound = bound + SUBNORMAL_SPACING * (x_abs.sum(axis=0)[None, :] + W_abs.sum(axis=1)[:, None] + 1)
    if carried is not None:
        bound = bound + (1 + terms * UNIT_ROUNDOFF) * (W_abs @ carried)
    return ERROR_SAFETY * bound + terms * UNDERFLOW


def affine_float(W: np.ndarray, b: np.ndarray, x: np.ndarray, carried=None):
    """``(W x + b, bound)`` in float64 for exact ``W``, ``b`` and float columns ``x``; ``None`` when an entry of
    ``W`` or ``b`` is beyond the float64 range (the filter then declines and the caller computes exactly)."""
    try:
        Wf, bf = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    except OverflowError:
        return None
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow gives infinities, which every caller declines
        return Wf @ x + bf[:, None], rounding_bound(np.abs(Wf), np.abs(x), np.abs(bf), carried)


def minimum_candidates(values: np.ndarray, bound: np.ndarray):
    """The indices (one array per axis, as :func:`numpy.nonzero`) of the entries that may hold the exact
    minimum, or ``None`` when some entry is not certified positive (or is non-finite) or there are more
    than :data:`MAX_EXACT_CANDIDATES`."""
    low = values - bound
    if values.size == 0 or not np.all(np.isfinite(low)) or not float(low.min()) > 0:
        return None
    where = np.nonzero(low <= float((values + bound).min()))
    return None if where[0].size > MAX_EXACT_CANDIDATES else where


def exact_minimum(W: np.ndarray, b: np.ndarray, X: np.ndarray, Xf: np.ndarray, sign: np.ndarray):
    """The exact ``min_{i,n} sign_n (W x_n + b)_i`` over the columns of exact ``X`` (float copy ``Xf``),
    when the filter certifies every one of them ``> 0``; ``None`` otherwise."""
    evaluated = affine_float(W, b, Xf)
    if evaluated is None:
        return None
    values, bound = evaluated
    found = minimum_candidates(values * sign[None, :], bound)
    if found is None:
        return None
    return min(int(sign[n]) * (W[i] @ X[:, n] + b[i]) for i, n in zip(*found))


def exact_extreme(a: np.ndarray, X: np.ndarray, cols: np.ndarray, largest: bool):
    """The exact ``max`` (``largest``) or ``min`` of ``a·x_n`` over the columns ``cols`` of exact ``X``: the filter's
    float values and bounds leave as candidates only the columns whose bracket reaches the best other bracket's far end,
    and those are evaluated exactly (all columns when the filter declines or too many remain)."""
    evaluated = affine_float(a[None, :], arith.zeros(1, "exact"), float_copy(X)[:, cols])
    if evaluated is not None:
        v, e = evaluated[0][0], evaluated[1][0]
        if v.size and np.all(np.isfinite(v)) and np.all(np.isfinite(e)):
            near = cols[v + e >= (v - e).max()] if largest else cols[v - e <= (v + e).min()]
            if near.size <= MAX_EXACT_CANDIDATES:
                cols = near
    values = a @ X[:, cols]
    return arith.largest(values) if largest else arith.smallest(values)


def certified_patterns(params, Xf: np.ndarray):
    """One float forward pass with propagated error bounds.  Returns ``(active, pre, bounds)``:
    ``active[ℓ-1]`` the certified activation pattern of hidden layer ``ℓ`` (``Q x N`` booleans) and the float
    pre-activations with their error bounds for every layer; ``None`` when some hidden pre-activation is
    too close to 0 for the filter."""
    x, carried = Xf, np.zeros_like(Xf)
    active, pre, bounds = [], [], []
    for l, (W, b) in enumerate(zip(params.weights, params.biases), start=1):
        evaluated = affine_float(W, b, x, carried)
        if evaluated is None:
            return None
        u, err = evaluated
        pre.append(u)
        bounds.append(err)
        if l > params.L:
            break
        on = u > err
        if not np.all(on | (u < -err)):
            return None
        active.append(on)
        x, carried = np.where(on, u, 0.0), np.where(on, err, 0.0)
    return np.stack(active), pre, bounds


def region_moments(params, X: np.ndarray, labels=None):
    """Per activation region of the exact points ``X`` (patterns certified by the filter), and per cluster within it
    when ``labels`` are given: ``(pattern, label, count, S)`` with ``S = Σ (x, 1)(x, 1)ᵀ`` exact (:func:`grouped_moments`),
    ``label`` ``None`` without ``labels``.  ``None`` when the filter cannot certify every pattern, the regions are more
    than :data:`MAX_REGIONS` or the integers could overflow."""
    ints = lifted_integers(X)
    found = certified_patterns(params, float_copy(X)) if ints is not None else None
    if found is None:
        return None
    active = found[0]
    first, inverse = pattern_groups(active)
    if labels is not None:  # split each region by cluster: one group per (pattern, label) pair
        _, first, inverse = np.unique(inverse * (int(labels.max()) + 1) + labels, return_index=True, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
    if first.size > MAX_REGIONS:
        return None
    S = grouped_moments(X, inverse, first.size)
    _, bounds = group_bounds(inverse, first.size)
    return [(active[:, :, n], None if labels is None else int(labels[n]), int(bounds[g + 1] - bounds[g]), S[g])
            for g, n in enumerate(first)]


def grouped_moments(X: np.ndarray, groups: np.ndarray, count: int) -> np.ndarray:
    """``S_g = Σ_{n : groups[n] = g} x̃_n x̃_nᵀ`` (``x̃ = (x, 1)``) for ``g = 0..count-1``, ``count x (Q+1) x (Q+1)``; a
    negative group leaves its point out.  Exact ``X``: int64 sums on its integer form (:func:`lifted_integers`) where
    they cannot overflow, else FLINT rationals; float ``X``: float64."""
    B = X.shape[0] + 1
    order, bounds = group_bounds(groups, count)
    exact = X.dtype == object
    ints = lifted_integers(X) if exact else None
    if ints is not None:
        K, den = ints
        square = den * den
    else:
        K, square = lifted_rows(X), None
    out = np.empty((count, B, B), dtype=object if exact else float)
    for g in range(count):
        rows = K[:, order[bounds[g]:bounds[g + 1]]]  # the left-out points sort first, before bounds[0]
        if square is None:
            out[g] = arith.matmul(rows, rows.T) if exact else rows @ rows.T
        else:
            out[g] = np.array([flint.fmpq(int(v), square) for v in (rows @ rows.T).reshape(-1)],
                              dtype=object).reshape(B, B)
    return out


def lifted_rows(X: np.ndarray) -> np.ndarray:
    """``[X; 1ᵀ]`` in the arithmetic of ``X``."""
    return np.vstack([X, np.full((1, X.shape[1]), flint.fmpq(1) if X.dtype == object else 1.0, dtype=X.dtype)])


def group_bounds(inverse: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """``(order, bounds)``: the points sorted by group (stable), and the group ``g`` as the points
    ``order[bounds[g]:bounds[g + 1]]``."""
    order = np.argsort(inverse, kind="stable")
    return order, np.searchsorted(inverse[order], np.arange(groups + 1))


def pattern_groups(active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(first, inverse)``: a representative point of each distinct activation pattern (over all hidden
    layers) and the group of every point.  The patterns' bits are packed into bytes, eight neurons at a time
    (``Σ_k bit_k 2^k`` as one small contraction), and the bytes of a point read as one unsigned 64-bit key
    when ``LQ ≤ 64``."""
    L, Q, N = active.shape
    bits = active.reshape(L * Q, N)
    if (L * Q) % 8:
        bits = np.concatenate([bits, np.zeros((-(L * Q) % 8, N), dtype=bool)])
    weights = np.left_shift(np.uint8(1), np.arange(8, dtype=np.uint8))
    packed = np.ascontiguousarray(np.einsum("bkn,k->nb", bits.reshape(-1, 8, N).view(np.uint8), weights, dtype=np.uint8))
    width = packed.shape[1]
    if width <= 8:
        keys = np.zeros((N, 8), dtype=np.uint8)
        keys[:, :width] = packed
        keys = keys.view(np.uint64).reshape(-1)
    else:
        keys = packed.view(np.dtype((np.void, width))).reshape(-1)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return first, np.asarray(inverse).reshape(-1)
