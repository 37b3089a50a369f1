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
