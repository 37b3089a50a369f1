"""Clustered training data: clusters, CSV files read in blocks, shared points, the embedded data."""

__all__: list[str] = []
