"""The block-by-block CSV reader against a reference reader written independently here (the csv module and
``fractions.Fraction`` on every field, as symgeom read files before): equal rationals in exact mode, equal
float64 arrays in float mode, for every block size (block boundaries inside lines, numbers and rows), and the
same message naming the same line for bad files."""

import csv
import io
import math
from fractions import Fraction
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from symgeom import DataError
from symgeom.numbers.arith import to_exact, to_fraction
from symgeom.data.clusters import example_data
from symgeom.data.files import csv_text, read_csv
from symgeom.numbers.decimals import block_decimals, common_denominator, decimal_parts
from symgeom.numbers.filtered import float_copy, lifted_integers

BLOCKS = [1, 7, 16, 61, 1 << 21]
"""Block sizes in bytes: smaller than a line, a number or a row, and the default."""


def reference(path, kind):
    """``(points as Fractions or floats, labels)`` read row by row with the csv module (BOM dropped, blank rows
    skipped, header skipped): the independent computation the reader is compared with."""
    text = Path(path).read_text(encoding="utf-8-sig")
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    rows = [r for r in rows if any(r)][1:]
    exact = [[Fraction(t) for t in r[:-1]] for r in rows]
    labels = [int(Fraction(r[-1])) for r in rows]
    points = exact if kind == "exact" else [[float(v) for v in r] for r in exact]
    return points, labels


def assert_read_like_reference(path, kind, block):
    data = read_csv(path, kind=kind, block_bytes=block)
    points, labels = reference(path, kind)
    assert data.labels.tolist() == labels
    if kind == "exact":
        assert [[to_fraction(v) for v in col] for col in data.X.T] == points
    else:
        assert data.X.dtype == float and np.array_equal(data.X.T, np.array(points))
    return data


def mixed_rows(rng, rows, Q):
    """Rows around ``3 e_j`` in every format the reader accepts: plain decimals with 0..6 fraction digits, signs,
    leading/trailing dots, exponents, fractions, 19-digit mantissas, spaces, quotes."""
    forms = [lambda v: f"{v:.{rng.integers(0, 7)}f}", lambda v: f"{v:+.3f}", lambda v: f"{v:.2e}",
             lambda v: f"{Fraction(round(v * 300), 7)}", lambda v: f" {v:.4f} ", lambda v: f'"{v:.1f}"',
             lambda v: f"{v:.18f}", lambda v: f"{v:.0f}."]
    lines = []
    for n in range(rows):
        j = n % Q + 1 if n < Q else int(rng.integers(1, Q + 1))
        x = 3 * np.eye(Q)[j - 1] + rng.uniform(-0.4, 0.4, Q)
        lines.append(",".join(forms[rng.integers(0, len(forms))](v) for v in x) + f",{j}")
    return lines


@pytest.mark.parametrize("block", BLOCKS)
@pytest.mark.parametrize("kind", ["exact", "float"])
def test_default_data_file(tmp_path, kind, block):
    with resources.as_file(resources.files("symgeom") / "data" / "default.csv") as path:
        assert_read_like_reference(path, kind, block)


@pytest.mark.parametrize("block", BLOCKS)
@pytest.mark.parametrize("kind", ["exact", "float"])
def test_plain_decimals_with_blank_lines_crlf_and_bom(tmp_path, kind, block):
    text = csv_text(example_data(3, seed=4))
    lines = text.splitlines()
    lines[3:3] = ["", "  ", ",,,"]
    path = tmp_path / "d.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode())
    assert_read_like_reference(path, kind, block)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kind", ["exact", "float"])
def test_every_accepted_format_at_every_block_size(tmp_path, kind, seed):
    rng = np.random.default_rng(seed)
    path = tmp_path / "d.csv"
    path.write_text("\n".join(["x1,x2,x3,cluster"] + mixed_rows(rng, 60, 3)) + ("\n" if seed % 2 else ""))
    for block in BLOCKS:
        assert_read_like_reference(path, kind, block)


@pytest.mark.parametrize("block", BLOCKS)
def test_exact_integer_form_is_the_least_common_denominator(tmp_path, block):
    path = tmp_path / "d.csv"
    path.write_text("x1,x2,cluster\n3.1,0.25,1\n2.9,-0.125,1\n0,3,2\n0.0,3.00,2.0\n")
    data = assert_read_like_reference(path, "exact", block)
    K, d = data.integers
    values = [to_fraction(v) for v in data.X.reshape(-1)]
    assert d == math.lcm(*(v.denominator for v in values)) == 40
    assert [Fraction(int(k), d) for k in K.reshape(-1)] == values
    lifted, den = lifted_integers(data.X)
    copy_lifted, copy_den = lifted_integers(data.X.copy())  # no integer form carried: FLINT's numer_denom
    assert den == copy_den and np.array_equal(lifted, copy_lifted)
    assert np.array_equal(float_copy(data.X), np.array([float(v) for v in values]).reshape(data.X.shape))


@pytest.mark.parametrize("text", ["1/3", "1e300", "123456789012345678", "1e-400"])
def test_values_beyond_decimals_in_int64_stay_exact(tmp_path, text):
    """A value that is no decimal (1/3) or whose scaled integer leaves int64 makes the points FLINT rationals,
    equal to the reference, without an integer form."""
    path = tmp_path / "d.csv"
    path.write_text(f"x1,x2,cluster\n3.5,0.01,1\n{text},0,1\n0,3,2\n0.001,3,2\n")
    for block in BLOCKS:
        assert assert_read_like_reference(path, "exact", block).integers is None


