"""Benchmark: the scale targets of `symgeom check`, `symgeom report` and the exact G1 certificate.

Each target runs `--repeats` times (the commands as subprocesses, the certificate in this process);
the table gives the median with the spread (min-max), the target, the machine's core count and its
load average before and after (other processes on the machine slow every timing down).

Run: python benchmarks/check_scale.py [--repeats 3] [--only check-exact-Q5,g1-exact]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

FLOAT_Q = 8
FLOAT_N = 10_000
G1_Q = G1_L = 4
G1_N = 100_000


@dataclass(frozen=True)
class Target:
    """One timed target: a name, what it runs, and the time it should stay under (seconds)."""

    name: str
    description: str
    limit: float


TARGETS = (
    Target("check-exact-Q5", "symgeom check, exact, example --Q 5 data", 20),
    Target("check-exact-Q6", "symgeom check, exact, example --Q 6 data", 60),
    Target("check-float-Q8", f"symgeom check --float, Q = {FLOAT_Q}, N = {FLOAT_N}", 30),
    Target("report-Q5", "symgeom report, exact, example --Q 5 data", 30),
    Target("g1-exact", f"exact G1 construction + certificate, Q = L = {G1_Q}, N = {G1_N}", 5),
)


def float_data_csv(path: Path, Q: int, N: int, seed: int = 0) -> None:
    """A well-clustered CSV: means ``3 e_j``, two-decimal noise of at most 0.15 per coordinate."""
    rng = np.random.default_rng(seed)
    labels = np.sort(rng.integers(1, Q + 1, size=N))
    hundredths = 300 * np.eye(Q, dtype=np.int64)[:, labels - 1].T + rng.integers(-15, 16, size=(N, Q))
    rows = [",".join(f"{v / 100:.2f}" for v in row) + f",{j}" for row, j in zip(hundredths, labels)]
    header = ",".join(f"x{i}" for i in range(1, Q + 1)) + ",cluster"
    path.write_text("\n".join([header] + rows) + "\n", encoding="utf-8")


def run_command(argv: list[str]) -> float:
    """Seconds of one run of ``python -m symgeom argv`` (exit status 0 or 1 accepted)."""
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "symgeom", *argv], capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if done.returncode not in (0, 1):
        raise RuntimeError(f"symgeom {' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return elapsed


def run_g1() -> float:
    """Seconds of the exact G1 construction and certificate (data built beforehand, not timed)."""
    from _data import benchmark_data

    from symgeom.global_minima.minimizer import certify_global_minimizer, global_minimizer

    d = benchmark_data(G1_Q, G1_N)
    t = time.perf_counter()
    fam = global_minimizer(d, G1_L)
    cert = certify_global_minimizer(fam.member(), d, fam.order)
    elapsed = time.perf_counter() - t
    if cert.status != "certified":
        raise RuntimeError(f"G1 certificate is {cert.status}")
    return elapsed


def runner(name: str, work: Path):
    """The zero-argument callable that times target ``name``, its inputs written under ``work``."""
    def example(Q: int) -> Path:
        path = work / f"example{Q}.csv"
        if not path.exists():
            subprocess.run([sys.executable, "-m", "symgeom", "example", "--Q", str(Q), "--out", str(path)], check=True,
                           capture_output=True)
        return path

    if name == "check-exact-Q5":
        return lambda: run_command(["check", "--data", str(example(5))])
    if name == "check-exact-Q6":
        return lambda: run_command(["check", "--data", str(example(6))])
    if name == "check-float-Q8":
        path = work / "float8.csv"
        float_data_csv(path, FLOAT_Q, FLOAT_N)
        return lambda: run_command(["check", "--float", "--data", str(path)])
    if name == "report-Q5":
        counter = iter(range(10**6))
        return lambda: run_command(["report", "--data", str(example(5)), "--out", str(work / f"report{next(counter)}")])
    if name == "g1-exact":
        return run_g1
    raise KeyError(name)


def measure(name: str, repeats: int, work: Path) -> list[float]:
    """``repeats`` timings of one target."""
    run = runner(name, work)
    return [run() for _ in range(repeats)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated target names: " + ", ".join(t.name for t in TARGETS))
    args = ap.parse_args()
    chosen = [t for t in TARGETS if not args.only or t.name in args.only.split(",")]
    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for target in chosen:
            times = measure(target.name, args.repeats, Path(tmp))
            rows.append((target, times))
            print(f"{target.name}: {', '.join(f'{s:.2f}' for s in times)} s", file=sys.stderr)
    load_after = os.getloadavg()
    print(f"{os.cpu_count()} cores, {platform.python_version()}, load average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after; medians of {args.repeats} runs\n")
    print("| target | what | median (s) | min-max (s) | target (s) |")
    print("|---|---|---|---|---|")
    for target, times in rows:
        print(f"| {target.name} | {target.description} | {statistics.median(times):.2f} | "
              f"{min(times):.2f}-{max(times):.2f} | < {target.limit:g} |")


if __name__ == "__main__":
    main()
