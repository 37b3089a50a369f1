"""Statuses, scopes, checks and derivations; symbolic proofs."""

__all__: list[str] = []
