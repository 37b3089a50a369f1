"""Pieces the truncation-map recipes share: matrix symbols of symbolic size, the case split
over sign patterns, and random float samples in cone coordinates."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symgeom.activation import sign_pattern_symbols, sign_patterns
from symgeom.certificates import NOT_APPLICABLE, PROVED, REFUTED, Check, combine

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
    return combine(checks, f"exhaustive case split over {count} sign patterns (Q = {sizes_txt})", what)


def random_invertible(Q: int, rng: np.random.Generator) -> np.ndarray:
    """A well-conditioned random ``Q x Q`` float matrix."""
    return rng.standard_normal((Q, Q)) + 2 * np.eye(Q) * np.sign(rng.standard_normal())


def random_cone_coordinates(Q: int, rng: np.random.Generator, n: int = SAMPLE_POINTS) -> np.ndarray:
    """``Q x n`` cone coordinates with random sign patterns, forward and backward cones included."""
    u = rng.uniform(0.1, 2.0, size=(Q, n)) * rng.choice([-1.0, 1.0], size=(Q, n))
    u[:, 0] = np.abs(u[:, 0])
    u[:, 1] = -np.abs(u[:, 1])
    return u


def not_applicable(method: str, why: str) -> Check:
    return Check(NOT_APPLICABLE, method, why)


def float_samples(sample, ctx, offset: int) -> Check:
    """``sample(Q, seed)`` for ``Q = 1..8`` and the data's ``Q``, combined."""
    sizes = sorted({*range(1, 9), ctx.Q})
    return combine([sample(Q, ctx.seed + offset + Q) for Q in sizes], f"float64 samples, Q = 1..{max(sizes)}",
                   "tolerance 1e-9 x scale")
