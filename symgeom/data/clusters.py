"""Clustered training data: ``Q`` clusters in ``R^Q``, their means, noise and signal.

Notation (docs/mathematics/index.md): cluster ``j`` has points ``x_{j,i} = m_j + Δx_{j,i}``,
``i = 1..N_j``, with mean ``m_j``; ``δ_j = max_i |Δx_{j,i}|`` is its radius,
``δ = max_j δ_j``; ``h_k`` is the distance from ``m_k`` to the affine hull of the other
means and ``h = min_k h_k``; the noise-to-signal ratio is ``ρ = δ / h``.

Points are stored as the columns of the ``Q x N`` matrix ``X`` (the paper's convention);
files and :meth:`ClusterData.from_arrays` take one point per row.

>>> from symgeom.data.embedded import default_data
>>> d = default_data()
>>> d.Q, d.N, d.sizes
(3, 13, (4, 4, 5))
>>> d.means[:, 0].tolist()
[3, 0, 0]
>>> d.delta
1/5
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import flint
import numpy as np
import sympy as sp

from ..numbers import arith, sizes
from .._errors import DataError
from ..numbers.arith import Kind
from ..numbers.decimals import magnitude_of_integers
from .overlap import reject_shared_points
from ..numbers.filtered import carry_integers, grouped_moments
from ..numbers.printing import latex

__all__ = ["MAX_Q", "MAX_N", "MAX_MAGNITUDE", "ClusterData", "targets_matrix", "example_data"]

MAX_Q = 64
MAX_N = 10**8
MAX_MAGNITUDE = sys.float_info.max
"""Largest |value| accepted, exact data included: tolerances and cross-checks take float64
values of the data, which do not exist beyond this (about 1.8e308)."""


@dataclass(frozen=True, eq=False)
class ClusterData:
    """Training inputs with cluster labels and one target per cluster.

    Checked when built: ``X`` is ``Q x N``, every label lies in ``1..Q``, every cluster has
    a point, the means are affinely independent and the targets linearly independent.
    """

    X: np.ndarray
    """``Q x N``; column ``n`` is the point ``x_{j,i}`` with ``j = labels[n]``."""
    labels: np.ndarray
    """``(N,)`` integers in ``1..Q``: the cluster of each column of ``X``."""
    Y: np.ndarray
    """``Q x Q``; column ``j`` is the target ``y_j`` (default: ``y_j = e_j``)."""
    kind: Kind
    """``"exact"`` (FLINT rationals) or ``"float"`` (float64)."""
    source: str = field(default="arrays", compare=False)
    """Where the data came from, for messages and reports."""
    integers: tuple | None = field(default=None, compare=False, repr=False)
    """Exact data read from decimals: ``(K, d)`` with ``X = K / d``, ``K`` a ``Q x N`` int64 matrix and ``d``
    the least common denominator of ``X`` (as FLINT's ``fmpq_mat.numer_denom`` gives it), so that exact
    paths on integers (:func:`symgeom.numbers.filtered.lifted_integers`) need not rebuild it; ``None`` otherwise."""
    units: object = field(default=None, compare=False)
    """The change of units (:class:`symgeom.model.units.Units`) that made these data from the data as given, or
    ``None`` when they are as given (see :func:`symgeom.model.units.float_units`)."""

    def __post_init__(self):
        object.__setattr__(self, "kind", Kind(self.kind))
        X, Y, labels = self.X, self.Y, self.labels
        if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
            raise DataError(f"{self.source}: points must form a non-empty Q x N array (got shape {X.shape})")
        Q, N = X.shape
        if Q > MAX_Q:
            raise DataError(f"{self.source}: dimension Q={Q} is too large; symgeom handles Q <= {MAX_Q}")
        if N > MAX_N:
            raise DataError(f"{self.source}: N={N} points is too many; symgeom handles N <= {MAX_N}")
        if labels.shape != (N,):
            raise DataError(f"{self.source}: expected {N} cluster labels, got {labels.shape[0]}")
        bad = labels[(labels < 1) | (labels > Q)]
        if bad.size:
            raise DataError(f"{self.source}: cluster label {int(bad[0])} is outside 1..{Q} (Q = {Q} is the dimension)")
        empty = [j + 1 for j, n in enumerate(self.sizes) if n == 0]
        if empty:
            raise DataError(f"{self.source}: cluster {empty[0]} has no points; each of the Q={Q} clusters needs at least one")
        if self.integers is not None:
            _carry_integers(X, *self.integers, self.source)
        _require_float_range(X, self.source, "point coordinate", self.integers)
        _require_float_range(Y, self.source, "target coordinate")
        reject_shared_points(X, labels, self.source)
        if Y.shape != (Q, Q):
            raise DataError(
                f"{self.source}: targets must be {Q} vectors in R^{Q}, one per cluster (got a {Y.shape[1]}-by-{Y.shape[0]} table)"
            )
        edges = self.means[:, 1:] - self.means[:, :1]
        r = arith.rank(edges)
        if r != Q - 1:
            raise DataError(
                f"{self.source}: the cluster means are not affinely independent "
                f"(the Q-1 = {Q - 1} differences m_j - m_1 have rank {r}); clusters must sit at the vertices of a simplex"
            )
        r = arith.rank(Y)
        if r != Q:
            raise DataError(f"{self.source}: the targets are not linearly independent (rank {r}, expected Q = {Q})")

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_arrays(cls, points, labels, targets=None, kind: Kind = "exact", source: str = "arrays") -> "ClusterData":
        """Data from ``points`` (``N x Q``, one point per row), ``labels`` in ``1..Q`` and
        optional ``targets`` (``Q x Q``, row ``j`` is ``y_j``; default ``y_j = e_j``).

        ``kind="exact"`` reads every value as an exact rational (decimal strings and
        floats through their decimal text: ``0.1`` is 1/10).
        """
        try:
            P = arith.array(points, kind)
        except ValueError as e:
            raise DataError(f"{source}: {e}") from None
        if P.ndim != 2:
            raise DataError(f"{source}: points must be an N x Q array, one point per row (got shape {P.shape})")
        Q = P.shape[1]
        try:
            lab = np.asarray(labels)
            if lab.dtype.kind not in "iu":
                lab = np.array([_label(v, source) for v in lab.reshape(-1)], dtype=np.int64).reshape(lab.shape)
            lab = lab.astype(np.int64)
        except (TypeError, ValueError):
            raise DataError(f"{source}: cluster labels must be integers 1..Q") from None
        return cls(X=P.T.copy(), labels=lab, Y=targets_matrix(targets, Q, kind, source), kind=kind, source=source)

    def with_kind(self, kind: Kind) -> "ClusterData":
        """The same data in the other number kind (exact → float is rounding; float → exact reads the decimal text)."""
        if kind == self.kind:
            return self
        return ClusterData(X=arith.array(self.X, kind), labels=self.labels, Y=arith.array(self.Y, kind), kind=kind,
                           source=self.source, units=self.units)

    # -- sizes ------------------------------------------------------------------------
    @property
    def Q(self) -> int:
        """Dimension of input, hidden and output spaces, and the number of clusters."""
        return self.X.shape[0]

    @property
    def N(self) -> int:
        """Number of training points ``N = Σ_j N_j``."""
        return self.X.shape[1]

    @cached_property
    def sizes(self) -> tuple[int, ...]:
        """``(N_1, …, N_Q)``."""
        counts = np.bincount(self.labels, minlength=self.Q + 1)[1 : self.Q + 1]
        return tuple(int(n) for n in counts)

    @cached_property
    def membership(self) -> np.ndarray:
        """``N x Q`` 0/1 matrix ``E`` with ``E[n, j] = 1`` iff point ``n`` is in cluster ``j+1``."""
        E = np.zeros((self.N, self.Q), dtype=np.int64)
        E[np.arange(self.N), self.labels - 1] = 1
        return E

    # -- signal and noise -------------------------------------------------------------
    @cached_property
    def means(self) -> np.ndarray:
        """``Q x Q``; column ``j`` is ``m_j = (1/N_j) Σ_i x_{j,i}``."""
        counts = arith.array(list(self.sizes), self.kind)
        return self.cluster_sums / counts[None, :]

    @cached_property
    def cluster_sums(self) -> np.ndarray:
        """``Q x Q``; column ``j`` is ``Σ_i x_{j,i}``: float sums by ``bincount`` (one pass per coordinate), exact
        ones in int64 on the integer form ``X = K / d`` when it is carried and the sums cannot overflow, else
        over the rationals of each cluster."""
        Q, labels = self.Q, self.labels
        if not self.kind.is_exact:
            return np.stack([np.bincount(labels, weights=row, minlength=Q + 1)[1:] for row in self.X])
        if self.integers is not None:
            K, d = self.integers
            if magnitude_of_integers(K) * max(self.sizes) <= np.iinfo(np.int64).max:
                sums = np.stack([K[:, labels == j].sum(axis=1) for j in range(1, Q + 1)], axis=1)
                return np.array([flint.fmpq(int(v), d) for v in sums.reshape(-1)], dtype=object).reshape(Q, Q)
        return np.stack([self.X[:, labels == j].sum(axis=1) for j in range(1, Q + 1)], axis=1)

    @cached_property
    def moments(self) -> np.ndarray:
        """``Q x (Q+1) x (Q+1)``; entry ``j − 1`` is ``S_j = Σ_i x̃_{j,i} x̃_{j,i}ᵀ`` (``x̃ = (x, 1)``: count and sums
        included), the sufficient statistics of every affine least-squares problem on whole clusters
        (:func:`~symgeom.numbers.filtered.grouped_moments`)."""
        return grouped_moments(self.X, self.labels - 1, self.Q)

    @cached_property
    def deviations(self) -> np.ndarray:
        """``Q x N``; column ``(j,i)`` is ``Δx_{j,i} = x_{j,i} − m_j`` (each cluster's sum is 0)."""
        return self.X - self.means[:, self.labels - 1]

    @cached_property
    def radii_squared(self) -> tuple:
        """``(δ_1², …, δ_Q²)`` with ``δ_j = max_i |Δx_{j,i}|``."""
        sq = np.sum(self.deviations * self.deviations, axis=0)
        return tuple(sq[self.labels == j + 1].max() for j in range(self.Q))

    @cached_property
    def altitudes_squared(self) -> tuple:
        """``(h_1², …, h_Q²)``; ``h_k`` is the distance from ``m_k`` to the affine hull of the
        other means (infinite when ``Q = 1``: the hull is empty)."""
        if self.Q == 1:
            return (sp.oo,) if self.kind.is_exact else (math.inf,)
        return tuple(np.sum(self.normals[:, k] ** 2) for k in range(self.Q))

    @cached_property
    def normals(self) -> np.ndarray:
        """``Q x Q``; column ``k`` is ``f_k − m_k``, from ``m_k`` to its foot ``f_k`` on the affine
        hull of the other means (length ``h_k``; for ``Q = 1``, where the hull is empty, ``e_1``)."""
        return np.stack([_to_hull(self.means, k) for k in range(self.Q)], axis=1)

    @cached_property
    def diameter_squared(self):
        """``D²``, the largest squared distance between two means."""
        M = self.means
        return max(np.sum((M[:, j] - M[:, k]) ** 2) for j in range(self.Q) for k in range(j)) if self.Q > 1 else M[0, 0] * 0

    @cached_property
    def radii(self) -> tuple:
        """``(δ_1, …, δ_Q)``: exact square roots (SymPy) or floats."""
        return _lengths(self.radii_squared, self.kind)

    @cached_property
    def altitudes(self) -> tuple:
        """``(h_1, …, h_Q)``: the altitudes of the simplex of means."""
        return _lengths(self.altitudes_squared, self.kind)

    @cached_property
    def delta(self):
        """Noise ``δ = max_j δ_j``: the radius of the widest cluster (chosen by exact comparison of squares)."""
        return self.radii[_extreme(max, self.radii_squared)]

    @cached_property
    def h(self):
        """Signal ``h = min_k h_k``: the altitude of the flattest vertex (chosen by exact comparison of squares)."""
        return self.altitudes[_extreme(min, self.altitudes_squared)]

    @cached_property
    def rho(self):
        """Noise-to-signal ratio ``ρ = δ / h`` (0 when ``Q = 1``)."""
        if self.Q == 1:
            return sp.Integer(0) if self.kind.is_exact else 0.0
        if self.kind.is_exact:
            return sp.sqrt(_sympy(max(self.radii_squared)) / _sympy(min(self.altitudes_squared)))
        return float(self.delta / self.h)

    @cached_property
    def targets_ext(self) -> np.ndarray:
        """``Y^ext``: ``Q x N``, the column of point ``(j,i)`` is ``y_j``."""
        return self.Y[:, self.labels - 1]

    def parameter_count(self, L: int) -> int:
        """``P = (L+1)(Q² + Q)``, the number of weights and biases of a network with ``L`` hidden layers."""
        return (L + 1) * (self.Q**2 + self.Q)

    def __str__(self) -> str:
        return (
            f"ClusterData(Q={self.Q}, N={self.N}, sizes={self.sizes}, kind={self.kind}, "
            f"delta={sizes.format_number(self.delta)}, h={sizes.format_number(self.h)}, "
            f"rho={sizes.format_number(self.rho)}, source={self.source}"
            + ("" if self.units is None or self.units.is_identity else f", units: {self.units}") + ")"
        )

    def _repr_latex_(self) -> str:
        return "$" + latex(self) + "$"

    def _latex(self, printer) -> str:
        return (
            rf"\text{{{self.Q} clusters in }}\mathbb{{R}}^{{{self.Q}}},\ N={self.N},\ "
            rf"\delta={printer._print(_sympy(self.delta))},\ h={printer._print(_sympy(self.h))},\ "
            rf"\rho={printer._print(_sympy(self.rho))}"
        )


def _require_float_range(a: np.ndarray, source: str, what: str, integers=None) -> None:
    """Refuse exact values beyond :data:`MAX_MAGNITUDE` (float arrays cannot hold them); the largest is
    ``max|K| / d`` when the integer form ``a = K / d`` is given."""
    if not arith.kind_of(a).is_exact or a.size == 0:
        return
    largest = np.max(np.abs(a)) if integers is None else flint.fmpq(magnitude_of_integers(integers[0]), integers[1])
    if arith.to_fraction(largest) > Fraction(MAX_MAGNITUDE):
        raise DataError(f"{source}: a {what} of magnitude {sizes.format_number(largest)} is beyond the range symgeom "
                        f"computes with (|value| <= {MAX_MAGNITUDE:.3g}, the float64 range its cross-checks use); "
                        f"rescale the data")


def targets_matrix(targets, Q: int, kind: Kind, source: str) -> np.ndarray:
    """``Y`` (``Q x Q``, column ``j`` is ``y_j``) from ``targets`` given row by row (``Q x Q``, row ``j`` is
    ``y_j``), or the identity ``y_j = e_j`` for ``None``."""
    if targets is None:
        return arith.identity(Q, kind)
    try:
        T = arith.array(targets, kind)
    except ValueError as e:
        raise DataError(f"{source} (targets): {e}") from None
    if T.ndim != 2 or T.shape[1] != Q:
        raise DataError(
            f"{source}: targets must have dimension Q = {Q} like the data (got shape {T.shape}, expected ({Q}, {Q}))"
        )
    return T.T.copy()


def _carry_integers(X: np.ndarray, K: np.ndarray, d: int, source: str) -> None:
    """Hand the integer form ``X = K / d`` of exact data to the integer paths (:mod:`symgeom.numbers.filtered`)."""
    if not arith.kind_of(X).is_exact or K.shape != X.shape or K.dtype != np.int64 or not (isinstance(d, int) and d > 0):
        raise DataError(f"{source}: the integer form of the data must be a {X.shape} int64 matrix K and a positive "
                        f"integer d with X = K / d (got {K.dtype} {K.shape}, d = {d!r})")
    carry_integers(X, K, d)


def _sympy(x):
    return arith.to_sympy(x) if not isinstance(x, sp.Basic) else x


def _sqrt(x, kind: Kind):
    if kind.is_exact:
        if isinstance(x, sp.Basic) and x is sp.oo:
            return sp.oo
        return sp.sqrt(_sympy(x))
    return math.inf if x == math.inf else math.sqrt(float(x))


def _lengths(squares, kind: Kind) -> tuple:
    """The lengths whose squares are ``squares``: exact square roots (SymPy) or floats."""
    return tuple(_sqrt(v, kind) for v in squares)


def _extreme(pick, squares) -> int:
    """The index of the ``pick`` (``max`` or ``min``) of ``squares``, by exact comparison."""
    return pick(range(len(squares)), key=squares.__getitem__)


def _to_hull(means: np.ndarray, k: int) -> np.ndarray:
    """``f − m_k`` with ``f`` the nearest point to ``m_k`` on the affine hull of the other columns."""
    Q = means.shape[1]
    if Q == 1:
        return arith.identity(means.shape[0], arith.kind_of(means))[:, 0]
    others = np.delete(means, k, axis=1)
    base = others[:, :1]
    w = means[:, k : k + 1] - base
    D = others[:, 1:] - base
    if D.shape[1]:
        w = w - D @ arith.solve(D.T @ D, D.T @ w)
    return -w[:, 0]


def _label(value, source: str) -> int:
    try:
        f = arith.to_exact(value) if not isinstance(value, (int, np.integer)) else Fraction(int(value))
    except ValueError:
        raise DataError(f"{source}: cluster label {value!r} is not an integer; labels are 1..Q") from None
    if f.denominator != 1:
        raise DataError(f"{source}: cluster label {value!r} is not an integer; labels are 1..Q")
    return int(f)


def example_data(Q: int, seed: int = 0, kind: Kind = "exact") -> ClusterData:
    """A reproducible well-clustered data set with two-decimal coordinates.

    Means near ``3 e_j``; each cluster has between ``Q+1`` and ``Q+3`` points (so its noise
    can span ``R^Q``); deviations are multiples of 1/100 of size at most 0.15 per
    coordinate, so ``ρ ≤ 0.15 √Q / (3 √(Q/(Q-1)))`` for ``Q ≥ 2``.
    """
    if not isinstance(Q, (int, np.integer)) or Q < 1 or Q > MAX_Q:
        raise DataError(f"example: Q must be an integer in 1..{MAX_Q} (got {Q!r})")
    rng = np.random.default_rng(seed)
    sizes = rng.integers(Q + 1, Q + 4, size=Q)
    labels = np.repeat(np.arange(1, Q + 1), sizes)
    centres = 300 * np.eye(Q, dtype=np.int64)[:, labels - 1].T
    noise = rng.integers(-15, 16, size=(labels.size, Q))
    hundredths = centres + noise
    points = [[Fraction(int(v), 100) for v in row] for row in hundredths]
    return ClusterData.from_arrays(points, labels, kind=kind, source=f"example(Q={Q}, seed={seed})")


