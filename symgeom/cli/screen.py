"""The text ``symgeom check`` prints: the check screen (one line per claim) and, with ``--verbose``, every check.

The screen: a header line (the data, ``Q``, ``L``, ``N``, the number kind and the cost), one line per claim -- its
id, status, scope, its statement in words (the claim's title) and one key number (the margin of its strict
inequalities, else its residual; N2: how its strata were settled) -- the reasons of the claims that do not apply
or stay undecided, each reason printed once for all the claims it concerns, the counterexamples of symgeom's own
refuted claims, and a summary line counting each status.  Everything fits the width it is given
(:mod:`symgeom.cli.layout`); the statement wraps, the status is never cut.
"""

from __future__ import annotations

import re

from ..certify.certificates import (CERTIFIED, CHECKED, NOT_APPLICABLE, PROVED, REFUTED, UNDECIDED, Status)
from ..claims.registry import BEYOND_THE_PAPER, paper_statement
from ..local_minima.dead_neurons import dead_counts_text, dead_lines
from ..local_minima.families import family_counts_text, family_lines, split_counts_text, split_lines
from ..local_minima.settling import counts_text, reason_lines
from ..numbers import sizes
from .layout import fit_table, right_aligned_rows, shorten, wrap

__all__ = ["check_screen", "verbose_screen", "key_number", "summary_line", "claim_ranges", "header_line"]

_ORDER = (PROVED, CERTIFIED, CHECKED, UNDECIDED, NOT_APPLICABLE, REFUTED)
"""The order of the statuses in the summary line."""

_SHORT = 12
"""Longest exact number text shown as it is on the screen; a longer one shows its 4 leading digits."""


def _status(d) -> str:
    return Status(d.status).value


def _short_number(x) -> str:
    """``x`` as :func:`~symgeom.numbers.sizes.format_number` writes it when that is short, else to 4 significant
    figures (the exact value is in ``--verbose`` and ``--json``)."""
    text = sizes.format_number(x)
    return text if len(text) <= _SHORT else sizes.format_decimal(x, 4)


def key_number(d, strata=None, merged=None, dead=None, splits=None) -> str:
    """The one number of a claim's line: N2's strata counts (``2 local minima, 4 empty, 1 not reached``),
    N3's counts of merged strata (``merged``: ``(families, left)``), N4's of dead-neuron points (``dead``), N5's of split
    clusters (``splits``), else the margin of the deciding check's strict
    inequalities, else its residual; nothing for a claim that does not apply or stays undecided (its reason is
    printed below the claims)."""
    if d.id == "N2" and strata is not None and d.status != NOT_APPLICABLE:
        return counts_text(strata, short=True)
    if d.id == "N3" and merged is not None and d.status != NOT_APPLICABLE:
        return family_counts_text(*merged)
    if d.id == "N4" and dead and d.status != NOT_APPLICABLE:
        return dead_counts_text(dead)
    if d.id == "N5" and splits and d.status != NOT_APPLICABLE:
        return split_counts_text(splits)
    if d.status in (NOT_APPLICABLE, UNDECIDED):
        return ""
    numbers = d.main.numbers()
    for name in ("margin", "residual"):
        if name in numbers:
            return f"{name} {_short_number(numbers[name])}"
    return ""


def header_line(ctx) -> str:
    """``embedded default data: Q = 3, L = 3, N = 13, exact, cost paper``."""
    data = ctx.data
    kind = "exact" if data.kind.is_exact else "float64"
    return f"{data.source}: Q = {data.Q}, L = {ctx.L}, N = {data.N}, {kind}, cost {ctx.cost.value}"


