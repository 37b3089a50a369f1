"""Benchmark: every stratum decided (local_minimum, empty or not_reached) on data no one made for symgeom:
scikit-learn's ``load_digits`` restricted to its first ``Q`` classes, projected to ``Q`` principal
components and rounded to 2 decimals.  Times the whole settling (LP separations with exact certificates,
hull points, constructions and their certificates, Hessian ranks) with ``--float`` and exact data.

Run: python benchmarks/strata_decided.py [--Q 3 4 5] [--kinds float exact]
"""

import argparse
import os
import time
from fractions import Fraction

import numpy as np
from sklearn.datasets import load_digits

from symgeom.data.clusters import ClusterData
from symgeom.local_minima.settling import counts_text, settle_strata


def digits(Q: int) -> ClusterData:
    X, y = load_digits(return_X_y=True)
    X, y = X[y < Q], y[y < Q]
    Xc = X - X.mean(axis=0)
    P = np.round(Xc @ np.linalg.svd(Xc, full_matrices=False)[2][:Q].T, 2)
    return ClusterData.from_arrays([[Fraction(str(v)) for v in row] for row in P], y + 1, source=f"digits Q = {Q}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--Q", type=int, nargs="+", default=[3, 4, 5])
    ap.add_argument("--kinds", nargs="+", default=["float", "exact"])
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    print("| Q | L | N | kind | strata | verdicts | time (s) |")
    print("|---|---|---|---|---|---|---|")
    for Q in args.Q:
        data = digits(Q)
        for kind in args.kinds:
            d = data.with_kind(kind)
            t = time.perf_counter()
            strata = settle_strata(d, Q)
            print(f"| {Q} | {Q} | {d.N} | {kind} | {len(strata)} | {counts_text(strata)} | "
                  f"{time.perf_counter() - t:.1f} |")


if __name__ == "__main__":
    main()
