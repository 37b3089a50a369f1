"""Scopes: what a status covers, as a value.

A claim is stated for every size ``Q`` (the truncation maps), for the sizes up to some ``k`` (a case split),
or for the concrete data; a check settles a claim only when its scope covers the claim's.

>>> str(Scope.up_to(3)), str(Scope.these_data(float=True))
('Q <= 3', 'these data, float')
>>> Scope.all_q().covers(Scope.up_to(3)), Scope.up_to(3).covers(Scope.up_to(2)), Scope.up_to(2).covers(Scope.up_to(3))
(True, True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reach(StrEnum):
    """The kinds of scope."""

    ALL_Q = "all Q"
    """Every size ``Q``: a symbolic proof (matrix symbols, coordinatewise lemma)."""
    UP_TO = "up to"
    """Every ``Q <= k``: a case split over explicit sizes (or random float samples at them)."""
    AT = "at"
    """The one size ``Q = k``."""
    DATA = "these data"
    """The concrete data: an exact certificate, or a float64 check with its tolerance."""
    POINTS = "random rational points"
    """An identity SymPy did not reduce, evaluated exactly at random points only."""


@dataclass(frozen=True)
class Scope:
    """What a status covers; ``str`` gives the words shown in outputs (``all Q``, ``Q <= 3``, ``these data``, …).

    Build it with :meth:`all_q`, :meth:`up_to`, :meth:`at`, :meth:`these_data` or :meth:`random_points`.
    """

    reach: Reach
    k: int | None = None
    """The size bound of :attr:`Reach.UP_TO` and :attr:`Reach.AT` (``None`` otherwise)."""
    float: bool = False
    """Whether the evidence is float64: a float check on the data, or float samples up to ``k``."""

    def __post_init__(self):
        object.__setattr__(self, "reach", Reach(self.reach))
        sized = self.reach in (Reach.UP_TO, Reach.AT)
        if sized != (self.k is not None) or (sized and (not isinstance(self.k, int) or self.k < 0)):
            raise ValueError(f"a scope {self.reach.value!r} takes {'a size k >= 0' if sized else 'no size'}, got k = {self.k!r}")
        if self.float and self.reach not in (Reach.UP_TO, Reach.DATA):
            raise ValueError(f"a scope {self.reach.value!r} cannot be a float one (only 'up to' and 'these data' are)")

    @classmethod
    def all_q(cls) -> "Scope":
        """Every size ``Q``."""
        return cls(Reach.ALL_Q)

    @classmethod
    def up_to(cls, k: int, float_samples: bool = False) -> "Scope":
        """Every ``Q <= k``: a case split, or with ``float_samples`` random float samples at those sizes."""
        return cls(Reach.UP_TO, k, float_samples)

    @classmethod
    def at(cls, k: int) -> "Scope":
        """The one size ``Q = k``."""
        return cls(Reach.AT, k)

    @classmethod
    def these_data(cls, float: bool = False) -> "Scope":
        """The concrete data: exact, or (``float``) a float64 check with its tolerance."""
        return cls(Reach.DATA, None, float)

    @classmethod
    def random_points(cls) -> "Scope":
        """Exact evaluation at random rational points only."""
        return cls(Reach.POINTS)

    def covers(self, claim: "Scope") -> bool:
        """Whether a check of this scope settles a statement of scope ``claim``: ``all Q`` covers everything,
        ``Q <= k`` covers ``Q <= j`` for ``j <= k`` (float samples cover only themselves), ``these data`` covers
        both data scopes, and ``these data, float`` covers only itself."""
        if self.reach is Reach.ALL_Q or self == claim:
            return True
        if self.reach is Reach.DATA and not self.float:
            return claim == Scope.these_data(float=True)
        if self.reach is Reach.UP_TO and claim.reach is Reach.UP_TO and not (self.float or claim.float):
            return claim.k <= self.k
        return False

    def __str__(self) -> str:
        if self.reach is Reach.UP_TO:
            return f"Q <= {self.k}" + (", float samples" if self.float else "")
        if self.reach is Reach.AT:
            return f"Q = {self.k}"
        if self.reach is Reach.DATA:
            return "these data" + (", float" if self.float else "")
        return self.reach.value


__all__ = ["Scope", "Reach"]
