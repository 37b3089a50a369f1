"""Number kinds: exact rationals and floats, behind one set of array operations.

symgeom works in two kinds of numbers:

* ``"exact"`` -- numpy arrays of ``dtype=object`` holding FLINT rationals (``flint.fmpq``,
  from python-flint: exact rational arithmetic in C, about ten times faster per operation
  than :class:`fractions.Fraction`, and converted to FLINT matrices at no cost);
* ``"float"`` -- numpy ``float64`` arrays.

Both kinds go through the same numpy expressions (``W @ X + b[:, None]``, ``np.maximum``),
so the forward pass, the cost and the truncation maps are written once.  Only linear
algebra that numpy cannot do on objects dispatches here: inverse and rank to FLINT's
``fmpq_mat`` (python-flint: exact rational elimination in C, some 20 times faster than
pure-Python rationals on the Hessians of G3), the kernel to SymPy's
:class:`~sympy.polys.matrices.DomainMatrix` over ``QQ``.

>>> to_exact("0.1")
1/10
>>> A = array([["1", "2"], ["3", "4"]], "exact")
>>> inv(A)[0, 0]
-2
"""

from __future__ import annotations

import functools
import math
import re
from contextlib import contextmanager
from enum import Enum
from fractions import Fraction
from numbers import Rational

import flint
import numpy as np
import sympy as sp
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from .._errors import ParameterError

__all__ = [
    "ZERO", "Kind", "KINDS", "Exact", "to_exact", "to_fraction", "MAX_DIGITS", "MAX_EXPONENT", "NumberTooLarge",
    "quoted", "to_float", "array", "kind_of", "identity", "zeros", "full", "inv", "solve", "rank", "LINALG_THREADS",
    "linalg_threads", "FLINT_MIN_ENTRIES", "matmul", "product", "nullspace", "largest", "smallest", "relu", "to_sympy",
]

ZERO = flint.fmpq(0)


class Kind(str, Enum):
    """The number kind of an array, owned as an object in the spirit of SymPy's domains (``QQ``,
    ``RR``): it converts scalars and builds arrays, zeros and identities of its own kind, and names
    itself.  ``str``-valued, so JSON and messages see ``"exact"`` / ``"float"``.

    >>> Kind.EXACT.scalar("0.1"), Kind.FLOAT.scalar("1/4")
    (1/10, 0.25)
    >>> Kind("exact").label
    'exact rational'
    """

    EXACT = "exact"
    FLOAT = "float"

    __str__ = str.__str__
    __format__ = str.__format__

    def __repr__(self) -> str:
        return repr(self.value)

    @property
    def is_exact(self) -> bool:
        """Exact rational arithmetic (``flint.fmpq`` in object arrays)."""
        return self is Kind.EXACT

    @property
    def label(self) -> str:
        """``"exact rational"`` or ``"float64"``, for method descriptions."""
        return "exact rational" if self.is_exact else "float64"

    @property
    def dtype(self):
        """The numpy dtype of this kind's arrays."""
        return object if self.is_exact else float

    def scalar(self, value):
        """``value`` (int, Fraction, SymPy rational, decimal string, float) as a scalar of this kind."""
        return to_exact(value) if self.is_exact else to_float(value)

    def array(self, values) -> np.ndarray:
        return array(values, self)

    def zeros(self, shape) -> np.ndarray:
        return full(shape, 0, self)

    def full(self, shape, value: int) -> np.ndarray:
        return full(shape, value, self)

    def identity(self, n: int) -> np.ndarray:
        return identity(n, self)


KINDS = tuple(Kind)


Exact = flint.fmpq
"""The exact scalar type."""


def to_exact(value) -> "flint.fmpq":
    """Exact rational value of an int, a Fraction, a SymPy rational, or a decimal string.

    Decimal strings are read exactly (``"0.1"`` is 1/10, ``"1e-3"`` is 1/1000);
    a Python float is read through its shortest decimal representation.
    """
    if isinstance(value, flint.fmpq):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return flint.fmpq(int(value))
    return _from_fraction(_to_fraction(value))


def _from_fraction(f: Fraction) -> "flint.fmpq":
    return flint.fmpq(f.numerator, f.denominator)


def to_fraction(value) -> Fraction:
    """The same exact value as a :class:`fractions.Fraction` (for text and interchange)."""
    if isinstance(value, flint.fmpq):
        return Fraction(int(value.p), int(value.q))
    return _to_fraction(value)


def _to_fraction(value) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{value!r} is a boolean, not a number")
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    if isinstance(value, sp.Rational):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return Fraction(repr(float(value)))
    if isinstance(value, str):
        return _decimal_fraction(value)
    raise ValueError(f"{value!r} ({type(value).__name__}) is not a rational number")


MAX_DIGITS = 2000
"""Most digits symgeom reads in one number (mantissa, or numerator and denominator of ``p/q``)."""
MAX_EXPONENT = 2000
"""Largest ``|e|`` of a decimal exponent symgeom reads: ``1e100000000`` would build a 10⁸-digit integer."""

