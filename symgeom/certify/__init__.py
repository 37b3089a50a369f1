"""Statuses, scopes, checks and derivations; symbolic proofs."""
