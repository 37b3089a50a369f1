"""Decimal text as integers scaled by powers of ten, read a block of CSV lines at a time without one Python
object per number.

A decimal ``±d₁…dₖ.e₁…eₘ`` is the integer ``M = ±d₁…dₖe₁…eₘ`` over ``10^m``: its *mantissa* ``M`` and its
*fraction digits* ``m``.  A table of decimals is held as two integer arrays ``(M, F)``, and over the common
denominator ``10^D`` (``D = max F``) as one integer matrix ``K = M · 10^(D − F)``: ``value = K / 10^D``,
exactly, with no float on the way.

>>> M, F = block_decimals(b"1.5,-2,1\\n0.25,3.,2\\n", 3)
>>> M.tolist(), F.tolist()
([[15, -2, 1], [25, 3, 2]], [[1, 0, 0], [2, 0, 0]])
>>> common_denominator(M[:, :2], F[:, :2])
(array([[ 150, -200],
       [  25,  300]]), 100)
"""

from __future__ import annotations

import flint
import numpy as np

__all__ = ["MAX_DIGITS", "block_decimals", "common_denominator", "decimal_parts", "decimal_rationals",
           "magnitude_of_integers", "rationals"]

MAX_DIGITS = 18
"""Most significant digits a decimal read into an int64 mantissa may have (``10^18 < 2^63``)."""

POW10 = 10 ** np.arange(MAX_DIGITS + 1, dtype=np.int64)
"""``10^0 … 10^18`` in int64."""

INT64_MAX = np.iinfo(np.int64).max

_INVALID, _DIGIT, _DOT, _SIGN, _COMMA, _NEWLINE = range(6)
_CLASS = np.zeros(256, dtype=np.int8)
_CLASS[ord("0"):ord("9") + 1] = _DIGIT
_CLASS[ord(".")], _CLASS[ord("+")], _CLASS[ord("-")] = _DOT, _SIGN, _SIGN
_CLASS[ord(",")], _CLASS[ord("\n")] = _COMMA, _NEWLINE
"""Byte classes of plain decimal CSV text; any other byte (spaces, quotes, exponents, slashes, non-ASCII)
sends the block to the careful reader."""


def _plain_bytes(block: bytes) -> np.ndarray:
    """The bytes of ``block`` ending in a newline, with ``\\r`` before newlines and blank lines dropped."""
    b = np.frombuffer(block, dtype=np.uint8)
    if b.size and b[-1] != ord("\n"):
        b = np.append(b, np.uint8(ord("\n")))
    cr = b == ord("\r")
    if cr.any():
        if cr[-1] or not np.all(b[1:][cr[:-1]] == ord("\n")):
            return None
        b = b[~cr]
    nl = b == ord("\n")
    blank = nl & np.concatenate(([True], nl[:-1]))
    return b[~blank] if blank.any() else b


def block_decimals(block: bytes, fields: int):
    """``(M, F)``, each ``rows x fields``: the mantissas (int64) and fraction digits of a block of CSV lines
    holding ``fields`` plain decimals per line (``[+-]digits[.digits]``, at most :data:`MAX_DIGITS` digits;
    blank lines skipped).  ``None`` when the block holds anything else, for the careful reader to name."""
    b = _plain_bytes(block)
    if b is None:
        return None
    if b.size == 0:
        return np.zeros((0, fields), dtype=np.int64), np.zeros((0, fields), dtype=np.int64)
    cls = _CLASS[b]
    if np.any(cls == _INVALID):
        return None
    ends = np.flatnonzero(cls >= _COMMA)  # every field ends at a comma or a newline
    count = ends.size
    last = np.arange(count) % fields == fields - 1
    if count % fields or not np.array_equal(cls[ends] == _NEWLINE, last):
        return None
    starts = np.concatenate(([0], ends[:-1] + 1))
    M, F = _field_values(b, cls, starts, ends, np.cumsum(cls >= _COMMA, dtype=np.int32))
    if M is None:
        return None
    return M.reshape(-1, fields), F.reshape(-1, fields)


