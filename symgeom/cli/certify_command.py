"""``symgeom certify``: the certificates of the exact verdicts on the data, written with ``verify.py``.

The zero-cost point is G1's construction (``L ≥ Q``) when the data satisfy its criterion; every stratum is
settled as ``check`` settles it (N1, N2), and each local minimum and each empty stratum gets its certificate.
"""

from __future__ import annotations

from pathlib import Path

from . import progress as cli_progress
from . import exit_codes
from . import loading
from ..reports.certificate_files import VERIFIER, certificates, write_certificates
from ..io import check_output_folder, prepare_directory

__all__ = ["cmd_certify", "context_certificates", "write_context_certificates"]


def context_certificates(ctx, args) -> dict:
    """``{name: certificate}`` for the context's data and depth under its cost: G1's zero-cost point when it can
    be built, and the context's settled strata (computed once: ``check`` and ``report`` share them with N1 and
    N2); the input files named in ``args`` are recorded with their SHA-256."""
    zero = ctx.minimizer.member() if ctx.L >= ctx.Q and ctx.unavailable() is None else None
    return certificates(ctx.data, ctx.strata, zero, ctx.cost, data_path=args.data, targets_path=args.targets)


def write_context_certificates(ctx, args, folder: Path) -> dict:
    """Write the context's certificates and ``verify.py`` into ``folder`` (created; checked before the work by
    :func:`~symgeom.io.check_output_folder`); what ``check --json`` and the report say of them: the folder, each
    file's SHA-256, and the one command that re-checks them."""
    out = prepare_directory(folder, force=None, option="--certificates")
    written = write_certificates(out, context_certificates(ctx, args))
    return {"folder": str(out), "files": written, "verify": f"cd {out} && python3 -I -S {VERIFIER}"}


def cmd_certify(args) -> int:
    check_output_folder(Path(args.out), args.force, files=(VERIFIER,), option="--out")  # before any computation
    progress = cli_progress.Progress(args.quiet)
    ctx = loading.make_context(args, progress)
    certs = context_certificates(ctx, args)
    out = prepare_directory(Path(args.out), args.force, option="--out")
    written = write_certificates(out, certs)
    for name in written:
        print(f"wrote {out / name}")
    print(f"wrote {out / VERIFIER}: re-check them all with  cd {out} && python3 -I -S {VERIFIER}")
    return exit_codes.EXIT_OK
