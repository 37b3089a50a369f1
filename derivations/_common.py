"""Pieces the truncation-map recipes share: matrix symbols of symbolic size, the case split
over sign patterns, and random float samples in cone coordinates."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from symgeom.model.activation import sign_pattern_symbols, sign_patterns
from symgeom.certify.certificates import PROVED, REFUTED, Check, Scope, Step, combine, on_data

SIZE = sp.Symbol("Q", integer=True, positive=True)
PROOF_SIZES = (1, 2, 3)
"""The sizes at which case splits and full expansions run, besides the data's own ``Q``."""
SAMPLE_POINTS = 64
"""Random points per float sample."""


def msym(name: str, cols=None) -> sp.MatrixSymbol:
    """A ``Q x Q`` (or ``Q x cols``) matrix symbol with ``Q`` the symbolic size."""
    return sp.MatrixSymbol(name, SIZE, SIZE if cols is None else cols)


def proof_sizes(Q: int, limit: int = 6) -> tuple[int, ...]:
    """``1, 2, 3`` and the data's ``Q`` when it is small enough for an exhaustive split."""
    return tuple(sorted(set(PROOF_SIZES) | ({Q} if Q <= limit else set())))


def case_split(sizes, case, what: str) -> Check:
    """Run ``case(u) -> list of (residual, must_be_nonnegative)`` on every sign pattern of
    every size; ``residual`` must simplify to 0, the others must be provably ``≥ 0``."""
    checks, count = [], 0
    for Q in sizes:
        for pattern in sign_patterns(Q):
            count += 1
            u = sign_pattern_symbols(pattern)
            zeros, nonneg = case(u)
            bad = [e for e in zeros if sp.simplify(e) != 0]
            neg = [e for e in nonneg if not (e.is_nonnegative or sp.expand(e).is_nonnegative)]
            if bad or neg:
                shown = "pattern " + "".join("+" if on else "-" for on in pattern)
                expr = bad[0] if bad else neg[0]
                what_failed = "does not vanish" if bad else "is not provably >= 0"
                return Check(REFUTED, "case split over sign patterns", what,
                             counterexample=f"Q={Q}, {shown}: {expr} {what_failed}")
            checks.append(Check(PROVED, "case split"))
    sizes_txt = ", ".join(map(str, sizes))
    return combine(checks, f"exhaustive case split over {count} sign patterns (Q = {sizes_txt})", what,
                   scope=split_scope(sizes))


def split_scope(sizes) -> str:
    """``Q <= k`` for the largest ``k`` with every size ``1..k`` among ``sizes`` (a case split at the
    data's larger ``Q`` alone covers that ``Q``, not the sizes in between)."""
    k = 0
    while k + 1 in set(sizes):
        k += 1
    return Scope.up_to(k)


def random_invertible(Q: int, rng: np.random.Generator) -> np.ndarray:
    """A well-conditioned random ``Q x Q`` float matrix."""
    return rng.standard_normal((Q, Q)) + 2 * np.eye(Q) * np.sign(rng.standard_normal())


def random_cone_coordinates(Q: int, rng: np.random.Generator, n: int = SAMPLE_POINTS) -> np.ndarray:
    """``Q x n`` cone coordinates with random sign patterns, forward and backward cones included."""
    u = rng.uniform(0.1, 2.0, size=(Q, n)) * rng.choice([-1.0, 1.0], size=(Q, n))
    u[:, 0] = np.abs(u[:, 0])
    u[:, 1] = -np.abs(u[:, 1])
    return u


def float_samples(sample, ctx, offset: int) -> Check:
    """``sample(Q, seed)`` for ``Q = 1..8`` and the data's ``Q``, combined."""
    sizes = sorted({*range(1, FLOAT_SAMPLE_MAX_Q + 1), ctx.Q})
    return combine([sample(Q, ctx.seed + offset + Q) for Q in sizes], f"float64 samples, Q = 1 to {max(sizes)}",
                   "tolerance 1e-9 times the scale", scope=Scope.up_to(FLOAT_SAMPLE_MAX_Q, float_samples=True))


FLOAT_SAMPLE_MAX_Q = 8
"""Float samples run at every ``Q`` up to this (and at the data's ``Q``)."""


# -- the coordinatewise lemma: proofs for every Q ------------------------------------------
COORDINATE_CASES = {"+": {"positive": True}, "-": {"negative": True}, "0": None}
"""The three cases of one coordinate ``t = u_i``: ``t > 0``, ``t < 0``, ``t = 0``."""
NONNEGATIVE_CASES = {"+": {"positive": True}, "0": None}
"""The cases of a coordinate ``v_i >= 0`` of a point of the closed orthant."""
INDEX = sp.Symbol("i", integer=True, nonnegative=True)
"""The generic coordinate: ``0 <= i <= Q - 1``."""


def ramp(u) -> sp.MatrixExpr:
    """σ at symbolic size, coordinate by coordinate: the ``Q x 1`` matrix with entry ``i`` equal to
    ``max(u_i, 0)`` (a ``FunctionMatrix``, so SymPy sees every coordinate)."""
    i, j = sp.symbols("i_ j_", integer=True, nonnegative=True)
    return sp.FunctionMatrix(u.shape[0], u.shape[1], sp.Lambda((i, j), sp.Max(u[i, j], 0)))


def indicator(u) -> sp.MatrixExpr:
    """``D_I`` at symbolic size: the diagonal matrix with entry ``[u_i > 0]`` (``Heaviside(u_i, 0)``)."""
    i, j = sp.symbols("i_ j_", integer=True, nonnegative=True)
    return sp.FunctionMatrix(u.shape[0], u.shape[0], sp.Lambda((i, j), sp.KroneckerDelta(i, j) * sp.Heaviside(u[i, 0], 0)))


