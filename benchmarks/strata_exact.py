"""Benchmark: every stratum of the local-minima theorem (N2) settled in exact arithmetic —
construction, certificate (exact cost = B_U and every strict sign condition), weight ranks, the
Hessian's nullity and the tangent directions, and the invertible candidate's exact gradient —
for Q = 2, 3, 4 and L = Q on N = 200 rational points (target: all strata within 30 s per case on a
2-core machine).  Medians of ``--repeat`` runs, with the spread.

Run: python benchmarks/strata_exact.py [--N 200] [--repeat 3]
"""

import argparse
import os
import statistics
import time
from fractions import Fraction

import numpy as np

from symgeom.data import ClusterData
from symgeom.local_minima import settle_strata


def data(Q: int, N: int, seed: int = 0) -> ClusterData:
    """Clusters around ``3 e_j`` with two-decimal noise of size <= 0.15 per coordinate."""
    rng = np.random.default_rng(seed)
    labels = np.sort(np.concatenate([np.arange(1, Q + 1), rng.integers(1, Q + 1, size=N - Q)]))
    hundredths = 300 * np.eye(Q, dtype=np.int64)[:, labels - 1].T + rng.integers(-15, 16, size=(N, Q))
    points = [[Fraction(int(v), 100) for v in row] for row in hundredths]
    return ClusterData.from_arrays(points, labels, source=f"benchmark(Q={Q}, N={N})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--N", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    print("| Q | L | N | strata | reached | median (s) | min-max (s) | target |")
    print("|---|---|---|---|---|---|---|---|")
    for Q in (2, 3, 4):
        d = data(Q, args.N)
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            strata = settle_strata(d, Q)
            times.append(time.perf_counter() - t)
        reached = sum(st.verdict == "local_minimum" for st in strata)
        print(f"| {Q} | {Q} | {args.N} | {len(strata)} | {reached} | {statistics.median(times):.2f} | "
              f"{min(times):.2f}-{max(times):.2f} | < 30 |")


if __name__ == "__main__":
    main()
