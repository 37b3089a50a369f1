"""Figures for reports and handouts (matplotlib, vector PDF, no global pyplot state).

* :func:`construction_figure` -- for ``Q = 2``: the clusters, each collapsing layer's cumulative cone
  with its apex (forward cone solid, backward cone dashed), and the curated points after each
  truncation;
* :func:`stratum_figure` -- for ``Q = 2``: a stratum minimizer, the kept cluster squeezed onto a
  line of the first hidden layer that misses the collapsed point;
* :func:`rho_figure` -- the noise-to-signal ratio ``ρ^(ℓ)`` by layer;
* :func:`training_figure` -- where training runs end: final cost per run against the stratum bounds.

Files are reproducible: no creation date, fixed fonts and sizes.
"""

from __future__ import annotations

import functools
from io import BytesIO
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from ..io import write_bytes
from ..model.truncation import truncation_map
from .._errors import DataError
from ..claims.registry import Context
from ..model.network import layers
from ..model.units import float_units
from ..numbers.sizes import float_representable, saturating_float

COLORS = ("#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6a4c93", "#00798c", "#8d6a9f", "#3d3d3d")
METADATA = {"Creator": "symgeom", "Producer": "symgeom", "CreationDate": None}
STYLE = {"font.family": "serif", "font.serif": ["cmr10"], "mathtext.fontset": "cm", "axes.formatter.use_mathtext": True,
         "axes.unicode_minus": False, "pdf.fonttype": 42, "svg.fonttype": "none"}
"""The fonts of the figures match the text's: Computer Modern (matplotlib's cmr10 and its Computer Modern mathtext),
embedded as TrueType (``pdf.fonttype 42``), not Type 3."""


def styled(draw):
    """Draw under :data:`STYLE` (fonts are resolved when the text is created, so the whole drawing runs inside)."""
    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return draw(*args, **kwargs)
    return wrapper


def _save(fig: Figure, path: Path) -> Path:
    """Save ``fig`` as a PDF at ``path``, atomically (:func:`symgeom.io.write_bytes`)."""
    path = Path(path)
    buf = BytesIO()
    fig.savefig(buf, format="pdf", metadata=METADATA, bbox_inches="tight")
    write_bytes(path, buf.getvalue())
    return path


def _window(points, pad: float = 0.12):
    """``(lo, hi)``: the axes window around ``points`` (2 x n), padded by ``pad`` of its larger side."""
    lo, hi = points.min(axis=1), points.max(axis=1)
    side = max(float(np.max(hi - lo)), 1e-9)
    return lo - pad * side, hi + pad * side


def _cone_edges(ax, W, b, reach, color, label):
    tau = truncation_map(np.asarray(W, dtype=float), np.asarray(b, dtype=float))
    p = tau.apex
    edges = tau.W_inv / np.linalg.norm(tau.W_inv, axis=0)
    for i in range(edges.shape[1]):
        ax.plot(*np.stack([p, p + reach * edges[:, i]]).T, color=color, lw=1.2)
        ax.plot(*np.stack([p, p - reach * edges[:, i]]).T, color=color, lw=1.0, ls="--")
    if edges.shape[1] == 2:  # shade both cones: a fan from the apex through the bisector
        mid = edges[:, 0] + edges[:, 1]
        mid = mid / np.linalg.norm(mid) if np.linalg.norm(mid) > 1e-12 else np.array([-edges[1, 0], edges[0, 0]])
        for sign, shade in ((1, 0.16), (-1, 0.08)):
            fan = np.stack([p, p + sign * reach * edges[:, 0], p + sign * reach * mid, p + sign * reach * edges[:, 1]])
            ax.fill(fan[:, 0], fan[:, 1], color=color, alpha=shade, lw=0)
    ax.plot(*p, marker="x", color=color, ms=7, mew=2, ls="none", label=label)


