"""Sizes of numbers: magnitudes, base-10 logarithms and float64 representability of exact values of any
size, and short deterministic decimal text — all without converting an exact value to float on the way.

>>> format_number(flint.fmpq(1, 3)), format_decimal(flint.fmpq(10**400))
('1/3', '1.0e+400')
"""

from __future__ import annotations

import math
from fractions import Fraction

import flint
import numpy as np
import sympy as sp

from .arith import ZERO, to_exact, to_fraction

__all__ = [
    "magnitude", "saturating_float", "saturating_floats", "sqrt_float", "FLOAT_SAFE_EXPONENT", "LOG_MANTISSA_BITS",
    "log10_abs", "log10_range", "float_representable", "SIGNIFICANT_DIGITS", "LONG_EXACT_TEXT", "exact_text",
    "BITS_PER_DIGIT", "format_number", "format_decimal", "decimal_exponent", "decimal_g",
]


def magnitude(a):
    """``max |a_ij|`` (0 for an empty array): the scale of a float tolerance.  Exact for exact arrays (an
    FLINT rational, never converted to float, so no magnitude overflows or underflows), a float for float
    arrays; :func:`saturating_float` turns it into a float where a float tolerance is actually needed."""
    a = np.asarray(a)
    if not a.size:
        return ZERO if a.dtype == object else 0.0
    if a.dtype == object:
        return max(abs(to_exact(x)) for x in a.reshape(-1))
    return float(max(np.max(a), -np.min(a)))  # no temporary copies of a


def saturating_float(x) -> float:
    """``x`` (exact or float) as a float, ``±inf`` when it exceeds the float64 range: for tolerance scales and
    displayed approximations, never for a verdict (a float sub-check declines beyond
    :func:`float_representable`)."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def saturating_floats(a) -> np.ndarray:
    """:func:`saturating_float` of every entry: a float64 array of the same shape."""
    a = np.asarray(a)
    if a.dtype != object:
        return a.astype(float)
    return np.array([saturating_float(x) for x in a.reshape(-1)], dtype=float).reshape(a.shape)


def sqrt_float(x) -> float:
    """``√x`` of a nonnegative exact or float number as a float; computed in log space when ``x`` itself
    overflows or underflows float64 (a norm from an exact squared norm of any magnitude)."""
    if x == 0:
        return 0.0
    approx = saturating_float(x)
    if 0 < approx < math.inf:
        return math.sqrt(approx)
    try:
        return math.pow(10.0, log10_abs(x) / 2)
    except OverflowError:
        return math.inf


FLOAT_SAFE_EXPONENT = 75
"""Exact values with ``|log10 |x|| <= 75`` (and 0) are *float-representable* for a float sub-check: the
fourth powers a float Hessian or cost forms from them stay within float64 (``1e±308``)."""


LOG_MANTISSA_BITS = 60
"""Leading bits of an integer kept when taking its logarithm (more than float64's 53)."""


def log10_abs(x) -> float:
    """``log10 |x|`` of a nonzero exact or float number, from the integer digits of its exact rational value
    (no float conversion of ``x`` itself, so no magnitude overflows or underflows)."""
    f = abs(to_fraction(x))
    return _log10_int(f.numerator) - _log10_int(f.denominator)


def _log10_int(n: int) -> float:
    """``log10 n`` of a positive integer of any size (its leading 60 bits and its bit length)."""
    shift = max(n.bit_length() - LOG_MANTISSA_BITS, 0)
    return math.log10(n >> shift) + shift * math.log10(2)


def log10_range(a) -> tuple[float, float] | None:
    """``(log10 min, log10 max)`` of the nonzero ``|a_ij|`` (exact or float), ``None`` when all are 0."""
    flat = np.abs(np.asarray(a).reshape(-1))
    nonzero = flat[flat != 0]
    return (log10_abs(np.min(nonzero)), log10_abs(np.max(nonzero))) if nonzero.size else None


def float_representable(*arrays) -> bool:
    """Whether every nonzero entry of the arrays lies within ``10^±FLOAT_SAFE_EXPONENT`` in magnitude, so
    that a float64 sub-check on them (finite differences, float Hessians) neither overflows nor underflows."""
    spans = [log10_range(a) for a in arrays]
    return all(span is None or max(map(abs, span)) <= FLOAT_SAFE_EXPONENT for span in spans)


SIGNIFICANT_DIGITS = 6
"""Significant digits of a number shown in decimal (as ``%.6g``)."""

LONG_EXACT_TEXT = 24
"""Exact rationals whose ``p/q`` text is longer than this are shown in decimal, marked exact."""


def exact_text(x) -> str:
    """``str(x)`` of an exact value (rational, SymPy expression) with integers of any length: Python's limit
    on int-to-text conversion (4300 digits) is lifted while it prints, since exact values here may be long."""
    import sys

    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return str(x)
    finally:
        sys.set_int_max_str_digits(limit)


BITS_PER_DIGIT = 4
"""More bits than this per decimal digit (``log2 10 < 4``): a bit-length bound on the length of ``p/q``."""


def format_number(x) -> str:
    """A short, deterministic text for a number: ``p/q`` when exact and short, ``%.6g`` otherwise
    (:func:`format_decimal`); long exact rationals are marked ``(exact rational)``.

    >>> format_number(Fraction(10**400)), format_number(Fraction(1, 3))
    ('1.0e+400 (exact rational)', '1/3')
    """
    if isinstance(x, (Fraction, flint.fmpq)) or (isinstance(x, sp.Basic) and x.is_Rational):
        f = to_fraction(x)
        if f.numerator.bit_length() + f.denominator.bit_length() <= LONG_EXACT_TEXT * BITS_PER_DIGIT:
            text = str(x)  # at most about LONG_EXACT_TEXT digits: cheap, and within Python's digit limit
            if len(text) <= LONG_EXACT_TEXT:
                return text
        return f"{format_decimal(x)} (exact rational)"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return format_decimal(x)


def format_decimal(x, digits: int = SIGNIFICANT_DIGITS) -> str:
    """``x`` in decimal to ``digits`` significant figures (``%g`` style).  Exact values of any
    magnitude are rounded exactly, never through a float, so they cannot overflow; SymPy
    infinities print as themselves (``oo``)."""
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.{digits}g}"
    if isinstance(x, sp.Basic) and not x.is_Rational:
        if not x.is_finite:
            return str(x)
        x = sp.Rational(x.evalf(digits + 10))
    return decimal_g(to_fraction(x), digits)


