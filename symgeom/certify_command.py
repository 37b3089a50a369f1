"""``symgeom certify``: the certificates of the exact verdicts on the data, written with ``verify.py``.

The zero-cost point is G1's construction (``L ≥ Q``) when the data satisfy its criterion; every stratum is
settled as ``check`` settles it (N1, N2), and each local minimum and each empty stratum gets its certificate.
"""

from __future__ import annotations

from pathlib import Path

from . import cli
from ._errors import ConstructionError
from .certificate_files import VERIFIER, certificates, write_certificates
from .io import check_output_folder, prepare_directory

__all__ = ["cmd_certify", "context_certificates"]


def context_certificates(ctx, args, strata=None) -> dict:
    """``{name: certificate}`` for the context's data and depth under its cost (``strata`` settled anew when
    not given); the input files named in ``args`` are recorded with their SHA-256."""
    from .local_minima import settle_strata
    from .minimizer import global_minimizer

    data = ctx.data
    if strata is None:
        strata = settle_strata(data, ctx.L, ctx.progress and (lambda i, n, label: ctx.progress(
            f"strata: {i} of {n}, {label}")), cost=ctx.cost)
    try:
        zero = global_minimizer(data, ctx.L).member() if ctx.L >= data.Q else None
    except ConstructionError:
        zero = None  # the criterion fails on these data: no G1 certificate
    return certificates(data, strata, zero, ctx.cost, data_path=args.data, targets_path=args.targets)


def cmd_certify(args) -> int:
    check_output_folder(Path(args.out), args.force, files=(VERIFIER,))  # before any computation
    progress = cli.Progress(args.quiet)
    ctx = cli.make_context(args, progress)
    certs = context_certificates(ctx, args)
    out = prepare_directory(Path(args.out), args.force)
    written = write_certificates(out, certs)
    for name in written:
        print(f"wrote {out / name}")
    print(f"wrote {out / VERIFIER}: re-check them all with  cd {out} && python3 -I -S {VERIFIER}")
    return cli.EXIT_OK
