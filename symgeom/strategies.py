"""Hypothesis strategies for symgeom's objects (needs ``hypothesis``: ``pip install 'symgeom[test]'``).

* :func:`clustered_data` -- well-separated clusters of varied dimension, sizes, anisotropy,
  magnitude (``1e-300`` to ``1e300``) and spread (down to ``1e-200`` of the centres), exact or float;
* :func:`parameter_points` -- network parameters with invertible hidden weights;
* :func:`activation_patterns` -- one 0/1 pattern per hidden layer;
* :func:`data_and_parameters` -- data and parameters of one number kind (exact rationals or float64), the
  two kinds never mixed (mixing them raises :class:`~symgeom.KindError`).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from .numbers import arith
from .numbers.arith import Kind
from ._errors import DataError
from .data.clusters import ClusterData
from .model.network import Parameters

__all__ = ["clustered_data", "parameter_points", "activation_patterns", "data_and_parameters"]


SCALE_EXPONENTS = st.integers(-300, 300)
"""Magnitudes ``10^-300 .. 10^300``: within float64's range (``1e±308``) with the coordinates' factor of up to 170."""

SPREAD_EXPONENTS = st.sampled_from([0, 0, -1, -3, -6, -8, -10, -11, -12, -13, -14, -16, -20, -50, -100, -200])
"""Cluster spreads relative to the centres, down to ``10^-200``; dense around float64's thresholds
(``2^-44 ≈ 5.7e-14``, where float mode starts refusing, and its resolution ``2^-53 ≈ 1.1e-16``)."""


@st.composite
def clustered_data(draw, Q=st.integers(1, 4), kind=st.sampled_from(["exact", "float"]), max_size: int = 5,
                   scale_exponent=SCALE_EXPONENTS, noise=st.sampled_from([0, 1, 5, 20]),
                   spread_exponent=SPREAD_EXPONENTS):
    """Clusters around ``100·scale·e_j`` (plus an offset), noise up to ``noise·spread·scale`` per coordinate
    with a random per-axis anisotropy, ``1..max_size`` points per cluster; ``scale = 10^scale_exponent``,
    ``spread = 10^spread_exponent``.  Float data are the exact values rounded once."""
    Q = draw(Q) if not isinstance(Q, int) else Q
    kind = draw(kind) if not isinstance(kind, str) else kind
    scale = Fraction(10) ** draw(scale_exponent)
    spread = Fraction(10) ** draw(spread_exponent)
    amp = draw(noise)
    offset = [draw(st.integers(-50, 50)) for _ in range(Q)]
    points, labels = [], []
    for j in range(Q):
        n = draw(st.integers(1, max_size))
        axes = [draw(st.integers(0, amp)) for _ in range(Q)]
        for _ in range(n):
            dev = [draw(st.integers(-a, a)) if a else 0 for a in axes]
            points.append([scale * (offset[c] + (100 if c == j else 0) + spread * dev[c]) for c in range(Q)])
            labels.append(j + 1)
    values = points if Kind(kind).is_exact else [[float(v) for v in row] for row in points]
    try:
        return ClusterData.from_arrays(values, labels, kind=kind, source="hypothesis")
    except DataError:
        assume(False)


@st.composite
def parameter_points(draw, Q: int, L: int, kind: str = "exact"):
    """Parameters with small rational entries ``k/4`` and invertible hidden weights."""
    weights, biases = [], []
    for l in range(L + 1):
        W = np.array([[Fraction(draw(st.integers(-8, 8)), 4) for _ in range(Q)] for _ in range(Q)], dtype=object)
        if l < L:
            W = W + 2 * np.eye(Q, dtype=int)
            assume(arith.rank(arith.array(W, "exact")) == Q)
        weights.append(W)
        biases.append([Fraction(draw(st.integers(-8, 8)), 4) for _ in range(Q)])
    return Parameters.from_lists([w.tolist() for w in weights], biases, kind)


def activation_patterns(Q: int, L: int):
    """One tuple of ``Q`` zeros and ones per hidden layer."""
    return st.tuples(*[st.tuples(*[st.integers(0, 1)] * Q)] * L)


@st.composite
def data_and_parameters(draw, Q=st.integers(1, 3), L=st.integers(1, 3), kind=st.sampled_from(["exact", "float"]),
                        **data_options):
    """``(data, params)`` of one number kind: :func:`clustered_data` with ``Q`` clusters in ``R^Q`` and
    :func:`parameter_points` of depth ``L`` on them; ``data_options`` go to :func:`clustered_data`."""
    kind = draw(kind) if not isinstance(kind, str) else kind
    data = draw(clustered_data(Q=Q, kind=kind, **data_options))
    depth = draw(L) if not isinstance(L, int) else L
    return data, draw(parameter_points(data.Q, depth, kind))
