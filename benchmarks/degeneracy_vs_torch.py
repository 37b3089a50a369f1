"""Benchmark: symgeom's degeneracy computation against a PyTorch float64 autograd Hessian and the numpy floor.

Cases (float data):
  * the explicit global minimizer (G1) on well-clustered data at (Q, L, N) = (4, 4, 1e5), (8, 8, 1e4), (8, 8, 1e6);
  * random parameters with about 1e3 and 1e4 activation regions at (8, 8, 1e4) (points in general position,
    hidden hyperplanes through the median of the current points; ``cuts`` neurons per layer cut, the rest stay on).
Per case, interleaved in one process, ``--repeats`` times:
  * symgeom: the Gauss-Newton matrix (1/N) sum_n J_n^T J_n, streamed in chunks by regions or by points (the
    path is printed), its spectrum (through the small factor when it has fewer rows than P), the nullity at
    the largest spectral gap; at random parameters also the full Hessian (Gauss-Newton plus the residual
    term) and its eigenvalues;
  * PyTorch: torch.func.hessian of the cost (float64, 2 threads), torch.linalg.eigvalsh, nullity with the usual
    rank tolerance P * eps * max|lambda|; skipped when one run would exceed --torch-limit (120 s) or 8 GB;
  * floor: one vectorized numpy evaluation of the cost over the data.
Then the peak memory of the symgeom computation at (8, 8, 1e6), in a fresh process: the rise of the resident
set's high-water mark (VmHWM, reset through /proc/self/clear_refs) over the resident size with the data loaded.

Run: pip install '.[bench]' && python benchmarks/degeneracy_vs_torch.py [--repeats 5] [--only 1,2]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np

from symgeom.numbers.arith import linalg_threads
from symgeom.calculus.cost import cost
from symgeom.data.clusters import ClusterData
from symgeom.global_minima.degeneracy import derived_dimension
from symgeom.calculus.derivatives import spectral_nullity
from symgeom.calculus.hessian import gauss_newton_float, gauss_newton_spectrum
from symgeom.global_minima.minimizer import global_minimizer
from symgeom.model.network import Parameters, activation_pattern
from symgeom.calculus.residual import hessian

TIME_LIMIT, MEMORY_LIMIT = 120.0, 8 * 2**30
MEMORY_CASE = (8, 8, 10**6)


@dataclass(frozen=True)
class Case:
    """One row: the global minimizer (``cuts = None``) or random parameters with ``cuts`` cutting neurons per layer."""

    Q: int
    L: int
    N: int
    cuts: int | None = None

    @property
    def label(self) -> str:
        return "minimizer" if self.cuts is None else f"random ({self.cuts} cuts/layer)"


CASES = (Case(4, 4, 10**5), Case(8, 8, 10**4), Case(8, 8, 10**6), Case(8, 8, 10**4, 2), Case(8, 8, 10**4, 8))


def clustered(Q: int, N: int, seed: int = 0) -> ClusterData:
    """``N`` float points in ``Q`` clusters around ``3 e_j`` (uniform noise of at most 0.15 per coordinate)."""
    rng = np.random.default_rng(seed)
    labels = np.sort(rng.integers(1, Q + 1, size=N))
    X = 3 * np.eye(Q)[labels - 1] + rng.uniform(-0.15, 0.15, size=(N, Q))
    return ClusterData.from_arrays(X, labels, kind="float", source=f"benchmark(Q={Q}, N={N})")


def scattered(Q: int, N: int, seed: int = 0) -> ClusterData:
    """``N`` standard normal float points (general position), random labels, every label present."""
    rng = np.random.default_rng(seed)
    labels = np.concatenate([np.arange(1, Q + 1), rng.integers(1, Q + 1, size=N - Q)])
    return ClusterData.from_arrays(rng.normal(size=(N, Q)), labels, kind="float", source=f"scattered(Q={Q}, N={N})")


def median_cut(X: np.ndarray, L: int, cuts: int, seed: int = 0) -> Parameters:
    """Weights ``I + G/√Q`` (``G`` standard normal); in every hidden layer the first ``cuts`` neurons put their
    hyperplane through the median of their pre-activations on ``X`` (they cut the data), the others a unit above
    the smallest (always on); the output layer likewise always on."""
    Q = X.shape[0]
    rng = np.random.default_rng(seed)
    weights = [np.eye(Q) + rng.normal(size=(Q, Q)) / np.sqrt(Q) for _ in range(L + 1)]
    biases, x = [], X
    for l, W in enumerate(weights):
        u = W @ x
        b = 1.0 - u.min(axis=1)
        if l < L:
            b[:cuts] = -np.median(u[:cuts], axis=1)
        biases.append(b)
        x = np.maximum(u + b[:, None], 0.0)
    return Parameters(tuple(weights), tuple(biases))


def setup(case: Case):
    """``(data, params)`` of a case."""
    if case.cuts is None:
        data = clustered(case.Q, case.N)
        return data, global_minimizer(data, case.L).member().with_kind("float")
    data = scattered(case.Q, case.N)
    return data, median_cut(data.X, case.L, case.cuts)


def symgeom_nullity(params, data) -> tuple[int, str]:
    """Nullity of the Gauss-Newton matrix at its largest spectral gap, and the spectrum's route."""
    lam, route = gauss_newton_spectrum(params, data.X)
    return spectral_nullity(lam)[0], route