def _field_values(b: np.ndarray, cls: np.ndarray, starts: np.ndarray, ends: np.ndarray, field_of: np.ndarray):
    """Mantissa and fraction digits of every field ``b[starts[k]:ends[k]]`` (``field_of[p]``: the field of a
    byte ``p`` that ends none); ``(None, None)`` unless each is a sign (first only), digits and at most one
    dot, with 1 to :data:`MAX_DIGITS` digits."""
    count = ends.size
    signs = np.flatnonzero(cls == _SIGN)
    sign_field = field_of[signs]
    dots = np.flatnonzero(cls == _DOT)
    dot_field = field_of[dots]
    if np.any(starts[sign_field] != signs) or np.any(np.diff(dot_field) == 0):
        return None, None
    digits = (ends - starts) - np.bincount(sign_field, minlength=count) - np.bincount(dot_field, minlength=count)
    if np.any(digits < 1) or np.any(digits > MAX_DIGITS):
        return None, None
    dot_at = np.full(count, -1, dtype=np.int64)
    dot_at[dot_field] = dots
    F = np.zeros(count, dtype=np.int64)
    F[dot_field] = ends[dot_field] - dots - 1
    # M_k = Σ_p d_p 10^(digits of field k after position p)
    at = np.flatnonzero(cls == _DIGIT)
    field = field_of[at]
    place = ends[field] - 1 - at - (dot_at[field] > at)
    terms = (b[at].astype(np.int64) - ord("0")) * POW10[place]
    M = np.add.reduceat(terms, np.flatnonzero(np.diff(field, prepend=-1)))  # every field has a digit
    negative = np.zeros(count, dtype=bool)
    negative[sign_field] = b[signs] == ord("-")
    M[negative] = -M[negative]
    return M, F


def magnitude_of_integers(K: np.ndarray) -> int:
    """``max |K|`` of an int64 array (0 when empty), exactly, by two reductions and no temporary array."""
    return max(int(K.max(initial=0)), -int(K.min(initial=0)))


def decimal_parts(value):
    """``(M, F)`` with ``value = M / 10^F`` (``F`` least) for an exact rational whose denominator divides a
    power of ten, ``None`` for any other (``1/3``)."""
    p, q = int(value.p), int(value.q)
    twos = (q & -q).bit_length() - 1
    rest = q >> twos
    fives = 0
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        return None
    F = max(twos, fives)
    return p * 10**F // q, F


def common_denominator(M: np.ndarray, F: np.ndarray, chunk: int = 1 << 20):
    """``(K, 10^D)`` with ``K = M · 10^(D − F)`` (int64, ``D = max F``), so that ``M / 10^F = K / 10^D``
    entrywise; ``None`` when some ``K`` would leave the int64 range.  ``K`` reuses the memory of ``M`` (left
    as it was when ``None`` is returned); the work goes ``chunk`` columns at a time, so temporaries stay small."""
    D = int(F.max(initial=0))
    room = np.zeros(D + 1, dtype=np.int64)  # room[s]: the largest |M| with |M| 10^s in int64
    low = min(D, MAX_DIGITS)
    room[: low + 1] = INT64_MAX // POW10[: low + 1]
    columns = [slice(a, a + chunk) for a in range(0, M.shape[-1], chunk)]
    if any(np.any(np.abs(M[..., c]) > room[D - F[..., c]]) for c in columns):
        return None
    for c in columns:
        M[..., c] *= POW10[np.minimum(D - F[..., c], MAX_DIGITS)]
    return M, 10**D


def rationals(K: np.ndarray, d: int) -> np.ndarray:
    """The object array of exact rationals ``K / d`` (FLINT ``fmpq``, same shape as the int64 ``K``): one
    rational per *distinct* integer, shared by every entry that holds it (FLINT rationals are immutable);
    the distinct integers by one sort, each entry's by binary search."""
    flat = K.reshape(-1)
    ordered = np.sort(flat)
    distinct = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
    del ordered
    values = np.empty(distinct.size, dtype=object)
    values[:] = [flint.fmpq(v, d) for v in distinct.tolist()]
    return values[np.searchsorted(distinct, flat)].reshape(K.shape)


def decimal_rationals(M: np.ndarray, F: np.ndarray) -> np.ndarray:
    """The object array of exact rationals ``M / 10^F`` (entrywise; one :func:`rationals` call per distinct
    number of fraction digits)."""
    out = np.empty(M.shape, dtype=object)
    for f in np.unique(F).tolist():
        at = F == f
        out[at] = rationals(M[at], 10**f)
    return out
