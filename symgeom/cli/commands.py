"""The subcommands of the ``symgeom`` command line: each ``cmd_<name>(args)`` carries out one command
on parsed arguments (see :mod:`symgeom.cli.app` for the parser and the exit statuses) and returns the
exit status."""

from __future__ import annotations

import json
from pathlib import Path

from ..numbers import arith, sizes
from . import progress as cli_progress
from . import exit_codes
from . import limits
from . import loading
from .certify_command import write_context_certificates
from ..reports.certificate_files import VERIFIER
from .._errors import ConstructionError, DataError, UsageError
from ..certify.certificates import CERTIFIED, CHECKED, NOT_APPLICABLE, REFUTED, json_number
from ..claims.registry import BEYOND_THE_PAPER, Context, paper_statement, run_claims
from ..data.clusters import ClusterData, example_data
from ..data.files import csv_text
from ..calculus.cost import Cost, TRAINING_COST, cost, cost_scale
from ..global_minima.interval_network import interval_network
from ..global_minima.minimizer import global_minimizer
from ..io import check_output_file, check_output_folder, prepare_directory, write_bytes, write_text
from ..local_minima.locate import GAP_RTOL, group_by_stratum, locate, summarize
from ..local_minima.settling import reason_lines, strata_counts
from ..local_minima.strata import collapse_order, stratum_minimizer
from ..local_minima.training import DEFAULT_LR, train
from ..model.network import Parameters
from ..model.parameter_files import load_parameters, npz_bytes, parameters_json
from ..model.torch_io import TORCH_SUFFIXES, require_torch, state_dict_bytes
from ..model.units import Units, in_units

EXIT_OK, EXIT_REFUTED = exit_codes.EXIT_OK, exit_codes.EXIT_REFUTED


def _approx(x):
    """The float64 value of ``x`` for JSON, or ``None`` when it has none: infinite (``h`` for
    ``Q = 1``) or beyond the float64 range."""
    try:
        return json_number(float(x))
    except OverflowError:
        return None


def json_text(obj, **options) -> str:
    """Strict JSON (no ``NaN`` or ``Infinity``, which strict parsers reject)."""
    return json.dumps(obj, allow_nan=False, **options)


def _data_json(data: ClusterData) -> dict:
    return {
        "source": data.source, "kind": data.kind, "sizes": list(data.sizes),
        "delta": json_number(data.delta), "h": json_number(data.h), "rho": json_number(data.rho),
        "approx": {"delta": _approx(data.delta), "h": _approx(data.h), "rho": _approx(data.rho)},
    }


def units_json(data: ClusterData) -> dict:
    """The ``units`` object of the JSON outputs: the change of units the data were computed in
    (:class:`symgeom.model.units.Units`; ``c = 0``, ``s = t = 1`` when they are as given)."""
    return (data.units or Units.identity(data.Q)).as_json()


