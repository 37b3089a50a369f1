"""The ``train`` subcommand: gradient-descent runs from PyTorch's initialization, each located among the strata
(:mod:`symgeom.local_minima.locate`), as a table or JSON, with ``runs.npz`` and a figure under ``--out``."""

from __future__ import annotations

import sys
from pathlib import Path

from . import progress as cli_progress
from . import limits
from . import loading
from .._errors import UsageError
from .commands import EXIT_OK
from .json_output import envelope, history_json, json_text, units_json
from ..local_minima.training import INITIALIZATION, train
from ..numbers.json_numbers import json_numbers
from ..io import check_output_folder, prepare_directory, write_bytes
from ..local_minima.locate import group_by_stratum, locate, summarize

__all__ = ["cmd_train"]


def _train_table(runs, locations, groups) -> list[str]:
    """The runs grouped by stratum: count, how many sit at the stratum minimum, mean final cost, ``B_U``,
    mean gap."""
    rows = [("stratum S", "U", "runs", "at min", f"mean final {runs.cost_kind.decided}", "B_U", "mean gap")]
    for row in summarize(groups, locations):
        rows.append((row.label, "{" + ", ".join(map(str, row.kept)) + "}", str(row.runs), str(row.at_minimum),
                     f"{row.mean_cost:.4g}", f"{float(row.bound):.4g}", f"{row.mean_gap:.4g}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    if runs.diverged.any():
        lines.append(f"{int(runs.diverged.sum())} run(s) diverged and were frozen at their last finite point; "
                     f"try a smaller --lr")
    return lines


def _train_json(args, data, runs, locations, groups) -> dict:
    """``runs``: per run the keys of ``locate --json`` plus ``seed``, ``diverged`` and ``history``; ``strata``:
    the rows of the table."""
    out_runs = []
    for i, where in enumerate(locations):
        history = history_json(runs.checkpoints, runs.history[:, i])
        out_runs.append({"seed": runs.seeds[i], **where.as_json(), "diverged": bool(runs.diverged[i]), "history": history})
    strata = [{"truncated": list(g.truncated), "kept": list(g.kept), "in_stratum": g.in_stratum, "runs": len(g.members),
               **json_numbers(bound=g.bound), "members": list(g.members)} for g in groups]
    summary = {"runs": runs.K, "diverged": int(runs.diverged.sum()), "at_minimum": sum(w.at_minimum for w in locations),
               "in_strata": sum(w.in_stratum for w in locations), "groups": len(groups)}
    return envelope("train", summary, {
        "Q": data.Q, "L": runs.L, "N": data.N, "units": units_json(data), "inits": runs.K, "steps": runs.checkpoints[-1],
        "optimizer": runs.optimizer, "lr": runs.lr, "seed": args.seed, "initialization": INITIALIZATION,
        "cost_function": runs.cost_kind.as_json(), "strata": strata, "runs": out_runs})


def cmd_train(args) -> int:
    loading._check_depth(args)
    if args.inits > limits.MAX_INITS or args.steps > limits.MAX_STEPS:
        raise UsageError(f"--inits {args.inits} --steps {args.steps}: at most {limits.MAX_INITS} runs of at most {limits.MAX_STEPS} steps")
    if args.out is not None:
        check_output_folder(Path(args.out), args.force)  # before any computation

    data = loading.load_data(args)
    L = args.L if args.L is not None else data.Q
    progress = cli_progress.Progress(args.quiet)
    runs = train(data, L, args.inits, args.steps, args.lr, args.optimizer, args.seed, progress, args.cost)
    progress.note(f"locating {runs.K} runs")
    locations = [locate(runs.params(i), data, args.rtol, runs.cost_kind) for i in range(runs.K)]
    groups = group_by_stratum(locations)
    changed = data.units is not None and not data.units.is_identity
    if args.json:
        print(json_text(_train_json(args, data, runs, locations, groups), indent=2, ensure_ascii=False))
    else:
        print(f"data: {data}")
        if changed:
            print(f"training ran in changed units: {data.units}; the costs, bounds and gaps below are C' = C/t^2, "
                  "the runs' parameters theta' = phi(theta)")
        print(f"{runs.K} runs, L = {L}, {runs.optimizer} with lr {runs.lr:g}, {args.steps} steps, "
              f"seeds {runs.seeds[0]}..{runs.seeds[-1]} ({INITIALIZATION})")
        print(f"cost: {runs.cost_kind.value}, {runs.cost_kind.formula}; the table's costs, bounds and gaps are "
              f"{runs.cost_kind.decided}")
        print("\n".join(_train_table(runs, locations, groups)))
    if args.out is not None:
        _write_training(Path(args.out), args.force, runs, locations, groups, data.units if changed else None,
                        sys.stderr if args.json else sys.stdout)
    return EXIT_OK


def _write_training(out: Path, force: bool, runs, locations, groups, units, stream) -> None:
    """``out/final_costs.pdf`` (:func:`symgeom.reports.figures.training_figure`) and ``out/runs.npz``, then a line on
    ``stream`` (stderr under ``--json``, whose stdout is one JSON object).  When training ran in changed
    ``units``, ``runs.npz`` holds every run's ``θ = φ⁻¹(θ')`` in the units of the data as given (computed
    exactly, rounded once), so ``locate`` on a saved run applies ``φ`` once, and ``units`` (their JSON, with
    ``cost`` the final ``C' = C/t²``)."""
    import io

    import numpy as np

    from ..reports.figures import training_figure  # matplotlib: imported when needed

    prepare_directory(out, force)
    arrays = runs.arrays()
    if units is not None:
        arrays.update(_runs_in_original_units(runs, units))
        arrays["units"] = np.array(json_text({**units.as_json(), "cost": "C' = C/t^2 (final cost in these units)",
                                              "weights": "theta = phi^-1(theta'): the units of the data as given"}))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    write_bytes(out / "runs.npz", buf.getvalue())
    training_figure(locations, groups, out / "final_costs.pdf")
    print(f"wrote {out / 'final_costs.pdf'} and {out / 'runs.npz'}", file=stream)


def _runs_in_original_units(runs, units) -> dict:
    """``W1 … b{L+1}`` of every run in the units of the data as given: ``φ⁻¹`` exactly, rounded once."""
    import numpy as np

    with np.errstate(over="ignore"):
        points = [units.original_parameters(runs.params(i).with_kind("exact")).with_kind("float") for i in range(runs.K)]
    out = {f"W{l}": np.stack([p.weights[l - 1] for p in points]) for l in range(1, runs.L + 2)}
    out.update({f"b{l}": np.stack([p.biases[l - 1] for p in points]) for l in range(1, runs.L + 2)})
    return out
