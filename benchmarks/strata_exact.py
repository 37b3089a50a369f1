"""Benchmark: every stratum of the local-minima theorem (N2) settled in exact arithmetic —
construction, certificate (exact cost = B_U and every strict sign condition), weight ranks, the
Hessian's nullity and the tangent directions, and the invertible candidate's exact gradient —
for Q = 2, 3, 4 and L = Q on N = 200 rational points (target: all strata within 30 s per case on a
2-core machine), and for Q = 6 on N = 10⁴ points (target: 20 s).  Medians of ``--repeat`` runs, with the spread.

Run: python benchmarks/strata_exact.py [--Q 2 3 4] [--N 200] [--repeat 3] [--target 30]
     python benchmarks/strata_exact.py --Q 6 --N 10000 --target 20
"""

import argparse
import os
import statistics
import time

from _data import benchmark_data
from symgeom.local_minima.settling import settle_strata


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--Q", type=int, nargs="+", default=[2, 3, 4])
    ap.add_argument("--N", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--target", type=float, default=30, help="seconds per case")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    print("| Q | L | N | strata | reached | median (s) | min-max (s) | target |")
    print("|---|---|---|---|---|---|---|---|")
    for Q in args.Q:
        d = benchmark_data(Q, args.N)
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            strata = settle_strata(d, Q)
            times.append(time.perf_counter() - t)
        reached = sum(st.verdict == "local_minimum" for st in strata)
        print(f"| {Q} | {Q} | {args.N} | {len(strata)} | {reached} | {statistics.median(times):.2f} | "
              f"{min(times):.2f}-{max(times):.2f} | < {args.target:g} |")


if __name__ == "__main__":
    main()
