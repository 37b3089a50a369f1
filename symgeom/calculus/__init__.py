"""Derivatives of the cost: Jacobians, the Gauss–Newton matrix, the residual term, ranks and nullities."""

__all__: list[str] = []
