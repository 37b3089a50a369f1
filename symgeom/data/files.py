"""Clustered training data in files: reading a CSV of points and labels (and one of targets) in either
number kind, and writing data back as CSV text with exact decimals.

Data: a header ``x1,…,xQ,cluster`` and one point per row; targets: a header ``y1,…,yQ`` and one row
per cluster.  Values are decimals, fractions or exponent notation, read exactly with
``kind="exact"``.

>>> from symgeom.data.embedded import default_data
>>> csv_text(default_data()).splitlines()[:2]
['x1,x2,x3,cluster', '3.1,0.1,0,1']
"""

from __future__ import annotations

import csv
import io
import math
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..numbers import arith
from .._errors import DataError
from ..numbers.arith import Kind, NumberTooLarge, quoted
from .csvblocks import PointTable
from ..io import require_regular_file
from .clusters import MAX_Q, ClusterData

__all__ = [
    "CSV_ENCODING", "FOREIGN_SEPARATORS", "BLOCK_BYTES", "MAX_HEADER_BYTES", "read_csv", "DataSize", "data_size",
    "read_targets", "decimal_text", "csv_text", "targets_csv_text",
]

# -- files ----------------------------------------------------------------------------
CSV_ENCODING = "utf-8-sig"
"""UTF-8, with a byte-order mark (as spreadsheet programs write it) dropped when present."""

FOREIGN_SEPARATORS = {";": "semicolons (';')", "\t": "tabs"}
"""Separators of CSV dialects symgeom does not read, named in the message that asks for commas."""

BLOCK_BYTES = 1 << 21
"""Bytes of CSV text read and parsed at a time (whole lines): the memory of the reading beyond the arrays
of the data stays a small multiple of this."""

def _require_regular_file(path: Path, what: str) -> None:
    """Refuse anything but a regular file as the ``what`` CSV file (:func:`symgeom.io.require_regular_file`)."""
    require_regular_file(path, what, f"a {what} CSV file", DataError)


def _decoded(raw: bytes, path: Path, what: str, first: bool = False) -> str:
    """``raw`` as text (a byte-order mark dropped at the start of the file); not UTF-8 is a :class:`DataError`."""
    try:
        return raw.decode(CSV_ENCODING if first else "utf-8")
    except UnicodeDecodeError:
        raise DataError(f"{path}: the {what} file is not UTF-8 text; expected a CSV file") from None


def _rows(text: str, first_line: int, path: Path):
    """``(line, cells)`` of the non-blank rows of CSV ``text`` whose first line is ``first_line``, cells stripped.
    What the csv module cannot split (a carriage return alone ending a line, a field beyond its size limit)
    is a :class:`DataError` naming the file and the line."""
    if "\r" in text:
        _reject_bare_carriage_returns(text, first_line, path)
    reader = csv.reader(io.StringIO(text))
    line = first_line
    try:
        for line, row in enumerate(reader, start=first_line):
            cells = [c.strip() for c in row]
            if any(cells):
                yield line, cells
    except csv.Error as e:
        raise DataError(f"{path}: line {first_line + reader.line_num - 1}: cannot split the line into fields "
                        f"({e}); expected comma-separated numbers") from None


def _reject_bare_carriage_returns(text: str, first_line: int, path: Path) -> None:
    """Lines end in ``\\n`` or ``\\r\\n``; a carriage return anywhere else (old Mac line ends, or a mix) is refused."""
    at = text.replace("\r\n", "\n\n").find("\r")
    if at >= 0:
        line = first_line + text.count("\n", 0, at)
        raise DataError(f"{path}: line {line}: a carriage return (\\r) not followed by a line feed; lines must end "
                        "in \\n or \\r\\n")


def _read_rows(path: Path, what: str) -> list:
    """Every non-blank row of a small CSV file (targets), numbered by line."""
    _require_regular_file(path, what)
    with _opened(path, what) as f:
        return list(_rows(_decoded(f.read(), path, what, first=True), 1, path))


