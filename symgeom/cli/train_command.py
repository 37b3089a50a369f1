"""The ``train`` subcommand: gradient-descent runs from PyTorch's initialization, each located among the strata
(:mod:`symgeom.local_minima.locate`), as a table or JSON, with ``runs.npz`` and a figure under ``--out``."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from . import progress as cli_progress
from . import loading
from .._errors import UsageError
from .exit_codes import ExitCode
from .json_output import envelope, history_json, json_text, units_json
from ..local_minima.training import INITIALIZATION, train
from ..numbers.json_numbers import json_numbers
from ..io import check_output_folder, prepare_directory, write_bytes
from ..local_minima.locate import group_by_stratum, locate, summarize
from ..model.parameter_files import runs_npz_bytes
from .layout import fit_table, terminal_width, wrap

__all__ = ["cmd_train", "group_label"]


def _clusters(labels) -> str:
    return ("cluster " if len(labels) == 1 else "clusters ") + ", ".join(map(str, labels))


def group_label(group, Q: int) -> str:
    """Where a group of runs ended, in words: ``in stratum S = {1, 3} (cluster 2 kept)`` or ``outside every
    stratum (cluster 1 collapsed; clusters 2, 3 mixed)``."""
    mixed = [k for k in range(1, Q + 1) if k not in group.truncated and k not in group.kept]
    parts = [f"{_clusters(labels)} {what}" for labels, what in
             ((group.truncated, "collapsed"), (group.kept, "kept"), (mixed, "mixed")) if labels]
    if group.in_stratum:
        S = "{" + ", ".join(map(str, group.truncated)) + "}"
        kept = [p for p in parts if not p.endswith("collapsed")] or ["every cluster collapsed"]
        return f"in stratum S = {S} ({'; '.join(kept)})"
    return f"outside every stratum ({'; '.join(parts)})"


def _train_table(runs, locations, groups, Q: int, width: int) -> list[str]:
    """The runs grouped by where they ended: how many, how many sit at their stratum's minimum, the mean final
    cost; the bound ``B_U`` and the mean gap ``C − B_U`` only when some group keeps a cluster (with ``U = ∅``
    the bound is 0 and the gap is the cost).  The table fits ``width`` (the labels wrap)."""
    rows = summarize(groups, locations)
    with_bound = any(row.kept for row in rows)
    decided = runs.cost_kind.decided
    head = ("where the runs ended", "runs", "at the minimum", f"mean final {decided}") + (("B_U", "mean gap")
                                                                                         if with_bound else ())
    table = [head]
    for g, row in zip(groups, rows):
        cells = (group_label(g, Q), str(row.runs), str(row.at_minimum), f"{row.mean_cost:.4g}")
        table.append(cells + ((f"{float(row.bound):.4g}", f"{row.mean_gap:.4g}") if with_bound else ()))
    lines = fit_table(table, width, flexible={0}, right=set(range(1, len(head))))
    if not with_bound:
        lines += wrap(f"No group keeps a cluster (U = {{}}): each bound B_U is 0, each gap {decided} - B_U is the "
                      "cost.", width)
    if runs.diverged.any():
        lines += wrap(f"{int(runs.diverged.sum())} run(s) diverged and were frozen at their last finite point; "
                      f"try a smaller --lr", width)
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
    if args.inits > loading.MAX_INITS or args.steps > loading.MAX_STEPS:
        raise UsageError(f"--inits {args.inits} --steps {args.steps}: at most {loading.MAX_INITS} runs of at most {loading.MAX_STEPS} steps")
    if args.out is not None:
        check_output_folder(Path(args.out), args.force, option="--out")  # before any computation

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
        print("\n".join(_train_screen(args, data, L, runs, locations, groups, changed)))
    if args.out is not None:
        _write_training(Path(args.out), args.force, runs, locations, groups, data.units if changed else None,
                        sys.stderr if args.json else sys.stdout)
    return ExitCode.OK


def _train_screen(args, data, L: int, runs, locations, groups, changed: bool) -> list[str]:
    """What ``train`` prints: the data, the runs, the cost, then the table, all wrapped to the terminal's width."""
    width = terminal_width()
    text = [f"data: {data}"]
    if changed:
        text.append(f"training ran in changed units: {data.units}; the costs, bounds and gaps below are C' = C/t^2, "
                    "the runs' parameters theta' = phi(theta)")
    text.append(f"{runs.K} runs, L = {L}, {runs.optimizer} with lr {runs.lr:g}, {args.steps} steps, "
                f"seeds {runs.seeds[0]}..{runs.seeds[-1]} ({INITIALIZATION})")
    text.append(f"cost: {runs.cost_kind.value}, {runs.cost_kind.formula}; the table's costs, bounds and gaps are "
                f"{runs.cost_kind.decided}")
    return [line for t in text for line in wrap(t, width)] + _train_table(runs, locations, groups, data.Q, width)


def _write_training(out: Path, force: bool, runs, locations, groups, units, stream) -> None:
    """``out/final_costs.pdf`` (:func:`symgeom.reports.figures.training_figure`) and ``out/runs.npz``
    (:func:`~symgeom.model.parameter_files.runs_npz_bytes`), then a line on ``stream`` (stderr under ``--json``,
    whose stdout is one JSON object).  When training ran in changed ``units``, ``runs.npz`` holds every run's
    ``θ = φ⁻¹(θ')`` in the units of the data as given (computed exactly, rounded once), so ``locate`` on a saved
    run applies ``φ`` once, and ``units`` (their JSON, with ``cost`` the final ``C' = C/t²``)."""
    from ..reports.figures import training_figure  # matplotlib: imported when needed

    prepare_directory(out, force, option="--out")
    points = units_text = None
    if units is not None:
        with np.errstate(over="ignore"):
            points = [units.original_parameters(runs.params(i).with_kind("exact")).with_kind("float")
                      for i in range(runs.K)]
        units_text = json_text({**units.as_json(), "cost": "C' = C/t^2 (final cost in these units)",
                                "weights": "theta = phi^-1(theta'): the units of the data as given"})
    write_bytes(out / "runs.npz", runs_npz_bytes(runs.arrays(), points, units_text))
    training_figure(locations, groups, out / "final_costs.pdf")
    print(f"wrote {out / 'final_costs.pdf'} and {out / 'runs.npz'}", file=stream)
