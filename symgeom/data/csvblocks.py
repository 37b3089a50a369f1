"""The points and labels of a data file, filled one block of lines at a time into arrays allocated once.

Float points go into a ``Q x N`` float64 array.  Exact points are held as decimals, int64 mantissas ``M``
and fraction digits ``F`` (:mod:`symgeom.numbers.decimals`), and end as rationals over one common denominator
``10^D``: the integer matrix ``K`` with ``X = K / d`` is carried with the data
(:attr:`symgeom.data.clusters.ClusterData.integers`).  Values that are no decimal within int64 (``1/3``, ``1e300``)
turn the table into FLINT rationals.
"""

from __future__ import annotations

import io
import math

import numpy as np

from .._errors import DataError
from ..numbers.arith import MAX_DIGITS, Kind
from .clusters import ClusterData, targets_matrix
from ..numbers.decimals import (INT64_MAX, POW10, block_decimals, common_denominator, decimal_parts, decimal_rationals,
    rationals)

__all__ = ["PointTable"]

MAX_FRACTION_DIGITS = np.iinfo(np.int16).max
"""Most fraction digits of a decimal held as ``(M, F)`` (``F`` is int16); more make it a FLINT rational."""


class PointTable:
    """Rows ``0 … rows−1`` of a data file's points (``Q x capacity``) and labels, added block by block.

    ``careful(first_line, block)`` is the row-by-row reader: it returns ``(values, labels)`` of a block the
    vectorized parsers decline, or raises the :class:`DataError` naming the line and column at fault."""

    def __init__(self, Q: int, kind: Kind, capacity: int, careful):
        self.Q, self.kind, self.capacity, self.careful = Q, Kind(kind), capacity, careful
        self.rows = 0
        self.labels = np.empty(capacity, dtype=np.int64)
        self.general = None
        if self.kind.is_exact:
            self.M = np.empty((Q, capacity), dtype=np.int64)
            self.F = np.empty((Q, capacity), dtype=np.int16)
        else:
            self.X = np.empty((Q, capacity), dtype=float)

    # -- one block ----------------------------------------------------------------------
    def add(self, first_line: int, block: bytes) -> None:
        """Parse the lines of ``block`` (the first is line ``first_line`` of the file) and append their rows."""
        parsed = self._exact_block(block) if self.kind.is_exact else self._float_block(block)
        if parsed is not None:
            self._append(*parsed)
            return
        values, labels = self.careful(first_line, block)
        if not values:
            return
        if not self.kind.is_exact:
            self._append(np.array(values, dtype=float), np.array(labels, dtype=np.int64))
            return
        parts = [decimal_parts(v) for row in values for v in row]
        if self.general is None and all(p is not None and abs(p[0]) <= INT64_MAX and p[1] <= MAX_FRACTION_DIGITS
                                        for p in parts):
            M = np.array([p[0] for p in parts], dtype=np.int64).reshape(len(values), self.Q)
            F = np.array([p[1] for p in parts], dtype=np.int16).reshape(len(values), self.Q)
            self._append(M, np.array(labels, dtype=np.int64), F)
        else:
            self._to_general()
            self._append(np.array(values, dtype=object).reshape(len(values), self.Q), np.array(labels, dtype=np.int64))

    def _labels(self, labels: np.ndarray):
        """``labels`` as int64 when every one is an integer in ``1..Q``, else ``None``."""
        if labels.size and not (labels.min() >= 1 and labels.max() <= self.Q):
            return None
        return labels.astype(np.int64)

    def _float_block(self, block: bytes):
        """``(points, labels)`` of a regular float block by ``numpy.loadtxt``; ``None`` for anything else."""
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not text.strip():
            return np.zeros((0, self.Q)), np.zeros(0, dtype=np.int64)
        if _longest_line(block) > MAX_DIGITS:
            return None  # a number may hold more digits than symgeom reads: the careful reader decides
        try:
            table = np.loadtxt(io.StringIO(text), delimiter=",", comments=None, ndmin=2, dtype=float)
        except ValueError:
            return None
        if table.shape[1] != self.Q + 1 or not np.isfinite(table).all():
            return None
        labels = table[:, -1]
        if not np.all(labels == np.round(labels)):
            return None
        labels = self._labels(labels)
        return None if labels is None else (table[:, :-1], labels)

    def _exact_block(self, block: bytes):
        """``(M, labels, F)`` of a block of plain decimals; ``None`` for anything else."""
        parts = block_decimals(block, self.Q + 1)
        if parts is None:
            return None
        M, F = parts
        scale = POW10[F[:, -1]]
        if np.any(M[:, -1] % scale):
            return None
        labels = self._labels(M[:, -1] // scale)
        return None if labels is None else (M[:, :-1], labels, F[:, :-1])

    def _append(self, values: np.ndarray, labels: np.ndarray, F=None) -> None:
        """Append rows: float points, exact rationals (``general``) or decimals ``M / 10^F``."""
        a, r = self.rows, labels.size
        if a + r > self.capacity:
            raise DataError("the data file grew while it was read; read it again when it is complete")
        if F is not None and self.general is not None:
            values, F = decimal_rationals(values, F), None
        target = self.general if self.general is not None else (self.M if self.kind.is_exact else self.X)
        target[:, a:a + r] = values.T
        if F is not None:
            self.F[:, a:a + r] = F.T
        self.labels[a:a + r] = labels
        self.rows += r

    def _to_general(self) -> None:
        """Hold the exact points as FLINT rationals from now on (some value is no decimal within int64)."""
        if self.general is None:
            self.general = np.empty((self.Q, self.capacity), dtype=object)
            n = self.rows
            self.general[:, :n] = decimal_rationals(self.M[:, :n], self.F[:, :n])
            self.M = self.F = None

    # -- the data -----------------------------------------------------------------------
    def cluster_data(self, targets, source: str) -> ClusterData:
        """The rows read as :class:`ClusterData` (targets: rows ``y_j`` as read, or ``None`` for ``e_j``);
        exact decimals over their common denominator carry their integer form."""
        n = self.rows
        integers = None
        if not self.kind.is_exact:
            X = self.X[:, :n]
        elif self.general is not None:
            X = self.general[:, :n]
        else:
            common = common_denominator(self.M[:, :n], self.F[:, :n])
            if common is None:
                X = decimal_rationals(self.M[:, :n], self.F[:, :n])
            else:
                integers = _lowest_terms(*common)
                X = rationals(*integers)
        Y = targets_matrix(targets, self.Q, self.kind, source)
        return ClusterData(X=X, labels=self.labels[:n], Y=Y, kind=self.kind, source=source, integers=integers)


def _lowest_terms(K: np.ndarray, d: int):
    """``(K / g, d / g)`` with ``g = gcd(K, d)``: the least common denominator of the rationals ``K / d``
    (what FLINT's ``fmpq_mat.numer_denom`` gives), ``K`` divided in place."""
    g = math.gcd(int(np.gcd.reduce(K, axis=None)), d)
    if g > 1:
        np.floor_divide(K, g, out=K)
    return K, d // g


def _longest_line(block: bytes) -> int:
    """The length in bytes of the longest line of ``block``."""
    ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == ord("\n"))
    bounds = np.concatenate(([-1], ends, [len(block)]))
    return int(np.diff(bounds).max()) - 1
