"""A recipe: one claim, what it says and how it is derived.

Each claim has a recipe in ``derivations/`` (installed as ``symgeom.derivations``): a :class:`Recipe` value
``RECIPE`` naming the claim (``id``, ``title``, the ``statement`` as LaTeX text, the ``scope`` it is stated
for, the paper's numbered statement it checks as written and what holds instead) and its ``derive(ctx)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..certify.certificates import NOT_APPLICABLE, Check, Derivation, Step
from ..certify.scope import Scope


@dataclass(frozen=True)
class Recipe:
    """One claim and its derivation ``derive(ctx) -> Derivation`` (``ctx`` a
    :class:`~symgeom.claims.registry.Context`)."""

    id: str
    title: str
    statement: str
    """The claim, as LaTeX text."""
    scope: Scope
    """What the claim says: ``all Q`` for the statements about truncation maps of any size, ``these data`` for the
    claims about the given data and network."""
    derive: Callable = None
    paper: str | None = None
    """The paper's numbered statement the claim checks as stated (``"Theorem 2.3, (2.57), (2.59)"``), or ``None``
    for symgeom's own claims, which are beyond the paper."""
    instead: str | None = None
    """For a claim on the paper's statement: what holds instead (or ``as stated``), in words."""

    def __post_init__(self):
        if not isinstance(self.scope, Scope) or not callable(self.derive):
            raise TypeError(f"recipe {self.id}: a Scope and a callable derive(ctx) are required, "
                            f"got {self.scope!r} and {self.derive!r}")

    def derivation(self, steps, statement: str | None = None) -> Derivation:
        """The claim with its derivation ``steps`` (``statement``: the claim's words when they depend on the
        run, e.g. on the cost)."""
        return Derivation(self.id, self.title, self.statement if statement is None else statement, tuple(steps),
                          self.scope)

    def not_applicable(self, reason: str) -> Derivation:
        """The claim with one ``not_applicable`` step: its construction is impossible here (``reason``)."""
        return self.derivation((Step(r"\text{the construction does not apply}",
                                     "The explicit construction is impossible here.",
                                     Check(NOT_APPLICABLE, "explicit construction", reason), key=True),))


__all__ = ["Recipe"]