@styled
def construction_figure(family, path, units=None) -> Path:
    """Three panels for a ``Q = 2`` construction: data and the layer-1 cone; the points after layer 1
    and the layer-2 cone; the curated points (the apexes) after layer 2.  ``units``: the change of units the
    data are drawn in (:class:`symgeom.model.units.Units`), stated under the panels, or ``None``."""
    data = family.data
    if data.Q != 2:
        raise ValueError("the construction figure is drawn for Q = 2")
    zs = [np.asarray(z, dtype=float) for z in family.curated]
    apexes = np.stack([truncation_map(np.asarray(c.W, dtype=float), np.asarray(c.b, dtype=float)).apex
                       for c in family.cones], axis=1)
    lo, hi = _window(np.concatenate(zs + [apexes], axis=1))
    reach = 4.0 * float(np.linalg.norm(hi - lo))  # beyond every corner of the window: the cones fill it, clipped
    fig = Figure(figsize=(9.0, 3.2))
    axes = fig.subplots(1, 3, sharex=True, sharey=True)
    titles = ["data; cone of layer 1", "after layer 1; cone of layer 2", "after layer 2: curated points"]
    for panel, ax in enumerate(axes):
        Z = zs[min(panel, len(zs) - 1)]
        for j in range(data.Q):
            pts = Z[:, data.labels == j + 1]
            ax.plot(pts[0], pts[1], "o", ms=3.5, color=COLORS[j], label=f"cluster {j + 1}")
        if panel < len(family.cones):
            cone = family.cones[panel]
            _cone_edges(ax, cone.W, cone.b, reach, "black", f"apex $p_{cone.cluster}$")
        ax.set_title(titles[panel], fontsize=9)
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_aspect("equal", adjustable="box")
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7, loc="best", framealpha=0.9)
    _label_units(fig, units)
    return _save(fig, path)


@styled
def stratum_figure(stratum, path, units=None) -> Path:
    """Two panels for a ``Q = 2`` stratum minimizer ``θ_S``: the data with the separating line of the
    collapsing layer; the first hidden layer, where the kept cluster lies on a line that misses the
    origin (the collapsed cluster's image) and the output map's kernel runs along that line.  ``units`` as
    in :func:`construction_figure`."""
    theta = stratum.minimizer
    data = theta.data
    if data.Q != 2:
        raise ValueError("the stratum figure is drawn for Q = 2")
    X = np.asarray(data.X, dtype=float)
    H = np.asarray(layers(theta.params, data.X)[1], dtype=float)
    W1 = np.asarray(theta.params.weights[0], dtype=float)
    b1 = np.asarray(theta.params.biases[0], dtype=float)
    fig = Figure(figsize=(7.0, 3.2))
    left, right = fig.subplots(1, 2)
    for j in range(data.Q):
        mine = data.labels == j + 1
        role = "collapsed" if j + 1 in theta.truncated else "kept"
        left.plot(X[0, mine], X[1, mine], "o", ms=3.5, color=COLORS[j], label=f"cluster {j + 1} ({role})")
        right.plot(H[0, mine], H[1, mine], "o", ms=3.5, color=COLORS[j])
    # the separator: the row of W_1 with the largest norm, W_1[i] x + b_1[i] = 0
    i = int(np.argmax(np.linalg.norm(W1, axis=1)))
    lo, hi = X.min(axis=1) - 0.5, X.max(axis=1) + 0.5
    if abs(W1[i, 1]) > abs(W1[i, 0]):
        xs = np.array([lo[0], hi[0]])
        left.plot(xs, -(b1[i] + W1[i, 0] * xs) / W1[i, 1], color="black", lw=1, ls="--", label="separator")
    else:
        ys = np.array([lo[1], hi[1]])
        left.plot(-(b1[i] + W1[i, 1] * ys) / W1[i, 0], ys, color="black", lw=1, ls="--", label="separator")
    kept = H[:, np.isin(data.labels, theta.kept)]
    direction = np.ones(2) / np.sqrt(2)
    t = np.array([-0.2, 1.2]) * max(float(np.max(np.abs(kept))), 1.0) * np.sqrt(2)
    base = kept[:, 0] - direction * (direction @ kept[:, 0])
    right.plot(*(base[:, None] + direction[:, None] * t), color="black", lw=1, ls="--", label="line of the kept points")
    right.plot(0, 0, marker="x", color="black", ms=8, mew=2, ls="none", label="collapsed point (origin)")
    left.set_title("input space", fontsize=9)
    right.set_title(r"hidden layer 1: $x^{(1)} = \sigma(W_1 x + b_1)$", fontsize=9)
    for ax in (left, right):
        ax.set_aspect("equal", adjustable="datalim")
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6.5, loc="best")
    _label_units(fig, units)
    return _save(fig, path)


