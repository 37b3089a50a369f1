"""Checks, derivation steps and derivations: every claim ends in a status with its numbers.

A :class:`Check` is one of (docs/mathematics/index.md, what a status means)

* ``proved``     -- a symbolic identity SymPy reduces to zero for all values of its symbols
  (the assumptions are stated in ``detail``);
* ``certified``  -- exact rational arithmetic on concrete data;
* ``checked``    -- floating point, with ``tolerance`` and the observed ``residual`` / ``margin``;
* ``refuted``    -- with a ``counterexample``;
* ``undecided`` -- the checks neither confirm nor contradict it;
* ``not_applicable`` -- the claim's hypotheses fail here (``detail`` says why).

Symbolic proofs live in :mod:`symgeom.certify.proofs`.

>>> import numpy as np
>>> certify_positive(np.array([1, 2]), "two positive numbers").status
'checked'
>>> combine([Check("certified", "a"), Check("checked", "b", tolerance=1e-9)], "both").status
'checked'
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Iterable

import numpy as np

from ..numbers import sizes
from ..numbers.arith import Exact, kind_of
from ..numbers.sizes import format_number
from ..numbers.json_numbers import json_numbers
from ..numbers.printing import escape_tex, latex
from .scope import Scope


class Status(str, Enum):
    """How a statement was settled (docs/mathematics/index.md, what a status means); ``str``-valued, so JSON and templates see the word."""

    PROVED = "proved"
    CERTIFIED = "certified"
    CHECKED = "checked"
    REFUTED = "refuted"
    UNDECIDED = "undecided"
    """The checks ran and neither confirm nor contradict the statement (e.g. a construction that did
    not reach it); it weakens any combination it enters."""
    NOT_APPLICABLE = "not_applicable"
    """The statement's hypotheses fail here; it is left out of combinations."""

    __str__ = str.__str__
    __format__ = str.__format__

    def __repr__(self) -> str:
        return repr(self.value)


PROVED, CERTIFIED, CHECKED, REFUTED = Status.PROVED, Status.CERTIFIED, Status.CHECKED, Status.REFUTED
UNDECIDED, NOT_APPLICABLE = Status.UNDECIDED, Status.NOT_APPLICABLE
STATUSES = tuple(Status)
_STRENGTH = {REFUTED: 4, PROVED: 3, CERTIFIED: 2, CHECKED: 1, UNDECIDED: 0, NOT_APPLICABLE: 0}

def data_scope(status) -> Scope:
    """The scope of a check on the concrete data: exact (``these data``) unless it is a float check."""
    return Scope.these_data(float=status == Status.CHECKED)


def covers(scope: Scope | None, claim_scope: Scope) -> bool:
    """Whether a check of scope ``scope`` (``None``: unstated) settles a statement of scope ``claim_scope``
    (:meth:`Scope.covers`)."""
    return scope is not None and scope.covers(claim_scope)


def with_scope(check: "Check", scope: Scope) -> "Check":
    """The same check with its scope stated."""
    return replace(check, scope=scope)


def on_data(check: "Check") -> "Check":
    """The check with the scope of a result on the concrete data (:func:`data_scope` of its status)."""
    return with_scope(check, data_scope(check.status))


FLOAT_RTOL = 1e-9
"""Default relative tolerance of float checks: residuals are compared with ``FLOAT_RTOL * scale``."""


