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

from . import arith, sizes

__all__ = [
    "Latex", "SymgeomLatexPrinter", "latex", "escape_tex", "decimal_latex", "number_latex", "scope_latex",
    "prose_latex", "array_latex", "readable_latex"]


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
    (:func:`~symgeom.numbers.sizes.format_decimal`), so no magnitude overflows.

    >>> decimal_latex(1.5e-05)
    '1.5 \\\\times 10^{-5}'
    >>> decimal_latex(0.25)
    '0.25'
    """
    text = sizes.format_decimal(x, digits)
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


    if isinstance(x, sp.Basic) and not x.is_Rational:
        return Latex(f"{latex(x)} \\approx {decimal_latex(x)}" if len(str(x)) <= 24 else decimal_latex(x))
    if isinstance(x, float):
        return decimal_latex(x)
    if len(str(x)) > 24:
        return Latex(decimal_latex(x) + r"\allowbreak\ \text{(exact rational)}")
    return latex(arith.to_sympy(x))


def scope_latex(scope) -> Latex:
    """A status's scope as LaTeX text: ``all Q`` -> ``all $Q$``, ``Q <= 3`` -> ``$Q \\le 3$``, the data
    scopes escaped; ``None`` as a dash."""
    if not scope:
        return Latex("--")
    return Latex(prose_latex(str(scope)).replace("all Q", "all $Q$"))


_GREEK = ("sigma", "epsilon", "rho", "gamma", "kappa", "zeta", "tau", "theta", "lambda", "delta", "Delta", "Pi", "pi",
          "beta", "alpha", "mu", "omega")
_BASE = r"(?:" + "|".join(_GREEK) + r"|sum|[A-Za-z]|\d+(?=\^))"
_INDEX = r"(?:[_^](?:\([^()\s]*\)|\{[^{}\s]*\}|-?[A-Za-z0-9]+|[+*-]))"
_OPERAND = rf"(?:{_BASE}{_INDEX}*|-?\d+(?:\.\d+)?(?:/\d+)?)"
_PROSE_MATH = re.compile(rf"""
    (?P<power>(?<![\w^_])\d+\^[A-Za-z]\s*[-+]\s*\d+(?![\w(]))
  | (?P<relation>(?<![\w^_]){_OPERAND}\s*(?:>=|<=|!=|=|<|>)\s*{_OPERAND}(?![\w(]))
  | (?P<arrow>\s->\s)
  | (?P<operator>>=|<=|!=|(?<=\s)[<>](?=\s))
  | (?P<scientific>(?<![\w.])\d+(?:\.\d+)?e[+-]?\d+(?!\w))
  | (?P<symbol>(?<![\w\\]){_BASE}{_INDEX}+(?!\w))
  | (?P<greek>(?<![\w\\])(?:{"|".join(_GREEK)})(?!\w))
""", re.X)


def _math_token(text: str) -> str:
    """One token of plain-text mathematics (``W^(l)``, ``u_i <= 0``, ``sigma``) as LaTeX math."""
    text = re.sub(r"(?<![A-Za-z\\])(" + "|".join(_GREEK) + r"|sum)(?![A-Za-z])", r"\\\1 ", text)
    text = re.sub(r"([_^])(\([^()\s]*\)|-?[A-Za-z0-9]+|[+-])", r"\1{\2}", text).replace("_*", r"_{*}")
    for ascii_, tex in ((">=", r" \ge "), ("<=", r" \le "), ("!=", r" \ne ")):
        text = text.replace(ascii_, tex)
    return re.sub(r"\s+", " ", text).replace(" }", "}").strip()


def prose_latex(text) -> Latex:
    """Plain text with mathematics written in ASCII (method descriptions, reasons, titles) made into
    LaTeX: the text escaped, and every mathematical token typeset in math mode — ``L >= Q`` as
    ``$L \\ge Q$``, ``W^(l)`` as ``$W^{(l)}$``, ``1e-9`` as ``$10^{-9}$``, ``sigma`` as ``$\\sigma$``.

    >>> prose_latex("Global minimizers for L >= Q")
    'Global minimizers for $L \\\\ge Q$'
    >>> prose_latex("x^(l) = W_l x^(l-1) + b_l")
    '$x^{(l)} = W_{l}$ $x^{(l-1)}$ + $b_{l}$'
    """
    out, last = [], 0
    text = str(text)
    for m in _PROSE_MATH.finditer(text):
        out.append(_breakable(escape_tex(text[last:m.start()])))
        token = m.group(0)
        if m.lastgroup == "scientific":
            out.append(f"${decimal_latex(float(token))}$")
        elif m.lastgroup == "arrow":
            out.append(r" $\to$ ")
        elif m.lastgroup == "operator":
            out.append(f"${_math_token(token)}$")
        else:
            out.append(f"${_math_token(token)}$")
        last = m.end()
    out.append(_breakable(escape_tex(text[last:])))
    return Latex("".join(out))


_LONG_RATIO = re.compile(r"(?<=\d)/(?=\d{6})")
"""The slash of a ratio whose denominator has six digits or more."""


def _breakable(tex: str) -> str:
    """Escaped prose in which a line may break after the slash of a long exact ratio (``670972/116170111``)."""
    return _LONG_RATIO.sub(r"/\\allowbreak{}", tex)


def array_latex(header, rows, rule: bool = True) -> Latex:
    """A math-mode ``array``: one centred column per header cell, the header, a rule, then the rows (each a
    sequence of LaTeX cells; numbers go through :func:`number_latex`).

    >>> array_latex([r"\\ell", "k"], [[1, 2]])
    '\\\\begin{array}{cc} \\\\ell & k \\\\\\\\ \\\\hline 1 & 2 \\\\end{array}'
    """
    def cell(x):
        return x if isinstance(x, str) else number_latex(x)

    lines = [" & ".join(cell(x) for x in header)] + [" & ".join(cell(x) for x in row) for row in rows]
    body = lines[0] + (r" \\ \hline " if rule else r" \\ ") + r" \\ ".join(lines[1:])
    return Latex(r"\begin{array}{" + "c" * len(header) + "} " + body + r" \end{array}")


def readable_latex(expr) -> Latex:
    """A rational expression as a person writes it: numerator and denominator factored, every factor with a
    leading minus sign turned round (``-(γ - 1)`` as ``1 - γ``), constants first.

    >>> import sympy as sp
    >>> g, Q = sp.symbols("gamma Q", positive=True)
    >>> str(readable_latex(-(g - 1) / (Q * (g + 1))))
    '\\\\frac{1 - \\\\gamma}{Q \\\\left(1 + \\\\gamma\\\\right)}'
    """
    import sympy as sp

    if isinstance(expr, (sp.Min, sp.Max)):
        name = r"\min" if isinstance(expr, sp.Min) else r"\max"
        args = sorted(expr.args, key=sp.default_sort_key)
        return Latex(name + r"\left(" + ", ".join(readable_latex(a) for a in args) + r"\right)")
    num, den = sp.fraction(sp.factor(expr))
    sign, parts = 1, []
    for side in (num, den):
        factors = []
        for f in sp.Mul.make_args(side):
            base, power = f.as_base_exp()
            if base.is_number and base.is_negative:
                base, sign = -base, sign * (-1) ** int(power)
            elif base.is_Add and base.as_coeff_Add()[0].is_negative:
                base, sign = -base, sign * (-1) ** int(power)
            factors.append((base, power))
        parts.append(factors)
    num_tex, den_tex = (_product_latex(factors) for factors in parts)
    text = num_tex if den_tex == "1" else rf"\frac{{{num_tex}}}{{{den_tex}}}"
    return Latex(("-" if sign < 0 else "") + text)


def _product_latex(factors) -> str:
    """``c (1 + γ)^2 …``: the number first, each sum in parentheses when it multiplies, sums constant first."""
    import sympy as sp

    number = sp.Mul(*[b**p for b, p in factors if b.is_number])
    rest = sorted([(b, p) for b, p in factors if not b.is_number], key=lambda bp: (bp[0].is_Add, sp.default_sort_key(bp[0])))
    words = [latex(number)] if number != 1 else []
    alone = len(rest) == 1 and not words
    for base, power in rest:
        text = latex(base, order="rev-lex")
        if base.is_Add and not (alone and power == 1):
            text = rf"\left({text}\right)"
        words.append(text if power == 1 else f"{text}^{{{latex(power)}}}")
    return " ".join(words) or "1"
