"""Clustered training data: clusters, CSV files read in blocks, shared points, the embedded data."""