@dataclass(frozen=True)
class Check:
    """The outcome of checking one statement."""

    status: str
    """One of :data:`STATUSES`."""
    method: str
    """How it was checked, in a few words."""
    detail: str = ""
    """Assumptions, case counts, or the reason it does not apply."""
    residual: Any = None
    """Largest deviation from the claimed identity (exact ``0`` when certified)."""
    margin: Any = None
    """Smallest slack of the claimed strict inequalities (positive when they hold)."""
    tolerance: Any = None
    """The float tolerance the residual was compared with."""
    counterexample: str | None = None
    """For ``refuted``: where the claim fails."""
    scope: Scope | None = None
    """What the status covers: ``all Q`` (symbolic), ``Q <= k`` (case split), ``these data``
    (exact certificate), ``these data, float`` (:class:`~symgeom.certify.scope.Scope`)."""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; expected one of {[str(s) for s in STATUSES]}")
        object.__setattr__(self, "status", Status(self.status))
        if self.scope is not None and not isinstance(self.scope, Scope):
            raise TypeError(f"a check's scope is a Scope (Scope.all_q(), Scope.up_to(k), Scope.these_data(...)), "
                            f"got {self.scope!r}")
        if self.status == REFUTED and not self.counterexample:
            raise ValueError("a refuted check must carry its counterexample")
        if self.status == CHECKED and self.tolerance is None:
            raise ValueError("a float check must state its tolerance")

    @property
    def is_float(self) -> bool:
        """Whether the check ran in floating point (it compares against a positive tolerance)."""
        try:
            return self.tolerance is not None and float(self.tolerance) > 0
        except (TypeError, ValueError):
            return False

    def summary(self) -> str:
        """``status (method; residual …, margin …, tolerance …)``."""
        nums = [f"{k} {format_number(v)}" for k, v in self.numbers().items()]
        return f"{self.status} ({'; '.join([self.method] + nums)})"

    def numbers(self) -> dict:
        """The numbers behind the status that are present."""
        return {k: v for k, v in (("residual", self.residual), ("margin", self.margin), ("tolerance", self.tolerance)) if v is not None}

    def as_json(self) -> dict:
        out = {"status": self.status, "method": self.method, "detail": self.detail, **json_numbers(**self.numbers())}
        if self.counterexample:
            out["counterexample"] = self.counterexample
        if self.scope:
            out["scope"] = str(self.scope)
        return out

    def __str__(self) -> str:
        return self.summary() + (f": {self.detail}" if self.detail else "")

    def _repr_latex_(self) -> str:
        return "$" + self._latex(None) + "$"

    def _latex(self, printer) -> str:
        return r"\text{" + _text(self.summary()) + "}"


def _text(s: str) -> str:
    return escape_tex(s)


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a statement, why it holds, and how that was checked."""

    statement: Any
    """A SymPy relation or expression, or LaTeX text."""
    justification: str
    """One line: why the statement holds."""
    check: Check | None = None
    """The check of this step, if it carries one."""
    key: bool = False
    """Whether this step's check proves the claim itself (it then gives the claim its status)."""


@dataclass(frozen=True)
class Derivation:
    """A claim with its derivation steps; its status is the strongest evidence gathered,
    unless some check refutes it."""

    id: str
    title: str
    statement: str
    """The claim, as LaTeX text."""
    steps: tuple = field(default_factory=tuple)
    scope: Scope = Scope.these_data()
    """What the claim says: ``all Q`` for the statements about truncation maps of any size, ``these data``
    for the claims about the given data and network."""
    redecision: Check | None = None
    """The verdict of the same claim derived again in exact rational arithmetic on the rational data, when a
    check of this (float) derivation refuted it (:func:`symgeom.claims.registry.redecided`); it then decides."""

    @property
    def checks(self) -> list[Check]:
        return [s.check for s in self.steps if s.check is not None]

    def redecided(self, verdict: Check) -> "Derivation":
        """This derivation with the exact ``verdict`` that decides it (:attr:`redecision`)."""
        return replace(self, redecision=verdict)

    @property
    def main(self) -> Check:
        """The check that decides the status, by the order of evidence (exact certificate or proof >
        float check): the exact :attr:`redecision` when there is one; else a refutation if there is one that
        counts; else the strongest key check (the claim itself; every check when no step is key) whose scope
        covers what the claim says (:func:`covers`); else the strongest key check, whose narrower scope then
        shows with the status.  A float refutation never counts on its own: it stays a numerical warning
        (:attr:`warnings`), and the status is then that of exact key evidence, or ``undecided``."""
        if self.redecision is not None:
            return self.redecision
        checks = self.checks
        if not checks:
            return Check(NOT_APPLICABLE, "no check", "no step of this derivation carries a check", scope=self.scope)
        refuted = [c for c in checks if c.status == REFUTED and c not in self.warnings]
        if refuted:
            return refuted[0]
        keys = [s.check for s in self.steps if s.key and s.check is not None] or checks
        covering = [c for c in keys if covers(c.scope, self.scope) and c.status not in (NOT_APPLICABLE, REFUTED)]
        live = [c for c in keys if c.status != REFUTED] or [Check(UNDECIDED, "no check decides", "every key check "
                                                                  "that refutes is a float one", scope=self.scope)]
        best = max(covering or live, key=lambda c: _STRENGTH[c.status])
        if self.warnings and best.status not in (PROVED, CERTIFIED):  # conflicting float evidence, none exact
            return replace(best, status=UNDECIDED, detail=(best.detail + "; " if best.detail else "")
                           + "a float check refutes and no exact evidence decides")
        return best

    @property
    def warnings(self) -> list[Check]:
        """Float checks that refute on their own (a positive tolerance), or any refutation of a float run that
        the exact :attr:`redecision` did not confirm: numerical warnings, not refutations."""
        refuted = [c for c in self.checks if c.status == REFUTED]
        if self.redecision is not None:
            return [] if self.redecision.status == REFUTED else refuted
        return [c for c in refuted if c.is_float]

    @property
    def status(self) -> str:
        return self.main.status

    def as_json(self) -> dict:
        main = self.main
        out = {"id": self.id, "title": self.title, "status": main.status,
               "scope": None if main.scope is None else str(main.scope), "claim_scope": str(self.scope), "method": main.method, "detail": main.detail}
        data = [c for c in self.checks if c.status in (CERTIFIED, CHECKED)]  # a refutation shows its own numbers
        out.update(json_numbers(**(data[0] if data and main.status != REFUTED else main).numbers()))
        out["checks"] = [c.as_json() for c in self.checks]
        if self.warnings:
            out["warnings"] = [c.as_json() for c in self.warnings]
        return out

    def __str__(self) -> str:
        lines = [f"{self.id} {self.title}: {self.status} ({self.main.scope})"]
        lines += [f"  - {s.justification}" + (f" [{s.check.summary()}; scope {s.check.scope}]" if s.check else "")
                  for s in self.steps]
        return "\n".join(lines)

    def _repr_latex_(self) -> str:
        return "$$" + latex(self) + "$$"

    def _latex(self, printer) -> str:
        """The claim's steps that are formulas, one per line, each with its status."""
        lines = [rf"\textbf{{{self.id}}}\ \text{{{_text(self.title)}: {self.status}}}"]
        for s in self.steps:
            formula = s.statement if isinstance(s.statement, str) else printer._print(s.statement)
            status = rf"\quad \text{{[{s.check.status}]}}" if s.check is not None else ""
            lines.append(formula + status)
        return r"\begin{gathered} " + r" \\ ".join(lines) + r" \end{gathered}"


