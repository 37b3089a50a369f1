"""Seeded random clustered data for tests: unequal sizes, anisotropic clusters, non-one-hot targets."""

from fractions import Fraction

import numpy as np

from symgeom.data.clusters import ClusterData


def anisotropic_data(Q: int, seed: int, noise: float = 0.15, kind: str = "exact") -> ClusterData:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(Q + 1, Q + 6, size=Q)
    labels = np.repeat(np.arange(1, Q + 1), sizes)
    means = 3 * np.eye(Q) + rng.uniform(-0.3, 0.3, size=(Q, Q))
    rows = []
    for j, n in enumerate(sizes):
        R, _ = np.linalg.qr(rng.standard_normal((Q, Q)))
        scales = noise * rng.uniform(0.05, 1.0, size=Q)
        dev = (R * scales) @ rng.uniform(-1, 1, size=(Q, n))
        rows.append((means[:, j : j + 1] + dev).T)
    points = [[Fraction(round(v * 1000), 1000) for v in row] for row in np.vstack(rows)]
    while True:
        T = rng.integers(-3, 4, size=(Q, Q))
        if abs(np.linalg.det(T)) > 0.5:
            break
    targets = [[Fraction(int(v), 2) for v in row] for row in T]
    return ClusterData.from_arrays(points, labels, targets, kind=kind, source=f"anisotropic(Q={Q}, seed={seed})")
