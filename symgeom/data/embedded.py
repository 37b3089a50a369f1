"""The embedded default data (``symgeom/data/default.csv``), read with :func:`symgeom.data.clusters.files.read_csv`.
"""

from __future__ import annotations

from importlib import resources

from ..numbers.arith import Kind
from .clusters import ClusterData
from .files import read_csv

__all__ = ["default_data"]


def default_data(kind: Kind = "exact") -> ClusterData:
    """The embedded default: ``Q = 3``, clusters of 4, 4 and 5 points around ``3 e_j``,
    with noise spanning ``R^3`` in every cluster."""
    path = resources.files("symgeom") / "data" / "default.csv"
    with resources.as_file(path) as p:
        data = read_csv(p, kind=kind)
    return ClusterData(X=data.X, labels=data.labels, Y=data.Y, kind=kind, source="embedded default data")
