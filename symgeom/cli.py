"""The ``symgeom`` command line: ``check``, ``report``, ``construct`` and ``example``.

Exit status: 0 when no claim is refuted, 1 when one is, 2 on bad input or usage (one line
on stderr saying which input, what is wrong and what is expected), 3 on an internal error
(a bug: one line, the traceback only with ``--debug``), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import traceback
from pathlib import Path

from . import __version__, arith
from ._errors import SymgeomError, UsageError
from .arith import Kind
from .certificates import CERTIFIED, CHECKED, NOT_APPLICABLE, REFUTED, json_number
from .claims import Context, claim_ids, run_claims
from .data import ClusterData, default_data, example_data
from .datafiles import csv_text, read_csv

EXIT_OK, EXIT_REFUTED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130
"""128 + SIGINT, as a shell reports a command stopped by Ctrl-C."""

MAX_L = 64
"""Deepest network the commands accept (``--L``): the exact Hessians and ranks of G3 grow with
``P = (L+1)(Q²+Q)`` parameters, so a mistyped depth would otherwise run for hours or exhaust memory."""

STDIN = "-"
"""The conventional name of standard input, which ``--data`` and ``--targets`` do not read."""

_GIVEN = "_options_given"
"""Namespace attribute that records the options seen while parsing (removed afterwards)."""


def _given_once(base: type) -> type:
    """``base`` (an argparse action class) that refuses to be given twice on one command line."""

    class Once(base):
        def __call__(self, parser, namespace, values, option_string=None):
            given = namespace.__dict__.setdefault(_GIVEN, set())
            if self in given:
                raise argparse.ArgumentError(self, "given more than once; give each option once")
            given.add(self)
            super().__call__(parser, namespace, values, option_string)

    Once.__name__ = f"Once{base.__name__}"
    return Once


_ONCE_ACTIONS = {name: _given_once(base) for name, base in (
    (None, argparse._StoreAction), ("store", argparse._StoreAction), ("store_const", argparse._StoreConstAction),
    ("store_true", argparse._StoreTrueAction), ("store_false", argparse._StoreFalseAction))}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2, and whose options may be given once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, action in _ONCE_ACTIONS.items():
            self.register("action", name, action)

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        namespace.__dict__.pop(_GIVEN, None)
        return namespace, extras

    def error(self, message):
        print(f"{self.prog}: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _positive_int(name: str, lower: int = 1):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer >= {lower}, got {text!r}") from None
        if value < lower:
            raise argparse.ArgumentTypeError(f"{name} must be an integer >= {lower}, got {value}")
        return value

    return parse


def _label_list(text: str) -> tuple:
    """``"1,3"`` -> ``(1, 3)``: cluster labels for ``--truncate``."""
    try:
        labels = tuple(int(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--truncate takes cluster labels separated by commas (e.g. 1,3), got {text!r}") from None
    if not labels:
        raise argparse.ArgumentTypeError("--truncate needs at least one cluster label")
    return labels


def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", metavar="F", help="CSV file with header x1,...,xQ,cluster (default: the embedded data, Q = 3)")
    p.add_argument("--targets", metavar="F", help="CSV file with header y1,...,yQ, one row per cluster (default: y_j = e_j)")
    p.add_argument("--L", type=_positive_int("--L (the number of hidden layers)"), metavar="n",
                   help="number of hidden layers (default: L = Q)")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--exact", dest="kind", action="store_const", const=Kind.EXACT,
                      help="exact rational arithmetic (default): decimals are read exactly")
    kind.add_argument("--float", dest="kind", action="store_const", const=Kind.FLOAT, help="float64 arithmetic")
    p.add_argument("--seed", type=_positive_int("--seed", 0), default=0, help="seed of the random parameters the checks use")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(kind=Kind.EXACT)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symgeom", description="Symbolic proof companion for arXiv:2309.10639 (Chen, Muñoz Ewald).")
    parser.add_argument("--version", action="version", version=f"symgeom {__version__}")
    parser.add_argument("--debug", action="store_true", help="on an internal error, print the traceback")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="derive and check every claim on the data; print a table or JSON")
    _data_options(check)
    check.add_argument("--only", metavar="ID", help=f"check one claim ({', '.join(claim_ids())})")
    check.add_argument("--json", action="store_true", help="print one JSON object instead of a table")

    report = sub.add_parser("report", help="write a LaTeX report of every claim (DIR/report.tex)")
    _data_options(report)
    report.add_argument("--only", metavar="ID", help="report one claim")
    report.add_argument("--out", metavar="DIR", default="symgeom-report", help="output folder (default: symgeom-report)")
    report.add_argument("--force", action="store_true", help="write into an existing non-empty folder")
    report.add_argument("--pdf", action="store_true", help="also compile the PDF (needs pdflatex)")
    report.add_argument("--handout", action="store_true",
                        help="write a teaching handout (DIR/handout.tex) instead: a worked example (Q = 2 unless --data), "
                             "figures, exercises")
    report.add_argument("--no-solutions", action="store_true", help="with --handout: leave out the solutions")

    construct = sub.add_parser("construct", help="write an explicit minimizer's weights and biases: the global minimizer "
                               "(L >= Q; L = Q - 1 with Q - 1 truncations) or a stratum's local minimum (--truncate)")
    _data_options(construct)
    construct.add_argument("--truncate", metavar="K,...", type=_label_list,
                           help="the truncated clusters S (labels, comma-separated): write the local minimum of the "
                                "stratum R_S, of cost B_U (needs L >= |S|)")
    construct.add_argument("--out", metavar="FILE", required=True,
                           help="output file: .json (exact values as strings) or .npz (float64 arrays)")
    construct.add_argument("--force", action="store_true", help="overwrite an existing file")

    example = sub.add_parser("example", help="write a reproducible well-clustered data set as CSV")
    example.add_argument("--Q", type=_positive_int("--Q"), default=3, help="dimension and number of clusters (default 3)")
    example.add_argument("--seed", type=_positive_int("--seed", 0), default=0, help="random seed (default 0)")
    example.add_argument("--out", metavar="F", required=True, help="CSV file to write")
    example.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


def _refuse_stdin(args) -> None:
    """``--data -`` and ``--targets -`` would read standard input, which symgeom does not."""
    for flag, value in (("--data", args.data), ("--targets", args.targets)):
        if value == STDIN:
            raise UsageError(f"{flag} {STDIN}: reading standard input is not supported; save the CSV text to a file "
                             f"and give its name (a file named '-' is './-')")


def _check_depth(args) -> None:
    """Refuse ``--L`` beyond :data:`MAX_L` before any work starts."""
    if args.L is not None and args.L > MAX_L:
        raise UsageError(f"--L {args.L}: too many hidden layers; symgeom checks networks with L <= {MAX_L} "
                         f"(the exact Hessian has (L+1)(Q^2+Q) rows)")


def load_data(args) -> ClusterData:
    """The data named by ``--data``/``--targets`` (or the embedded default) in the chosen kind."""
    _refuse_stdin(args)
    if args.data is None:
        if args.targets is not None:
            data = default_data(args.kind)
            from .datafiles import read_targets

            targets = read_targets(args.targets, data.Q, args.kind)
            points = data.X.T
            return ClusterData.from_arrays(points, data.labels, targets, kind=args.kind, source="embedded default data")
        return default_data(args.kind)
    return read_csv(args.data, args.targets, kind=args.kind)


class Progress:
    """Progress lines on stderr (never stdout, so --json stays clean), silenced by --quiet."""

    def __init__(self, quiet: bool):
        import time

        self.quiet, self.clock, self.start = quiet, time.perf_counter, time.perf_counter()

    def __call__(self, i: int, n: int, what: str) -> None:
        if not self.quiet:
            print(f"symgeom: [{i}/{n}] {what} ({self.clock() - self.start:.1f} s)", file=sys.stderr, flush=True)

    def note(self, what: str) -> None:
        if not self.quiet:
            print(f"symgeom: {what} ({self.clock() - self.start:.1f} s)", file=sys.stderr, flush=True)


def make_context(args) -> Context:
    """The context of a command: the depth checked first, then the data loaded."""
    _check_depth(args)
    data = load_data(args)
    return Context(data, args.L if args.L is not None else data.Q, seed=args.seed)


def regenerate_command(args) -> str:
    """The canonical command line that reproduces a report."""
    words = ["symgeom", "report"]
    for flag, value in (("--data", args.data), ("--targets", args.targets)):
        if value is not None:
            words += [flag, value]
    if args.L is not None:
        words += ["--L", str(args.L)]
    if args.kind == Kind.FLOAT:
        words.append("--float")
    if args.seed:
        words += ["--seed", str(args.seed)]
    if args.only:
        words += ["--only", args.only]
    if getattr(args, "handout", False):
        words.append("--handout")
    if getattr(args, "no_solutions", False):
        words.append("--no-solutions")
    return shlex.join(words)


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


def cmd_check(args) -> int:
    progress = Progress(args.quiet)
    ctx = make_context(args)
    derivations = run_claims(ctx, args.only, progress)
    progress.note("done")
    data = ctx.data
    if args.json:
        out = {
            "Q": data.Q, "L": ctx.L, "N": data.N, "parameters": data.parameter_count(ctx.L),
            "data": _data_json(data), "claims": [d.as_json() for d in derivations],
        }
        if any(d.id.startswith("G") for d in derivations):
            out["global_minimizer"] = _minimizer_json(ctx, derivations)
        if any(d.id.startswith("N") for d in derivations):
            out["local_minima"] = [st.as_json() for st in ctx.strata]
        print(json_text(out, indent=2, ensure_ascii=False))
    else:
        print(f"data: {data}")
        print(f"network: Q = {data.Q}, L = {ctx.L}, P = {data.parameter_count(ctx.L)} parameters, QN = {data.Q * data.N}")
        rows = [("claim", "status", "scope", "method", "numbers")]
        for d in derivations:
            nums = "; ".join(f"{k} {arith.format_number(v)}" for k, v in d.main.numbers().items())
            rows.append((d.id, d.status, d.main.scope or "", d.main.method,
                         nums or (d.main.detail if d.status == NOT_APPLICABLE else "")))
            for s in d.steps:
                if s.check is not None and s.check is not d.main:
                    nums = "; ".join(f"{k} {arith.format_number(v)}" for k, v in s.check.numbers().items())
                    rows.append(("", s.check.status, s.check.scope or "", s.check.method, nums))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[4])
        refuted = [d for d in derivations if d.status == REFUTED]
        for d in refuted:
            print(f"{d.id} REFUTED: {d.main.counterexample}")
    return EXIT_REFUTED if any(d.status == REFUTED for d in derivations) else EXIT_OK


def cmd_report(args) -> int:
    from .io import check_output_folder

    if args.no_solutions and not args.handout:
        raise UsageError("--no-solutions applies to --handout only")
    _check_depth(args)
    check_output_folder(Path(args.out), args.force)  # before any computation (or slow import)
    from .figures import write_figures
    from .io import prepare_directory, write_text
    from .report import compile_pdf, render_handout, render_report

    if args.handout and args.data is None:
        data = example_data(2, 1, kind=args.kind)
        ctx = Context(data, args.L if args.L is not None else 2, seed=args.seed)
    else:
        ctx = make_context(args)
    progress = Progress(args.quiet)
    derivations = run_claims(ctx, None if args.handout else args.only, progress)
    out = prepare_directory(Path(args.out), args.force)
    progress.note("figures")
    figures = write_figures(ctx, out, strata=args.handout or args.only in (None, "N2"))
    if args.handout:
        text = render_handout(ctx, derivations, regenerate_command(args), figures, solutions=not args.no_solutions)
        tex = out / "handout.tex"
    else:
        text = render_report(ctx, derivations, regenerate_command(args), figures)
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


def _minimizer_json(ctx, derivations) -> dict:
    """The ``global_minimizer`` block of ``check --json``."""
    from .cost import cost

    if ctx.unavailable() is not None:
        return {"status": NOT_APPLICABLE, "reason": ctx.unavailable()}
    fam = ctx.minimizer
    deg = ctx.degeneracy
    by_id = {d.id: d for d in derivations}
    C = cost(fam.member(), ctx.data)
    return {
        "cost": json_number(C),
        "status": by_id["G1"].status if "G1" in by_id else (CERTIFIED if C == 0 and ctx.kind.is_exact else CHECKED),
        "order": list(fam.order),
        "min_margin": json_number(min(fam.margins)),
        "manifold_dimension": deg.dimension,
        "hessian_rank": deg.hessian_rank,
        "hessian_nullity": deg.nullity,
        "symmetry_dimension": deg.symmetry_rank,
        "rho_by_layer": [json_number(r) for r in fam.rho_by_layer],
        "criterion": {"holds": fam.criterion.holds, "constant": json_number(fam.criterion.constant),
                      "gamma": json_number(fam.criterion.gamma)},
    }


def _construction(ctx, truncate):
    """``(params, meta, summary)`` of what ``construct`` writes: the stratum minimizer ``θ_S`` for
    ``--truncate``; else the global minimizer of G1 (``L ≥ Q``) or with ``Q − 1`` truncations
    (``L = Q − 1``)."""
    from ._errors import ConstructionError
    from .cost import cost
    from .minimizer import global_minimizer
    from .strata import collapse_order, stratum_minimizer

    data, L = ctx.data, ctx.L
    if truncate is None and L >= data.Q:
        fam = global_minimizer(data, L)
        return fam.member(), {"order": list(fam.order), "claim": "global minimizer of the L2 cost (G1)"}, \
            f"order {list(fam.order)}, cost 0"
    if truncate is None:
        if L < data.Q - 1:
            raise ConstructionError(f"zero cost is constructed with one truncation per hidden layer for all clusters but one: "
                                    f"it needs L >= Q - 1 = {data.Q - 1} (got L = {L}); no construction below that")
        errors = []
        for keep in range(data.Q, 0, -1):
            try:
                S = collapse_order(data, [k for k in range(1, data.Q + 1) if k != keep])
                break
            except ConstructionError as e:
                errors.append(str(e))
        else:
            raise ConstructionError(f"no cluster can be kept with the others truncated one per layer: {errors[0]}")
        claim = f"global minimizer of the L2 cost (cost 0) with Q - 1 = {data.Q - 1} truncations"
    else:
        S = collapse_order(data, truncate)
        claim = "local minimum of the stratum R_S (N2): cost B_U"
    theta = stratum_minimizer(data, L, S)
    C = cost(theta.params, data)
    meta = {"truncated": sorted(theta.truncated), "collapse_order": list(theta.truncated), "kept": list(theta.kept),
            "bound": json_number(theta.bound), "cost": json_number(C), "claim": claim}
    return theta.params, meta, f"S = {theta.label}, cost {arith.format_number(C)} = B_U"


def cmd_construct(args) -> int:
    from .io import write_bytes, write_text

    out = Path(args.out)
    if out.suffix not in (".json", ".npz"):
        raise UsageError(f"--out {out}: the file name must end in .json or .npz")
    if out.exists() and not args.force:
        raise UsageError(f"--out {out}: file exists; use --force to overwrite it, or choose another name")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist")
    ctx = make_context(args)
    params, meta, summary = _construction(ctx, args.truncate)
    meta = {"source": ctx.data.source, **meta}
    if out.suffix == ".json":
        from .network import parameters_json

        write_text(out, json_text(parameters_json(params, **meta), indent=1) + "\n")
    else:
        import io

        import numpy as np

        arrays = {f"W{l}": np.asarray(W, dtype=float) for l, W in enumerate(params.weights, 1)}
        arrays.update({f"b{l}": np.asarray(b, dtype=float) for l, b in enumerate(params.biases, 1)})
        buf = io.BytesIO()
        np.savez(buf, L=params.L, Q=params.Q, **arrays)
        write_bytes(out, buf.getvalue())
    print(f"wrote {out}: Q = {params.Q}, L = {params.L}, {summary} ({'exact' if ctx.kind == 'exact' else 'float64'})")
    return EXIT_OK


def cmd_example(args) -> int:
    from .io import write_text

    out = Path(args.out)
    if out.is_dir():
        raise UsageError(f"--out {out}: is a directory; expected the name of a CSV file to write")
    if out.exists() and not args.force:
        raise UsageError(f"--out {out}: file exists; use --force to overwrite it, or choose another name")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist")
    data = example_data(args.Q, args.seed)
    try:
        write_text(out, csv_text(data))
    except OSError as e:
        raise UsageError(f"--out {out}: cannot write ({e.strerror or e})") from None
    print(f"wrote {out}: {data}")
    return EXIT_OK


COMMANDS = {"check": cmd_check, "report": cmd_report, "construct": cmd_construct, "example": cmd_example}


def _internal_error(command: str, error: BaseException, debug: bool) -> int:
    """Report an unexpected exception (a bug) in one line; the traceback only with ``--debug``."""
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    what = " ".join(f"{type(error).__name__}: {error}".split())
    hint = "" if debug else "; rerun with --debug for the traceback"
    print(f"symgeom {command}: internal error ({what}); this is a bug in symgeom {__version__}, please report it "
          f"with the command line{hint}", file=sys.stderr)
    return EXIT_INTERNAL


def main(argv=None) -> int:
    """Entry point of the ``symgeom`` console script and of ``python -m symgeom``."""
    try:
        args = build_parser().parse_args(argv)
        try:
            return COMMANDS[args.command](args)
        except SymgeomError as e:
            print(f"symgeom {args.command}: error: {e}", file=sys.stderr)
            return EXIT_USAGE
        except Exception as e:  # anything else is a bug in symgeom
            return _internal_error(args.command, e, args.debug)
    except KeyboardInterrupt:
        print("symgeom: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
