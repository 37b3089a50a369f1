"""Numbers of any magnitude print without converting exact values to float."""

from fractions import Fraction

import flint
import pytest
import sympy as sp

from symgeom.numbers.sizes import decimal_g, format_decimal, format_number


@pytest.mark.parametrize("value, text", [
    (Fraction(10**400), "1.0e+400 (exact rational)"),
    (Fraction(1, 10**400), "1.0e-400 (exact rational)"),
    (flint.fmpq(-(10**400), 3), "-3.33333e+399 (exact rational)"),
    (sp.Rational(7 * 10**500 + 1, 10**100), "7.0e+400 (exact rational)"),
    (sp.sqrt(10**801), "3.16228e+400"),
    (Fraction(1, 3), "1/3"),
    (sp.oo, "oo"),
    (0.1, "0.1"),
    (12, "12"),
])
def test_format_number(value, text):
    assert format_number(value) == text


def test_decimal_g_agrees_with_percent_g_within_float_range():
    import random

    rng = random.Random(0)
    for _ in range(2000):
        f = Fraction(rng.randint(-(10**20), 10**20), rng.randint(1, 10 ** rng.randint(0, 30)))
        if f == 0:
            continue
        mine, theirs = decimal_g(f), f"{float(f):.6g}"
        assert mine == theirs or mine.replace(".0e", "e") == theirs, (f, mine, theirs)


def test_rounding_carries_into_a_new_digit():
    assert decimal_g(Fraction(9999999, 10**407)) == "1.0e-400"
    assert decimal_g(Fraction(9999999)) == "1.0e+07"
    assert format_decimal(Fraction(123456789), 4) == "1.235e+08"