@contextmanager
def _opened(path: Path, what: str):
    """The file opened for binary reading; read errors become :class:`DataError` naming the file."""
    try:
        with open(path, "rb") as f:
            yield f
    except OSError as e:
        raise DataError(f"{path}: cannot read the {what} file ({e.strerror or e})") from None


MAX_HEADER_BYTES = 1 << 16
"""Longest header line read: ``x1,…,x64,cluster`` with spaces fits many times over."""


def _header(f, path: Path):
    """``(line, cells)`` of the first non-blank line of the data file, read line by line, each line bounded
    by :data:`MAX_HEADER_BYTES` (a file of NUL bytes or one endless line is refused without reading it whole)."""
    for line, raw in enumerate(iter(lambda: f.readline(MAX_HEADER_BYTES + 1), b""), start=1):
        if len(raw) > MAX_HEADER_BYTES or b"\0" in raw:
            what = "NUL bytes" if b"\0" in raw else f"a line longer than {MAX_HEADER_BYTES} bytes"
            raise DataError(f"{path}: line {line}: {what} before the header; expected a CSV text file with the header "
                            "'x1,...,xQ,cluster'")
        for _, cells in _rows(_decoded(raw, path, "data", first=line == 1), line, path):
            return line, cells
    raise DataError(f"{path}: the file is empty; expected a header 'x1,...,xQ,cluster' and one row per point")


def _line_blocks(f, first_line: int, size: int):
    """``(line, block)``: the rest of the file in blocks of about ``size`` bytes of whole lines, each with
    the number of its first line (a line longer than ``size`` is gathered piece by piece)."""
    pieces, line = [], first_line
    while True:
        chunk = f.read(size)
        if not chunk:
            if pieces:
                yield line, b"".join(pieces)
            return
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            pieces.append(chunk)
            continue
        block = b"".join(pieces + [chunk[:cut]])
        pieces = [chunk[cut:]] if cut < len(chunk) else []
        yield line, block
        line += block.count(b"\n")


def _lines(path: Path, size: int) -> tuple[int, int]:
    """``(lines, longest)``: the number of lines of the file (newline bytes, plus one for a last line without
    one) and the length of its longest line in bytes, counted block by block."""
    count, last, longest, run = 0, b"\n", 0, 0
    with _opened(path, "data") as f:
        for chunk in iter(lambda: f.read(size), b""):
            ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
            if ends.size:
                longest = max(longest, run + int(ends[0]), int(np.diff(ends).max(initial=1)) - 1)
                run = len(chunk) - int(ends[-1]) - 1
            else:
                run += len(chunk)
            count, last = count + ends.size, chunk[-1:]
    return count + (last != b"\n"), max(longest, run)


def _reject_foreign_separator(header: list[str], where: str, expected: str) -> None:
    """A header written with semicolons or tabs gets a message naming the separator."""
    for sep, name in FOREIGN_SEPARATORS.items():
        if any(sep in field for field in header):
            raise DataError(f"{where}: the header is separated by {name}; symgeom expects commas, as in '{expected}'")


def _parse_value(text: str, kind: Kind, where: str):
    """The number ``text`` in the given kind: exact values of any magnitude; float64 values within
    its range; NaN and infinities refused."""
    try:
        return Kind(kind).scalar(text)
    except OverflowError:
        raise DataError(f"{where}: {text!r} is beyond the float64 range (about 1.8e308); "
                        f"read it in exact mode, as an exact rational") from None
    except NumberTooLarge as e:
        raise DataError(f"{where}: {e}") from None
    except (ValueError, ZeroDivisionError):
        pass
    try:
        special = not math.isfinite(float(text))
    except ValueError:
        special = False
    if special:
        raise DataError(f"{where}: {text!r} is not a finite number (NaN and infinities are not allowed)")
    raise DataError(f"{where}: {text!r} is not a number")


