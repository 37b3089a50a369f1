"""Numbers in symgeom's JSON outputs: one representation in every mode.

A numeric field ``x`` is written as ``"x": exact`` -- the exact value as text (``"0"``, ``"-1/7"``) when it
was computed exactly, ``null`` when it was computed in float64 or is infinite -- and the enclosing object
carries ``"approx": {"x": value}``, the float64 value (``null`` when infinite or beyond float64's range:
strict JSON has no ``Infinity``).  Exact mode and ``--float`` thus give every field the same type.

>>> from fractions import Fraction
>>> json_numbers(residual=Fraction(0), bound=7.59e-19)
{'residual': '0', 'bound': None, 'approx': {'residual': 0.0, 'bound': 7.59e-19}}
>>> json_numbers(rho=[Fraction(1, 4), float("inf")])
{'rho': ['1/4', None], 'approx': {'rho': [0.25, None]}}
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from . import sizes
from .arith import Exact

__all__ = ["exact_json", "approx_json", "json_numbers"]


def exact_json(x) -> str | None:
    """The exact text of an exact finite number (a rational, or a finite SymPy number with no float in it),
    else ``None``."""
    if x is None:
        return None
    if isinstance(x, (Fraction, Exact, int, np.integer)) and not isinstance(x, bool):
        return sizes.exact_text(x)
    if isinstance(x, sp.Basic) and x.is_number and x.is_finite and not x.atoms(sp.Float):
        return sizes.exact_text(x)
    return None


def approx_json(x) -> float | None:
    """The float64 value of ``x``; ``None`` when ``x`` is ``None``, NaN, infinite or beyond float64's range."""
    if x is None:
        return None
    try:
        value = float(x)
    except (OverflowError, TypeError):
        return None
    return value if math.isfinite(value) else None


def json_numbers(**values) -> dict:
    """``{name: exact_json(v), …, "approx": {name: approx_json(v), …}}`` for scalars, or lists of them."""
    def each(f, v):
        return [each(f, w) for w in v] if isinstance(v, (list, tuple, np.ndarray)) else f(v)

    out = {k: each(exact_json, v) for k, v in values.items()}
    out["approx"] = {k: each(approx_json, v) for k, v in values.items()}
    return out
