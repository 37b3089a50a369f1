"""What a number in a data, targets or parameter file may look like: ASCII decimals (optional sign,
point and exponent) and ratios ``p/q``, of bounded size; anything else is refused with the line named."""

from fractions import Fraction

import pytest

from symgeom.numbers import arith
from symgeom.cli.exit_codes import EXIT_USAGE
from symgeom.cli import main

ROWS = "3.1,0,1\n0,3,2\n0,3.2,2\n"


@pytest.mark.parametrize("text, value", [
    ("3", 3), ("-1.5", Fraction(-3, 2)), (".5", Fraction(1, 2)), ("2.", 2), ("+7", 7), ("1e-3", Fraction(1, 1000)),
    ("2E2", 200), ("3/7", Fraction(3, 7)), ("-3/7", Fraction(-3, 7)), (" 4 ", 4), ("1e2000", 10**2000),
])
def test_plain_numbers_are_read_exactly(text, value):
    assert arith.to_fraction(text) == value


@pytest.mark.parametrize("text", ["3_000", "١٢", "１２", "\u00a012", "1,5", "0x10", "1/0", "", "e5", "1e", "--1"])
def test_other_spellings_are_refused(text):
    with pytest.raises(ValueError):
        arith.to_fraction(text)


@pytest.mark.parametrize("text", ["1e2001", "1e-100000000", "1" * 2001, "0." + "0" * 2000 + "1", "1/" + "7" * 2001])
def test_numbers_too_large_to_read_are_refused_before_they_are_built(text):
    with pytest.raises(arith.NumberTooLarge):
        arith.to_fraction(text)


@pytest.mark.parametrize("kind", ["--exact", "--float"])
@pytest.mark.parametrize("value, words", [
    ("3_000", ["line 2, column x1", "'3_000' is not a number"]),
    ("\u0661\u0662", ["line 2, column x1", "is not a number"]),
    ("1e100000000", ["line 2, column x1", "exponent beyond"]),
    ("1." + "1" * 4000, ["line 2, column x1", "4001 digits"]),
])
def test_data_files_name_the_line_of_a_number_they_refuse(tmp_path, capsys, kind, value, words):
    path = tmp_path / "d.csv"
    path.write_text(f"x1,x2,cluster\n{value},0,1\n" + ROWS, encoding="utf-8")
    code = main(["check", kind, "--data", str(path), "--only", "T1"])
    out, err = capsys.readouterr()
    assert code == EXIT_USAGE and out == "" and len(err.strip().splitlines()) == 1 and len(err) < 400
    assert all(w in err for w in words), err


@pytest.mark.parametrize("label", ["1", "1.0", "+1", "1e0", "2/2"])
def test_labels_are_values_on_every_reading_path(tmp_path, capsys, label):
    """A label names cluster ``1`` whenever its value is the integer 1, whichever reader reads it."""
    path = tmp_path / "d.csv"
    path.write_text(f"x1,x2,cluster\n3,0,{label}\n" + ROWS)
    for kind in ("--exact", "--float"):
        assert main(["check", kind, "--data", str(path), "--only", "T1"]) == 0
    capsys.readouterr()