def _data_header(header: list[str], line: int, path: Path) -> int:
    """``Q`` from the header ``x1,…,xQ,cluster`` (any letter case); anything else is a :class:`DataError`
    naming the header expected (and a foreign separator when there is one)."""
    Q = len(header) - 1
    if Q > MAX_Q:
        raise DataError(f"{path}: line {line}: the header names {Q} coordinates: dimension Q={Q} is too large; "
                        f"symgeom handles Q <= {MAX_Q}")
    expected = [f"x{c}" for c in range(1, Q + 1)] + ["cluster"]
    if Q < 1 or [h.lower() for h in header] != expected:
        _reject_foreign_separator(header, f"{path}: line {line}", "x1,...,xQ,cluster")
        raise DataError(
            f"{path}: line {line}: header must be 'x1,...,xQ,cluster' (for {max(Q, 1)} coordinates: "
            f"'{','.join(expected) if Q >= 1 else 'x1,cluster'}'), got {quoted(','.join(header), 80)}"
        )
    return Q


def read_csv(path, targets=None, kind: Kind = "exact", block_bytes: int = BLOCK_BYTES) -> ClusterData:
    """Read data from a CSV file with header ``x1,…,xQ,cluster`` (labels ``1..Q``), and
    optional targets from a CSV file with header ``y1,…,yQ`` (one row per cluster, in
    label order).

    The file is read in blocks of about ``block_bytes`` bytes of whole lines into arrays allocated once
    (:class:`~symgeom.data.csvblocks.PointTable`): float blocks by numpy's parser, exact blocks of plain decimals
    as integers over powers of ten (:mod:`symgeom.numbers.decimals`); any other block by the row-by-row reader,
    which names the line and the column at fault."""
    path = Path(path)
    kind = Kind(kind)
    _require_regular_file(path, "data")
    lines, _ = _lines(path, block_bytes)
    with _opened(path, "data") as f:
        line, header = _header(f, path)
        Q = _data_header(header, line, path)
        table = PointTable(Q, kind, lines - line, _block_rows(path, Q, kind))
        try:
            for first, block in _line_blocks(f, line + 1, block_bytes):
                table.add(first, block)
        except DataError as e:
            raise e if str(e).startswith(str(path)) else DataError(f"{path}: {e}") from None
    if table.rows == 0:
        raise DataError(f"{path}: no data rows after the header; expected one row per point")
    Y = read_targets(targets, Q, kind) if targets is not None else None
    return table.cluster_data(Y, source=str(path))


class DataSize(NamedTuple):
    """What the budget needs of a data file before reading it."""

    Q: int
    """The dimension, from the header."""
    N: int
    """The number of lines after the header (the points, blank lines included)."""
    digits: int
    """Characters per coordinate on the longest line: its length over the ``Q`` coordinates (exact arithmetic
    slows with the digits of the numbers)."""