_NUMBER = re.compile(r"([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?|([+-]?\d+)/(\d+)", re.ASCII)
"""The numbers symgeom reads: ASCII decimals with an optional exponent (``-1.5``, ``.5``, ``2e-3``) and
ratios of integers (``3/7``).  Digit separators (``3_000``), other scripts' digits, and spaces other than
ASCII blanks around the number are refused rather than guessed at."""


class NumberTooLarge(ValueError):
    """A number written with more digits, or a larger exponent, than symgeom reads."""


def _decimal_fraction(value: str) -> Fraction:
    """The exact value of the number written ``value`` (see :data:`_NUMBER`), its size bounded before any
    big integer is built: at most :data:`MAX_DIGITS` digits and exponents within ``±MAX_EXPONENT``."""
    text = value.strip(" \t")
    m = _NUMBER.fullmatch(text)
    if m is None:
        raise ValueError(f"{value!r} is not a number")
    sign, whole, frac, point_frac, exponent, p, q = m.groups()
    digits = len(p or "") + len(q or "") + len(whole or "") + len(frac or "") + len(point_frac or "")
    if digits > MAX_DIGITS:
        raise NumberTooLarge(f"{quoted(value)} has {digits} digits; symgeom reads numbers of at most {MAX_DIGITS}")
    if exponent is not None and (len(exponent) > 6 or abs(int(exponent)) > MAX_EXPONENT):
        raise NumberTooLarge(f"{quoted(value)} has an exponent beyond ±{MAX_EXPONENT}, the largest symgeom reads")
    try:
        return Fraction(text)
    except ZeroDivisionError:
        raise ValueError(f"{value!r} is not a number (zero denominator)") from None