def claim_ranges(ids) -> str:
    """``G1–G4`` for three or more claims of one group numbered one after another, else their ids separated by
    commas.

    >>> claim_ranges(["G1", "G2", "G3", "G4"]), claim_ranges(["G1", "G3", "G4"]), claim_ranges(["N2", "P2.2", "D2.1"])
    ('G1–G4', 'G1, G3, G4', 'N2, P2.2, D2.1')
    """
    ids = list(ids)
    parts = [re.fullmatch(r"([A-Z]+)(\d+)", i) for i in ids]
    if len(ids) > 2 and all(parts) and len({p[1] for p in parts}) == 1 and \
            [int(p[2]) for p in parts] == list(range(int(parts[0][2]), int(parts[0][2]) + len(ids))):
        return f"{ids[0]}–{ids[-1]}"
    return ", ".join(ids)


def _reasons(derivations) -> list[tuple]:
    """``(ids, status, reason)`` of the claims that do not apply or stay undecided, one entry per distinct reason
    (in the order the claims come)."""
    groups: dict = {}
    for d in derivations:
        if d.status in (NOT_APPLICABLE, UNDECIDED):
            groups.setdefault((_status(d), d.main.detail or d.main.method), []).append(d.id)
    return _factor_prefixes([(ids, status, reason) for (status, reason), ids in groups.items()])


def _factor_prefixes(reasons: list[tuple]) -> list[tuple]:
    """A reason that another reason of the same status extends (``A; more``) is said once for both groups, and the
    longer one keeps only what it adds: ``G1 not applicable: A; more`` and ``G2–G4 not applicable: A`` become
    ``G1–G4 not applicable: A`` and ``G1 also: more``. Ids keep the order in which the claims come.

    >>> _factor_prefixes([(["G1"], "x", "a; b"), (["G2", "G3"], "x", "a")])
    [(['G1', 'G2', 'G3'], 'x', 'a'), (['G1'], 'also', 'b')]
    """
    position = {cid: k for k, (ids, _, _) in enumerate(reasons) for cid in ids}
    out, extra = list(reasons), []
    for i, (ids, status, reason) in enumerate(reasons):
        base = next((j for j, (_, s, r) in enumerate(reasons) if s == status and reason.startswith(r + "; ")), None)
        if base is not None:
            out[base] = (sorted(out[base][0] + ids, key=position.__getitem__), status, out[base][2])
            out[i] = None
            extra.append((ids, "also", reason[len(reasons[base][2]) + 2:]))
    return [r for r in out if r is not None] + extra


def summary_line(derivations, verbose: bool = False) -> str:
    """``21 claims: 6 proved, 11 certified, 4 refuted``, then which refuted claims are the paper's statements as
    written (and, unless ``verbose``, where their counterexamples are shown)."""
    counts = [(s, sum(d.status == s for d in derivations)) for s in _ORDER]
    parts = [f"{n} {Status(s).value.replace('_', ' ')}" for s, n in counts if n or s == REFUTED]
    text = f"{len(derivations)} claim{'s' if len(derivations) != 1 else ''}: " + ", ".join(parts)
    paper = [d.id for d in derivations if d.status == REFUTED and paper_statement(d.id)]
    if paper:
        text += f"; refuted as written: the paper's {', '.join(paper)}" + (
            "" if verbose else " (symgeom check --verbose gives each counterexample)")
    return text


def check_screen(ctx, derivations, width: int, certs: dict | None = None) -> list[str]:
    """The default screen of ``symgeom check`` at ``width`` columns (see the module docstring)."""
    strata = ctx.strata if any(d.id == "N2" for d in derivations) else None
    lines = wrap(header_line(ctx), width)
    if certs is not None:
        lines += wrap(f"certificates: {len(certs['files'])} in {certs['folder']}; re-check them with  {certs['verify']}",
                      width)
    merged = ctx.merged if any(d.id == "N3" for d in derivations) else None
    dead = ctx.dead_neurons if any(d.id == "N4" for d in derivations) else None
    splits = ctx.split_clusters if any(d.id == "N5" for d in derivations) else None
    rows = [(d.id, _status(d), str(d.main.scope or ""), d.title, key_number(d, strata, merged, dead, splits))
            for d in derivations]
    lines += right_aligned_rows(rows, width)
    for ids, status, reason in _reasons(derivations):
        lines += wrap(f"{claim_ranges(ids)} {status.replace('_', ' ')}: {reason}", width)
    for d in derivations:
        if d.status == REFUTED and not paper_statement(d.id):
            lines += wrap(f"{d.id} REFUTED: {d.main.counterexample}", width)
        for w in d.warnings:
            lines.append(shorten(f"{d.id} numerical warning (float64 refutes; the exact evidence decides): "
                                 f"{w.method}: {w.counterexample or w.detail}", width))
    return lines + wrap(summary_line(derivations), width)


