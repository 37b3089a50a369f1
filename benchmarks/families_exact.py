"""Benchmark: the families beyond the strata that do not grow with 2^Q, in exact arithmetic -- N4 (one point per
number d < Q of neurons dead at every point: the eigenvalue enclosure, the rational point and its exact cost) and N5
(one split per cluster: candidates, the exact hyperplane, the point and its exact certificate) -- on scikit-learn's
``load_digits`` (first ``Q`` classes, ``Q`` principal components, 2 decimals) and on ``benchmark_data``.

Run: python benchmarks/families_exact.py [--Q 6 10] [--N 10000]
"""

import argparse
import os
import time

from _data import benchmark_data
from strata_decided import digits
from symgeom.local_minima.dead_neurons import dead_counts_text, dead_neuron_family
from symgeom.local_minima.families import split_clusters, split_counts_text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--Q", type=int, nargs="+", default=[6, 10])
    ap.add_argument("--N", type=int, default=10_000, help="points of benchmark_data (Q = 6)")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    print("| data | Q | N | N4 (s) | N4 | N5 (s) | N5 |")
    print("|---|---|---|---|---|---|---|")
    sets = [("digits", digits(Q)) for Q in args.Q] + [("benchmark_data", benchmark_data(6, args.N))]
    for name, data in sets:
        t = time.perf_counter()
        dead = dead_neuron_family(data, data.Q)
        t4 = time.perf_counter() - t
        t = time.perf_counter()
        splits = split_clusters(data, data.Q)
        t5 = time.perf_counter() - t
        print(f"| {name} | {data.Q} | {data.N} | {t4:.2f} | {dead_counts_text(dead)} | {t5:.2f} | "
              f"{split_counts_text(splits)} |")


if __name__ == "__main__":
    main()
