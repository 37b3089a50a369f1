"""The local minima of §4 (N1, N2): strata, settling, no truncation, locate, training."""

__all__: list[str] = []
