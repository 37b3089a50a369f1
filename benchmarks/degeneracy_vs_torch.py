"""Benchmark: symgeom's degeneracy check against a PyTorch float64 autograd Hessian.

For each (Q, L, N): float data, the explicit global minimizer (G1), then
  * symgeom: the Hessian (1/N) J^T J through sufficient statistics per activation region,
    eigvalsh, nullity at the largest spectral gap;
  * baseline: torch.func.hessian of the cost (float64, 2 threads), torch.linalg.eigvalsh, nullity
    with the usual rank tolerance P * eps * max|lambda|; skipped when it would exceed 60 s or 8 GB;
  * floor: one vectorized numpy evaluation of the cost over the data.
Times are medians of repeated runs, interleaved in one process.

Run: pip install '.[bench]' && python benchmarks/degeneracy_vs_torch.py [--repeats 3]
"""

import argparse
import statistics
import time

import numpy as np

from symgeom.cost import cost
from symgeom.data import ClusterData
from symgeom.degeneracy import derived_dimension
from symgeom.derivatives import gauss_newton, spectral_nullity
from symgeom.minimizer import global_minimizer

CONFIGS = [(2, 2, 10**4), (4, 4, 10**5), (8, 8, 10**4), (8, 8, 10**6)]
TIME_LIMIT, MEMORY_LIMIT = 60.0, 8 * 2**30


def clustered(Q: int, N: int, seed: int = 0) -> ClusterData:
    rng = np.random.default_rng(seed)
    labels = np.sort(rng.integers(1, Q + 1, size=N))
    X = 3 * np.eye(Q)[labels - 1] + rng.uniform(-0.15, 0.15, size=(N, Q))
    return ClusterData.from_arrays(X, labels, kind="float", source=f"benchmark(Q={Q}, N={N})")


def symgeom_nullity(params, data) -> int:
    H = gauss_newton(params, data.X)
    return spectral_nullity(np.linalg.eigvalsh(H))[0]


def torch_nullity(params, data, n_points=None) -> int:
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

    H = torch.func.hessian(C)(theta)
    lam = torch.linalg.eigvalsh(H).abs()
    tol = H.shape[0] * torch.finfo(torch.float64).eps * lam.max()
    return int((lam <= tol).sum())


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    Qs, Ls = sorted(derived_dimension()[1].free_symbols, key=str)[::-1]
    dim_expr = derived_dimension()[1]
    print("| Q | L | N | P | symgeom (s) | PyTorch (s) | ratio | floor (s) | symgeom / floor | nullity symgeom | "
          "nullity PyTorch | derived |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for Q, L, N in CONFIGS:
        data = clustered(Q, N)
        params = global_minimizer(data, L).member()
        derived = int(dim_expr.subs({Qs: Q, Ls: L}))
        P = params.count
        probe = min(N, 2000)
        t_probe, _ = timed(torch_nullity, params, data, probe)
        predicted = t_probe * N / probe
        memory = 1.3 * 8 * P * N * Q * (L + 2)  # float64 jacobians of all layers; 5.6 GB measured at (8, 8, 1e4)
        run_torch = predicted <= TIME_LIMIT and memory <= MEMORY_LIMIT
        ts, tt, tf, ns, nt = [], [], [], None, None
        for _ in range(args.repeats):
            t, ns = timed(symgeom_nullity, params, data)
            ts.append(t)
            if run_torch:
                t, nt = timed(torch_nullity, params, data)
                tt.append(t)
            t, _ = timed(cost, params, data)
            tf.append(t)
        s, f = statistics.median(ts), statistics.median(tf)
        if run_torch:
            b = statistics.median(tt)
            torch_cols = f"{b:.3g} | {b / s:.0f}x"
            nt_col = str(nt)
        else:
            why = f"skipped: predicted {predicted:.0f} s" if predicted > TIME_LIMIT else f"skipped: ~{memory / 2**30:.0f} GB"
            torch_cols, nt_col = f"{why} | -", "-"
        print(f"| {Q} | {L} | {N:.0e} | {P} | {s:.3g} | {torch_cols} | {f:.3g} | {s / f:.1f} | {ns} | {nt_col} | {derived} |",
              flush=True)


if __name__ == "__main__":
    main()
