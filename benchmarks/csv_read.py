"""Benchmark: reading a big CSV file (10^7 rows, Q = 2, about 200 MB) in each number kind, in bounded memory.

Writes the file once (into /tmp by default; never commit it), then reads it with ``symgeom.read_csv`` in a
fresh subprocess per kind, and prints the wall time, the peak resident memory of that subprocess
(``resource.getrusage``) above the interpreter's baseline (numpy, flint and symgeom imported), the numeric
size of the data (``N (Q + 1) 8`` bytes: the coordinates and the labels as 8-byte numbers) and the
machine's load.  Target (issue 13): float mode at most 3x the numeric size above the baseline.

Run: python benchmarks/csv_read.py [--rows 10000000] [--file /tmp/symgeom-csv-read.csv] [--repeat 1]
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

CHILD = r"""
import json, resource, sys, time
import numpy, flint, symgeom
from symgeom.data.files import read_csv
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
base = peak()
t = time.perf_counter()
data = read_csv(sys.argv[1], kind=sys.argv[2])
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "peak": peak(), "base": base, "N": data.N, "Q": data.Q}))
"""


def write_file(path: str, rows: int, Q: int = 2, seed: int = 0, chunk: int = 1_000_000) -> None:
    """``rows`` points with four-decimal coordinates: cluster ``j`` around ``3 e_j`` with noise below 0.5,
    written chunk by chunk (one formatted line per point, labels in 1..Q, every cluster non-empty)."""
    rng = np.random.default_rng(seed)
    with open(path, "w") as f:
        f.write(",".join([f"x{c}" for c in range(1, Q + 1)] + ["cluster"]) + "\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            labels = rng.integers(1, Q + 1, size=n)
            labels[: min(n, Q)] = np.arange(1, min(n, Q) + 1)
            ten_thousandths = 30000 * np.eye(Q, dtype=np.int64)[labels - 1] + rng.integers(-5000, 5001, size=(n, Q))
            signs = np.where(ten_thousandths < 0, "-", "")
            a = np.abs(ten_thousandths)
            text = np.char.add(np.char.add(signs, (a // 10000).astype(str)),
                               np.char.add(".", np.char.zfill((a % 10000).astype(str), 4)))
            cols = [text[:, c] for c in range(Q)] + [labels.astype(str)]
            line = cols[0]
            for c in cols[1:]:
                line = np.char.add(np.char.add(line, ","), c)
            f.write("\n".join(line.tolist()) + "\n")


def read_in_subprocess(path: str, kind: str) -> dict:
    """Time and peak RSS of ``read_csv(path, kind=kind)`` in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", CHILD, path, kind], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--file", default="/tmp/symgeom-csv-read.csv")
    ap.add_argument("--kinds", default="float,exact")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    if not os.path.exists(args.file) or os.path.getsize(args.file) == 0:
        t = time.perf_counter()
        # in a child process: the readers' peak RSS counts from their start, and a child forked from a large
        # parent inherits the parent's high-water mark
        subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r}); "
                        f"from csv_read import write_file; write_file({args.file!r}, {args.rows})"], check=True)
        print(f"wrote {args.file} in {time.perf_counter() - t:.1f} s")
    MB = 1e6
    print(f"{args.file}: {os.path.getsize(args.file) / MB:.0f} MB; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f}")
    for _ in range(args.repeat):
        for kind in args.kinds.split(","):
            load = os.getloadavg()[0]
            r = read_in_subprocess(args.file, kind)
            numeric = r["N"] * (r["Q"] + 1) * 8
            above = r["peak"] - r["base"]
            print(f"{kind:5s}: N = {r['N']}, Q = {r['Q']}: {r['seconds']:7.1f} s, peak RSS {r['peak'] / MB:6.0f} MB "
                  f"({above / MB:.0f} MB above the {r['base'] / MB:.0f} MB baseline = {above / numeric:.2f}x the "
                  f"numeric size {numeric / MB:.0f} MB; target for float <= 3x); load average {load:.2f}")


if __name__ == "__main__":
    main()