def cmd_check(args) -> int:
    if args.certificates is not None:
        check_output_folder(Path(args.certificates), False, files=(VERIFIER,))  # before any computation
    progress = cli_progress.Progress(args.quiet)
    ctx = loading.make_context(args, progress)
    derivations = run_claims(ctx, args.only, progress)
    certs = write_context_certificates(ctx, args, Path(args.certificates)) if args.certificates is not None else None
    progress.note("done")
    data = ctx.data
    if args.json:
        out = {
            "Q": data.Q, "L": ctx.L, "N": data.N, "parameters": data.parameter_count(ctx.L),
            "data": _data_json(data), "units": units_json(data), "cost_function": ctx.cost.as_json(),
            "claims": [{**d.as_json(), "paper": paper_statement(d.id) or BEYOND_THE_PAPER} for d in derivations],
        }
        if any(d.id.startswith("G") for d in derivations):
            out["global_minimizer"] = _minimizer_json(ctx, derivations)
        if any(d.id.startswith("N") for d in derivations):
            out["local_minima"] = [st.as_json() for st in ctx.strata]
            out["strata_counts"] = strata_counts(ctx.strata)
        if certs is not None:
            out["certificates"] = certs
        print(json_text(out, indent=2, ensure_ascii=False))
    else:
        print(f"data: {data}")
        print(f"network: Q = {data.Q}, L = {ctx.L}, P = {data.parameter_count(ctx.L)} parameters, QN = {data.Q * data.N}")
        print(f"cost: {ctx.cost.value}, {ctx.cost.formula}")
        if certs is not None:
            print(f"certificates: {len(certs['files'])} in {certs['folder']}; re-check them with  {certs['verify']}")
        rows = [("claim", "status", "scope", "method", "numbers")]
        for d in derivations:
            nums = "; ".join(f"{k} {sizes.format_number(v)}" for k, v in d.main.numbers().items())
            rows.append((d.id, d.status, d.main.scope or "", d.main.method,
                         nums or (d.main.detail if d.status == NOT_APPLICABLE else "")))
            for s in d.steps:
                if s.check is not None and s.check is not d.main:
                    nums = "; ".join(f"{k} {sizes.format_number(v)}" for k, v in s.check.numbers().items())
                    rows.append(("", s.check.status, s.check.scope or "", s.check.method, nums))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[4])
        if any(d.id == "N2" for d in derivations):
            for line in reason_lines(ctx.strata):
                print(f"N2 {line}")
        refuted = [d for d in derivations if d.status == REFUTED]
        for d in refuted:
            where = f" (the paper's {paper_statement(d.id)}; steelman in the report)" if paper_statement(d.id) else ""
            print(f"{d.id} REFUTED{where}: {d.main.counterexample}")
        own = [d.id for d in derivations if not paper_statement(d.id)]
        if own and len(own) < len(derivations):
            print(f"{BEYOND_THE_PAPER}: {', '.join(own)} (symgeom's own claims); the paper's statements: "
                  + ", ".join(f"{d.id} = {paper_statement(d.id)}" for d in derivations if paper_statement(d.id)))
        for d in derivations:
            for w in d.warnings:
                print(f"{d.id} numerical warning (a float check refutes, which float64 alone never decides; the status "
                      f"rests on the exact evidence): {w.method}: {w.counterexample or w.detail}")
    return EXIT_REFUTED if any(d.status == REFUTED and not paper_statement(d.id) for d in derivations) else EXIT_OK


def cmd_report(args) -> int:

    if args.no_solutions and not args.handout:
        raise UsageError("--no-solutions applies to --handout only")
    if args.handout and args.cost is Cost.PAPER:
        raise UsageError("--handout is written for the mean-squared cost C = (1/2N) sum |x - y|^2; leave out --cost paper "
                         "(the report, without --handout, states the claims for the paper's cost)")
    args.cost = args.cost or (Cost.MEAN_SQUARED if args.handout else Cost.PAPER)
    loading._check_depth(args)
    name = "handout" if args.handout else "report"
    check_output_folder(Path(args.out), args.force, files=(f"{name}.tex", f"{name}.pdf"),
                        folders=("figures",))  # before any computation (or slow import)
    if args.certificates is not None:
        check_output_folder(Path(args.certificates), False, files=(VERIFIER,))
    from ..reports.figures import write_figures  # matplotlib: imported when needed
    from ..reports.report import compile_pdf, render_handout, render_report  # jinja2: imported when needed

    progress = cli_progress.Progress(args.quiet)
    if args.handout and args.data is None:
        data = example_data(2, 1, kind=args.kind)
        ctx = Context(data, args.L if args.L is not None else 2, seed=args.seed, progress=progress.note, cost=args.cost)
    else:
        ctx = loading.make_context(args, progress)
    derivations = run_claims(ctx, None if args.handout else args.only, progress)
    certs = write_context_certificates(ctx, args, Path(args.certificates)) if args.certificates is not None else None
    out = prepare_directory(Path(args.out), args.force)
    progress.note("figures")
    figures = write_figures(ctx, out, strata=args.handout or args.only in (None, "N2"),
                            rho=args.handout)  # the report tabulates rho by layer in G1's proof
    training = _training_section(ctx, args, out, figures, progress) if args.train else None
    if args.handout:
        text = render_handout(ctx, derivations, loading.regenerate_command(args), figures, solutions=not args.no_solutions,
                              training=training, paper=args.paper)
        tex = out / "handout.tex"
    else:
        text = render_report(ctx, derivations, loading.regenerate_command(args), figures, training=training,
                             certificates=certs, paper=args.paper)
        tex = out / "report.tex"
    write_text(tex, text)
    print(f"wrote {tex}")
    for d in derivations:
        if d.status == REFUTED:
            print(f"{d.id} is refuted on these data: {d.main.counterexample}")
    if args.pdf:
        progress.note("compiling the PDF")
        pdf = compile_pdf(tex)
        print(f"wrote {pdf}")
    return EXIT_OK


