"""Text that fits the terminal: the width symgeom writes to, wrapped paragraphs and tables whose long columns wrap.

The width is ``COLUMNS`` when set (as shells export it), else the terminal's width when standard output is one,
else :data:`DEFAULT_WIDTH`; never less than :data:`MIN_WIDTH`.  Everything here is plain text built by
:mod:`textwrap`, so the same rows at the same width give the same bytes.

>>> fit_table([("T1", "proved", "a long statement in words")], 24, flexible={2})
['T1  proved  a long', '            statement in', '            words']
"""

from __future__ import annotations

import os
import shutil
import textwrap

__all__ = ["DEFAULT_WIDTH", "MIN_WIDTH", "terminal_width", "wrap", "shorten", "fit_table", "right_aligned_rows"]

DEFAULT_WIDTH = 100
"""Columns written when ``COLUMNS`` is not set and standard output is not a terminal."""

MIN_WIDTH = 40
"""The narrowest width symgeom lays text out for (a smaller ``COLUMNS`` reads as this)."""


def terminal_width() -> int:
    """``COLUMNS`` when it is a positive integer, else the terminal's width, else :data:`DEFAULT_WIDTH`; at least
    :data:`MIN_WIDTH`."""
    text = os.environ.get("COLUMNS", "").strip()
    if text.isdigit() and int(text) > 0:
        return max(int(text), MIN_WIDTH)
    return max(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns or DEFAULT_WIDTH, MIN_WIDTH)


def wrap(text: str, width: int, indent: str = "", hanging: str = "  ") -> list[str]:
    """``text`` as lines of at most ``width`` columns: the first starts with ``indent``, the others with
    ``indent + hanging``; a word longer than a line is broken."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + hanging,
                         break_on_hyphens=False) or [indent.rstrip()]


def shorten(text: str, width: int) -> str:
    """``text`` on one line of at most ``width`` columns, ending in ``…`` when it was cut."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _shrink(widths: list, flexible, room: int, least: int) -> list:
    """The column widths with the widest flexible column narrowed one column at a time until the row fits
    ``room`` (no flexible column below ``least``)."""
    widths = list(widths)
    while sum(widths) > room:
        i = max(sorted(flexible), key=lambda j: widths[j])
        if widths[i] <= least:
            break
        widths[i] -= 1
    return widths


def fit_table(rows, width: int, flexible, gap: int = 2, least: int = 12, right=()) -> list[str]:
    """``rows`` (tuples of cell texts) as aligned columns at most ``width`` wide: the ``flexible`` columns
    (indices) narrow, widest first, to ``least`` columns at most, and their cells wrap onto continuation lines;
    the others keep their full width (a status is never cut).  When even that does not fit, each row is one
    paragraph wrapped to ``width``.  Columns in ``right`` are right-aligned.  Trailing blanks are removed."""
    n = len(rows[0])
    natural = [max(len(r[i]) for r in rows) for i in range(n)]
    fixed = sum(w for i, w in enumerate(natural) if i not in flexible)
    if fixed + gap * (n - 1) + sum(min(natural[i], least) for i in flexible) > width:  # no room: a paragraph a row
        return [line for row in rows for line in wrap((" " * gap).join(c for c in row if c), width, hanging="    ")]
    widths = _shrink(natural, flexible, width - gap * (n - 1), least)
    lines = []
    for row in rows:
        cells = [textwrap.wrap(c, max(widths[i], 1), break_on_hyphens=False) or [""] if i in flexible else [c]
                 for i, c in enumerate(row)]
        for k in range(max(len(c) for c in cells)):
            parts = [(c[k] if k < len(c) else "") for c in cells]
            line = (" " * gap).join(p.rjust(w) if i in right else p.ljust(w)
                                    for i, (p, w) in enumerate(zip(parts, widths)))
            lines.append(line.rstrip())
    return lines


def right_aligned_rows(rows, width: int, gap: int = 2) -> list[str]:
    """Rows ``(prefix cells…, text, number)``: the prefix cells in aligned columns, then the text, and the number
    right-aligned at one common edge (at most ``width``).  A text that does not fit beside its number wraps
    under itself (the number stays on the first line); a number wider than the room left goes on lines of its
    own, wrapped."""
    n = len(rows[0]) - 2
    widths = [max(len(r[i]) for r in rows) for i in range(n)]
    indent = sum(widths) + gap * n
    edge = min(width, indent + max(len(r[-2]) + (gap + len(r[-1]) if r[-1] else 0) for r in rows))
    room, lines = edge - indent, []
    if width - indent < 20:  # the prefix columns leave no room: each row as one wrapped paragraph
        return [line for row in rows for line in wrap((" " * gap).join(c for c in row if c), width, hanging="    ")]
    for row in rows:
        prefix = (" " * gap).join(c.ljust(w) for c, w in zip(row[:n], widths)) + " " * gap
        text, number = row[-2], row[-1]
        beside = room - (gap + len(number) if number else 0)
        if beside >= max(1, min(len(text), 20)):  # the text (wrapped if it must) beside its number
            parts, extra = textwrap.wrap(text, beside, break_on_hyphens=False) or [""], []
        else:  # the number takes lines of its own
            parts = textwrap.wrap(text, room, break_on_hyphens=False) or [""]
            extra, number = textwrap.wrap(number, room, break_on_hyphens=False), ""
        first = prefix + parts[0]
        lines.append((first + number.rjust(edge - len(first))).rstrip() if number else first.rstrip())
        lines += [" " * indent + p for p in parts[1:]] + [" " * indent + p.rjust(room) for p in extra]
    return lines
