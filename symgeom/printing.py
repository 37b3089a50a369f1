"""The one printing path: a LaTeX printer subclass, a ``latex()`` function, and the
:class:`Latex` marker for LaTeX that symgeom generates (anything else is escaped).

Objects print through ``_latex(printer)`` hooks, so ``sympy.latex`` handles them inside
SymPy expressions too; SymPy's global printer settings are never changed.

>>> import sympy as sp
>>> W = sp.MatrixSymbol("W", 2, 2)
>>> latex(W.I)
'W^{-1}'
>>> escape_tex("50% of x_1 & y^2")
'50\\\\% of x\\\\_1 \\\\& y\\\\textasciicircum{}2'
"""

from __future__ import annotations

import re

from sympy.printing.latex import LatexPrinter


class Latex(str):
    """Text that is already LaTeX: templates insert it unescaped."""


class SymgeomLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with symgeom's settings: inverses stay unevaluated
    (``W^{-1}``), matrices in parentheses, long products without ``\\cdot``."""

    _default_settings = dict(LatexPrinter._default_settings, mat_delim="(", mul_symbol=None)

    def _print_Relational(self, expr):
        return f"{self._print(expr.lhs)} {self._relation(expr)} {self._print(expr.rhs)}"

    @staticmethod
    def _relation(expr):
        return {"==": "=", "!=": r"\neq", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge"}[expr.rel_op]


def latex(obj, **settings) -> Latex:
    """LaTeX of a SymPy object or of anything with a ``_latex(printer)`` hook; LaTeX text
    (a :class:`Latex` or a plain ``str`` statement) passes through unchanged."""
    if isinstance(obj, str):
        return Latex(obj)
    return Latex(SymgeomLatexPrinter(settings).doprint(obj))


_TEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
}


def escape_tex(text) -> str:
    """Plain text made safe for LaTeX (for file names, user data, method descriptions)."""
    return "".join(_TEX_SPECIAL.get(c, c) for c in str(text)).replace("--", "-{}-")


def decimal_latex(x, digits: int = 6) -> Latex:
    """A number in decimal, in math mode, with ``digits`` significant figures and powers of ten
    typeset: ``1.5e-05`` becomes ``1.5 \\times 10^{-5}``.  Exact values are rounded exactly
    (:func:`~symgeom.arith.format_decimal`), so no magnitude overflows.

    >>> decimal_latex(1.5e-05)
    '1.5 \\\\times 10^{-5}'
    >>> decimal_latex(0.25)
    '0.25'
    """
    from . import arith

    text = arith.format_decimal(x, digits)
    if text in ("inf", "-inf", "nan", "oo", "-oo", "zoo", "nan"):
        return Latex({"inf": r"\infty", "-inf": r"-\infty", "oo": r"\infty", "-oo": r"-\infty"}.get(text, r"\mathrm{NaN}"))
    if "e" not in text:
        return Latex(text)
    mantissa, exponent = text.split("e")
    power = f"10^{{{int(exponent)}}}"
    return Latex(power if mantissa == "1" else f"{mantissa} \\times {power}")


def number_latex(x) -> Latex:
    """A number in math mode: short exact values exactly (with a decimal value when irrational),
    long exact rationals by their decimal value, marked exact; floats as :func:`decimal_latex`."""
    import sympy as sp

    from . import arith

    if isinstance(x, sp.Basic) and not x.is_Rational:
        return Latex(f"{latex(x)} \\approx {decimal_latex(x)}" if len(str(x)) <= 24 else decimal_latex(x))
    if isinstance(x, float):
        return decimal_latex(x)
    if len(str(x)) > 24:
        return Latex(decimal_latex(x) + r"\allowbreak\ \text{(exact rational)}")
    return latex(arith.to_sympy(x))


def scope_latex(scope) -> str:
    """A status's scope as LaTeX text: ``all Q`` -> ``all $Q$``, ``Q <= 3`` -> ``$Q \\le 3$``, the data
    scopes escaped; ``None`` as a dash."""
    if not scope:
        return "--"
    bounded = re.match(r"Q <= (\d+)(.*)", scope)
    if bounded:
        return rf"$Q \le {bounded.group(1)}$" + escape_tex(bounded.group(2))
    return escape_tex(scope).replace("all Q", "all $Q$")