def _training_section(ctx, args, out: Path, figures: dict, progress) -> dict:
    """``K = --train`` runs of gradient descent on the context's data (float64), each located; the figure
    of their final costs goes to ``figures["training"]``.  Returns what the templates show."""
    from ..reports.figures import training_figure  # matplotlib: imported when needed

    data = ctx.data.with_kind("float")
    runs = train(data, ctx.L, args.train, limits.TRAIN_STEPS, None, "gd", args.seed, progress, TRAINING_COST)
    locations = [locate(runs.params(i), data, cost=runs.cost_kind) for i in range(runs.K)]
    groups = group_by_stratum(locations)
    (out / "figures").mkdir(exist_ok=True)
    figures["training"] = str(training_figure(locations, groups, out / "figures" / "training.pdf").relative_to(out))
    return {"runs": runs.K, "steps": limits.TRAIN_STEPS, "lr": DEFAULT_LR["gd"], "seed": args.seed,
            "rows": summarize(groups, locations), "diverged": int(runs.diverged.sum()),
            "at_minimum": sum(w.at_minimum for w in locations),
            "in_strata": sum(w.in_stratum for w in locations), "cost": runs.cost_kind}


def _minimizer_json(ctx, derivations) -> dict:
    """The ``global_minimizer`` block of ``check --json``."""
    if ctx.unavailable() is not None:
        return {"status": NOT_APPLICABLE, "reason": ctx.unavailable()}
    fam = ctx.minimizer
    by_id = {d.id: d for d in derivations}
    # ranks re-decided exactly (a float check refuted G3 or G4) are the exact ones
    redecided = any(by_id[g].redecision is not None for g in ("G3", "G4") if g in by_id)
    deg = ctx.exact.degeneracy if redecided else ctx.degeneracy
    C = cost(fam.member(), ctx.data)
    return {
        "cost": json_number(C),
        "status": by_id["G1"].status if "G1" in by_id else (CERTIFIED if C == 0 and ctx.kind.is_exact else CHECKED),
        "order": list(fam.order),
        "min_margin": json_number(min(fam.margins)),
        "manifold_dimension": _manifold_dimension(deg),
        "tangent_dimension": deg.nullity if deg.checks["tangent"].status in (CERTIFIED, CHECKED) else None,
        "hessian_rank": deg.hessian_rank,
        "hessian_nullity": deg.nullity,
        "symmetry_dimension": deg.symmetry_rank,
        "rho_by_layer": [json_number(r) for r in fam.rho_by_layer],
        "criterion": {"holds": fam.criterion.holds, "constant": json_number(fam.criterion.constant),
                      "gamma": json_number(fam.criterion.gamma)},
    }