def quoted(text: str, limit: int = 40) -> str:
    """``text`` quoted, shortened to about ``limit`` characters (a message stays one short line)."""
    return repr(text) if len(text) <= limit else repr(text[: limit // 2]) + f"…({len(text)} characters)"


def to_float(value) -> float:
    """Float value of anything :func:`to_exact` accepts, or of a float."""
    if isinstance(value, str):
        result = float(to_exact(value))
    else:
        result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{value!r} is not a finite number")
    return result


def array(values, kind: Kind) -> np.ndarray:
    """An array of the given kind: ``object`` of FLINT rationals, or ``float64``."""
    try:
        kind = Kind(kind)
    except ValueError:
        raise ValueError(f"unknown number kind {kind!r}; expected one of {[str(k) for k in KINDS]}") from None
    if kind.is_exact:
        values = np.asarray(values, dtype=object)
        out = np.empty(values.shape, dtype=object)
        flat_in, flat_out = values.reshape(-1), out.reshape(-1)
        for k, v in enumerate(flat_in):
            flat_out[k] = to_exact(v)
        return out
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        out = values.astype(float)
        if not np.isfinite(out).all():
            raise ValueError("NaN or infinite values are not allowed")
        return out
    values = np.asarray(values, dtype=object)
    return np.vectorize(to_float, otypes=[float])(values) if values.size else values.astype(float)


def kind_of(a: np.ndarray) -> Kind:
    """The number kind of an array made by :func:`array`."""
    return Kind.EXACT if a.dtype == object else Kind.FLOAT


def identity(n: int, kind: Kind) -> np.ndarray:
    """The ``n x n`` identity matrix."""
    return array(np.eye(n, dtype=int), kind)


def zeros(shape, kind: Kind) -> np.ndarray:
    """An array of zeros."""
    return full(shape, 0, kind)


def full(shape, value: int, kind: Kind) -> np.ndarray:
    """An array filled with the integer ``value``, without converting entry by entry."""
    if not Kind(kind).is_exact:
        return np.full(shape, float(value))
    out = np.empty(shape, dtype=object)
    out.fill(flint.fmpq(value))
    return out


def _to_domain(a: np.ndarray) -> DomainMatrix:
    rows = [[QQ(int(x.p), int(x.q)) for x in row] for row in a]
    return DomainMatrix(rows, a.shape, QQ)


def _to_flint(a: np.ndarray) -> "flint.fmpq_mat":
    rows, cols = a.shape
    return flint.fmpq_mat(rows, cols, a.reshape(-1).tolist())


def _from_flint(m) -> np.ndarray:
    out = np.empty(m.nrows() * m.ncols(), dtype=object)
    out[:] = m.entries()
    return out.reshape(m.nrows(), m.ncols())


def inv(a: np.ndarray) -> np.ndarray:
    """Inverse of a square matrix, exact for exact arrays.

    Raises :class:`ParameterError` for a singular matrix.
    """
    if a.dtype == object:
        m = _to_flint(a)
        if m.det() == 0:
            raise ParameterError("matrix is singular (determinant 0); an invertible matrix is required")
        return _from_flint(m.inv())
    try:
        result = np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise ParameterError("matrix is singular; an invertible matrix is required") from None
    return result


def solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solution ``x`` of ``a x = b`` for square invertible ``a``."""
    return inv(a) @ b


def rank(a: np.ndarray, rtol: float | None = None) -> int:
    """Rank; exact for exact arrays, by singular values (relative tolerance) for floats."""
    if a.size == 0:
        return 0
    if a.dtype == object:
        return int(_to_flint(a).rank())
    s = np.linalg.svd(a, compute_uv=False)
    if rtol is None:
        rtol = max(a.shape) * np.finfo(float).eps
    return int(np.sum(s > rtol * s[0])) if s[0] > 0 else 0


LINALG_THREADS = 1
"""BLAS threads while symgeom computes: its dense matrices are small (``P x P`` with ``P`` in the hundreds),
where a second thread gains little, and on a busy machine multithreaded OpenBLAS on them is tens of times
slower than one thread (it also makes float results independent of the machine's core count)."""


@contextmanager
def linalg_threads(limit: int = LINALG_THREADS):
    """Run the body with at most ``limit`` BLAS threads (threadpoolctl; restored afterwards)."""
    with _blas_controller().limit(limits=limit, user_api="blas"):
        yield


@functools.cache
def _blas_controller():
    """One threadpoolctl controller for the process: finding the loaded BLAS libraries takes milliseconds, too
    long to repeat on every call of :func:`linalg_threads` (numpy's BLAS is loaded with numpy, before this)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


FLINT_MIN_ENTRIES = 4096
"""Exact products with at least this many entries in the result or operands go through FLINT."""


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b``; exact products of large arrays run in FLINT (``fmpq_mat``) instead of Python rationals."""
    if a.dtype != object or b.dtype != object or a.ndim != 2 or b.ndim != 2 or (a.size + b.size) < FLINT_MIN_ENTRIES:
        return a @ b
    return _from_flint(_to_flint(a) * _to_flint(b))


def product(*mats: np.ndarray) -> np.ndarray:
    """``mats[0] @ mats[1] @ …``; exact (object) matrices through FLINT's ``fmpq_mat`` whatever their size: it clears
    denominators once and multiplies integer matrices, where Python rationals reduce every partial sum (on rationals of
    hundreds of digits, several times faster even for ``7 x 7`` matrices)."""
    if any(m.dtype != object or m.ndim != 2 for m in mats):
        return functools.reduce(np.matmul, mats)
    return _from_flint(functools.reduce(lambda x, y: x * y, (_to_flint(m) for m in mats)))


def nullspace(a: np.ndarray, rtol: float | None = None) -> np.ndarray:
    """A basis of ``{x : a x = 0}`` as columns; exact for exact arrays, by SVD for floats."""
    if a.dtype == object:
        basis = _to_domain(a).nullspace().to_Matrix()  # rows span the kernel
        if basis.rows == 0:
            return np.empty((a.shape[1], 0), dtype=object)
        out = np.empty((basis.cols, basis.rows), dtype=object)
        for i in range(basis.rows):
            for j in range(basis.cols):
                v = basis[i, j]
                out[j, i] = flint.fmpq(int(v.p), int(v.q))
        return out
    u, s, vt = np.linalg.svd(a)
    if rtol is None:
        rtol = max(a.shape) * np.finfo(float).eps
    r = int(np.sum(s > rtol * s[0])) if s.size and s[0] > 0 else 0
    return vt[r:].T


def largest(a: np.ndarray):
    """The largest entry of ``a``: exact arrays by exact comparison (no float conversion, so any magnitude),
    float arrays in one vectorized reduction."""
    flat = np.asarray(a).reshape(-1)
    return max(flat) if flat.dtype == object else flat.max()


def smallest(a: np.ndarray):
    """The smallest entry of ``a``, as :func:`largest`."""
    flat = np.asarray(a).reshape(-1)
    return min(flat) if flat.dtype == object else flat.min()


def relu(u: np.ndarray) -> np.ndarray:
    """The ramp σ(u)_i = max(u_i, 0), entrywise, for either kind."""
    if u.dtype == object:
        return np.where(u > 0, u, ZERO)
    return np.maximum(u, 0.0)


def to_sympy(a):
    """A SymPy Matrix (or Rational / Float) with the same entries."""
    if isinstance(a, np.ndarray):
        if a.ndim == 1:
            return sp.Matrix([to_sympy(x) for x in a])
        return sp.Matrix([[to_sympy(x) for x in row] for row in a])
    if isinstance(a, flint.fmpq):
        return sp.Rational(int(a.p), int(a.q))
    if isinstance(a, Fraction):
        return sp.Rational(a.numerator, a.denominator)
    if isinstance(a, (float, np.floating)):
        return sp.Float(float(a))
    return sp.sympify(a)