@styled
def rho_figure(rho_by_layer, path) -> Path:
    """``ρ^(ℓ)`` against ``ℓ``."""
    values = [saturating_float(r) for r in rho_by_layer]
    fig = Figure(figsize=(4.0, 2.6))
    ax = fig.subplots()
    ax.plot(range(len(values)), values, "o-", color=COLORS[0])
    ax.set_xlabel(r"layer $\ell$", fontsize=8)
    ax.set_ylabel(r"$\rho^{(\ell)}$", fontsize=8)
    ax.set_xticks(range(len(values)))
    ax.tick_params(labelsize=7)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    return _save(fig, path)


@styled
def training_figure(locations, groups, path) -> Path:
    """The final cost of every run (one dot each, runs ordered by group, then by cost) against the bound
    ``B_U`` of its group (a dashed line over the group's runs), coloured by group (:func:`symgeom.local_minima.locate.
    group_by_stratum`); symmetric-log cost axis, linear below the smallest positive value shown."""
    fig = Figure(figsize=(6.4, 3.4))
    ax = fig.subplots()
    start, positive = 0, []
    for g, group in enumerate(groups):
        color = COLORS[g % len(COLORS)]
        costs = np.sort(np.array([float(locations[i].cost) for i in group.members]))
        xs = np.arange(start, start + costs.size)
        ax.plot(xs, costs, "o", ms=3.5, color=color, ls="none", label=f"{group.label}: {costs.size}")
        ax.plot([xs[0] - 0.4, xs[-1] + 0.4], [float(group.bound)] * 2, color=color, lw=1.2, ls="--")
        positive += [v for v in costs.tolist() + [float(group.bound)] if v > 0]
        start += costs.size
    ax.set_yscale("symlog", linthresh=min(positive) if positive else 1e-12)
    ax.set_xlabel("run (grouped by stratum S, sorted by cost)", fontsize=8)
    decided = locations[0].cost_kind.decided if locations else "C"  # the weighted sum the runs minimized
    ax.set_ylabel(rf"final cost ${decided}$ (dashed: $B_U$)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, title="S (runs)",
              title_fontsize=7)  # beside the axes: it covers no run
    return _save(fig, path)


def _drawable(ctx):
    """``(ctx, units)``: the context the figures are drawn from.  Exact data beyond float64's safe range
    (:func:`symgeom.numbers.sizes.float_representable`) are drawn in float mode's units (:func:`symgeom.model.units.float_units`,
    ``units`` then labels every figure); ``(None, reason)`` when float64 cannot hold them even there."""
    if not ctx.data.kind.is_exact or float_representable(ctx.data.X, ctx.data.Y):
        return ctx, None
    try:
        data = float_units(ctx.data)
    except DataError as e:
        return None, str(e)
    return Context(data, ctx.L, ctx.seed), data.units


def _label_units(fig: Figure, units) -> None:
    if units is not None:
        fig.suptitle(f"drawn in units {units}", fontsize=7, y=0.02, va="bottom")


def write_figures(ctx, folder, strata: bool = False, rho: bool = True) -> dict:
    """The figures that apply to ``ctx`` (a construction exists; ``Q = 2`` for the cones and, with
    ``strata``, the first stratum minimizer that truncates a cluster; the noise-to-signal ratio by layer unless
    ``rho`` is false), written under
    ``folder/figures``; returns ``{name: path relative to folder}``.  Data beyond float64's range are drawn in
    scaled units, labelled on the figure (:func:`_drawable`), or omitted with a note on stderr."""
    import sys

    out = Path(folder) / "figures"
    figs = {}
    ctx, units = _drawable(ctx)
    if ctx is None:
        print(f"symgeom: figures omitted: {units}", file=sys.stderr, flush=True)
        return figs
    if ctx.unavailable() is None:
        fam = ctx.minimizer
        if rho or ctx.Q == 2:
            out.mkdir(exist_ok=True)
        if rho:
            figs["rho"] = rho_figure(fam.rho_by_layer, out / "rho.pdf")
        if ctx.Q == 2:
            figs["construction"] = construction_figure(fam, out / "construction.pdf", units)
    if strata and ctx.Q == 2:
        reached = [st for st in ctx.strata if st.truncated and st.minimizer is not None]
        if reached:
            out.mkdir(exist_ok=True)
            figs["stratum"] = stratum_figure(reached[0], out / "stratum.pdf", units)
    return {k: str(v.relative_to(folder)) for k, v in figs.items()}


__all__ = ["construction_figure", "stratum_figure", "rho_figure", "training_figure", "write_figures", "styled"]