def symgeom_full(params, data) -> tuple[int, np.ndarray]:
    """Nullity of the full Hessian (Gauss-Newton plus residual term) at its largest spectral gap, and the Hessian."""
    H = hessian(params, data)
    with linalg_threads():
        return spectral_nullity(np.linalg.eigvalsh(H))[0], H


def torch_hessian(params, data, n_points=None) -> np.ndarray:
    """``torch.func.hessian`` of the cost on the first ``n_points`` points (float64, 2 threads)."""
    import torch

    torch.set_num_threads(2)
    Q, L = params.Q, params.L
    X = torch.from_numpy(np.ascontiguousarray(data.X[:, :n_points]))
    Y = torch.from_numpy(np.ascontiguousarray(data.targets_ext[:, :n_points]))
    theta = torch.from_numpy(params.vector().astype(float))
    block = Q * Q + Q

    def C(th):
        x = X
        for l in range(L + 1):
            W = th[l * block:l * block + Q * Q].reshape(Q, Q)
            b = th[l * block + Q * Q:(l + 1) * block]
            x = W @ x + b[:, None]
            if l < L:
                x = torch.relu(x)
        return 0.5 * ((x - Y) ** 2).sum() / X.shape[1]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return torch.func.hessian(C)(theta)


def torch_nullity(params, data, n_points=None) -> tuple[int, np.ndarray]:
    """Nullity of the torch Hessian with the rank tolerance ``P ε max|λ|``, and the Hessian."""
    import torch

    H = torch_hessian(params, data, n_points)
    lam = torch.linalg.eigvalsh(H).abs()
    tol = H.shape[0] * torch.finfo(torch.float64).eps * lam.max()
    return int((lam <= tol).sum()), H.numpy()


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def spread(times) -> str:
    """Median with min-max."""
    return f"{statistics.median(times):.3g} ({min(times):.3g}-{max(times):.3g})"


MEMORY_SCRIPT = r"""
import gc, sys
sys.path.insert(0, {here!r})
from degeneracy_vs_torch import Case, setup, symgeom_nullity
data, params = setup(Case(*{case!r}))
gc.collect()
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = status("VmRSS:")
symgeom_nullity(params, data)
print(status("VmHWM:") - before, data.X.nbytes)
"""


def peak_memory(case) -> tuple[int, int]:
    """``(peak RSS rise, size of X)`` in bytes of the symgeom computation on ``case``, in a fresh process."""
    here = os.path.dirname(os.path.abspath(__file__))
    script = MEMORY_SCRIPT.format(here=here, case=tuple(case))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), int(out[1])


