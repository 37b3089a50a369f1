"""``symgeom construct``: an explicit minimizer's weights and biases written to a file -- G1's global minimizer
(``L ≥ Q``), zero cost below that depth (:func:`symgeom.local_minima.sequential.zero_cost_below_q`), or a stratum's local minimum
(``--truncate``); float runs in changed units are written in the units of the data as given."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from .._errors import ConstructionError, DataError, UsageError
from ..calculus.cost import cost_scale
from ..numbers.json_numbers import json_numbers
from ..global_minima.minimizer import global_minimizer
from ..io import check_output_file, write_bytes, write_text
from ..local_minima.locate import GAP_RTOL, locate
from ..local_minima.strata import StratumMinimizer, collapse_order, stratum_minimizer
from ..local_minima.sequential import zero_cost_below_q
from ..model.network import Parameters
from ..model.parameter_files import npz_bytes
from ..model.torch_io import TORCH_SUFFIXES, require_torch, state_dict_bytes
from ..numbers import arith, sizes
from . import loading
from .exit_codes import ExitCode
from .json_output import construction_json, json_text, units_json

__all__ = ["cmd_construct"]


def _construction(ctx, truncate):
    """``(params, meta, summary)`` of what ``construct`` writes: the stratum minimizer ``θ_S`` for
    ``--truncate``; else the global minimizer of G1 (``L ≥ Q``), with ``Q − 1`` truncations (``L = Q − 1``),
    or the depth-2 interval network (``L ≥ 2``: clusters projecting to disjoint intervals along some direction)."""
    data, L = ctx.data, ctx.L
    if truncate is None and L >= data.Q:
        theta, order, hypothesis = _global_minimizer(ctx)
        return theta, {"order": order, **json_numbers(cost=ctx.cost.of(theta, data)), "cost_function": ctx.cost.as_json(),
                       "claim": f"global minimizer of the L2 cost (G1{hypothesis})"}, f"order {order}, cost 0"
    if truncate is None:
        return _zero_cost_below_q(ctx)
    theta = stratum_minimizer(data, L, collapse_order(data, truncate), ctx.cost)
    return _stratum_output(ctx, theta, "local minimum of the stratum R_S (N2): cost B_U")


def _global_minimizer(ctx) -> tuple:
    """``(θ, order, hypothesis)``: a member of G1's cone family when the data are sufficiently clustered, else, on
    exact data that are sequentially separable, the peeling construction's point
    (:func:`~symgeom.local_minima.sequential.sequential_minimizer`, hypothesis named); raises naming both reasons."""
    try:
        fam = global_minimizer(ctx.data, ctx.L)
        return fam.member(), list(fam.order), ""
    except ConstructionError as cone:
        theta, reason = ctx.sequential if ctx.kind.is_exact else (None, "the sequential construction is written from "
                                                                   "exact data only (--exact)")
        if theta is None:
            raise ConstructionError(f"{cone}; {reason}") from None
        return theta.params, list(theta.order), f"; {theta.hypothesis}"


def _stratum_output(ctx, theta, claim: str):
    """``(params, meta, summary)`` of the stratum minimizer ``θ_S``."""
    data = ctx.data
    C = ctx.cost.of(theta.params, data)
    meta = {"truncated": sorted(theta.truncated), "collapse_order": list(theta.truncated), "kept": list(theta.kept),
            **json_numbers(bound=theta.bound, cost=C), "cost_function": ctx.cost.as_json(), "claim": claim}
    relation = "=" if C == theta.bound else "vs"  # exact data: equal; float data: both shown
    return theta.params, meta, (f"S = {theta.label}, cost {ctx.cost.decided} = {sizes.format_number(C)} {relation} "
                                f"B_U = {sizes.format_number(theta.bound)}")


def _zero_cost_below_q(ctx):
    """``(params, meta, summary)`` of zero cost with ``L < Q`` hidden layers
    (:func:`~symgeom.local_minima.sequential.zero_cost_below_q`): ``Q − 1`` truncations when ``L = Q − 1``, else the
    interval network of depth ``L ≥ 2``."""
    data, L = ctx.data, ctx.L
    point = zero_cost_below_q(data, L, ctx.cost)
    if isinstance(point, StratumMinimizer):
        return _stratum_output(ctx, point, f"global minimizer of the L2 cost (cost 0) with Q - 1 = {data.Q - 1} "
                                           "truncations")
    C = ctx.cost.of(point.params, data)
    meta = {"order": list(point.order), **json_numbers(direction=list(point.projection.v), cost=C),
            "cost_function": ctx.cost.as_json(), "certificate": point.certificate.status,
            "claim": f"global minimizer of the L2 cost (cost 0) with L = {L} hidden layers, from disjoint intervals "
                     "along a direction v (outside every stratum)"}
    return point.params, meta, (f"interval network, order {list(point.order)}, cost {ctx.cost.decided} = "
                                f"{sizes.format_number(C)}")


def _original_units(args, ctx, params, meta: dict) -> tuple:
    """``(θ, meta, note)``: a point ``θ'`` constructed on the data in float mode's units, as ``construct --float``
    writes it, in the units of the data as given: ``θ = φ⁻¹(θ')`` computed exactly and rounded once to float64,
    then located exactly on the data as given.  ``meta``'s ``cost`` and ``bound`` become those of the written
    weights there (exact: floats, or exact strings beyond float64).  Refused (``DataError``, pointing to
    ``--exact``) when the rounding overflows or moves the point out of its stratum or off its bound."""
    units = ctx.data.units
    with np.errstate(over="ignore"):  # an overflow is refused just below
        written = units.original_parameters(params.with_kind("exact")).with_kind("float")
    refuse = (f"{ctx.data.source}: construct --float computes in units {units}; the constructed weights, rounded to "
              "float64 in the units of the data as given, ")
    if not all(np.isfinite(a).all() for a in written.weights + written.biases):
        raise DataError(refuse + "exceed the float64 range; use exact arithmetic (--exact), which writes exact weights")
    data = loading.exact_data(args)
    where, aim = locate(_binary_values(written), data, cost=ctx.cost), locate(params, ctx.data, cost=ctx.cost)
    if not (where.in_stratum and where.truncated == aim.truncated and where.margin > 0
            and abs(where.gap) <= arith.to_exact(GAP_RTOL) * cost_scale(data)):
        state = (f"stratum {where.label}, margin {sizes.format_number(where.margin)}" if where.in_stratum
                 else "outside every stratum")
        raise DataError(refuse + f"are no longer the construction on the data as given (exactly there: {state}, cost "
                        f"{sizes.format_number(where.cost)} against B_U = {sizes.format_number(where.bound)}); "
                        "use exact arithmetic (--exact), which writes exact weights")
    meta = {**meta, **json_numbers(cost=where.cost, bound=where.bound),
            "cost_units": "the data as given: the exact cost and stratum bound of the weights written here",
            "units": units_json(ctx.data)}
    return written, meta, (f" in units {units}; written in the units of the data as given, where its exact cost is "
                           f"{sizes.format_number(where.cost)}")


def _binary_values(params):
    """Float64 parameters as the exact rationals they hold (what ``.npz``/``.pt`` store and a JSON float reader
    gets back), not their shortest decimals."""
    exact = lambda a: arith.array([[Fraction(float(v)) for v in row] for row in a] if a.ndim == 2  # noqa: E731
                                  else [Fraction(float(v)) for v in a], "exact")
    return Parameters(tuple(exact(W) for W in params.weights), tuple(exact(b) for b in params.biases))


def cmd_construct(args) -> ExitCode:
    """Build the minimizer the arguments ask for and write it to ``--out`` (.json, .npz, .pt or .pth)."""
    out = Path(args.out)
    if out.suffix not in (".json", ".npz") + TORCH_SUFFIXES:
        raise UsageError(f"--out {out}: the file name must end in .json, .npz, .pt or .pth")
    check_output_file(out, args.force, option="--out")
    if out.suffix in TORCH_SUFFIXES:
        require_torch(f"--out {out}: writing a PyTorch state_dict")
    ctx = loading.make_context(args)
    params, meta, summary = _construction(ctx, args.truncate)
    meta = {"source": ctx.data.source, **meta}
    if ctx.data.units is not None and not ctx.data.units.is_identity:
        if "direction" in meta:
            raise DataError(f"{ctx.data.source}: construct --float computes in units {ctx.data.units}, and the interval "
                            "network is not carried back to the units of the data as given; use exact arithmetic "
                            "(--exact), which writes exact weights")
        params, meta, note = _original_units(args, ctx, params, meta)
        summary += note
    if out.suffix == ".json":
        write_text(out, json_text(construction_json(params, meta), indent=1) + "\n", exclusive=not args.force)
    elif out.suffix in TORCH_SUFFIXES:
        write_bytes(out, state_dict_bytes(params), exclusive=not args.force)
    else:
        write_bytes(out, npz_bytes(params), exclusive=not args.force)
    print(f"wrote {out}: Q = {params.Q}, L = {params.L}, {summary} ({'exact' if ctx.kind.is_exact else 'float64'})")
    return ExitCode.OK
