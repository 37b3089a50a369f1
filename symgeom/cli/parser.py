"""The argument parser of the ``symgeom`` command line: one ``_<name>_options`` per subcommand, each with a
description and two examples on its ``--help`` page, and the function that runs it (``set_defaults(run=...)``).

Every option may be given once; a usage error is one line ``symgeom SUBCOMMAND: error: …`` on stderr and exit
status 2 (:class:`~symgeom.cli.exit_codes.ExitCode`).
"""

from __future__ import annotations

import argparse
import math
import sys

from .. import __version__
from ..calculus.cost import DEFAULT_COST, TRAINING_COST, Cost
from ..claims.budget import BUDGET_SECONDS, parse_seconds
from ..claims.registry import claim_ids
from ..local_minima.locate import GAP_RTOL
from ..local_minima.training import DEFAULT_LR, OPTIMIZERS
from ..numbers.arith import Kind
from . import certify_command, check_command, construct_command, example_command, locate_command, report_command
from . import train_command
from .exit_codes import ExitCode
from .loading import DEFAULT_INITS, DEFAULT_STEPS, MAX_INITS, MAX_STEPS, TRAIN_STEPS

__all__ = ["build_parser"]


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

    def parse_args(self, args=None, namespace=None):
        """As argparse's, but an unrecognized argument after a subcommand is that subcommand's error
        (``symgeom check: error: …``)."""
        namespace, extras = self.parse_known_args(args, namespace)
        if extras:
            commands = getattr(self, "commands", {})
            commands.get(getattr(namespace, "command", None), self).error(
                f"unrecognized arguments: {' '.join(extras)}")
        return namespace

    def error(self, message):
        print(f"{self.prog}: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(ExitCode.USAGE)


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


def _positive_float(name: str):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a positive number, got {text!r}") from None
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"{name} must be a positive finite number, got {text!r}")
        return value

    return parse


def _cost_option(p: argparse.ArgumentParser, default) -> None:
    """``--cost paper|mean-squared``: the cost every claim, bound and value is stated for (:class:`symgeom.calculus.cost.Cost`)."""
    p.add_argument("--cost", type=_cost_choice, default=default, metavar="{paper,mean-squared}",
                   help="the cost: paper (the paper's norm C_N = (sum_j (1/N_j) sum_i |x_ji - y_j|^2)^(1/2), decided on "
                        "its square) or mean-squared (C = (1/2N) sum |x - y|^2, what PyTorch's MSELoss trains) "
                        + (f" (default {default.value})" if default is not None else
                           " (default paper; mean-squared for --handout, whose text is written for it)"))