def _manifold_dimension(deg):
    """``P − Q²`` when ``rank J_F = Q²`` is certified or checked: near the construction every cluster stays
    collapsed, so ``C⁻¹(0) = F⁻¹(Y)`` there, and ``F`` is a submersion (regular value theorem); else ``None``."""
    Q = deg.params.Q
    if deg.jacobian_rank == Q * Q and deg.checks["jacobian_rank"].status in (CERTIFIED, CHECKED):
        return deg.params.count - Q * Q
    return None


def _construction(ctx, truncate):
    """``(params, meta, summary)`` of what ``construct`` writes: the stratum minimizer ``θ_S`` for
    ``--truncate``; else the global minimizer of G1 (``L ≥ Q``), with ``Q − 1`` truncations (``L = Q − 1``),
    or the depth-2 interval network (``L ≥ 2``: clusters projecting to disjoint intervals along some direction)."""
    data, L = ctx.data, ctx.L
    if truncate is None and L >= data.Q:
        fam = global_minimizer(data, L)
        return fam.member(), {"order": list(fam.order), "claim": "global minimizer of the L2 cost (G1)"}, \
            f"order {list(fam.order)}, cost 0"
    if truncate is None:
        return _zero_cost_below_q(ctx)
    return _stratum_output(ctx, collapse_order(data, truncate), "local minimum of the stratum R_S (N2): cost B_U")


def _stratum_output(ctx, S, claim: str):
    """``(params, meta, summary)`` of the stratum minimizer ``θ_S`` collapsing ``S`` in that order."""
    data = ctx.data
    theta = stratum_minimizer(data, ctx.L, S, ctx.cost)
    C = ctx.cost.of(theta.params, data)
    meta = {"truncated": sorted(theta.truncated), "collapse_order": list(theta.truncated), "kept": list(theta.kept),
            "bound": json_number(theta.bound), "cost": json_number(C), "cost_function": ctx.cost.as_json(), "claim": claim}
    relation = "=" if C == theta.bound else "vs"  # exact data: equal; float data: both shown
    return theta.params, meta, (f"S = {theta.label}, cost {ctx.cost.decided} = {sizes.format_number(C)} {relation} "
                                f"B_U = {sizes.format_number(theta.bound)}")


def _zero_cost_below_q(ctx):
    """Zero cost with ``L < Q`` hidden layers: ``Q − 1`` truncations when ``L = Q − 1`` (a stratum with one kept
    cluster), else -- or when that fails -- the interval network of depth ``L ≥ 2``."""
    data, L = ctx.data, ctx.L
    errors = []
    if L == data.Q - 1:
        for keep in range(data.Q, 0, -1):
            try:
                S = collapse_order(data, [k for k in range(1, data.Q + 1) if k != keep])
            except ConstructionError as e:
                errors.append(str(e))
                continue
            return _stratum_output(ctx, S, f"global minimizer of the L2 cost (cost 0) with Q - 1 = {data.Q - 1} truncations")
    if L < 2 and errors:
        raise ConstructionError(f"no cluster can be kept with the others truncated one per layer: {errors[0]}")
    if L < 2:
        raise ConstructionError(f"with L = 1 hidden layer zero cost is constructed with one truncation per hidden layer "
                                f"for all clusters but one: it needs L >= Q - 1 = {data.Q - 1} (got L = {L}); with "
                                "L >= 2, zero cost is constructed when the clusters project to disjoint intervals along "
                                "some direction")
    try:
        net = interval_network(data, L)
    except ConstructionError as e:
        raise ConstructionError("; ".join(errors[:1] + [str(e)])) from None
    C = ctx.cost.of(net.params, data)
    meta = {"order": list(net.order), "direction": [json_number(x) for x in net.projection.v],
            "cost": json_number(C), "cost_function": ctx.cost.as_json(), "certificate": net.certificate.status,
            "claim": f"global minimizer of the L2 cost (cost 0) with L = {L} hidden layers, from disjoint intervals "
                     "along a direction v (outside every stratum)"}
    return net.params, meta, (f"interval network, order {list(net.order)}, cost {ctx.cost.decided} = "
                              f"{sizes.format_number(C)}")


