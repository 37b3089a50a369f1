"""The L² cost (docs/mathematics/index.md, two costs) and its symbolic form per activation pattern.

``C[θ] = (1/2N) Σ_{j,i} |x^(L+1)_{j,i} − y_j|² = ½ ‖X^(L+1) − Y^ext‖²_{L²_N}``.

On a fixed activation pattern -- a 0/1 diagonal matrix ``D_ℓ`` per hidden layer and per
point -- the network is the polynomial map
``x ↦ W_{L+1} D_L(W_L ⋯ D_1(W_1 x + b_1) ⋯ + b_L) + b_{L+1}``, so the cost is a polynomial
in weights, biases and data, valid on the open region cut out by the strict inequalities
``(W_ℓ x^(ℓ-1) + b_ℓ)_i > 0`` where ``D_ℓ`` has a 1 and ``< 0`` where it has a 0.

A network whose output is identically 0 pays ``½|e_j|² = ½`` on every point:

>>> from symgeom.data.embedded import default_data
>>> from symgeom.model.network import Parameters
>>> zero = Parameters.from_lists([[[0] * 3] * 3] * 2, [[0] * 3] * 2)
>>> cost(zero, default_data())
1/2
"""

from __future__ import annotations

from enum import Enum

import numpy as np
import sympy as sp

from ..numbers import arith, sizes
from ..data.clusters import ClusterData
from ..model.network import Parameters, output
from .derivatives import float_cost_and_gradient, gradient
from .statistics import statistics_cost, statistics_value_and_gradient

__all__ = [
    "Cost", "DEFAULT_COST", "TRAINING_COST", "cost", "output_cost", "per_point", "paper_cost_squared",
    "paper_output_cost_squared", "cost_scale", "pattern_output", "pattern_region", "symbolic_points", "symbolic_targets",
    "symbolic_cost",
]


def cost(params: Parameters, data: ClusterData):
    """``C[θ]`` on the data: exact (``flint.fmpq``) for exact parameters and data, float otherwise."""
    return output_cost(output(params, data.X), data)


def output_cost(out: np.ndarray, data: ClusterData):
    """``(1/2N) ‖out − Y^ext‖²_F`` for network outputs ``out`` (``Q x N``) on the data."""
    r = out - data.targets_ext
    return per_point(np.sum(r * r), data)


def per_point(total, data: ClusterData):
    """``total / (2N)`` in the data's number kind: a sum of squared residuals over the data as a cost."""
    kind = arith.kind_of(np.asarray(data.Y))
    return (arith.to_exact(total) if kind.is_exact else float(total)) / kind.scalar(2 * data.N)


def paper_cost_squared(params: Parameters, data: ClusterData):
    """``C_N[θ]²`` of the paper (its (2.35)–(2.36)): ``Σ_j (1/N_j) Σ_i |x^(L+1)_{j,i} − y_j|²``.

    The paper's cost ``C_N`` is the square root of this weighted sum: a norm, with weight ``1/N_j`` per
    cluster.  Its square is rational on rational data and parameters, so it is what exact arithmetic
    decides; ``C_N`` itself is its nonnegative square root.  On one cluster per point of equal sizes
    ``N_j = N/Q`` it is ``2Q C[θ]``:

    >>> from symgeom.data.embedded import default_data
    >>> from symgeom.model.network import Parameters
    >>> zero = Parameters.from_lists([[[0] * 3] * 3] * 2, [[0] * 3] * 2)
    >>> paper_cost_squared(zero, default_data())
    3
    """
    return paper_output_cost_squared(output(params, data.X), data)


def paper_output_cost_squared(out: np.ndarray, data: ClusterData):
    """``Σ_j (1/N_j) Σ_i |out_{j,i} − y_j|²`` for network outputs ``out`` (``Q x N``) on the data."""
    r = out - data.targets_ext
    per_cluster = (r * r).sum(axis=0) @ data.membership  # Σ_i |r_{j,i}|² for each cluster j
    kind = arith.kind_of(np.asarray(data.Y))
    return sum((s / kind.scalar(n) for s, n in zip(per_cluster, data.sizes)), kind.scalar(0))


