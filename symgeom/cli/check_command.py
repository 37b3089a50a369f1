"""``symgeom check``: every claim derived and decided on the data, printed as the check screen (one line per
claim, :mod:`symgeom.cli.screen`), every check with ``--verbose``, or one JSON object with ``--json``."""

from __future__ import annotations

from pathlib import Path

from ..claims.registry import paper_statement, run_claims
from ..certify.certificates import REFUTED
from ..io import check_output_folder
from ..reports.certificate_files import VERIFIER
from . import loading
from . import progress as cli_progress
from .certify_command import write_context_certificates
from .exit_codes import ExitCode
from .json_output import check_json, json_text
from .layout import terminal_width
from .screen import check_screen, verbose_screen

__all__ = ["cmd_check"]


def cmd_check(args) -> ExitCode:
    """Run the claims (``--only`` one) on the data, write the certificates when asked, print the result; exit
    :attr:`~ExitCode.REFUTED` when a claim of symgeom's own is refuted (the paper's statements as written may be
    refuted on data without that being an error)."""
    if args.certificates is not None:
        check_output_folder(Path(args.certificates), None, files=(VERIFIER,), option="--certificates")  # before any computation
    progress = cli_progress.Progress(args.quiet)
    ctx = loading.make_context(args, progress)
    derivations = run_claims(ctx, args.only, progress)
    certs = write_context_certificates(ctx, args, Path(args.certificates)) if args.certificates is not None else None
    progress.note("done")
    status = _exit_status(derivations)
    if args.json:
        print(json_text(check_json(ctx, derivations, certs, int(status)), indent=2, ensure_ascii=False))
    else:
        screen = verbose_screen if args.verbose else check_screen
        print("\n".join(screen(ctx, derivations, terminal_width(), certs)))
    return status


def _exit_status(derivations) -> ExitCode:
    """:attr:`~ExitCode.REFUTED` when one of symgeom's own claims is refuted (a refuted statement of the paper is
    a finding, not a failure), else :attr:`~ExitCode.OK`."""
    own_refuted = any(d.status == REFUTED and not paper_statement(d.id) for d in derivations)
    return ExitCode.REFUTED if own_refuted else ExitCode.OK