# -- making checks -----------------------------------------------------------------------
def certify_equal(a: np.ndarray, b: np.ndarray, method: str, detail: str = "", scale=None) -> Check:
    """Compare two arrays: exactly (``certified`` / ``refuted``) or within a relative float
    tolerance ``FLOAT_RTOL * scale`` (``checked`` / ``refuted``)."""
    diff = np.asarray(a) - np.asarray(b)
    if kind_of(diff).is_exact:
        nz = np.argwhere(diff != 0)
        if nz.size:
            idx = tuple(int(i) for i in nz[0])
            return Check(REFUTED, method, detail, residual=max(abs(x) for x in diff.reshape(-1)),
                         counterexample=f"entry {idx}: {format_number(a[idx])} != {format_number(b[idx])}", scope=Scope.these_data())
        return Check(CERTIFIED, method, detail, residual=Exact(0), scope=Scope.these_data())
    if scale is None:
        scale = max(1.0, float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    tol = FLOAT_RTOL * sizes.saturating_float(scale)
    res = float(np.max(np.abs(diff), initial=0.0))
    if not res <= tol:
        idx = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(diff)), diff.shape))
        return Check(REFUTED, method, detail, residual=res, tolerance=tol,
                     counterexample=f"entry {idx}: {a[idx]!r} vs {b[idx]!r}", scope=Scope.these_data(float=True))
    return Check(CHECKED, method, detail, residual=res, tolerance=tol, scope=Scope.these_data(float=True))


def exact_recheck(float_check: Check, exact: Check, what: str) -> Check:
    """A float comparison that failed, settled by the same comparison in exact arithmetic on ``what`` (the
    entries beyond the float tolerance): exact equality makes the failure rounding, and the float check stands
    as ``checked`` with the recheck named; an exact difference is the refutation, with its exact counterexample."""
    if exact.status == REFUTED:
        return Check(REFUTED, f"{float_check.method}; {what} recomputed: {exact.method}", float_check.detail,
                     residual=exact.residual, counterexample=exact.counterexample, scope=Scope.these_data())
    return Check(CHECKED, f"{float_check.method}; {what} recomputed in exact rational arithmetic: equal",
                 float_check.detail, residual=float_check.residual, tolerance=float_check.tolerance, scope=Scope.these_data(float=True))