@pytest.mark.parametrize("exponent, spread", [(300, 0), (-300, 0), (0, -200), (300, -200), (-20, 0)])
def test_magnitude_fixtures_read_exactly(tmp_path, exponent, spread):
    from test_magnitudes import scaled_csv

    path = scaled_csv(tmp_path / "d.csv", 2, exponent, spread)
    for block in (16, 1 << 21):
        assert_read_like_reference(path, "exact", block)


BAD = {
    "ragged row": ("1,0,1\n1,1\n", "line 5: expected 3 fields"),
    "not a number": ("1,0,1\n1,abc,1\n", "line 5, column x2: 'abc' is not a number"),
    "label outside": ("1,0,1\n1,0,3\n", "line 5, column cluster: cluster label 3 is outside 1..2"),
    "label fraction": ("1,0,1\n1,0,1.5\n", "line 5, column cluster: cluster label '1.5' is not an integer"),
    "infinite": ("1,0,1\n1,-inf,1\n", "line 5, column x2: '-inf' is not a finite number"),
    "empty field": ("1,0,1\n1,,1\n", "line 5, column x2: '' is not a number"),
}


@pytest.mark.parametrize("kind", ["exact", "float"])
@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_rows_named_by_line_at_every_block_size(tmp_path, kind, name):
    rows, message = BAD[name]
    path = tmp_path / "d.csv"
    path.write_text("x1,x2,cluster\n3,0,1\n0,3,2\n" + rows)
    for block in BLOCKS:
        with pytest.raises(DataError) as e:
            read_csv(path, kind=kind, block_bytes=block)
        assert message in str(e.value)


def test_decimal_blocks_by_hand():
    M, F = block_decimals(b"-0.5,+12.,.25\r\n\n7,0,-0\n", 3)
    assert M.tolist() == [[-5, 12, 25], [7, 0, 0]] and F.tolist() == [[1, 0, 2], [0, 0, 0]]
    assert block_decimals(b"1.2.3,4,5\n", 3) is None  # two dots
    assert block_decimals(b"1-2,4,5\n", 3) is None  # a sign inside
    assert block_decimals(b"1,2\n", 3) is None  # too few fields
    assert block_decimals(b"1e3,2,3\n", 3) is None  # exponents go to the careful reader
    assert block_decimals(b"1234567890123456789,2,3\n", 3) is None  # 19 digits
    assert decimal_parts(to_exact("1/8")) == (125, 3) and decimal_parts(to_exact("1/3")) is None
    K, d = common_denominator(np.array([[922_337_203_685_477_580, 1]]), np.array([[0, 1]]))
    assert d == 10 and K.tolist() == [[9_223_372_036_854_775_800, 1]]  # 10 (2^63 - 1) // 10 fits int64
    assert common_denominator(np.array([[922_337_203_685_477_581, 1]]), np.array([[0, 1]])) is None


@pytest.mark.parametrize("kind", ["exact", "float"])
def test_one_shared_point_among_many_duplicates(tmp_path, kind):
    """Repeated points inside a cluster are allowed; the one point given to two clusters is named (its two rows,
    found by brute force here), however many duplicates surround it."""
    rng = np.random.default_rng(3)
    labels = np.repeat([1, 2], 1000)
    points = 3 * np.eye(2)[labels - 1] + rng.integers(-3, 4, size=(2000, 2)) / 10  # ~49 values per cluster
    points[1500] = points[17]  # cluster 2 takes a point of cluster 1
    rows = [f"{x:.1f},{y:.1f},{j}" for (x, y), j in zip(points, labels)]
    path = tmp_path / "d.csv"
    path.write_text("x1,x2,cluster\n" + "\n".join(rows) + "\n")
    seen, shared = {}, []
    for n, (x, y) in enumerate(points):
        first = seen.setdefault((x + 0.0, y + 0.0), n)
        if labels[first] != labels[n]:
            shared.append((first, n))
    firsts = sorted({a for a, _ in shared})
    with pytest.raises(DataError) as e:
        read_csv(path, kind=kind)
    named = [(a, b) for a, b in shared if f"point {a + 1} of cluster {labels[a]} and point {b + 1} of" in str(e.value)]
    assert named and named[0][0] in firsts
    points[1500] = [9, 9]
    path.write_text("x1,x2,cluster\n" + "\n".join(f"{x:.1f},{y:.1f},{j}" for (x, y), j in zip(points, labels)) + "\n")
    data = read_csv(path, kind=kind)
    sums = [[Fraction(f"{v:.1f}") for v in points[labels == j].T[i]] for i in range(2) for j in (1, 2)]
    means = [sum(s, Fraction(0)) / len(s) for s in sums]
    got = [data.means[i, j] for i in range(2) for j in range(2)]
    if kind == "exact":
        assert [to_fraction(m) for m in got] == means
    else:
        assert got == pytest.approx([float(m) for m in means], rel=1e-14, abs=1e-14)


@pytest.mark.parametrize("seed", range(3))
def test_decimal_blocks_against_fractions(seed):
    """Random plain decimals of 1 to 18 digits, any sign and dot position: ``M / 10^F`` is ``Fraction(text)``."""
    rng = np.random.default_rng(seed)
    fields = []
    for _ in range(3000):
        digits = "".join(rng.choice(list("0123456789"), size=int(rng.integers(1, 19))))
        dot = int(rng.integers(0, len(digits) + 1))
        text = digits if rng.random() < 0.3 else digits[:dot] + "." + digits[dot:]
        fields.append(str(rng.choice(["", "-", "+"])) + text)
    block = "\n".join(",".join(fields[i:i + 3]) for i in range(0, len(fields), 3)).encode()
    M, F = block_decimals(block, 3)
    assert [Fraction(int(m), 10 ** int(f)) for m, f in zip(M.reshape(-1), F.reshape(-1))] == \
        [Fraction(t) for t in fields]
