"""``symgeom locate``: where a parameter point lies in the stratum picture (:mod:`symgeom.local_minima.locate`),
as lines that fit the terminal or one JSON object."""

from __future__ import annotations

from pathlib import Path

from .._errors import UsageError
from ..local_minima.locate import locate
from ..model.parameter_files import load_parameters
from ..model.units import in_units
from . import loading
from .exit_codes import ExitCode
from .json_output import json_text, locate_json
from .layout import terminal_width, wrap

__all__ = ["cmd_locate"]


def cmd_locate(args) -> ExitCode:
    """Read ``--params`` and the data, locate the point (in the data's working units), print the location."""
    if args.params == loading.STDIN:
        raise UsageError(f"--params {loading.STDIN}: reading standard input is not supported; give the name of a file")
    params = load_parameters(Path(args.params))
    data = loading.load_data(args)
    where = locate(in_units(params, data), data, args.rtol, args.cost)  # the point theta' = phi(theta) in the data's units
    if args.json:
        print(json_text(locate_json(where, data), indent=2,
                        ensure_ascii=False))
        return ExitCode.OK
    lines = where.lines()
    if data.units is not None and not data.units.is_identity:
        lines.insert(0, f"located in units {data.units}: cost, bound, gap and |grad C| below are those of C' = C/t^2 "
                        "at theta' = phi(theta); the margin is a hidden pre-activation, the same as on the data as given")
    width = terminal_width()
    print("\n".join(part for line in lines for part in wrap(line, width)))
    return ExitCode.OK