def float_range_check(method: str, **arrays):
    """``None`` when every named array is :func:`~symgeom.numbers.sizes.float_representable`; otherwise a
    ``not_applicable`` check saying which array is beyond the float64 range of a float sub-check (``method``)
    -- it is then skipped, never run into an overflow or underflow, and never a refutation."""
    for name, a in arrays.items():
        if not sizes.float_representable(a):
            return Check(NOT_APPLICABLE, method,
                         f"{name} has nonzero entries of magnitude 10^%.0f .. 10^%.0f, beyond " % sizes.log10_range(a)
                         + f"10^±{sizes.FLOAT_SAFE_EXPONENT}, where float64 {method} would overflow or underflow; skipped "
                         "(the exact certificates stand)", scope=Scope.these_data(float=True))
    return None


def certify_positive(values: np.ndarray, method: str, detail: str = "", where=None, strict: bool = True) -> Check:
    """Inequalities ``values > 0`` (``>= 0`` when not ``strict``): exactly, or in floats with a
    tolerance (beyond it when strict, within it otherwise).  A float value within the tolerance of 0 leaves a
    strict inequality ``undecided``: only a value beyond ``-tol`` refutes it.

    The margin is the smallest value. ``where(k)`` names the ``k``-th (flattened) entry in a
    counterexample.
    """
    flat = np.asarray(values).reshape(-1)
    if flat.size == 0:
        return Check(NOT_APPLICABLE, method, "no inequality to check", scope=Scope.these_data())
    k = int(np.argmin(flat))
    margin = flat[k]
    label = where(k) if where else f"entry {k}"
    relation = ">" if strict else ">="
    if kind_of(flat).is_exact:
        if margin > 0 or (not strict and margin == 0):
            return Check(CERTIFIED, method, detail, margin=margin, scope=Scope.these_data())
        return Check(REFUTED, method, detail, margin=margin, scope=Scope.these_data(),
                     counterexample=f"{label}: {format_number(margin)} is not {relation} 0")
    tol = FLOAT_RTOL * max(1.0, float(np.max(np.abs(flat))))
    if margin > tol or (not strict and margin >= -tol):
        return Check(CHECKED, method, detail, margin=float(margin), tolerance=tol, scope=Scope.these_data(float=True))
    if margin >= -tol:  # strict, and within the tolerance of 0: rounding may hide either sign, so no counterexample
        return Check(UNDECIDED, method, (detail + "; " if detail else "") + f"{label}: {float(margin)!r} is within the "
                     f"float64 tolerance {tol:.3g} of 0, where float64 cannot decide the sign", margin=float(margin),
                     tolerance=tol, scope=Scope.these_data(float=True))
    bound = tol if strict else -tol
    return Check(REFUTED, method, detail, margin=float(margin), tolerance=tol, scope=Scope.these_data(float=True),
                 counterexample=f"{label}: {float(margin)!r} is not {relation} {bound:.3g}")


def combine(checks: Iterable[Check], method: str, detail: str = "", scope: Scope | None = None) -> Check:
    """One check standing for several of the same kind: refuted if any is; otherwise the
    weakest status, the largest residual, the smallest margin and the largest tolerance."""
    checks = list(checks)
    if scope is None:
        scope = _common_scope(checks)
    bad = [c for c in checks if c.status == REFUTED]
    if bad:
        c = bad[0]
        return Check(REFUTED, method, detail or c.detail, c.residual, c.margin, c.tolerance, c.counterexample, scope)
    live = [c for c in checks if c.status != NOT_APPLICABLE]
    if not live:
        return Check(NOT_APPLICABLE, method, detail or "nothing to check", scope=scope)
    status = min((c.status for c in live), key=lambda s: _STRENGTH[s])
    res = [c.residual for c in live if c.residual is not None]
    mar = [c.margin for c in live if c.margin is not None]
    tol = [c.tolerance for c in live if c.tolerance is not None]
    return Check(status, method, detail, max(res, key=abs) if res else None, min(mar) if mar else None,
                 max(tol) if tol else None, scope=scope)


def _common_scope(checks: list) -> Scope | None:
    """The scope all the checks share (not-applicable ones aside), or ``None`` when they differ."""
    scopes = {c.scope for c in checks if c.status != NOT_APPLICABLE} or {c.scope for c in checks}
    return scopes.pop() if len(scopes) == 1 else None


__all__ = [
    "Check", "Step", "Derivation", "certify_equal", "certify_positive", "combine",
    "Scope", "data_scope", "covers", "with_scope", "on_data",
    "Status", "float_range_check", "exact_recheck", "PROVED", "CERTIFIED", "CHECKED", "REFUTED", "UNDECIDED", "NOT_APPLICABLE", "STATUSES", "FLOAT_RTOL",
]