def run_case(case: Case, repeats: int, torch_limit: float) -> str:
    """Interleaved timings of one case; its table row."""
    data, params = setup(case)
    Q, L, N = case.Q, case.L, case.N
    regions = np.unique(activation_pattern(params, data.X).reshape(L * Q, N), axis=1).shape[1] if N <= 10**5 else None
    acc = gauss_newton_float(params, data.X)
    regions = acc.choice.regions if regions is None else regions
    Qs, Ls = sorted(derived_dimension()[1].free_symbols, key=str)[::-1]
    derived = int(derived_dimension()[1].subs({Qs: Q, Ls: L})) if case.cuts is None else "-"
    probe = min(N, 2000)
    torch_nullity(params, data, 200)  # warm-up: the first call traces the function
    t_probe, _ = timed(torch_nullity, params, data, probe)
    predicted = t_probe * N / probe
    memory = 1.3 * 8 * params.count * N * Q * (L + 2)  # float64 jacobians of all layers; 5.6 GB measured at (8, 8, 1e4)
    run_torch = predicted <= torch_limit and memory <= MEMORY_LIMIT
    ts, tfull, tt, tf = [], [], [], []
    ns = nt = nfull = route = None
    H = acc.matrix()
    for _ in range(repeats):
        t, (ns, route) = timed(symgeom_nullity, params, data)
        ts.append(t)
        if case.cuts is not None:
            t, (nfull, H) = timed(symgeom_full, params, data)
            tfull.append(t)
        if run_torch:
            t, (nt, T) = timed(torch_nullity, params, data)
            tt.append(t)
        t, _ = timed(cost, params, data)
        tf.append(t)
    s, f = statistics.median(ts), statistics.median(tf)
    full = spread(tfull) if tfull else "-"
    if run_torch:
        b = statistics.median(tt)
        agree = f"{np.abs(H - T).max() / np.abs(T).max():.1e}"
        torch_cols = f"{spread(tt)} | {b / s:.0f}x" + (f" ({b / statistics.median(tfull):.0f}x)" if tfull else "")
    else:
        why = f"skipped: predicted {predicted:.0f} s" if predicted > torch_limit else f"skipped: ~{memory / 2**30:.0f} GB"
        torch_cols, nt, agree = f"{why} | -", "-", "-"
    nullities = f"{ns}" + (f" / {nfull}" if nfull is not None else "")
    return (f"| {case.label} | {Q} | {L} | {N:.0e} | {params.count} | {regions} | {acc.choice.path} | {route} | "
            f"{spread(ts)} | {full} | {torch_cols} | {spread(tf)} | {s / f:.2f} | {nullities} | {nt} | {derived} | {agree} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated case numbers (1-based) of: "
                    + ", ".join(f"{c.label} {c.Q, c.L, c.N}" for c in CASES))
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-memory measurement")
    ap.add_argument("--torch-limit", type=float, default=TIME_LIMIT,
                    help=f"skip PyTorch where one run is predicted to take longer (seconds; default {TIME_LIMIT:g})")
    args = ap.parse_args()
    chosen = [c for i, c in enumerate(CASES, 1) if not args.only or str(i) in args.only.split(",")]
    import torch

    load_before = os.getloadavg()
    print("| case | Q | L | N | P | regions | path | spectrum | symgeom (s) | full Hessian (s) | PyTorch (s) | "
          "PyTorch / symgeom | floor (s) | symgeom / floor | nullity symgeom (GN / full) | nullity PyTorch | derived | "
          "max diff / max |H| |")
    print("|" + "---|" * 18, flush=True)
    for case in chosen:
        print(run_case(case, args.repeats, args.torch_limit), flush=True)
    load_after = os.getloadavg()
    print(f"\n{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}; "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; medians of {args.repeats} interleaved "
          f"runs (min-max); symgeom with one BLAS thread, PyTorch with 2")
    if not args.no_memory:
        rise, size = peak_memory(MEMORY_CASE)
        print(f"peak memory at (Q, L, N) = {MEMORY_CASE}, minimizer: resident set rise {rise / 2**20:.0f} MiB = "
              f"{rise / size:.2f} x the data (X: {size / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
