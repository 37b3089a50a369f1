"""Hypothesis strategies for symgeom's objects (needs ``hypothesis``: ``pip install 'symgeom[test]'``).

* :func:`clustered_data` -- well-separated clusters of varied dimension, sizes, anisotropy and
  scale (``1e-6`` to ``1e6``), exact or float;
* :func:`parameter_points` -- network parameters with invertible hidden weights;
* :func:`activation_patterns` -- one 0/1 pattern per hidden layer.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from . import arith
from .arith import Kind
from ._errors import DataError
from .data import ClusterData
from .network import Parameters

__all__ = ["clustered_data", "parameter_points", "activation_patterns"]


@st.composite
def clustered_data(draw, Q=st.integers(1, 4), kind=st.sampled_from(["exact", "float"]), max_size: int = 5,
                   scale_exponent=st.integers(-6, 6), noise=st.sampled_from([0, 1, 5, 20])):
    """Clusters around ``100·scale·e_j`` (plus an offset), noise up to ``noise·scale`` per
    coordinate with a random per-axis anisotropy, ``1..max_size`` points per cluster."""
    Q = draw(Q) if not isinstance(Q, int) else Q
    kind = draw(kind) if not isinstance(kind, str) else kind
    scale = Fraction(10) ** draw(scale_exponent)
    amp = draw(noise)
    offset = [draw(st.integers(-50, 50)) for _ in range(Q)]
    points, labels = [], []
    for j in range(Q):
        n = draw(st.integers(1, max_size))
        axes = [draw(st.integers(0, amp)) for _ in range(Q)]
        for _ in range(n):
            dev = [draw(st.integers(-a, a)) if a else 0 for a in axes]
            points.append([scale * (offset[c] + (100 if c == j else 0) + dev[c]) for c in range(Q)])
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
