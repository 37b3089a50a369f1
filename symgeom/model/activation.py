"""The ramp activation σ(u)_i = max(u_i, 0), in the three forms the proofs use.

* :class:`Ramp` -- σ as an opaque matrix expression of symbolic size, for proofs with
  ``MatrixSymbol`` (``Q`` a symbol).  Its argument is kept expanded, so ``σ(a) − σ(a')``
  cancels exactly when ``a`` and ``a'`` are the same matrix expression.  The only property
  of σ used beyond that is :meth:`Ramp.pull_out`: ``σ(DΠu) = DΠσ(u)`` for a positive
  diagonal ``D`` and a permutation ``Π`` (:func:`commutation_lemma` proves it).
* :func:`sigma` -- σ entrywise on an explicit SymPy vector, through ``Max(·, 0)``, which
  SymPy evaluates from the sign assumptions of the symbols.
* :func:`sign_pattern_symbols` -- the exhaustive case split: one vector of symbols per sign
  pattern, ``u_i`` positive for ``i`` in the pattern and non-positive otherwise.

>>> u = sign_pattern_symbols((True, False))
>>> sigma(u).T
Matrix([[u_1, 0]])
"""

from __future__ import annotations

import itertools

import sympy as sp
from sympy.matrices.expressions import MatrixExpr

__all__ = [
    "Ramp", "simplify_matrix_identity", "sigma", "sign_pattern_symbols", "sign_patterns", "pattern_matrix",
    "commutation_lemma",
]


class Ramp(MatrixExpr):
    """``σ(u)`` for a column matrix expression ``u`` of any (symbolic) size."""

    def __new__(cls, arg):
        arg = sp.sympify(arg)
        return sp.Basic.__new__(cls, _canonical(arg))

    @property
    def arg(self):
        return self.args[0]

    @property
    def shape(self):
        return self.arg.shape

    def doit(self, **hints):
        arg = self.arg.doit(**hints)
        if isinstance(arg, sp.MatrixBase):
            return sp.ImmutableMatrix(sigma(arg))
        return Ramp(arg)

    def pull_out(self, *factors):
        """``σ(F_1 ⋯ F_k v) = F_1 ⋯ F_k σ(v)`` when every ``F`` is a positive diagonal matrix or a
        permutation (:func:`commutation_lemma`).  Requires every term of the argument to start
        with exactly these factors."""
        terms = sp.Add.make_args(self.arg) if isinstance(self.arg, sp.MatAdd) else (self.arg,)
        rest = []
        for t in terms:
            coeff, mats = t.as_coeff_matrices()
            if tuple(mats[: len(factors)]) != tuple(factors):
                raise ValueError(f"term {t} of {self.arg} does not start with {factors}")
            rest.append(coeff * sp.MatMul(*mats[len(factors):]) if mats[len(factors):] else coeff)
        return sp.MatMul(*factors, Ramp(sp.MatAdd(*rest))).doit()

    def _latex(self, printer):
        return r"\sigma\left(%s\right)" % printer._print(self.arg)

    def _sympystr(self, printer):
        return "sigma(%s)" % printer._print(self.arg)


def _canonical(expr):
    """Expanded, evaluated form of a matrix expression (so equal arguments compare equal)."""
    if isinstance(expr, MatrixExpr):
        return expr.expand().doit()
    return expr


def simplify_matrix_identity(expr):
    """Expand and evaluate a matrix expression (``X X⁻¹ → I``, ``σ`` arguments canonical)."""
    out = expr.expand().doit()
    for _ in range(3):
        nxt = out.expand().doit()
        if nxt == out:
            break
        out = nxt
    return out


def sigma(u: sp.Matrix) -> sp.Matrix:
    """σ entrywise on an explicit SymPy matrix: ``Max(u_i, 0)``."""
    return u.applyfunc(lambda e: sp.Max(e, 0))


def sign_pattern_symbols(pattern, name: str = "u") -> sp.Matrix:
    """A column of symbols ``u_i``: positive where ``pattern[i]`` is true, non-positive elsewhere."""
    return sp.Matrix([
        sp.Symbol(f"{name}_{i + 1}", positive=True) if on else sp.Symbol(f"{name}_{i + 1}", nonpositive=True)
        for i, on in enumerate(pattern)
    ])


def sign_patterns(Q: int):
    """All ``2^Q`` sign patterns of ``R^Q``, as tuples of booleans (``True``: ``u_i > 0``)."""
    return list(itertools.product((True, False), repeat=Q))


def pattern_matrix(pattern) -> sp.Matrix:
    """The 0/1 diagonal matrix ``D_I`` of a pattern: ``σ(u) = D_I u`` on that pattern's region."""
    return sp.diag(*[1 if on else 0 for on in pattern])


def commutation_lemma():
    """Scalar form of ``σ(DΠu) = DΠσ(u)``: ``max(d t, 0) = d max(t, 0)`` for ``d > 0``, in the two
    cases ``t > 0`` and ``t ≤ 0``.  Returns the residuals, which SymPy evaluates to 0.

    >>> commutation_lemma()
    [0, 0]
    """
    d = sp.Symbol("d", positive=True)
    out = []
    for sign in ({"positive": True}, {"nonpositive": True}):
        t = sp.Symbol("t", real=True, **sign)
        out.append(sp.simplify(sp.Max(d * t, 0) - d * sp.Max(t, 0)))
    return out