def cost_scale(data: ClusterData):
    """``max(1, max |y_j|_∞)²``: the size of the cost (the zero network pays ``½|y_j|²`` per point), the
    scale that float comparisons of costs are made relative to.  Exact for exact data (targets of any size:
    ``(10^300)²`` has no float64 value), a float for float data."""
    top = sizes.magnitude(data.Y)
    if data.kind.is_exact:
        return max(arith.to_exact(1), top) ** 2
    return max(1.0, top) ** 2


def pattern_output(weights, biases, x: sp.Matrix, pattern) -> sp.Matrix:
    """The output ``x^(L+1)`` on the activation pattern ``pattern`` (one 0/1 tuple per hidden
    layer): a polynomial in the symbols of ``weights``, ``biases`` and ``x``."""
    for W, b, D in zip(weights[:-1], biases[:-1], pattern):
        x = sp.diag(*D) * (W * x + b)
    return weights[-1] * x + biases[-1]


def pattern_region(weights, biases, x: sp.Matrix, pattern) -> list:
    """The strict inequalities on the pre-activations that define ``pattern``'s open region."""
    out = []
    for W, b, D in zip(weights[:-1], biases[:-1], pattern):
        u = W * x + b
        out += [sp.StrictGreaterThan(e, 0) if on else sp.StrictLessThan(e, 0) for e, on in zip(u, D)]
        x = sp.diag(*D) * u
    return out


def symbolic_points(Q: int, sizes) -> list[tuple[int, sp.Matrix]]:
    """Symbolic data: ``[(j, x_{j,i})]`` with ``x_{j,i}`` a column of real symbols ``x_{j,i,c}``."""
    return [
        (j, sp.Matrix(Q, 1, lambda c, _: sp.Symbol(f"x_{{{j},{i},{c + 1}}}", real=True)))
        for j, n in enumerate(sizes, start=1)
        for i in range(1, n + 1)
    ]


def symbolic_targets(Q: int) -> list[sp.Matrix]:
    """Symbolic targets ``[y_1, …, y_Q]``, columns of real symbols ``y_{j,c}``."""
    return [sp.Matrix(Q, 1, lambda c, _: sp.Symbol(f"y_{{{j},{c + 1}}}", real=True)) for j in range(1, Q + 1)]


def symbolic_cost(weights, biases, points, targets, patterns) -> tuple[sp.Expr, list]:
    """The cost as a polynomial on a given activation pattern per point, and its region.

    ``points`` is ``[(j, x)]`` (cluster label, column), ``targets[j-1] = y_j``, and
    ``patterns[n]`` is the activation pattern of point ``n``.  Returns
    ``(C, inequalities)`` with ``C = (1/2N) Σ |x^(L+1) − y_j|²``.
    """
    total, region = sp.Integer(0), []
    for (j, x), pat in zip(points, patterns):
        r = pattern_output(weights, biases, x, pat) - targets[j - 1]
        total += (r.T * r)[0, 0]
        region += pattern_region(weights, biases, x, pat)
    return total / (2 * len(points)), region