def data_size(path, block_bytes: int = BLOCK_BYTES) -> DataSize:
    """``(Q, N, digits)`` of the data file (:class:`DataSize`), read without parsing a number; the header's
    errors are those of :func:`read_csv`."""
    path = Path(path)
    _require_regular_file(path, "data")
    with _opened(path, "data") as f:
        line, header = _header(f, path)
        Q = _data_header(header, line, path)
    lines, longest = _lines(path, block_bytes)
    return DataSize(Q, lines - line, longest // Q)


def _block_rows(path: Path, Q: int, kind: Kind):
    """The careful reader of one block: ``(values, labels)`` of its non-blank rows (values in ``kind``), or
    a :class:`DataError` naming the line and the column at fault."""
    expected = [f"x{c}" for c in range(1, Q + 1)] + ["cluster"]

    def read(first_line: int, block: bytes):
        values, labels = [], []
        for line, row in _rows(_decoded(block, path, "data"), first_line, path):
            if len(row) != Q + 1:
                raise DataError(f"{path}: line {line}: expected {Q + 1} fields ({','.join(expected)}), got {len(row)}")
            values.append([_parse_value(t, kind, f"{path}: line {line}, column {expected[c]}")
                           for c, t in enumerate(row[:-1])])
            labels.append(_label_field(row[-1], Q, f"{path}: line {line}, column cluster"))
        return values, labels

    return read


def _label_field(text: str, Q: int, where: str) -> int:
    """A cluster label: a number (read as :func:`symgeom.numbers.arith.to_exact` reads numbers) equal to one of the
    integers ``1..Q``.  Labels are compared as values, on purpose and the same on every reading path:
    ``1``, ``1.0``, ``+1``, ``1e0`` and ``2/2`` all name cluster 1."""
    try:
        f = arith.to_fraction(text)
    except NumberTooLarge as e:
        raise DataError(f"{where}: cluster label {e}") from None
    except ValueError:
        raise DataError(f"{where}: cluster label {quoted(text)} is not an integer; labels are 1..{Q}") from None
    if f.denominator != 1:
        raise DataError(f"{where}: cluster label {quoted(text)} is not an integer; labels are 1..{Q}")
    if not 1 <= f <= Q:
        raise DataError(f"{where}: cluster label {text.strip()} is outside 1..{Q}")
    return int(f)


def read_targets(path, Q: int, kind: Kind = "exact") -> list:
    """Read ``Q`` targets from a CSV file with header ``y1,…,yQ``; row ``j`` is ``y_j``."""
    path = Path(path)
    rows = _read_rows(path, "targets")
    if not rows:
        raise DataError(f"{path}: the targets file is empty; expected a header 'y1,...,y{Q}' and {Q} rows")
    (line, header), body = rows[0], rows[1:]
    expected = [f"y{c}" for c in range(1, Q + 1)]
    if [h.lower() for h in header] != expected:
        _reject_foreign_separator(header, f"{path}: line {line}", ",".join(expected))
        got = len(header)
        hint = f" (targets of dimension {got}, data of dimension {Q})" if got != Q and all(
            h.lower() == f"y{c}" for c, h in enumerate(header, 1)
        ) else ""
        raise DataError(f"{path}: line {line}: header must be '{','.join(expected)}', got '{','.join(header)}'{hint}")
    if len(body) != Q:
        raise DataError(f"{path}: expected {Q} target rows (one per cluster, in label order), got {len(body)}")
    out = []
    for line, row in body:
        if len(row) != Q:
            raise DataError(f"{path}: line {line}: expected {Q} fields ({','.join(expected)}), got {len(row)}")
        out.append([_parse_value(t, kind, f"{path}: line {line}, column {expected[c]}") for c, t in enumerate(row)])
    r = arith.rank(arith.array(out, kind))
    if r != Q:
        raise DataError(f"{path}: the targets are not linearly independent (rank {r}, expected Q = {Q}); "
                        "the paper's targets y_1, ..., y_Q are a basis of R^Q")
    return out


def decimal_text(x) -> str:
    """Exact text of a number: a finite decimal when there is one (``1/8`` → ``0.125``),
    ``p/q`` otherwise; floats by their shortest round-trip representation."""
    if isinstance(x, (float, np.floating)):
        return repr(float(x))
    x = arith.to_fraction(x)
    d = x.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return f"{x.numerator}/{x.denominator}"
    digits = max(twos, fives)
    if digits == 0:
        return str(x.numerator)
    scaled = x * 10**digits
    sign = "-" if scaled < 0 else ""
    s = str(abs(scaled.numerator)).rjust(digits + 1, "0")
    return f"{sign}{s[:-digits]}.{s[-digits:]}"


def csv_text(data: ClusterData) -> str:
    """The data as CSV text (header ``x1,…,xQ,cluster``), exact values without rounding."""
    header = ",".join([f"x{c}" for c in range(1, data.Q + 1)] + ["cluster"])
    lines = [header]
    for n in range(data.N):
        lines.append(",".join([decimal_text(v) for v in data.X[:, n]] + [str(int(data.labels[n]))]))
    return "\n".join(lines) + "\n"


def targets_csv_text(data: ClusterData) -> str:
    """The targets as CSV text (header ``y1,…,yQ``, row ``j`` is ``y_j``)."""
    lines = [",".join(f"y{c}" for c in range(1, data.Q + 1))]
    lines += [",".join(decimal_text(v) for v in data.Y[:, j]) for j in range(data.Q)]
    return "\n".join(lines) + "\n"
