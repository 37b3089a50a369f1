"""Exact ranks at any size, from two bounds that meet.

For a rational matrix ``A`` (``m x n``) and a prime ``p``:

* **lower bound** -- ``D A`` (``D`` the common denominator) is an integer matrix of the same rank; if an
  ``r x r`` minor of ``D A`` is nonzero modulo ``p`` it is a nonzero integer, so ``rank A ≥ r``.  The minor is
  found by the rank profile of the reduction modulo ``p`` (pivot columns of its row echelon form, then pivot
  rows of those columns) and its determinant modulo ``p`` is checked to be nonzero;
* **upper bound** -- ``rank A ≤ min(m, n)``, ``rank A ≤ n − rank V`` for explicit vectors ``V`` with
  ``A V = 0`` checked exactly (``rank V`` bounded below modulo ``p`` in the same way), and any bound a caller
  proves otherwise (e.g. ``H = J_Fᵀ D J_F`` certified, so ``rank H ≤`` the rows of ``J_F``).

When the bounds meet the rank is certified.  A prime dividing a minor only lowers the lower bound, so
further primes are tried; when the bounds still differ, the rank is computed by fraction-free elimination
(FLINT ``fmpz_mat.rank``, exact) if the matrix is small enough, and otherwise left undecided -- never guessed.

>>> import numpy as np, flint
>>> A = np.array([[flint.fmpq(1, 2), flint.fmpq(1)], [flint.fmpq(1), flint.fmpq(2)]], dtype=object)
>>> V = np.array([[flint.fmpq(2)], [flint.fmpq(-1)]], dtype=object)
>>> c = certified_rank(A, kernel=V)
>>> c.rank, c.lower, c.upper, c.kernel_rank
(1, 1, 1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass

import flint
import numpy as np
import sympy as sp

PRIMES = tuple(int(sp.prevprime(2**62 - k * 2**40)) for k in range(3))
"""The primes tried in turn: three primes just below ``2^62`` (FLINT's ``nmod_mat`` takes word-size moduli)."""

ELIMINATION_MAX_ENTRIES = 320 * 320
"""When the bounds do not meet, exact fraction-free elimination runs on matrices up to this many entries
(a few seconds at ``P = 294``, ``Q = L = 6``); beyond, the rank is left undecided."""

__all__ = ["RankCertificate", "certified_rank", "integer_matrix", "annihilates", "kernel_basis", "minor_mod", "PRIMES"]


def integer_matrix(a: np.ndarray) -> "flint.fmpz_mat":
    """``D a`` as a FLINT integer matrix, ``D`` the common denominator of the exact entries of ``a`` (same rank,
    same kernel, same column span up to the factor ``D``)."""
    rows, cols = a.shape
    if rows == 0 or cols == 0:
        return flint.fmpz_mat(rows, cols)
    return flint.fmpq_mat(rows, cols, a.reshape(-1).tolist()).numer_denom()[0]


def kernel_basis(a: np.ndarray) -> np.ndarray:
    """``n x d``: exact rational columns spanning ``{x : a x = 0}`` (FLINT's fraction-free nullspace of the
    integer matrix ``D a``, which has the same kernel)."""
    rows, cols = a.shape
    if rows == 0:
        return np.array([[flint.fmpq(int(i == j)) for j in range(cols)] for i in range(cols)], dtype=object).reshape(cols, cols)
    K, d = integer_matrix(a).nullspace()
    out = np.empty((cols, d), dtype=object)
    entries = K.tolist()
    for i in range(cols):
        out[i, :] = [flint.fmpq(v) for v in entries[i][:d]]
    return out


def annihilates(A: np.ndarray, V: np.ndarray) -> bool:
    """Whether ``A V = 0`` exactly (in rationals: FLINT's ``fmpq_mat`` product)."""
    if A.shape[0] == 0 or V.shape[1] == 0:
        return True
    product = flint.fmpq_mat(*A.shape, A.reshape(-1).tolist()) * flint.fmpq_mat(*V.shape, V.reshape(-1).tolist())
    return all(x == 0 for x in product.entries())


def minor_mod(M: "flint.fmpz_mat", p: int) -> tuple[tuple, tuple]:
    """``(rows, cols)`` of an ``r x r`` minor of ``M`` nonzero modulo ``p``, ``r`` the rank of ``M`` mod ``p``:
    the pivot columns of the row echelon form of ``M`` mod ``p``, then the pivot rows of those columns (the
    pivots of the transposed submatrix).  Its determinant mod ``p`` is checked nonzero; ``AssertionError`` if
    not (a bug, never a rank)."""
    if M.nrows() == 0 or M.ncols() == 0:
        return (), ()
    cols = _pivots(flint.nmod_mat(M, p))
    if not cols:
        return (), ()
    entries = M.tolist()
    sub = flint.fmpz_mat([[row[c] for c in cols] for row in entries])
    rows = _pivots(flint.nmod_mat(sub.transpose(), p))
    minor = flint.nmod_mat([[entries[i][c] for c in cols] for i in rows], p)
    if len(rows) != len(cols) or minor.det() == 0:
        raise AssertionError("the rank profile modulo p did not give a nonsingular minor")
    return tuple(rows), tuple(cols)


def _pivots(m: "flint.nmod_mat") -> list[int]:
    """The pivot columns of the reduced row echelon form of ``m``."""
    R, r = m.rref()
    pivots, col = [], 0
    for i in range(r):
        while int(R[i, col]) == 0:
            col += 1
        pivots.append(col)
        col += 1
    return pivots


@dataclass(frozen=True)
class RankCertificate:
    """Certified bounds ``lower ≤ rank A ≤ upper`` of an exact matrix."""

    lower: int
    """Size of a minor nonzero modulo a prime (or the exact rank, when elimination ran)."""
    upper: int
    """``min(rows, cols, cols − kernel_rank, bound)``."""
    primes: tuple
    """The primes used."""
    kernel_rank: int | None = None
    """Certified lower bound of ``rank V`` for the given kernel vectors (``None``: none given)."""
    annihilated: bool | None = None
    """Whether ``A V = 0`` exactly (``None``: no kernel vectors given)."""
    eliminated: bool = False
    """Whether the bounds met only by exact fraction-free elimination."""

    def __post_init__(self):
        if self.lower > self.upper:
            raise ValueError(f"rank bounds cross: {self.lower} > {self.upper}")

    @property
    def rank(self) -> int | None:
        """The certified rank, or ``None`` when the bounds differ."""
        return self.lower if self.lower == self.upper else None

    def describe(self) -> str:
        """The bounds in words, with the primes."""
        how = "exact fraction-free elimination" if self.eliminated else (
            f"a {self.lower} x {self.lower} minor nonzero mod p = {self.primes[-1]}")
        kernel = "" if self.kernel_rank is None else f"; {self.kernel_rank} kernel vectors, A V = 0 exactly: {self.annihilated}"
        return f"{self.lower} <= rank <= {self.upper} ({how}{kernel})"


def certified_rank(A: np.ndarray, kernel: np.ndarray | None = None, bound: int | None = None,
                   primes=PRIMES) -> RankCertificate:
    """Bounds on the rank of the exact matrix ``A`` (module docstring): a minor nonzero mod ``p`` below; above,
    the size, ``cols − rank V`` when ``kernel = V`` satisfies ``A V = 0`` exactly, and ``bound`` (a rank bound
    the caller has certified).  Primes are tried until the bounds meet; then exact elimination if small."""
    M = integer_matrix(A)
    upper = min(M.nrows(), M.ncols()) if bound is None else min(M.nrows(), M.ncols(), bound)
    K = annihilated = None
    if kernel is not None:
        annihilated = annihilates(A, kernel)
        K = integer_matrix(kernel) if annihilated else None
    lower, kernel_rank, used = 0, (0 if K is not None else None), []
    for p in primes:
        used.append(p)
        lower = max(lower, len(minor_mod(M, p)[1]))
        if K is not None:
            kernel_rank = max(kernel_rank, flint.nmod_mat(K, p).rank())
            upper = min(upper, M.ncols() - kernel_rank)
        if lower == upper:
            return RankCertificate(lower, upper, tuple(used), kernel_rank, annihilated)
    if M.nrows() * M.ncols() <= ELIMINATION_MAX_ENTRIES:
        r = int(M.rank())
        return RankCertificate(r, r, tuple(used), kernel_rank, annihilated, eliminated=True)
    return RankCertificate(lower, upper, tuple(used), kernel_rank, annihilated)
