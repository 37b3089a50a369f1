"""Calibration of the running-time model of :mod:`symgeom.claims.budget`: times ``symgeom check``, ``report`` and
``construct`` on data of several sizes (each in a fresh subprocess, ``--max-seconds 0``; all claims unless a
run names one with ``--only``), fits the model's constants by non-negative least squares on the relative error
per number kind (the reading constant is held at the value ``benchmarks/csv_read.py`` measures: these runs are
too small to see it), and prints them beside each run's measured time, the fitted model's, the estimate of the
constants in use (:func:`symgeom.claims.budget.estimate`) and the machine's load.

The fitted constants are copied by hand into ``symgeom/claims/budget.py`` (with the date and the load of the run).
The full list (25 runs) takes about 5 minutes on the 2-core development machine, ``--quick`` (13) about 1.

Run: python benchmarks/budget_calibration.py [--quick]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from symgeom.claims import budget
from symgeom.claims.budget import FEATURES

sys.path.insert(0, os.path.dirname(__file__))
from check_scale import float_data_csv  # noqa: E402
from csv_read import write_file  # noqa: E402

# (command, Q, L, N, kinds, only, quick): N = 0 is `symgeom example --Q Q` (about Q²+Q points), otherwise
# well-clustered data (means 3 e_j, noise 0.15); kinds "ef": exact and float, "e": exact only, "f": float only
RUNS = [
    ("check", 2, 2, 0, "ef", None, True), ("check", 3, 3, 0, "e", None, True), ("check", 4, 4, 0, "ef", None, True),
    ("check", 5, 5, 0, "e", None, False), ("check", 6, 6, 0, "ef", None, False), ("check", 4, 6, 0, "e", None, False),
    ("check", 3, 3, 3_000, "e", None, True), ("check", 2, 2, 30_000, "e", None, False),
    ("check", 4, 4, 10_000, "f", None, True), ("check", 4, 4, 100_000, "f", None, False),
    ("check", 6, 8, 1_000, "f", None, True), ("check", 7, 7, 10_000, "f", None, False),
    ("check", 8, 8, 10_000, "f", None, False),
    ("check", 8, 8, 1_000, "f", "T1", True), ("check", 5, 5, 0, "e", "T1", True),
    ("report", 3, 3, 0, "e", None, True), ("report", 5, 5, 0, "e", None, False),
    ("report", 7, 7, 1_000, "f", None, False),
    ("construct", 3, 3, 30_000, "ef", None, True), ("construct", 2, 2, 3_000_000, "ef", None, False),
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
            float_data_csv(Path(path), Q, N)
    with open(path) as f:
        rows = sum(1 for _ in f) - 1
    return path, rows


def timed(command: str, path: str, L: int, kind: str, only, folder: str) -> float:
    argv = [sys.executable, "-m", "symgeom", command, "--quiet", "--data", path, "--L", str(L), "--max-seconds", "0"]
    if kind == "float":
        argv.append("--float")
    if only:
        argv += ["--only", only]
    if command == "construct":
        argv += ["--out", os.path.join(folder, "theta.json"), "--force"]
    if command == "report":
        argv += ["--out", tempfile.mkdtemp(dir=folder)]
    t = time.perf_counter()
    subprocess.run(argv, check=False, capture_output=True)
    return time.perf_counter() - t


def nnls(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``argmin ‖A x − b‖`` over ``x ≥ 0`` (Lawson–Hanson active set)."""
    x, free = np.zeros(A.shape[1]), []
    for _ in range(3 * A.shape[1]):
        w = A.T @ (b - A @ x)
        candidates = [j for j in range(A.shape[1]) if j not in free and w[j] > 1e-12]
        if not candidates:
            break
        free.append(max(candidates, key=lambda j: w[j]))
        while True:
            z = np.zeros_like(x)
            z[free] = np.linalg.lstsq(A[:, free], b, rcond=None)[0]
            if (z[free] > 0).all():
                x = z
                break
            alpha = min(x[j] / (x[j] - z[j]) for j in free if z[j] <= 0)
            x = x + alpha * (z - x)
            free = [j for j in free if x[j] > 1e-15]
    return x


def fit(kind: str, rows: list, times: list) -> np.ndarray:
    """The constants of ``kind`` (in the order of :data:`~symgeom.claims.budget.FEATURES`), ``read`` held fixed, the
    others fitted to the relative error of the measured ``times`` (columns scaled to a common size)."""
    A, t = np.array(rows, dtype=float), np.array(times)
    read = FEATURES.index("read")
    B = A / t[:, None]
    B[:, read] = 0.0
    scale = np.where(B.max(axis=0) > 0, B.max(axis=0), 1.0)
    coef = nnls(B / scale, (t - budget.CONSTANTS[kind]["read"] * A[:, read]) / t) / scale
    coef[read] = budget.CONSTANTS[kind]["read"]
    return coef


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="the small runs only")
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("exact", "float"):
            runs = [r for r in RUNS if kind[0] in r[4] and (r[6] or not args.quick)]
            rows, times, sizes = [], [], []
            for command, Q, L, N, _, only, _ in runs:
                path, n = data_file(folder, Q, N)
                seconds = timed(command, path, L, kind, only, folder)
                strata = only is None or only.startswith("N")
                rows.append(budget.features(command, Q, L, n, kind, strata))
                times.append(seconds)
                sizes.append(n)
                print(f"  {kind:5s} {command:9s} Q={Q} L={L} N={n:7d} {only or '':3s}: {seconds:7.2f} s "
                      f"(load {os.getloadavg()[0]:.2f})")
            coef = fit(kind, rows, times)
            print(f"{kind}: constants {dict(zip(FEATURES, (float(f'{c:.2g}') for c in coef)))}")
            for (command, Q, L, _, _, only, _), n, a, s in zip(runs, sizes, rows, times):
                model = float(np.asarray(a) @ coef)
                now = budget.estimate(command, Q, L, n, kind, only is None or only.startswith("N"))
                print(f"    {command:9s} Q={Q} L={L} {only or '':3s}: measured {s:7.2f} s, model {model:7.2f} s "
                      f"(ratio {model / s:.2f}), symgeom.claims.budget now {now:7.2f} s (ratio {now / s:.2f})")


if __name__ == "__main__":
    main()
