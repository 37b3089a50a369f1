"""Symbolic proofs: a statement is *proved* when SymPy reduces it to zero for all values of its
symbols; otherwise it is evaluated exactly at random rational points, where a nonzero value refutes it
and zeros leave it checked at those points only.

>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> prove_zero((x + 1)**2 - x**2 - 2*x - 1, "expand").status
'proved'
>>> prove_zero(x**2 - x, "expand", symbols=[x]).status
'refuted'
"""

from __future__ import annotations

import itertools
import random
from typing import Iterable

import sympy as sp

from .certificates import CHECKED, PROVED, REFUTED, UNDECIDED, Check, Scope
from ..model.activation import simplify_matrix_identity

__all__ = ["prove_zero", "prove_matrix_identity", "contracted"]


def prove_zero(expr, method: str, assumptions: str = "", symbols: Iterable[sp.Symbol] | None = None, seed: int = 0,
               scope: Scope = Scope.all_q()) -> Check:
    """Prove that ``expr`` (a scalar or matrix) is identically zero.

    ``proved`` (with ``scope``: the range of its symbols) when SymPy simplifies it to zero; otherwise
    ``expr`` is evaluated at random rational points: a nonzero value ``refutes`` it, all zeros leave it
    ``checked`` (at those points, exactly).
    """
    entries = list(expr) if isinstance(expr, (sp.MatrixBase, list, tuple)) else [expr]
    remaining = [e for e in (sp.expand(sp.cancel(sp.sympify(e))) for e in entries) if e != 0]
    remaining = [e for e in remaining if sp.simplify(e) != 0]
    if not remaining:
        return Check(PROVED, method, assumptions, scope=scope)
    free = sorted(set().union(*(e.free_symbols for e in remaining)) | set(symbols or ()), key=str)
    rng = random.Random(seed)
    for _ in range(5):
        point = {s: _random_value(s, rng) for s in free}
        values = [sp.nsimplify(e.subs(point)) for e in remaining]
        bad = [v for v in values if v != 0]
        if bad:
            shown = ", ".join(f"{s}={v}" for s, v in list(point.items())[:8])
            return Check(REFUTED, method, assumptions, residual=bad[0], counterexample=shown or f"the constant {bad[0]}",
                         scope=scope)
    return Check(CHECKED, method + " (SymPy did not simplify; exact evaluation at 5 random rational points)", assumptions,
                 residual=0, tolerance=0, scope=Scope.random_points())


def prove_matrix_identity(expr, method: str, assumptions: str = "", size=None, seed: int = 0,
                          relations: dict | None = None) -> Check:
    """Prove that a matrix expression of symbolic size (``MatrixSymbol``, :class:`Ramp`) is zero.

    ``proved`` when expanding and evaluating it (``X X⁻¹ = I``, canonical σ arguments) gives
    zero; ``relations`` (``{(A, B): C}``, such as ``{(Uᵀ, U): I}`` for orthonormal columns) rewrite every
    adjacent product ``A B`` of the distributed expression to ``C`` first (:func:`contracted`).  Otherwise every matrix symbol is replaced by a random rational matrix, every size symbol
    (``size`` and any other, such as a rank ``r``) set to ``3``, and σ evaluated: a nonzero value ``refutes`` it, a zero
    leaves it ``checked`` at that point.
    """
    out = simplify_matrix_identity(expr if not relations else contracted(expr, relations))
    if out == 0 or isinstance(out, sp.ZeroMatrix) or (isinstance(out, sp.MatrixBase) and out.is_zero_matrix):
        return Check(PROVED, method, assumptions, scope=Scope.all_q())
    if relations:  # a random point would not satisfy the relations: it could refute a true identity
        return Check(UNDECIDED, method, assumptions + "; not reduced to zero under the relations")
    rng = random.Random(seed)
    n = 3
    point = {}
    for m in sorted(expr.atoms(sp.MatrixSymbol), key=str):
        rows, cols = (int(sp.sympify(d).subs({s: n for s in sp.sympify(d).free_symbols})) for d in m.shape)
        point[m] = sp.ImmutableMatrix(rows, cols, lambda i, j: sp.Rational(rng.randint(-9, 9), rng.randint(1, 4)))
    value = sp.ImmutableMatrix(expr.xreplace(point).doit().subs({s: n for s in expr.free_symbols if s.is_integer}))
    if any(v != 0 for v in value):
        shown = "; ".join(f"{m} = {v.tolist()}" for m, v in point.items())
        return Check(REFUTED, method, assumptions, residual=max(abs(v) for v in value), counterexample=shown,
                     scope=Scope.all_q())
    return Check(CHECKED, method + " (not reduced symbolically; exact evaluation at a random 3x3 point)", assumptions,
                 residual=0, tolerance=0, scope=Scope.random_points())


def _random_value(s: sp.Symbol, rng: random.Random):
    v = sp.Rational(rng.randint(1, 9), rng.randint(1, 5))
    if s.is_positive or s.is_nonnegative:
        return v
    if s.is_negative or s.is_nonpositive:
        return -v
    return v if rng.random() < 0.5 else -v


def contracted(expr, relations: dict):
    """``expr`` distributed into products of its matrix symbols (powers written out), with every adjacent pair
    ``(A, B)`` of ``relations`` replaced by ``relations[(A, B)]``, left to right: the algebra of a relation such as
    ``Uᵀ U = I``, which expanding alone does not see.

    >>> Q, q = sp.symbols("Q q", integer=True, positive=True)
    >>> U = sp.MatrixSymbol("U", Q, q)
    >>> P = U * U.T
    >>> simplify_matrix_identity(contracted(P * P - P, {(U.T, U): sp.Identity(q)}))
    0
    """
    def factors(x) -> list[tuple]:
        if isinstance(x, sp.MatAdd):
            return [t for a in x.args for t in factors(a)]
        if isinstance(x, sp.MatPow) and x.exp.is_Integer and x.exp > 0:
            return [sum(c, ()) for c in itertools.product(*[factors(x.base)] * int(x.exp))]
        if isinstance(x, sp.MatMul):
            return [sum(c, ()) for c in itertools.product(*[factors(a) for a in x.args])]
        return [(x,)]

    def product(term: tuple):
        coeff = sp.Mul(*[f for f in term if not isinstance(f, sp.MatrixExpr)])
        mats, out = [f for f in term if isinstance(f, sp.MatrixExpr)], []
        for m in mats:
            if out and (out[-1], m) in relations:
                out[-1] = relations[(out[-1], m)]
            else:
                out.append(m)
        return coeff * sp.MatMul(*out) if out else coeff

    return sp.MatAdd(*[product(t) for t in factors(expr)])