def _original_units(args, ctx, params, meta: dict) -> tuple:
    """``(θ, meta, note)``: a point ``θ'`` constructed on the data in float mode's units, as ``construct --float``
    writes it, in the units of the data as given: ``θ = φ⁻¹(θ')`` computed exactly and rounded once to float64,
    then located exactly on the data as given.  ``meta``'s ``cost`` and ``bound`` become those of the written
    weights there (exact: floats, or exact strings beyond float64).  Refused (``DataError``, pointing to
    ``--exact``) when the rounding overflows or moves the point out of its stratum or off its bound."""
    import numpy as np


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
    meta = {**meta, "cost": _float_or_exact(where.cost), "bound": _float_or_exact(where.bound),
            "cost_units": "the data as given: the exact cost and stratum bound of the weights written here",
            "units": units_json(ctx.data)}
    return written, meta, (f" in units {units}; written in the units of the data as given, where its exact cost is "
                           f"{sizes.format_number(where.cost)}")


def _binary_values(params):
    """Float64 parameters as the exact rationals they hold (what ``.npz``/``.pt`` store and a JSON float reader
    gets back), not their shortest decimals."""
    from fractions import Fraction


    exact = lambda a: arith.array([[Fraction(float(v)) for v in row] for row in a] if a.ndim == 2  # noqa: E731
                                  else [Fraction(float(v)) for v in a], "exact")
    return Parameters(tuple(exact(W) for W in params.weights), tuple(exact(b) for b in params.biases))


def _float_or_exact(x):
    """An exact value as a JSON float when float64 holds it (nonzero values stay nonzero), else its exact text."""
    import math

    value = sizes.saturating_float(x)
    return value if math.isfinite(value) and (value != 0 or x == 0) else sizes.exact_text(x)


def cmd_construct(args) -> int:

    out = Path(args.out)
    if out.suffix not in (".json", ".npz") + TORCH_SUFFIXES:
        raise UsageError(f"--out {out}: the file name must end in .json, .npz, .pt or .pth")
    check_output_file(out, args.force)
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
        write_text(out, json_text(parameters_json(params, **meta), indent=1) + "\n", exclusive=not args.force)
    elif out.suffix in TORCH_SUFFIXES:
        write_bytes(out, state_dict_bytes(params), exclusive=not args.force)
    else:
        write_bytes(out, npz_bytes(params), exclusive=not args.force)
    print(f"wrote {out}: Q = {params.Q}, L = {params.L}, {summary} ({'exact' if ctx.kind == 'exact' else 'float64'})")
    return EXIT_OK


def cmd_locate(args) -> int:
    if args.params == loading.STDIN:
        raise UsageError(f"--params {loading.STDIN}: reading standard input is not supported; give the name of a file")

    params = load_parameters(Path(args.params))
    data = loading.load_data(args)
    where = locate(in_units(params, data), data, args.rtol, args.cost)  # the point theta' = phi(theta) in the data's units
    if args.json:
        print(json_text({"Q": where.Q, "L": where.L, "units": units_json(data), **where.as_json()}, indent=2,
                        ensure_ascii=False))
    else:
        if data.units is not None and not data.units.is_identity:
            print(f"located in units {data.units}: cost, bound, gap and |grad C| below are those of C' = C/t^2 at "
                  "theta' = phi(theta); the margin is a hidden pre-activation, the same as on the data as given")
        print("\n".join(where.lines()))
    return EXIT_OK


def cmd_example(args) -> int:
    out = Path(args.out)
    check_output_file(out, args.force)
    data = example_data(args.Q, args.seed)
    write_text(out, csv_text(data), exclusive=not args.force)
    print(f"wrote {out}: {data}")
    return EXIT_OK