def _check_rows(derivations) -> list[tuple]:
    """The rows of the verbose table: per claim its deciding check, then every other check it carries."""
    def numbers(check) -> str:
        return "; ".join(f"{k} {sizes.format_number(v)}" for k, v in check.numbers().items())

    def how(method: str, numbers: str) -> str:
        return f"{method}: {numbers}" if numbers else method

    rows = [("claim", "status", "scope", "method: numbers")]
    for d in derivations:
        main = d.main
        rows.append((d.id, _status(d), str(main.scope or ""),
                     how(main.method, numbers(main) or (main.detail if d.status == NOT_APPLICABLE else ""))))
        others = list(d.checks)
        if any(c is main for c in others):  # the deciding check is shown once, on the claim's row
            others.pop(next(i for i, c in enumerate(others) if c is main))
        rows += [("", Status(c.status).value, str(c.scope or ""), how(c.method, numbers(c))) for c in others]
    return rows


def verbose_screen(ctx, derivations, width: int, certs: dict | None = None) -> list[str]:
    """``symgeom check --verbose``: the data, network and cost, every check behind each claim (status, scope,
    method, numbers; the method and numbers wrap to ``width``), N2's reasons, every counterexample in full, and
    the summary line."""
    data = ctx.data
    text = [f"data: {data}",
            f"network: Q = {data.Q}, L = {ctx.L}, P = {data.parameter_count(ctx.L)} parameters, QN = {data.Q * data.N}",
            f"cost: {ctx.cost.value}, {ctx.cost.formula}"]
    if certs is not None:
        text.append(f"certificates: {len(certs['files'])} in {certs['folder']}; re-check them with  {certs['verify']}")
    lines = [line for t in text for line in wrap(t, width)]
    lines += fit_table(_check_rows(derivations), width, flexible={3}, least=20)
    notes = [f"N2 {line}" for line in reason_lines(ctx.strata)] if any(d.id == "N2" for d in derivations) else []
    if any(d.id == "N3" for d in derivations):
        notes += [f"N3 {line}" for line in family_lines(*ctx.merged)]
    if any(d.id == "N4" for d in derivations):
        notes += [f"N4 {line}" for line in dead_lines(ctx.dead_neurons)]
    if any(d.id == "N5" for d in derivations):
        notes += [f"N5 {line}" for line in split_lines(ctx.split_clusters)]
    for d in derivations:
        if d.status == REFUTED:
            where = f" (the paper's {paper_statement(d.id)}; steelman in the report)" if paper_statement(d.id) else ""
            notes.append(f"{d.id} REFUTED{where}: {d.main.counterexample}")
    own = [d.id for d in derivations if not paper_statement(d.id)]
    if own and len(own) < len(derivations):
        notes.append(f"{BEYOND_THE_PAPER}: {', '.join(own)} (symgeom's own claims); the paper's statements: "
                     + ", ".join(f"{d.id} = {paper_statement(d.id)}" for d in derivations if paper_statement(d.id)))
    for d in derivations:
        for w in d.warnings:
            notes.append(f"{d.id} numerical warning (a float check refutes, which float64 alone never decides; the "
                         f"status rests on the exact evidence): {w.method}: {w.counterexample or w.detail}")
    return lines + [line for n in notes for line in wrap(n, width)] + wrap(summary_line(derivations, True), width)