def decimal_exponent(x) -> int:
    """``⌊log10 |x|⌋`` of a nonzero exact or float number, exactly: ``10^e <= |x| < 10^(e+1)`` (the float
    logarithm's guess is corrected by exact comparison, so a power of ten is never off by one).

    >>> decimal_exponent(Fraction(10**300)), decimal_exponent(Fraction(999, 10**203))
    (300, -201)
    """
    f = abs(to_fraction(x))
    exponent = math.floor(log10_abs(f))
    while f < Fraction(10) ** exponent:
        exponent -= 1
    while f >= Fraction(10) ** (exponent + 1):
        exponent += 1
    return exponent


def decimal_g(f: Fraction, digits: int = SIGNIFICANT_DIGITS) -> str:
    """``f`` to ``digits`` significant figures in the style of ``%g``, computed exactly (no float,
    so no overflow or underflow): fixed notation for exponents ``-4 <= e < digits``, otherwise
    scientific with at least one decimal (``1.0e+400``, ``-2.5e-400``).

    >>> decimal_g(Fraction(10**400)), decimal_g(Fraction(-1, 3)), decimal_g(Fraction(1, 10**400))
    ('1.0e+400', '-0.333333', '1.0e-400')
    """
    if f == 0:
        return "0"
    sign, f = ("-" if f < 0 else ""), abs(f)
    exponent = decimal_exponent(f)
    mantissa = round(f * Fraction(10) ** (digits - 1 - exponent))  # digits significant figures
    if mantissa == 10**digits:  # rounding carried into a new digit
        mantissa, exponent = mantissa // 10, exponent + 1
    figures = str(mantissa)
    if -4 <= exponent < digits:
        if exponent >= 0:
            whole, frac = figures[: exponent + 1], figures[exponent + 1 :]
        else:
            whole, frac = "0", "0" * (-exponent - 1) + figures
        frac = frac.rstrip("0")
        return sign + whole + ("." + frac if frac else "")
    frac = figures[1:].rstrip("0") or "0"
    return f"{sign}{figures[0]}.{frac}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
