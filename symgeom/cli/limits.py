"""The limits and defaults of the command line's options (a mistyped size would otherwise run for hours).
"""

from __future__ import annotations

__all__ = ["MAX_L", "DEFAULT_INITS", "MAX_INITS", "DEFAULT_STEPS", "MAX_STEPS", "TRAIN_STEPS"]


MAX_L = 64
"""Deepest network the commands accept (``--L``): the exact Hessians and ranks of G3 grow with
``P = (L+1)(Q²+Q)`` parameters, so a mistyped depth would otherwise run for hours or exhaust memory."""

DEFAULT_INITS, MAX_INITS = 64, 100_000

DEFAULT_STEPS, MAX_STEPS = 2000, 10_000_000
"""``train``: runs and steps by default, and the most accepted (a mistyped count would run for days)."""

TRAIN_STEPS = 2000
"""Steps of each training run in ``report --train``."""
