"""Where gradient descent ends up: ``K`` training runs at once, in float64, each then located.

The ``K`` parameter points are the rows of one array ``Θ`` (``K x P``, each row laid out as
:meth:`~symgeom.model.network.Parameters.vector`), so a step is a handful of batched matrix products over
all runs and points, with no Python loop over either.

**Forward** (per run): ``a_ℓ = W_ℓ x^(ℓ-1) + b_ℓ``, ``x^(ℓ) = D_ℓ a_ℓ`` with the masks ``D_ℓ = [a_ℓ > 0]``
stored, ``x^(L+1) = a_{L+1}``; ``C = (1/2N) ‖x^(L+1) − Y^ext‖²_F``.

**Backward**: ``δ_{L+1} = (x^(L+1) − Y^ext) / N``, ``δ_ℓ = D_ℓ ⊙ (W_{ℓ+1}ᵀ δ_{ℓ+1})``;
``∂C/∂W_ℓ = δ_ℓ x^(ℓ-1)ᵀ`` and ``∂C/∂b_ℓ = δ_ℓ 1`` -- the same gradient as
:func:`symgeom.calculus.derivatives.gradient` (``M_ℓᵀ Σ_n r_n φ_nᵀ``, grouped by activation region there).

**Initialization**: PyTorch's default for ``nn.Linear(Q, Q)`` (Kaiming-uniform with ``a = √5``):
every weight and bias uniform on ``[−1/√Q, 1/√Q]``; run ``i`` draws from ``numpy.random.default_rng(seed + i)``,
so a run is reproduced alone with ``--inits 1 --seed (seed + i)``.

**Cost** (``cost``): mean-squared by default, as above (what PyTorch's ``MSELoss`` trains); with the paper's
cost the runs minimize ``C_N² = Σ_n w_n |r_n|²``, ``w_n = 1/N_{j(n)}`` (``δ_{L+1} = 2 w ⊙ r``): the smooth square of
the paper's norm ``C_N``, with the same local minima; the history records ``C_N²``.

**Optimizers**: plain gradient descent ``Θ ← Θ − η ∇C``, or Adam (``β = (0.9, 0.999)``, ``ε = 1e-8``,
bias-corrected).  A run whose cost or step stops being finite is frozen at its last finite point and
marked diverged.

>>> from symgeom.data.embedded import default_data
>>> runs = train(default_data("float"), L=3, inits=4, steps=50, lr=0.01, optimizer="adam", seed=0)
>>> runs.theta.shape, runs.checkpoints[0], runs.checkpoints[-1]
((4, 48), 0, 50)
>>> bool((runs.history[-1] < runs.history[0]).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import UsageError
from ..calculus.cost import Cost
from ..data.clusters import ClusterData
from ..model.network import Parameters

__all__ = ["OPTIMIZERS", "DEFAULT_LR", "INITIALIZATION", "ADAM_BETAS", "ADAM_EPS", "Runs", "initial_theta", "batch_forward",
           "batch_cost_gradient", "checkpoint_steps", "train"]

OPTIMIZERS = ("gd", "adam")
DEFAULT_LR = {"gd": 0.05, "adam": 0.01}
"""Step sizes ``η`` that train the embedded data without diverging."""
INITIALIZATION = "PyTorch nn.Linear default: weights and biases uniform on [-1/sqrt(Q), 1/sqrt(Q)]"
ADAM_BETAS = (0.9, 0.999)
"""Adam's decay rates of the first and second moment estimates (PyTorch's defaults)."""
ADAM_EPS = 1e-8
"""Adam's denominator guard (PyTorch's default)."""


def _block(Q: int) -> int:
    """``Q² + Q`` parameters per layer."""
    return Q * Q + Q


def _views(theta: np.ndarray, Q: int, L: int) -> tuple[list, list]:
    """``[W_1 … W_{L+1}]`` (each ``K x Q x Q``) and ``[b_1 … b_{L+1}]`` (each ``K x Q``) as views of ``Θ``."""
    K, B = theta.shape[0], _block(Q)
    Ws = [theta[:, l * B:l * B + Q * Q].reshape(K, Q, Q) for l in range(L + 1)]
    bs = [theta[:, l * B + Q * Q:(l + 1) * B] for l in range(L + 1)]
    return Ws, bs


def initial_theta(Q: int, L: int, seeds) -> np.ndarray:
    """``Θ`` (``len(seeds) x P``): PyTorch's ``nn.Linear`` default, every entry uniform on
    ``[−1/√Q, 1/√Q]``, run ``i`` from ``default_rng(seeds[i])``."""
    bound = 1.0 / np.sqrt(Q)
    P = (L + 1) * _block(Q)
    return np.stack([np.random.default_rng(int(s)).uniform(-bound, bound, size=P) for s in seeds])


def batch_forward(theta: np.ndarray, X: np.ndarray, Q: int, L: int) -> tuple[list, list]:
    """The layers ``[x^(0), …, x^(L+1)]`` (``x^(0) = X``, the others ``K x Q x N``) and the masks
    ``[D_1, …, D_L]`` (``a_ℓ > 0``) of every run at once."""
    Ws, bs = _views(theta, Q, L)
    xs, masks = [X], []
    for l in range(L + 1):
        a = np.matmul(Ws[l], xs[-1]) + bs[l][:, :, None]
        if l < L:
            masks.append(a > 0)
            a = a * masks[-1]
        xs.append(a)
    return xs, masks


def batch_cost_gradient(theta: np.ndarray, data: ClusterData, L: int,
                        cost: Cost = Cost.MEAN_SQUARED) -> tuple[np.ndarray, np.ndarray]:
    """``(C, ∇C)`` of every run: ``C`` of shape ``(K,)``, ``∇C`` of the shape of ``Θ`` (module docstring:
    forward with masks, then backward).  ``C`` is the weighted sum ``Σ_n w_n |r_n|²`` of ``cost``."""
    Q, N = data.Q, data.N
    X, Y = np.asarray(data.X, dtype=float), np.asarray(data.targets_ext, dtype=float)
    xs, masks = batch_forward(theta, X, Q, L)
    R = xs[-1] - Y
    w = cost.fit_weights(data.with_kind("float"))  # None: uniform weights 1/(2N)
    C = 0.5 * np.einsum("kqn,kqn->k", R, R) / N if w is None else np.einsum("kqn,kqn,n->k", R, R, w)
    Ws, _ = _views(theta, Q, L)
    grad = np.empty_like(theta)
    gW, gb = _views(grad, Q, L)
    delta = R / N if w is None else R * (2 * w)
    for l in range(L, -1, -1):
        x_in = xs[l]
        gW[l][...] = np.matmul(delta, np.swapaxes(x_in, -1, -2)) if x_in.ndim == 3 else np.matmul(delta, x_in.T)
        gb[l][...] = delta.sum(axis=-1)
        if l > 0:
            delta = np.matmul(np.swapaxes(Ws[l], -1, -2), delta) * masks[l - 1]
    return C, grad


def checkpoint_steps(steps: int) -> list[int]:
    """``0``, the powers of ten below ``steps``, and ``steps``: where the cost history is recorded."""
    marks = {0, steps}
    p = 1
    while p < steps:
        marks.add(p)
        p *= 10
    return sorted(marks)


@dataclass(frozen=True, eq=False)
class Runs:
    """``K`` finished runs: final points, seeds, cost history, divergence."""

    Q: int
    L: int
    theta: np.ndarray
    """``Θ``: ``K x P``, row ``i`` the final point of run ``i``."""
    seeds: tuple
    checkpoints: tuple
    """The steps at which the cost was recorded."""
    history: np.ndarray
    """``len(checkpoints) x K``: the cost of every run after that many steps."""
    diverged: np.ndarray
    """``(K,)``: the run was frozen at its last finite point."""
    optimizer: str
    lr: float
    cost_kind: Cost = Cost.MEAN_SQUARED
    """The cost the runs minimized (its weighted sum is what :attr:`history` records)."""

    @property
    def K(self) -> int:
        return self.theta.shape[0]

    def params(self, i: int) -> Parameters:
        """The final point of run ``i``."""
        return Parameters.from_vector(self.theta[i].copy(), self.Q, self.L)

    def arrays(self) -> dict:
        """``W1 … W{L+1}`` (``K x Q x Q``), ``b1 … b{L+1}`` (``K x Q``), ``seeds``, ``cost``, ``Q``, ``L`` for ``.npz``."""
        Ws, bs = _views(self.theta, self.Q, self.L)
        out = {f"W{l}": W.copy() for l, W in enumerate(Ws, 1)}
        out.update({f"b{l}": b.copy() for l, b in enumerate(bs, 1)})
        out.update(seeds=np.array(self.seeds), cost=self.history[-1].copy(), diverged=self.diverged.copy(),
                   Q=self.Q, L=self.L)
        return out


class _Adam:
    """Adam on ``Θ``: ``m ← β₁m + (1−β₁)g``, ``v ← β₂v + (1−β₂)g²``,
    ``Θ ← Θ − η m̂ / (√v̂ + ε)`` with the bias-corrected ``m̂ = m/(1−β₁ᵗ)``, ``v̂ = v/(1−β₂ᵗ)``."""

    def __init__(self, shape, lr: float):
        self.m, self.v, self.t, self.lr = np.zeros(shape), np.zeros(shape), 0, lr

    def step(self, g: np.ndarray) -> np.ndarray:
        b1, b2 = ADAM_BETAS
        self.t += 1
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        return self.lr * (self.m / (1 - b1**self.t)) / (np.sqrt(self.v / (1 - b2**self.t)) + ADAM_EPS)


class _GD:
    """Gradient descent: the step is ``η ∇C``."""

    def __init__(self, shape, lr: float):
        self.lr = lr

    def step(self, g: np.ndarray) -> np.ndarray:
        return self.lr * g


def train(data: ClusterData, L: int, inits: int, steps: int, lr: float | None = None, optimizer: str = "gd",
          seed: int = 0, progress=None, cost: Cost = Cost.MEAN_SQUARED) -> Runs:
    """``inits`` runs of ``steps`` optimizer steps from :func:`initial_theta` (seeds ``seed … seed+inits−1``),
    on the float64 values of ``data``, minimizing the weighted sum of ``cost``; ``progress(step, steps, text)``
    about ten times."""
    if optimizer not in OPTIMIZERS:
        raise UsageError(f"optimizer {optimizer!r}: unknown; choose one of {', '.join(OPTIMIZERS)}")
    lr = DEFAULT_LR[optimizer] if lr is None else float(lr)
    data = data.with_kind("float")
    seeds = tuple(range(seed, seed + inits))
    theta = initial_theta(data.Q, L, seeds)
    opt = (_Adam if optimizer == "adam" else _GD)(theta.shape, lr)
    marks = checkpoint_steps(steps)
    history = []
    diverged = np.zeros(inits, dtype=bool)
    every = max(1, steps // 10)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            C, g = batch_cost_gradient(theta, data, L, cost)
            bad = ~(np.isfinite(C) & np.isfinite(g).all(axis=1))
            diverged |= bad
            if t in marks:
                history.append(np.where(np.isfinite(C), C, np.inf))
            if t == steps:
                break
            update = opt.step(np.where(diverged[:, None], 0.0, g))
            moved = theta - update
            finite = np.isfinite(moved).all(axis=1)
            ok = finite & ~diverged
            diverged |= ~finite
            theta = np.where(ok[:, None], moved, theta)
            if progress is not None and (t + 1) % every == 0:
                live = C[~diverged]
                med = f"median cost {np.median(live):.4g}" if live.size else "every run diverged"
                progress(t + 1, steps, f"{optimizer} steps, {med}")
    return Runs(data.Q, L, theta, seeds, tuple(marks), np.stack(history), diverged, optimizer, lr, cost)
