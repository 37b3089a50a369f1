"""Calibration of the running-time model of :mod:`symgeom.budget`: times ``symgeom check`` and
``symgeom construct`` on data of several sizes (each in a fresh subprocess, all claims, ``--max-seconds 0``),
fits the model's constants by least squares on the relative error per number kind (the reading constant is
held at the value ``benchmarks/csv_read.py`` measures: these runs are too small to see it), and prints them
beside each run's measured and predicted time and the machine's load.

The fitted constants are copied by hand into ``symgeom/budget.py`` (with the date and the load of the run).

Run: python benchmarks/budget_calibration.py [--quick]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from symgeom import budget
from symgeom.budget import FEATURES
from symgeom.datafiles import csv_text

sys.path.insert(0, os.path.dirname(__file__))
from _data import benchmark_data  # noqa: E402
from csv_read import write_file  # noqa: E402

RUNS = [  # (command, Q, L, N): N = 0 is `symgeom example --Q Q` (about 3Q points)
    ("check", 2, 2, 0), ("check", 3, 3, 0), ("check", 4, 4, 0), ("check", 3, 6, 0),
    ("check", 2, 2, 3_000), ("check", 2, 2, 30_000), ("check", 3, 3, 3_000),
    ("construct", 3, 3, 30_000), ("construct", 2, 4, 300_000), ("construct", 2, 2, 3_000_000),
]


def data_file(folder: str, Q: int, N: int) -> tuple[str, int]:
    path = os.path.join(folder, f"d{Q}_{N}.csv")
    if not os.path.exists(path):
        if N == 0:
            subprocess.run([sys.executable, "-m", "symgeom", "example", "--Q", str(Q), "--out", path], check=True,
                           capture_output=True)
        elif N > 100_000:
            write_file(path, N, Q)
        else:
            with open(path, "w") as f:
                f.write(csv_text(benchmark_data(Q, N)))
    with open(path) as f:
        rows = sum(1 for _ in f) - 1
    return path, rows


def timed(command: str, path: str, L: int, kind: str, folder: str) -> float:
    argv = [sys.executable, "-m", "symgeom", command, "--quiet", "--data", path, "--L", str(L), "--max-seconds", "0"]
    if kind == "float":
        argv.append("--float")
    if command == "construct":
        argv += ["--out", os.path.join(folder, "theta.json"), "--force"]
    t = time.perf_counter()
    subprocess.run(argv, check=False, capture_output=True)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="the small runs only")
    args = ap.parse_args()
    runs = [r for r in RUNS if not args.quick or r[3] <= 3_000]
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("exact", "float"):
            rows, times = [], []
            for command, Q, L, N in runs:
                path, n = data_file(folder, Q, N)
                seconds = timed(command, path, L, kind, folder)
                rows.append(budget.features(command, Q, L, n, strata=command == "check"))
                times.append(seconds)
                print(f"  {kind:5s} {command:9s} Q={Q} L={L} N={n:7d}: {seconds:7.2f} s (load {os.getloadavg()[0]:.2f})")
            A, t = np.array(rows, dtype=float), np.array(times)
            read = FEATURES.index("read")
            c_read = budget.CONSTANTS[kind]["read"]
            free = [i for i in range(len(FEATURES)) if i != read]
            rest = t - c_read * A[:, read]
            fit = np.linalg.lstsq(A[:, free] / t[:, None], rest / t, rcond=None)[0]  # relative error least squares
            coef = np.zeros(len(FEATURES))
            coef[free], coef[read] = np.maximum(fit, 0.0), c_read
            print(f"{kind}: constants {dict(zip(FEATURES, (float(f'{c:.3g}') for c in coef)))}")
            for (command, Q, L, N), a, s in zip(runs, A, t):
                print(f"    {command:9s} Q={Q} L={L}: measured {s:7.2f} s, model {float(a @ coef):7.2f} s")


if __name__ == "__main__":
    main()
