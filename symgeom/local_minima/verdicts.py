"""The words of the local-minima answers, as types: how a stratum was settled (:class:`Verdict`) and where a
given point lies (:class:`Place`).  Both are string enums, so JSON, messages and templates see the words (and
``repr`` shows the word, like :class:`~symgeom.certify.certificates.Status`).

>>> Verdict.LOCAL_MINIMUM == "local_minimum", f"{Place.ABOVE_BOUND}", Verdict.EMPTY
(True, 'above_bound', 'empty')
"""

from __future__ import annotations

from enum import StrEnum


class _Word(StrEnum):
    def __repr__(self) -> str:
        return repr(self.value)


class Verdict(_Word):
    """How a stratum ``R_S`` (or its invertible candidate) was settled on the data."""

    LOCAL_MINIMUM = "local_minimum"
    """A certified local minimum: cost ``B_U`` and every strict sign condition of ``R_S``."""
    NOT_CRITICAL = "not_critical"
    """A point with nonzero gradient: not even a critical point."""
    NOT_REACHED = "not_reached"
    """The construction did not reach the stratum (the reason says why)."""
    EMPTY = "empty"
    """The region ``R_S`` is empty: an exact convex combination puts a point of a truncated cluster in the hull
    of the kept points."""
    UNDECIDED = "undecided"
    """The first-order test decides nothing (a float gradient within its tolerance of 0)."""


class Place(_Word):
    """Where a given point lies (:func:`symgeom.local_minima.locate.locate`)."""

    AT_STRATUM_MINIMUM = "at_stratum_minimum"
    """In a stratum ``R_S``, at cost ``B_U``: a local minimum by the bound ``C ≥ B_U`` on ``R_S``."""
    ABOVE_BOUND = "above_bound"
    """In a stratum ``R_S``, above its bound."""
    OUTSIDE_STRATA = "outside_strata"
    """Some cluster is mixed: the point lies in no stratum."""
    AT_PATTERN_MINIMUM = "at_pattern_minimum"
    """At cost equal to the bound of its activation patterns (each pattern's points fitted by one affine map, the
    points first dying in one layer sharing one output): a local minimum beyond the strata' bounds -- clusters
    merged or split, neurons dead at every point."""
    GLOBAL_MINIMUM = "global_minimum"
    """Cost 0 (exactly, or within the float tolerance): a global minimum wherever it lies."""


__all__ = ["Verdict", "Place"]