# -- the cost as a choice ---------------------------------------------------------------------
class Cost(str, Enum):
    """Which cost a claim, a bound or a value is stated for.  Both are weighted sums of squares
    ``Σ_n w_n |r_n|²`` of the residuals ``r_n = x^(L+1)_n − y_{j(n)}``, with a weight constant on each cluster:

    * ``PAPER`` -- the paper's ``C_N`` ((2.35)–(2.36)): ``C_N² = Σ_j (1/N_j) Σ_i |r_{j,i}|²``, ``w_n = 1/N_{j(n)}``;
      the cost itself is the norm ``C_N``, the square root.  Exact arithmetic decides on ``C_N²`` (rational on
      rational data); a local minimum of ``C_N²`` is one of ``C_N`` (the square root is increasing), and
      derivatives of ``C_N`` are taken through its square, ``∇C_N = ∇(C_N²) / (2 C_N)`` where ``C_N > 0``.
    * ``MEAN_SQUARED`` -- ``C = (1/2N) Σ_n |r_n|²``, ``w_n = 1/(2N)`` (what PyTorch's ``MSELoss`` trains, up to
      the factor ``Q/2``); the cost is the weighted sum itself.

    Both vanish exactly where every residual does: they have the same zero set.  ``weighted_sum`` below always
    means ``Σ_n w_n |r_n|²`` (:meth:`of`); :meth:`from_sum` turns it into the cost.

    >>> from symgeom.data.embedded import default_data
    >>> from symgeom.model.network import Parameters
    >>> zero = Parameters.from_lists([[[0] * 3] * 3] * 2, [[0] * 3] * 2)
    >>> Cost.PAPER.of(zero, default_data()), Cost.MEAN_SQUARED.of(zero, default_data())
    (3, 1/2)
    >>> Cost.PAPER.text(Cost.PAPER.of(zero, default_data()))
    'C_N = sqrt(3) ≈ 1.73205'
    """

    PAPER = "paper"
    MEAN_SQUARED = "mean-squared"

    @property
    def is_norm(self) -> bool:
        """The cost is the square root of its weighted sum (the paper's norm ``C_N``), not the sum itself."""
        return self is Cost.PAPER

    @property
    def symbol(self) -> str:
        """The cost's name in text: ``C_N`` (the paper's norm) or ``C``."""
        return "C_N" if self is Cost.PAPER else "C"

    @property
    def decided(self) -> str:
        """The quantity exact arithmetic decides (the weighted sum): ``C_N^2`` or ``C``."""
        return "C_N^2" if self is Cost.PAPER else "C"

    @property
    def formula(self) -> str:
        """Its definition in plain text."""
        if self is Cost.PAPER:
            return "C_N = ( sum_j (1/N_j) sum_i |x_{j,i}^(L+1) - y_j|^2 )^(1/2)  (the paper's (2.35)-(2.36))"
        return "C = (1/2N) sum_{j,i} |x_{j,i}^(L+1) - y_j|^2  (mean squared error)"

    @property
    def latex(self) -> str:
        """Its definition in LaTeX (math mode)."""
        if self is Cost.PAPER:
            return (r"C_N = \Bigl(\sum_{j=1}^{Q} \frac{1}{N_j} \sum_{i=1}^{N_j} "
                    r"\bigl|x^{(L+1)}_{j,i} - y_j\bigr|^2\Bigr)^{1/2}")
        return r"C = \frac{1}{2N} \sum_{j=1}^{Q} \sum_{i=1}^{N_j} \bigl|x^{(L+1)}_{j,i} - y_j\bigr|^2"

    @property
    def latex_decided(self) -> str:
        r"""The decided quantity in LaTeX: ``C_N^2`` or ``\mathcal{C}``."""
        return "C_N^2" if self is Cost.PAPER else r"\mathcal{C}"

    @property
    def residual_latex(self) -> str:
        """The least-squares residual of points ``X`` in LaTeX: ``(1/2N)‖Y^ext(I − Π)‖²_F`` (``Π`` the orthogonal
        projector onto the row space of ``[X; 1ᵀ]``) or ``‖Y^ext W^{1/2}(I − Π_W)‖²_F`` (``Π_W`` the ``W``-orthogonal
        one, ``W = diag(w_n)``)."""
        if self is Cost.PAPER:
            return r"\|Y^{\mathrm{ext}} W^{1/2}(I - \Pi_W)\|_F^2"
        return r"\frac{1}{2N}\|Y^{\mathrm{ext}}(I - \Pi)\|_F^2"

    @property
    def claim_note(self) -> str:
        """A LaTeX sentence that says which cost a claim about values (N1, N2) is stated and decided for."""
        return self.value_note("B_U")

    def value_note(self, bound: str, short: bool = False) -> str:
        """:attr:`claim_note` for a claim whose minima have the value ``bound`` (LaTeX), e.g. ``B_{U,P}`` for N3;
        ``short``: one sentence, for a claim that follows one with the full note."""
        if short:
            return (r" Under the paper's cost, $\mathcal{C}$ stands for $C_N^2$ (weights $w_n = 1/N_{j(n)}$), and a local "
                    r"minimum of $C_N^2$ is one of $C_N$, of value $\sqrt{" + bound + "}$." if self is Cost.PAPER else
                    r" Stated for the mean-squared cost ($w_n = 1/(2N)$).")
        if self is Cost.PAPER:
            return (r" Stated for the paper's cost $" + self.latex + r"$ ((2.35)--(2.36)): $\mathcal{C}$ below stands "
                    r"for its square $C_N^2 = \sum_n w_n |r_n|^2$, $w_n = 1/N_{j(n)}$, which exact arithmetic decides "
                    r"($W = \operatorname{diag}(w_n)$, $\Pi_W$ the $W$-orthogonal projector onto the row space of "
                    r"$[X; 1^T]$); "
                    r"$B_U$ is the weighted least-squares residual of $U$, and a local minimum of $C_N^2$ is one of "
                    r"$C_N$ (the square root is increasing), of value $\sqrt{" + bound + "}$.")
        return (r" Stated for the mean-squared cost $" + self.latex + r"$ (weight $w_n = 1/(2N)$ on every point; the "
                r"paper's own cost is $C_N$, \texttt{--cost paper}).")

    def cluster_weights(self, data: ClusterData) -> tuple:
        """``(w_1, …, w_Q)``, the weight of every point of cluster ``j``, in the data's number kind:
        ``1/N_j`` (paper) or ``1/(2N)`` (mean-squared)."""
        kind = arith.kind_of(np.asarray(data.Y))
        if self is Cost.PAPER:
            return tuple(kind.scalar(1) / kind.scalar(n) for n in data.sizes)
        return (kind.scalar(1) / kind.scalar(2 * data.N),) * data.Q

    def point_weights(self, data: ClusterData, mask=None) -> np.ndarray:
        """``w_n`` for every point (or the points selected by ``mask``), in the data's number kind."""
        labels = data.labels if mask is None else data.labels[mask]
        w = np.empty(len(self.cluster_weights(data)), dtype=object)
        w[:] = self.cluster_weights(data)
        out = w[labels - 1]
        return out if data.kind.is_exact else out.astype(float)

    def fit_weights(self, data: ClusterData, mask=None):
        """The weights of the least-squares problems of this cost on the points ``mask``: ``None`` when they are
        uniform (mean-squared: the ordinary fit minimizes it), ``w_n`` otherwise."""
        return None if self is Cost.MEAN_SQUARED else self.point_weights(data, mask)

    def of_outputs(self, out: np.ndarray, data: ClusterData):
        """``Σ_n w_n |out_n − y_{j(n)}|²`` for network outputs ``out`` (``Q x N``): ``C_N²`` or ``C``."""
        return paper_output_cost_squared(out, data) if self is Cost.PAPER else output_cost(out, data)

    def of(self, params: Parameters, data: ClusterData):
        """``Σ_n w_n |r_n|²`` at ``params``: ``C_N²`` (paper) or ``C`` (mean-squared), exact on exact input (from the
        moments of each activation region and cluster where the filter certifies the patterns,
        :mod:`symgeom.calculus.statistics`; else from one exact forward pass)."""
        found = statistics_cost(params, data, self.cluster_weights(data)) if data.kind.is_exact else None
        return found if found is not None else self.of_outputs(output(params, data.X), data)

    def of_residuals(self, R: np.ndarray, labels: np.ndarray, data: ClusterData):
        """``Σ_n w_n |R_n|²`` for residual columns ``R`` of points with cluster ``labels`` (a subset of the data:
        the points left out count 0)."""
        if self is Cost.MEAN_SQUARED:
            return per_point(np.sum(R * R), data)
        kind = arith.kind_of(np.asarray(data.Y))
        sums = [np.sum((R * R)[:, labels == j]) for j in range(1, data.Q + 1)]
        return sum((arith.to_exact(s) / kind.scalar(n) if kind.is_exact else float(s) / n
                    for s, n in zip(sums, data.sizes) if n), kind.scalar(0))

    def from_sum(self, weighted_sum):
        """The cost from its weighted sum: ``C_N = √(C_N²)`` (a SymPy number ``sqrt(p/q)`` for an exact sum, a
        float otherwise) or ``C`` itself."""
        if self is Cost.MEAN_SQUARED:
            return weighted_sum
        if isinstance(weighted_sum, (float, np.floating)):
            return sizes.sqrt_float(weighted_sum)
        return sp.sqrt(sp.Rational(str(arith.to_exact(weighted_sum))))

    def text(self, weighted_sum, symbol: str | None = None) -> str:
        """``C_N = sqrt(p/q) ≈ x`` (paper: exact square root and its float value) or ``C = p/q``."""
        name = self.symbol if symbol is None else symbol
        if self is Cost.MEAN_SQUARED:
            return f"{name} = {sizes.format_number(weighted_sum)}"
        root = self.from_sum(weighted_sum)
        approx = sizes.format_decimal(sizes.sqrt_float(weighted_sum))
        if isinstance(root, float):
            return f"{name} = {approx}"
        exact = sizes.exact_text(root)
        return f"{name} = {exact}" if root.is_Rational and len(exact) <= sizes.LONG_EXACT_TEXT else (
            f"{name} = {exact} ≈ {approx}" if len(exact) <= 2 * sizes.LONG_EXACT_TEXT else f"{name} ≈ {approx} (exact)")

    def value_latex(self, weighted_sum) -> str:
        r"""LaTeX of the cost's value from an exact weighted sum, as the paper prints it, on a line of its own of a
        ``gathered`` display: ``\\ C_N = \sqrt{…} \approx x`` for the norm, empty for the mean-squared cost (its value
        is the sum)."""
        if not self.is_norm:
            return ""
        root = self.from_sum(weighted_sum)
        approx = sizes.format_decimal(sizes.sqrt_float(weighted_sum))
        if isinstance(root, float) or len(sizes.exact_text(root)) > 2 * sizes.LONG_EXACT_TEXT:
            return rf" \\ C_N \approx {approx}"
        return rf" \\ C_N = {sp.latex(root)} \approx {approx}"

    def gradient(self, params: Parameters, data: ClusterData) -> np.ndarray:
        """``∇ Σ_n w_n |r_n|² = Σ_n 2 w_n J_nᵀ r_n`` (exact on exact input): ``∇(C_N²)`` or ``∇C``."""
        return self.value_and_gradient(params, data)[1] if data.kind.is_exact else self._pass_gradient(params, data)

    def value_and_gradient(self, params: Parameters, data: ClusterData) -> tuple:
        """``(Σ_n w_n |r_n|², its gradient)``, exact on exact input: from the moments of each activation region and
        cluster where the filter certifies the patterns (:mod:`symgeom.calculus.statistics`), else from one exact
        forward pass and the gradient's pass over the regions."""
        found = statistics_value_and_gradient(params, data, self.cluster_weights(data)) if data.kind.is_exact else None
        if found is not None:
            return found
        return self.of_outputs(output(params, data.X), data), self._pass_gradient(params, data)

    def _pass_gradient(self, params: Parameters, data: ClusterData) -> np.ndarray:
        """The gradient of :meth:`gradient` through :func:`~symgeom.calculus.derivatives.gradient`."""
        if self is Cost.MEAN_SQUARED:
            return gradient(params, data)
        return gradient(params, data, 2 * self.point_weights(data))

    def float_value_and_gradient(self, params: Parameters, data: ClusterData) -> tuple:
        """``(Σ_n w_n |r_n|², its gradient)`` in float64 by one forward pass and its reverse sweep (exact data and
        parameters rounded to float64 on the way, the data set itself unchanged)."""
        if self is Cost.MEAN_SQUARED:
            return float_cost_and_gradient(params, data)
        return float_cost_and_gradient(params, data, self.point_weights(data))

    def gradient_of_value(self, weighted_sum, gradient_of_sum):
        """``∇`` of the cost from the gradient of its weighted sum: ``∇C_N = ∇(C_N²) / (2 C_N)`` (where ``C_N > 0``;
        the norm is not differentiable on its zero set) or ``∇C`` itself.  Floats."""
        g = np.asarray(sizes.saturating_floats(gradient_of_sum), dtype=float)
        if self is Cost.MEAN_SQUARED:
            return g
        root = sizes.sqrt_float(weighted_sum)
        return g / (2 * root) if root > 0 else np.full_like(g, np.nan)

    def as_json(self) -> dict:
        """The ``cost`` object of the JSON outputs."""
        return {"name": self.value, "symbol": self.symbol, "decided": self.decided, "formula": self.formula}


DEFAULT_COST = Cost.PAPER
"""The cost of every claim that restates the paper (``check``, ``report``, ``locate``, ``construct``)."""
TRAINING_COST = Cost.MEAN_SQUARED
"""The cost ``train`` minimizes by default (what PyTorch's ``MSELoss`` trains)."""