def generic_coordinate(expr) -> tuple:
    """``(scalar, index)``: entry ``i`` of a ``Q x 1`` matrix expression, or the summand of a ``1 x 1``
    one that SymPy writes as one sum over a coordinate (``Σ_k f(u_k, v_k)``), with its index."""
    if tuple(expr.shape) != (1, 1):
        value = expr[INDEX, 0].doit()
        value = value.replace(lambda e: isinstance(e, sp.Piecewise),
                              lambda e: e.subs({sp.Le(INDEX, SIZE - 1): True, sp.Lt(INDEX, SIZE): True}))
        return sp.piecewise_fold(value), INDEX
    total = sp.expand(expr[0, 0].doit())
    sums = total.atoms(sp.Sum)
    if {s.limits[0][1:] for s in sums} != {(0, SIZE - 1)}:
        raise ValueError(f"{total} is not a sum over every coordinate")
    summand = total.xreplace({s: s.function.xreplace({s.variables[0]: INDEX}) for s in sums})
    if summand.has(sp.Sum):
        raise ValueError(f"{total} is not one sum over a coordinate")
    if any(not t.has(INDEX) for t in sp.Add.make_args(sp.expand(summand)) if t != 0):
        raise ValueError(f"{total} has a term outside the sum over the coordinates")
    k = INDEX
    return summand, k


def coordinatewise(statements, what: str) -> Check:
    """Prove vector statements for every ``Q`` from the coordinatewise lemma.

    Each statement is ``(label, expr, relation, cases)``: ``expr`` a matrix expression of symbolic size
    built from :func:`ramp`, :func:`indicator` and matrix symbols, ``relation`` ``"= 0"`` or ``">= 0"``
    (entrywise; for a ``1 x 1`` sum, the sum), and ``cases`` the signs of ``u_i`` under the statement's
    hypothesis (``"+-0"`` for every coordinate).  The lemma: entry ``i`` of ``expr`` (or the summand of the
    sum) involves the coordinate ``i`` of each vector only, so a vector statement holds iff the scalar
    statement holds for one coordinate ``t = u_i`` (and ``w = v_i >= 0``); a sum of zeros is zero and a sum
    of non-negative terms is non-negative.  SymPy checks both: that the generic entry mentions no other
    coordinate, and the scalar statement in every sign case of ``t`` and ``w``."""
    proved = []
    for label, expr, relation, cases in statements:
        scalar, index = generic_coordinate(expr)
        entries = scalar.atoms(MatrixElement)
        foreign = [e for e in entries if e.i != index or e.j != 0]
        if foreign:
            return Check(REFUTED, "coordinatewise lemma", what, scope=Scope.all_q(),
                         counterexample=f"{label}: entry {index} involves {foreign[0]}")
        for sign in cases:
            for vsign in NONNEGATIVE_CASES:
                value = scalar.xreplace({e: _case_value(e, sign, vsign) for e in entries})
                value = sp.simplify(value)
                ok = value == 0 if relation == "= 0" else _nonnegative(value)
                if not ok:
                    return Check(REFUTED, "coordinatewise lemma", what, scope=Scope.all_q(),
                                 counterexample=f"{label}: coordinate case u_i {sign}, v_i {vsign}: {value} is not {relation}")
        proved.append(Check(PROVED, label))
    return combine(proved, "coordinatewise lemma at symbolic Q (generic entry i of a MatrixSymbol expression, "
                   "sigma as a FunctionMatrix) and the scalar facts in every sign case of one coordinate",
                   what, scope=Scope.all_q())


def _nonnegative(value) -> bool:
    """Whether SymPy's assumptions show ``value >= 0`` (as it is, factored, or expanded)."""
    return value == 0 or any(bool(form.is_nonnegative) for form in (value, sp.factor(value), sp.expand(value)))


def _case_value(entry, sign: str, vsign: str):
    """The value of a coordinate ``u_i`` (``v_i`` for a matrix named ``v``) in one sign case."""
    name = str(entry.parent)
    cases, chosen = (NONNEGATIVE_CASES, vsign) if name.startswith("v") else (COORDINATE_CASES, sign)
    assumptions = cases[chosen]
    return sp.Integer(0) if assumptions is None else sp.Symbol(f"{name}_i", real=True, **assumptions)


def data_steps(steps) -> tuple:
    """The steps with every check that states no scope read as a result on the concrete data
    (:func:`~symgeom.certify.certificates.on_data`): the G and N claims compute on the given data unless a step
    says otherwise (the symbolic ones carry ``all Q``)."""
    return tuple(replace(s, check=on_data(s.check)) if s.check is not None and s.check.scope is None else s
                 for s in steps)


def truncation_derivation(ctx, recipe, *, lemmas, split, sample, data, extra=()):
    """The shape the truncation-map recipes (T2–T4) share: their symbolic lemmas (the key step among
    them), then the corroborations — ``split = (formula, check)`` over sign patterns of explicit sizes,
    any ``extra`` steps, ``sample = (formula, text, check)`` in floats and ``data = (formula, text, check)``
    on the data (scoped "these data").  ``recipe``: the claim's :class:`~symgeom.claims.recipe.Recipe`."""
    steps = tuple(lemmas) + (
        Step(split[0], "Corroboration: every sign pattern of explicit sizes.", split[1]),
        *extra,
        Step(sample[0], sample[1], sample[2]),
        Step(data[0], data[1], on_data(data[2])),
    )
    return recipe.derivation(steps)
