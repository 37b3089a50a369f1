"""``symgeom report``: every claim derived and decided on the data, written as a LaTeX report (or, with
``--handout``, a teaching handout), with figures, optional training runs and certificates, and the PDF when
asked."""

from __future__ import annotations

from pathlib import Path

from ..calculus.cost import Cost, TRAINING_COST
from ..certify.certificates import REFUTED
from ..claims.registry import Context, run_claims
from ..data.clusters import example_data
from ..io import check_output_folder, prepare_directory, write_text
from ..local_minima.locate import group_by_stratum, locate, summarize
from ..local_minima.training import DEFAULT_LR, train
from ..reports.certificate_files import VERIFIER
from .._errors import UsageError
from . import loading
from . import progress as cli_progress
from .certify_command import write_context_certificates
from .exit_codes import ExitCode

__all__ = ["cmd_report"]


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
                        folders=("figures",), option="--out")  # before any computation (or slow import)
    if args.certificates is not None:
        check_output_folder(Path(args.certificates), None, files=(VERIFIER,), option="--certificates")
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
    out = prepare_directory(Path(args.out), args.force, option="--out")
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
    return ExitCode.OK


def _training_section(ctx, args, out: Path, figures: dict, progress) -> dict:
    """``K = --train`` runs of gradient descent on the context's data (float64), each located; the figure
    of their final costs goes to ``figures["training"]``.  Returns what the templates show."""
    from ..reports.figures import training_figure  # matplotlib: imported when needed

    data = ctx.data.with_kind("float")
    runs = train(data, ctx.L, args.train, loading.TRAIN_STEPS, None, "gd", args.seed, progress, TRAINING_COST)
    locations = [locate(runs.params(i), data, cost=runs.cost_kind) for i in range(runs.K)]
    groups = group_by_stratum(locations)
    (out / "figures").mkdir(exist_ok=True)
    figures["training"] = str(training_figure(locations, groups, out / "figures" / "training.pdf").relative_to(out))
    return {"runs": runs.K, "steps": loading.TRAIN_STEPS, "lr": DEFAULT_LR["gd"], "seed": args.seed,
            "rows": summarize(groups, locations), "diverged": int(runs.diverged.sum()),
            "at_minimum": sum(w.at_minimum for w in locations),
            "in_strata": sum(w.in_stratum for w in locations), "cost": runs.cost_kind}