def _cost_choice(text: str):
    """The :class:`~symgeom.calculus.cost.Cost` named ``text``."""
    try:
        return Cost(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--cost must be one of {', '.join(c.value for c in Cost)}, got {text!r}") from None


def _budget_option(p: argparse.ArgumentParser) -> None:
    """``--max-seconds S``: refuse work estimated beyond ``S`` seconds (:mod:`symgeom.claims.budget`)."""
    p.add_argument("--max-seconds", type=parse_seconds, default=BUDGET_SECONDS, metavar="S",
                   help=f"refuse work whose estimated time exceeds S seconds (default {BUDGET_SECONDS:g}; 0 or inf: "
                        "no limit)")


def _data_options(p: argparse.ArgumentParser, depth: bool = True, kind: bool = True,
                  seed: str | bool = "seed of the random parameters the checks use", quiet: bool = True) -> None:
    """``--data``, ``--targets`` and, as asked, ``--L``, ``--exact``/``--float``, ``--seed`` (``seed`` is its
    help text, ``False`` leaves it out) and ``--quiet``; an option left out reads as its default."""
    p.add_argument("--data", metavar="F", help="CSV file with header x1,...,xQ,cluster (default: the embedded data, Q = 3)")
    p.add_argument("--targets", metavar="F", help="CSV file with header y1,...,yQ, one row per cluster (default: y_j = e_j)")
    if depth:
        p.add_argument("--L", type=_positive_int("--L (the number of hidden layers)"), metavar="n",
                       help="number of hidden layers (default: L = Q)")
    if kind:
        group = p.add_mutually_exclusive_group()
        group.add_argument("--exact", dest="kind", action="store_const", const=Kind.EXACT,
                           help="exact rational arithmetic (default): decimals are read exactly")
        group.add_argument("--float", dest="kind", action="store_const", const=Kind.FLOAT, help="float64 arithmetic")
    if seed:
        p.add_argument("--seed", type=_positive_int("--seed", 0), default=0, help=seed)
    if quiet:
        p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(kind=Kind.EXACT)
    p.set_defaults(**{name: value for name, value, given in (("L", None, depth), ("seed", 0, seed), ("quiet", True, quiet))
                      if not given})


def _subcommand(sub, name: str, summary: str, description: str, examples, run) -> argparse.ArgumentParser:
    """The parser of subcommand ``name``: ``summary`` in ``symgeom --help``, ``description`` and the ``examples``
    (command lines, each with what it does) on its own ``--help`` page; ``run(args)`` carries it out."""
    epilog = "examples:\n" + "\n".join(f"  {command}\n      {what}" for command, what in examples)
    parser = sub.add_parser(name, help=summary, description=description, epilog=epilog,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(run=run)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand; each subcommand's options come from ``_<name>_options``."""
    parser = _Parser(prog="symgeom", description="Symbolic proof companion for arXiv:2309.10639 (Chen, Muñoz Ewald).")
    parser.add_argument("--version", action="version", version=f"symgeom {__version__}")
    parser.add_argument("--debug", action="store_true", help="on an internal error, print the traceback")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for options in (_check_options, _report_options, _construct_options, _certify_options, _locate_options,
                    _train_options, _example_options):
        options(sub)
    parser.commands = sub.choices
    return parser


def _check_options(sub) -> None:
    check = _subcommand(
        sub, "check", "derive and check every claim on the data; print one line per claim, or JSON",
        "Derive every claim of the paper and of symgeom's reconstruction on the data (the embedded data unless\n"
        "--data), decide each one (proved, certified, checked, refuted, undecided, not applicable) and print one\n"
        "line per claim: its status, scope, statement and one key number, then a summary.  The lines fit\n"
        "COLUMNS (100 when standard output is not a terminal).  Exit status 1 when a claim of symgeom's own is\n"
        "refuted.",
        (("symgeom check", "every claim on the embedded data (Q = 3, L = 3)"),
         ("symgeom check --data data.csv --L 4 --verbose", "on your data with 4 hidden layers, every check shown")),
        check_command.cmd_check)
    _data_options(check)
    check.add_argument("--only", metavar="ID", help=f"check one claim ({', '.join(claim_ids())})")
    output = check.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object instead of the claims' lines")
    output.add_argument("--verbose", action="store_true",
                        help="show every check behind each claim (method, scope, numbers) and every counterexample")
    check.add_argument("--certificates", metavar="DIR",
                       help="also write the exact verdicts' certificates and verify.py into DIR (a new or empty folder), "
                            "as symgeom certify does; the output names each file and its SHA-256")
    _cost_option(check, DEFAULT_COST)
    _budget_option(check)


def _report_options(sub) -> None:
    report = _subcommand(
        sub, "report", "write a LaTeX report of every claim (DIR/report.tex)",
        "Derive and decide every claim as check does and write a LaTeX report: each claim's statement, its\n"
        "derivation step by step, the evidence behind its status, figures of the data and the strata; with\n"
        "--handout a teaching handout with exercises instead.",
        (("symgeom report --out rep --pdf", "rep/report.tex, its figures, and rep/report.pdf (needs pdflatex)"),
         ("symgeom report --handout --no-solutions", "a worked Q = 2 example with figures and exercises")),
        report_command.cmd_report)
    _data_options(report)
    report.add_argument("--only", metavar="ID", help="report one claim")
    report.add_argument("--out", metavar="DIR", default="symgeom-report", help="output folder (default: symgeom-report)")
    report.add_argument("--force", action="store_true", help="write into an existing non-empty folder")
    report.add_argument("--pdf", action="store_true", help="also compile the PDF (needs pdflatex)")
    report.add_argument("--certificates", metavar="DIR",
                        help="also write the certificates and verify.py into DIR (a new or empty folder); the report's "
                             "appendix lists them with their SHA-256 and the command that re-checks them")
    report.add_argument("--handout", action="store_true",
                        help="write a teaching handout (DIR/handout.tex) instead: a worked example (Q = 2 unless --data), "
                             "figures, exercises")
    report.add_argument("--no-solutions", action="store_true", help="with --handout: leave out the solutions")
    report.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper size (default: a4)")
    _cost_option(report, None)
    _budget_option(report)
    report.add_argument("--train", type=_positive_int("--train"), metavar="K",
                        help=f"add 'Where gradient descent ends up': K training runs ({TRAIN_STEPS} steps of gradient "
                             "descent from PyTorch's default initialization), each located in the stratum picture")


def _construct_options(sub) -> None:
    construct = _subcommand(
        sub, "construct", "write an explicit minimizer's weights and biases (.json, .npz or .pt)",
        "Write an explicit minimizer's weights and biases: a global minimizer (L >= Q by cones; L = Q - 1 with\n"
        "Q - 1 truncations; L >= 2 from disjoint intervals along a direction) or, with --truncate, the local\n"
        "minimum of a stratum R_S, whose cost is the stratum bound B_U.",
        (("symgeom construct --L 4 --out theta.json", "the global minimizer of G1 with 4 hidden layers, exactly"),
         ("symgeom construct --truncate 1,3 --out theta.pt", "the local minimum of the stratum S = {1, 3}, for PyTorch")),
        construct_command.cmd_construct)
    _data_options(construct)
    construct.add_argument("--truncate", metavar="K,...", type=_label_list,
                           help="the truncated clusters S (labels, comma-separated): write the local minimum of the "
                                "stratum R_S, of cost B_U (needs L >= |S|)")
    construct.add_argument("--out", metavar="FILE", required=True,
                           help="output file: .json (exact values as strings), .npz (float64 arrays) or .pt/.pth "
                                "(a PyTorch state_dict of nn.Sequential(Linear, ReLU, ..., Linear), float64; needs the "
                                "extra 'torch')")
    construct.add_argument("--force", action="store_true", help="overwrite an existing file")
    _cost_option(construct, DEFAULT_COST)
    _budget_option(construct)


def _certify_options(sub) -> None:
    certify = _subcommand(
        sub, "certify", "write self-contained certificates of the exact verdicts and verify.py",
        "Write self-contained certificates of the exact verdicts (a zero-cost point, every stratum's local\n"
        "minimum, every empty stratum) and verify.py, a checker that needs only Python's standard library:\n"
        "cd DIR && python3 -I -S verify.py",
        (("symgeom certify --out certs", "the certificates of the embedded data, then: cd certs && python3 -I -S verify.py"),
         ("symgeom certify --data data.csv --L 2 --out certs", "on your data with 2 hidden layers")),
        certify_command.cmd_certify)
    _data_options(certify, kind=False, seed=False)
    certify.add_argument("--out", metavar="DIR", required=True, help="folder for the certificates and verify.py")
    certify.add_argument("--force", action="store_true", help="write into an existing non-empty folder")
    _cost_option(certify, DEFAULT_COST)
    _budget_option(certify)


def _locate_options(sub) -> None:
    locate = _subcommand(
        sub, "locate", "place a parameter point in the stratum picture: its stratum, cost, bound, gap and verdict",
        "Place a parameter point in the stratum picture: per cluster kept, collapsed (in which layer) or\n"
        "mixed; the stratum S, the cost, the bound B_U, the gap and a verdict (global minimum, at the\n"
        "stratum's minimum, above its bound, outside every stratum).",
        (("symgeom locate --params theta.json", "a point written by symgeom construct, on the embedded data"),
         ("symgeom locate --params model.pt --data data.csv --json", "a PyTorch state_dict on your data, as JSON")),
        locate_command.cmd_locate)
    locate.add_argument("--params", metavar="FILE", required=True,
                        help="parameters: .json or .npz (as construct writes them), or a PyTorch state_dict (.pt, .pth) "
                             "of nn.Sequential(Linear(Q, Q), ReLU(), ..., Linear(Q, Q)) saved with torch.save")
    _data_options(locate, depth=False, seed=False, quiet=False)
    locate.add_argument("--rtol", type=_positive_float("--rtol"), default=GAP_RTOL,
                        help=f"float input: a gap within rtol x max(1, max|y|)^2 counts as 0, computed in the working units "
                             f"(float mode's y' = y/t when the data need a change of units) (default {GAP_RTOL:g})")
    locate.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    _cost_option(locate, DEFAULT_COST)


def _train_options(sub) -> None:
    train = _subcommand(
        sub, "train", "train K networks by gradient descent and locate where each ends in the stratum picture",
        "Train K networks from PyTorch's default initialization (float64, vectorized over runs) and locate\n"
        "where each ends in the stratum picture; the table groups the runs by where they ended.",
        (("symgeom train --inits 64 --steps 2000", "64 runs of plain gradient descent on the embedded data"),
         ("symgeom train --data data.csv --optimizer adam --out runs", "Adam on your data; runs/runs.npz and a figure")),
        train_command.cmd_train)
    _data_options(train, kind=False, seed="seed of the first run; run i starts from seed + i (default 0)")
    train.set_defaults(kind="float")  # training runs in float64
    train.add_argument("--inits", type=_positive_int("--inits"), default=DEFAULT_INITS, metavar="K",
                       help=f"number of runs (default {DEFAULT_INITS}, at most {MAX_INITS})")
    train.add_argument("--steps", type=_positive_int("--steps", 0), default=DEFAULT_STEPS, metavar="T",
                       help=f"optimizer steps per run (default {DEFAULT_STEPS}, at most {MAX_STEPS})")
    train.add_argument("--lr", type=_positive_float("--lr"), metavar="ETA",
                       help="step size (default: " + ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LR.items()) + ")")
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="gd", help="gd (plain gradient descent, default) or adam")
    train.add_argument("--rtol", type=_positive_float("--rtol"), default=GAP_RTOL,
                       help=f"a final gap within rtol x max(1, max|y|)^2 counts as 0, computed in the working units "
                            f"(float mode's y' = y/t when the data need a change of units) (default {GAP_RTOL:g})")
    train.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    train.add_argument("--out", metavar="DIR", help="also write DIR/final_costs.pdf and DIR/runs.npz")
    train.add_argument("--force", action="store_true", help="write into an existing non-empty folder")
    _cost_option(train, TRAINING_COST)


def _example_options(sub) -> None:
    example = _subcommand(
        sub, "example", "write a reproducible well-clustered data set as CSV",
        "Write a reproducible well-clustered data set (Q clusters in Q dimensions, drawn from the seed) as a\n"
        "CSV file with header x1,...,xQ,cluster, or to standard output with --out -.",
        (("symgeom example --Q 4 --seed 7 --out data.csv", "four clusters in R^4, then: symgeom check --data data.csv"),
         ("symgeom example --Q 2 --out -", "the CSV on standard output")),
        example_command.cmd_example)
    example.add_argument("--Q", type=_positive_int("--Q"), default=3, help="dimension and number of clusters (default 3)")
    example.add_argument("--seed", type=_positive_int("--seed", 0), default=0, help="random seed (default 0)")
    example.add_argument("--out", metavar="F", required=True, help="CSV file to write ('-': standard output)")
    example.add_argument("--force", action="store_true", help="overwrite an existing file")


