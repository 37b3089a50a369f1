"""The benchmarks' data: ``Q`` clusters around ``3 e_j`` with two-decimal noise of size at most 0.15 per
coordinate, exact rationals, every cluster non-empty."""

from fractions import Fraction

import numpy as np

from symgeom.data.clusters import ClusterData


def benchmark_data(Q: int, N: int, seed: int = 0) -> ClusterData:
    """``N`` points, one per label first so that no cluster is empty, the rest drawn at random."""
    rng = np.random.default_rng(seed)
    labels = np.sort(np.concatenate([np.arange(1, Q + 1), rng.integers(1, Q + 1, size=N - Q)]))
    hundredths = 300 * np.eye(Q, dtype=np.int64)[:, labels - 1].T + rng.integers(-15, 16, size=(N, Q))
    points = [[Fraction(int(v), 100) for v in row] for row in hundredths]
    return ClusterData.from_arrays(points, labels, source=f"benchmark(Q={Q}, N={N})")
