"""Assertions for other people's test suites (the hypothesis strategies are :mod:`symgeom.strategies`; the pytest plugin is :mod:`symgeom.testing.pytest_plugin`)."""

from .assertions import (assert_at_stratum_minimum, assert_degeneracy, assert_global_minimizer,
    assert_truncation_identity, collapse_order)
from .json_schemas import validate_output

__all__ = ["assert_at_stratum_minimum", "assert_degeneracy", "assert_global_minimizer", "assert_truncation_identity", "collapse_order",
           "validate_output"]
