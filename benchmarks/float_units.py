"""Benchmark: the cost of float mode's change of units against building the float data it works on.

For ``N`` float points (``Q`` clusters around ``3 e_j``, times ``10^200`` so that a change of units is
needed), times in one interleaved run: ``build`` = :meth:`ClusterData.from_arrays` on the float array (the
floor every float command pays), ``units`` = :func:`symgeom.model.units.needs_exact_reading` plus
:func:`symgeom.model.units.float_units` (what the CLI adds).  Medians with the spread, the core count and the load
average before and after.  The rescaled data are validated again (rounding may merge points), which costs one
``build``; target: ``units <= 1.5 build`` (the change of units' own work at most half a build).

Run: python benchmarks/float_units.py [--N 1000000] [--Q 4] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from symgeom.data.clusters import ClusterData
from symgeom.model.units import float_units, needs_exact_reading


def points(Q: int, N: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``N x Q`` float points and their labels: clusters around ``3e200 e_j`` with noise up to ``0.15e200``."""
    rng = np.random.default_rng(seed)
    labels = np.sort(np.concatenate([np.arange(1, Q + 1), rng.integers(1, Q + 1, size=N - Q)]))
    X = 3 * np.eye(Q)[:, labels - 1].T + rng.uniform(-0.15, 0.15, size=(N, Q))
    return X * 1e200, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--N", type=int, default=1_000_000)
    parser.add_argument("--Q", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    X, labels = points(args.Q, args.N)
    load_before = os.getloadavg()
    times = {"build": [], "units": []}
    for _ in range(args.repeats):  # interleaved, so both see the same load
        start = time.perf_counter()
        data = ClusterData.from_arrays(X, labels, kind="float", source="benchmark")
        times["build"].append(time.perf_counter() - start)
        start = time.perf_counter()
        needs_exact_reading(data)
        scaled = float_units(data)
        times["units"].append(time.perf_counter() - start)
    assert scaled.units.input_exponent == 200
    print(f"Q = {args.Q}, N = {args.N}, {os.cpu_count()} cores, load average {load_before[0]:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after; {args.repeats} repeats")
    for name, t in times.items():
        print(f"{name:6s} median {statistics.median(t):.3f} s (min {min(t):.3f}, max {max(t):.3f})")
    ratio = statistics.median(times["units"]) / statistics.median(times["build"])
    print(f"units / build = {ratio:.2f} (target <= 1.5: {'met' if ratio <= 1.5 else 'not met'})")


if __name__ == "__main__":
    main()
