"""``symgeom example``: a reproducible well-clustered data set (:func:`symgeom.data.clusters.example_data`) as
CSV, written to a file or, with ``--out -``, to standard output."""

from __future__ import annotations

import sys
from pathlib import Path

from ..data.clusters import example_data
from ..data.files import csv_text
from ..io import check_output_file, write_text
from .exit_codes import ExitCode
from .loading import STDIN

__all__ = ["cmd_example"]


def cmd_example(args) -> ExitCode:
    """Write ``Q`` clusters drawn from ``--seed`` as CSV to ``--out``, then say what was written; with ``--out -``
    the CSV alone goes to standard output (a file named ``-`` is ``./-``)."""
    if args.out == STDIN:
        sys.stdout.write(csv_text(example_data(args.Q, args.seed)))
        return ExitCode.OK
    out = Path(args.out)
    check_output_file(out, args.force, option="--out")  # before any computation
    data = example_data(args.Q, args.seed)
    write_text(out, csv_text(data), exclusive=not args.force)
    print(f"wrote {out}: {data}")
    return ExitCode.OK
