"""``symgeom certify``: the certificates of the exact verdicts on the data, written with ``verify.py``.

The zero-cost point is G1's cone construction (``L ≥ Q``) when it applies, else the sequential construction on
sequentially separable data (``L ≥ Q − 1``), with G3's certified ``rank J_F = Q²`` there when every cluster
collapses (exact data); every stratum is settled as ``check`` settles it (N1, N2), and each local
minimum and each empty stratum gets its certificate.
"""

from __future__ import annotations

from pathlib import Path

from . import progress as cli_progress
from . import exit_codes
from . import loading
from ..reports.certificate_files import VERIFIER, certificates, write_certificates
from ..io import check_output_folder, prepare_directory
from ..calculus.derivatives import cluster_jacobian
from ..certify.certificates import CERTIFIED
from ..global_minima.degeneracy import rank_check

__all__ = ["cmd_certify", "context_certificates", "write_context_certificates", "zero_cost_point",
           "certified_jacobian_rank"]


def context_certificates(ctx, args) -> dict:
    """``{name: certificate}`` for the context's data and depth under its cost: G1's zero-cost point when it can
    be built, and the context's settled strata (computed once: ``check`` and ``report`` share them with N1 and
    N2); the input files named in ``args`` are recorded with their SHA-256."""
    zero, every_cluster_collapsed = zero_cost_point(ctx)
    rank = certified_jacobian_rank(zero, ctx.data) if zero is not None and every_cluster_collapsed else None
    return certificates(ctx.data, ctx.strata, zero, ctx.cost, rank, data_path=args.data, targets_path=args.targets)


def zero_cost_point(ctx) -> tuple:
    """``(parameters, every cluster collapsed)`` of G1's zero-cost point, or ``(None, False)``: the cone
    construction (``L ≥ Q``) when it applies, else, on exact data, the sequential construction
    (:mod:`~symgeom.local_minima.sequential`: ``L ≥ Q − 1``, every cluster collapsed when ``L ≥ Q``)."""
    if ctx.L >= ctx.Q and ctx.unavailable() is None:
        return ctx.minimizer.member(), True
    theta = ctx.sequential[0] if ctx.data.kind.is_exact else None
    return (None, False) if theta is None else (theta.params, len(theta.collapse) == ctx.Q)


def certified_jacobian_rank(params, data) -> int | None:
    """G3's exact verdict at the zero-cost point ``params``: ``rank J_F = Q²`` when it is certified (exact data),
    else ``None`` (float data: a float rank certifies nothing)."""
    if not data.kind.is_exact:
        return None
    rank, check = rank_check(cluster_jacobian(params, data), "J_F", data.Q ** 2)
    return rank if check.status == CERTIFIED else None


def write_context_certificates(ctx, args, folder: Path) -> dict:
    """Write the context's certificates and ``verify.py`` into ``folder`` (created; checked before the work by
    :func:`~symgeom.io.check_output_folder`); what ``check --json`` and the report say of them: the folder, each
    file's SHA-256, and the one command that re-checks them."""
    out = prepare_directory(folder, force=False)
    written = write_certificates(out, context_certificates(ctx, args))
    return {"folder": str(out), "files": written, "verify": f"cd {out} && python3 -I -S {VERIFIER}"}


def cmd_certify(args) -> int:
    check_output_folder(Path(args.out), args.force, files=(VERIFIER,))  # before any computation
    progress = cli_progress.Progress(args.quiet)
    ctx = loading.make_context(args, progress)
    certs = context_certificates(ctx, args)
    out = prepare_directory(Path(args.out), args.force)
    written = write_certificates(out, certs)
    for name in written:
        print(f"wrote {out / name}")
    print(f"wrote {out / VERIFIER}: re-check them all with  cd {out} && python3 -I -S {VERIFIER}")
    return exit_codes.EXIT_OK
